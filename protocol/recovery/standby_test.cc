// A standby's startup process: it streams through the walreceiver, replays
// only what the walreceiver has fsynced (receivedUpto, RW-15), and on
// promotion ends recovery on timeline 2 with a history file in PostgreSQL
// 15's exact format, an END_OF_RECOVERY record and pg_control in production.
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "protocol/recovery/recovery_test_util.h"
#include "protocol/wal/rmgr.h"
#include "protocol/wal/timeline_history.h"
#include "protocol/wal/wal_reader.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::recovery::testing {
namespace {

using node::DBState;
using node::PMSignalReason;
using node::WalRcvState;

std::string FixtureHistory() {
  std::ifstream in("protocol/recovery/testdata/00000002.history", std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct StandbyWorld : RecoveryWorld {
  WalStream wal;
  std::vector<wal::XLogRecPtr> ends;
  wal::XLogRecPtr write_upto = 0;
  wal::XLogRecPtr flush_upto = 0;

  StandbyWorld() {
    for (uint64_t row = 1; row <= 50; ++row) ends.push_back(wal.Append(RowInsert(row)));
    shm->gucs.primary_conninfo = "host=primary port=5432";
    MakeDataDir(wal, kBootstrapEnd, DBState::DB_SHUTDOWNED, 0, /*standby_signal=*/true);
    make_walreceiver = [this] {
      return FeedingWalReceiver(shm, &wal, &write_upto, &flush_upto);
    };
    StartPostmaster();
  }
  bool Signalled(PMSignalReason r) const {
    return std::find(pm.signals.begin(), pm.signals.end(), r) != pm.signals.end();
  }
};

TEST(StandbyTest, ReplaysOnlyWhatTheWalReceiverHasFsynced) {
  StandbyWorld w;
  w.RunFor(os::Seconds(1));
  // pg_wal ends after the checkpoint: the standby asks for streaming from
  // the start of that segment, on TLI 1.
  EXPECT_TRUE(w.Logged("LOG", "entering standby mode"));
  EXPECT_TRUE(w.Logged("LOG", "invalid record length at 0/10000A0: wanted 24, got 0"));
  EXPECT_TRUE(w.Signalled(PMSignalReason::PMSIGNAL_RECOVERY_STARTED));
  EXPECT_TRUE(w.Signalled(PMSignalReason::PMSIGNAL_BEGIN_HOT_STANDBY));
  EXPECT_TRUE(w.Signalled(PMSignalReason::PMSIGNAL_START_WALRECEIVER));
  EXPECT_EQ(w.shm->WalRcv.walRcvState, WalRcvState::WALRCV_STREAMING);
  EXPECT_EQ(w.shm->WalRcv.receiveStart, 0x1000000u);
  EXPECT_EQ(w.shm->WalRcv.receiveStartTLI, 1u);
  EXPECT_EQ(w.shm->XLogCtl.replayed_inserts, 0u);

  // Everything written, only 20 records fsynced.
  w.write_upto = w.ends[49];
  w.flush_upto = w.ends[19];
  w.RunFor(os::Seconds(6));
  EXPECT_EQ(w.shm->XLogCtl.replayed_inserts, 20u);
  EXPECT_EQ(w.shm->XLogCtl.lastReplayedEndRecPtr, w.ends[19]);
  EXPECT_EQ(w.shm->XLogCtl.max_replayed_row, 20u);
  EXPECT_TRUE(w.shm->XLogCtl.SharedRecoveryInProgress);

  w.flush_upto = w.ends[49];
  w.RunFor(os::Seconds(1));
  EXPECT_EQ(w.shm->XLogCtl.replayed_inserts, 50u);
  EXPECT_EQ(w.shm->XLogCtl.lastReplayedEndRecPtr, w.ends[49]);
  EXPECT_EQ(w.pm.walreceivers_started, 1);
  EXPECT_FALSE(w.pm.startup_exit.has_value());
}

TEST(StandbyTest, PromotionWritesTimelineTwoLikePostgres15) {
  StandbyWorld w;
  w.RunFor(os::Seconds(1));
  w.write_upto = w.flush_upto = w.ends[49];
  w.RunFor(os::Seconds(2));
  ASSERT_EQ(w.shm->XLogCtl.replayed_inserts, 50u);
  const wal::XLogRecPtr E = w.ends[49];

  // pg_ctl promote: the "promote" file, then SIGUSR2 (via the postmaster).
  w.WriteFile("/pgdata/promote", "");
  w.cluster.SendSignal(w.pm.startup_pid, os::Signal::kSIGUSR2);
  w.RunFor(os::Seconds(3));

  ASSERT_TRUE(w.pm.startup_exit.has_value());
  EXPECT_EQ(w.pm.startup_exit->code, 0);
  EXPECT_TRUE(w.Logged("LOG", "received promote request"));
  EXPECT_TRUE(w.Logged("LOG", "selected new timeline ID: 2"));
  EXPECT_TRUE(w.Logged("LOG", "archive recovery complete"));
  // The walreceiver was told to stop, and did.
  EXPECT_EQ(w.shm->WalRcv.walRcvState, WalRcvState::WALRCV_STOPPED);
  EXPECT_FALSE(w.ReadFile("/pgdata/promote").has_value());
  EXPECT_FALSE(w.ReadFile("/pgdata/standby.signal").has_value());

  // 00000002.history: the fixture's exact format, switchpoint = end of the
  // last replayed record.
  std::optional<std::string> hist = w.ReadFile("/pgdata/pg_wal/00000002.history");
  ASSERT_TRUE(hist.has_value());
  EXPECT_EQ(*hist, "1\t" + wal::LsnToString(E) + "\tno recovery target specified\n");
  const std::string fixture = FixtureHistory();
  ASSERT_EQ(fixture, "1\t0/300AB38\tno recovery target specified\n");
  EXPECT_EQ(wal::WriteTimeLineHistory(std::nullopt, 1, 0x300AB38,
                                      "no recovery target specified"),
            fixture);

  // XLOG_END_OF_RECOVERY at E on TLI 2, in the new timeline's segment file.
  const wal::XLogRecPtr insert = w.shm->XLogCtl.pos.Insert;
  ASSERT_GT(insert, E);
  EXPECT_EQ(w.shm->XLogCtl.pos.LogwrtResult.Flush, insert);
  std::optional<std::string> seg = w.ReadFile("/pgdata/pg_wal/000000020000000000000001");
  ASSERT_TRUE(seg.has_value());
  ASSERT_GE(seg->size(), insert - 0x1000000);
  wal::WalBuffer buf;
  buf.Write(0x1000000, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(seg->data()),
                                           insert - 0x1000000));
  wal::XLogReaderState reader({.system_identifier = kSysId},
                              [&](wal::XLogRecPtr p, uint32_t, absl::Span<uint8_t> out) {
                                return wal::ReadPageFromWalBuffer(buf, insert, 2, p, 0, out);
                              });
  reader.XLogBeginRead(w.ends[48]);
  ASSERT_TRUE(reader.XLogReadRecord().ok());  // the last insert, copied from TLI 1
  absl::StatusOr<const wal::WalRecord*> eor = reader.XLogReadRecord();
  ASSERT_TRUE(eor.ok()) << eor.status();
  EXPECT_EQ(reader.ReadRecPtr(), E);
  EXPECT_EQ((*eor)->rmid(), wal::RM_XLOG_ID);
  EXPECT_EQ((*eor)->info(), wal::XLOG_END_OF_RECOVERY);
  absl::StatusOr<wal::xl_end_of_recovery> x = wal::DecodeEndOfRecovery((*eor)->main_data);
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->ThisTimeLineID, 2u);
  EXPECT_EQ(x->PrevTimeLineID, 1u);

  // pg_control: in production on TLI 2.
  node::ControlFileData c = w.ReadControl();
  EXPECT_EQ(c.state, DBState::DB_IN_PRODUCTION);
  EXPECT_EQ(c.minRecoveryPointTLI, 2u);
  EXPECT_EQ(c.minRecoveryPoint, reader.EndRecPtr());
  EXPECT_EQ(w.shm->XLogCtl.ThisTimeLineID, 2u);
  EXPECT_FALSE(w.shm->XLogCtl.SharedRecoveryInProgress);
}

TEST(StandbyTest, PromotionAlsoReplaysWalWrittenButNotYetFsynced) {
  StandbyWorld w;
  w.RunFor(os::Seconds(1));
  w.write_upto = w.ends[49];
  w.flush_upto = w.ends[29];
  w.RunFor(os::Seconds(2));
  ASSERT_EQ(w.shm->XLogCtl.replayed_inserts, 30u);
  w.WriteFile("/pgdata/promote", "");
  w.cluster.SendSignal(w.pm.startup_pid, os::Signal::kSIGUSR2);
  w.RunFor(os::Seconds(3));
  ASSERT_TRUE(w.pm.startup_exit.has_value());
  // After the walreceiver is gone, recovery reads pg_wal, which holds the
  // written (page cache) bytes too, as PostgreSQL's does: replay goes on to
  // the end of what is in the file before the new timeline starts.
  EXPECT_EQ(w.shm->XLogCtl.replayed_inserts, 50u);
  std::optional<std::string> hist = w.ReadFile("/pgdata/pg_wal/00000002.history");
  ASSERT_TRUE(hist.has_value());
  EXPECT_EQ(*hist, "1\t" + wal::LsnToString(w.ends[49]) + "\tno recovery target specified\n");
}

}  // namespace
}  // namespace replsim::recovery::testing
