// The old primary restarted as a standby of the promoted one (reference
// §3.7), at the level of timelines: its shutdown checkpoint C ends at C_end,
// the new timeline 2 forked from 1 at E.
//  * E >= C_end: the rescan after the walreceiver reaches the end of TLI 1
//    adopts timeline 2 ("new target timeline is 2") and streams it;
//  * E < C_end: "new timeline 2 forked off current database system timeline
//    1 before current recovery point C_end", and it stays on TLI 1, retrying;
//  * the history file already there at startup with C >= E: FATAL
//    "requested timeline 2 is not a child of this server's history".
#include "gtest/gtest.h"
#include "protocol/recovery/recovery_test_util.h"
#include "protocol/recovery/timeline_files.h"

namespace replsim::recovery::testing {
namespace {

using node::DBState;
using node::WalRcvState;

// A walreceiver connected to the promoted server: it fetches
// 00000002.history, and a request on TLI 1 ends at the switchpoint
// (WAITING); a request on TLI 2 streams.
os::Task<> HistoricWalReceiverMain(os::Os& os, node::ShmemRef shm, std::string history,
                                   std::vector<wal::TimeLineID>* starts) {
  node::WalRcvData& w = shm->WalRcv;
  if (w.walRcvState != WalRcvState::WALRCV_STARTING) co_return;
  w.pid = os.MyPid();
  w.latch = &os.MyLatch();
  bool term = false;
  os.SetSignalHandler(os::Signal::kSIGTERM, [&term, &os] {
    term = true;
    os.MyLatch().Set();
  });
  // WalRcvFetchTimeLineHistoryFiles at connect.
  CHECK((co_await writeTimeLineHistoryFile(os, shm->data_dir, 2, history, 150000)).ok());
  bool restart = true;
  while (!term) {
    if (restart) {
      starts->push_back(w.receiveStartTLI);
      // TLI 1 is historic on the server: streamed to its end, then WAITING.
      w.walRcvState = w.receiveStartTLI == 2 ? WalRcvState::WALRCV_STREAMING
                                             : WalRcvState::WALRCV_WAITING;
      shm->XLogCtl.recoveryWakeupLatch->Set();
    }
    co_await os.WaitLatchOrSocket(&os.MyLatch(),
                                  os::WL_LATCH_SET | os::WL_TIMEOUT | os::WL_EXIT_ON_PM_DEATH,
                                  os::kNoFd, os::Milliseconds(10));
    os.MyLatch().Reset();
    restart = w.walRcvState == WalRcvState::WALRCV_RESTARTING;
  }
  w.walRcvState = WalRcvState::WALRCV_STOPPED;
  w.pid = 0;
  w.latch = nullptr;
}

struct OldPrimary : RecoveryWorld {
  WalStream wal;
  wal::XLogRecPtr C = 0;
  wal::XLogRecPtr C_end = 0;
  std::vector<wal::TimeLineID> starts;

  OldPrimary() {
    for (uint64_t row = 1; row <= 10; ++row) wal.Append(RowInsert(row));
    C_end = wal.AppendShutdownCheckpoint(&C);
    shm->gucs.primary_conninfo = "host=new-primary port=5432";
    MakeDataDir(wal, C_end, DBState::DB_SHUTDOWNED, C, /*standby_signal=*/true);
  }
  static std::string History(wal::XLogRecPtr E) {
    return "1\t" + wal::LsnToString(E) + "\tno recovery target specified\n";
  }
  void StreamFromPromoted(wal::XLogRecPtr E) {
    make_walreceiver = [this, E] {
      node::ShmemRef s = shm;
      std::vector<wal::TimeLineID>* st = &starts;
      return WalRcvBody([s, E, st](os::Os& os) {
        return HistoricWalReceiverMain(os, s, History(E), st);
      });
    };
  }
};

TEST(RejoinTest, SwitchpointAtOrAfterCheckpointEndFollowsTimelineTwo) {
  OldPrimary w;
  ASSERT_EQ(w.C_end - w.C, 120u);  // PostgreSQL 15's shutdown checkpoint size
  w.StreamFromPromoted(/*E=*/w.C_end);
  w.StartPostmaster();
  w.RunFor(os::Seconds(2));
  EXPECT_TRUE(w.Logged("LOG", "new target timeline is 2"));
  EXPECT_EQ(w.CountLogged("LOG", "new timeline 2 forked off current database system "
                                 "timeline 1 before current recovery point " +
                                     wal::LsnToString(w.C_end)),
            0);
  // First on TLI 1 from C_end's segment, then on TLI 2.
  ASSERT_GE(w.starts.size(), 2u);
  EXPECT_EQ(w.starts.front(), 1u);
  EXPECT_EQ(w.starts.back(), 2u);
  EXPECT_EQ(w.shm->WalRcv.receiveStartTLI, 2u);
  EXPECT_EQ(w.shm->WalRcv.receiveStart, w.C_end - w.C_end % wal::kWalSegSize);
  EXPECT_EQ(w.shm->WalRcv.walRcvState, WalRcvState::WALRCV_STREAMING);
  EXPECT_FALSE(w.pm.startup_exit.has_value());
}

TEST(RejoinTest, SwitchpointBeforeCheckpointEndKeepsWaitingOnTimelineOne) {
  OldPrimary w;
  w.StreamFromPromoted(/*E=*/w.C);  // the standby missed the checkpoint
  w.StartPostmaster();
  w.RunFor(os::Seconds(12));
  const std::string forked = "new timeline 2 forked off current database system timeline 1 "
                             "before current recovery point " + wal::LsnToString(w.C_end);
  // Every round of the source cycle rescans and refuses again.
  EXPECT_GE(w.CountLogged("LOG", forked), 2);
  EXPECT_FALSE(w.Logged("LOG", "new target timeline is 2"));
  ASSERT_GE(w.starts.size(), 2u);
  for (wal::TimeLineID t : w.starts) EXPECT_EQ(t, 1u);
  EXPECT_EQ(w.shm->XLogCtl.replayed_inserts, 0u);
  EXPECT_FALSE(w.pm.startup_exit.has_value());
}

TEST(RejoinTest, HistoryPresentAtStartupWithForkBeforeCheckpointIsFatal) {
  OldPrimary w;
  const wal::XLogRecPtr E = w.C;  // C >= E
  w.WriteFile("/pgdata/pg_wal/00000002.history", OldPrimary::History(E));
  w.StartPostmaster();
  w.RunFor(os::Seconds(2));
  ASSERT_TRUE(w.pm.startup_exit.has_value());
  EXPECT_EQ(w.pm.startup_exit->code, 1);
  EXPECT_TRUE(w.Logged(
      "FATAL", "requested timeline 2 is not a child of this server's history\nDETAIL:  "
               "Latest checkpoint is at " + wal::LsnToString(w.C) +
               " on timeline 1, but in the history of the requested timeline, the "
               "server forked off from that timeline at " + wal::LsnToString(E) + "."));
}

TEST(RejoinTest, HistoryPresentAtStartupWithForkAtCheckpointEndStreamsTimelineTwo) {
  OldPrimary w;
  w.WriteFile("/pgdata/pg_wal/00000002.history", OldPrimary::History(w.C_end));
  w.StreamFromPromoted(w.C_end);
  w.StartPostmaster();
  w.RunFor(os::Seconds(2));
  EXPECT_FALSE(w.pm.startup_exit.has_value());
  // The record wanted at C_end belongs to TLI 2 per the history.
  ASSERT_FALSE(w.starts.empty());
  EXPECT_EQ(w.starts.front(), 2u);
}

}  // namespace
}  // namespace replsim::recovery::testing
