// The startup process on a primary: no recovery after a clean shutdown;
// crash recovery over pg_wal up to the last valid record, then production.
#include "gtest/gtest.h"
#include "protocol/recovery/recovery_test_util.h"
#include "protocol/wal/lsn.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::recovery::testing {
namespace {

using node::DBState;

TEST(StartupPrimaryTest, CleanShutdownStartsInsertingAfterTheShutdownCheckpoint) {
  RecoveryWorld w;
  WalStream wal;
  for (uint64_t row = 1; row <= 10; ++row) wal.Append(RowInsert(row));
  wal::XLogRecPtr ckpt = 0;
  const wal::XLogRecPtr ckpt_end = wal.AppendShutdownCheckpoint(&ckpt);
  w.MakeDataDir(wal, ckpt_end, DBState::DB_SHUTDOWNED, ckpt, /*standby_signal=*/false);
  w.StartPostmaster();
  w.RunFor(os::Seconds(2));

  ASSERT_TRUE(w.pm.startup_exit.has_value());
  EXPECT_EQ(w.pm.startup_exit->code, 0);
  EXPECT_EQ(w.pm.startup_exit->signal, 0);
  // No redo: nothing replayed, no recovery messages, no PMSignal.
  EXPECT_EQ(w.shm->XLogCtl.replayed_inserts, 0u);
  EXPECT_FALSE(w.Logged("LOG", "database system was not properly shut down; "
                               "automatic recovery in progress"));
  EXPECT_TRUE(w.pm.signals.empty());
  // Insertion continues right after the checkpoint record, on TLI 1.
  EXPECT_EQ(w.shm->XLogCtl.pos.Insert, ckpt_end);
  EXPECT_EQ(w.shm->XLogCtl.insert->PrevRecord(), ckpt);
  EXPECT_EQ(w.shm->XLogCtl.ThisTimeLineID, 1u);
  EXPECT_FALSE(w.shm->XLogCtl.SharedRecoveryInProgress);
  node::ControlFileData c = w.ReadControl();
  EXPECT_EQ(c.state, DBState::DB_IN_PRODUCTION);
  EXPECT_EQ(c.checkPoint, ckpt);
  // No archive recovery, so no new timeline.
  EXPECT_FALSE(w.ReadFile("/pgdata/pg_wal/00000002.history").has_value());
}

TEST(StartupPrimaryTest, CrashRecoveryStopsAtTheLastValidRecordOfATornTail) {
  RecoveryWorld w;
  WalStream wal;
  std::vector<wal::XLogRecPtr> ends;
  for (uint64_t row = 1; row <= 30; ++row) ends.push_back(wal.Append(RowInsert(row)));
  // The crash tore record 30: its second half never reached the disk.
  const wal::XLogRecPtr torn_end = ends[28] + (ends[29] - ends[28]) / 2;
  w.MakeDataDir(wal, torn_end, DBState::DB_IN_PRODUCTION, /*checkpoint=*/0,
                /*standby_signal=*/false);
  w.StartPostmaster();
  w.RunFor(os::Seconds(2));

  ASSERT_TRUE(w.pm.startup_exit.has_value());
  EXPECT_EQ(w.pm.startup_exit->code, 0);
  EXPECT_TRUE(w.Logged("LOG", "database system was not properly shut down; "
                              "automatic recovery in progress"));
  EXPECT_TRUE(w.Logged("LOG", "redo starts at " + wal::LsnToString(kBootstrapEnd)));
  EXPECT_TRUE(w.Logged("LOG", "redo done at " + wal::LsnToString(ends[27])));
  EXPECT_EQ(w.shm->XLogCtl.replayed_inserts, 29u);
  EXPECT_EQ(w.shm->XLogCtl.max_replayed_row, 29u);
  EXPECT_EQ(w.shm->XLogCtl.lastReplayedEndRecPtr, ends[28]);
  // Crash recovery never asks the postmaster for anything and stays on TLI 1.
  EXPECT_TRUE(w.pm.signals.empty());
  EXPECT_EQ(w.shm->XLogCtl.ThisTimeLineID, 1u);
  // The end-of-recovery checkpoint (no checkpointer runs here) starts where
  // valid WAL ended, overwriting the torn record.
  node::ControlFileData c = w.ReadControl();
  EXPECT_EQ(c.state, DBState::DB_IN_PRODUCTION);
  EXPECT_EQ(c.checkPoint, ends[28]);
  EXPECT_EQ(c.checkPointCopy.redo, ends[28]);
  EXPECT_GT(w.shm->XLogCtl.pos.LogwrtResult.Flush, ends[28]);
}

TEST(StartupPrimaryTest, SigtermDuringStandbyWaitExitsWithCodeOne) {
  RecoveryWorld w;
  WalStream wal;
  w.shm->gucs.primary_conninfo = "host=primary port=5432";
  w.MakeDataDir(wal, kBootstrapEnd, DBState::DB_SHUTDOWNED, 0, /*standby_signal=*/true);
  w.StartPostmaster();
  w.RunFor(os::Seconds(3));
  ASSERT_FALSE(w.pm.startup_exit.has_value());
  w.cluster.SendSignal(w.pm.startup_pid, os::Signal::kSIGTERM);
  w.RunFor(os::Seconds(1));
  ASSERT_TRUE(w.pm.startup_exit.has_value());
  EXPECT_EQ(w.pm.startup_exit->code, 1);
}

}  // namespace
}  // namespace replsim::recovery::testing
