// Scripted postmaster scenarios with the fake startup process: start from
// initdb and run clients; smart, fast and immediate shutdown in 15's and
// 9.3's state sequences; crash handling and restart; synchronous commit
// waits released by a walsender's reported flush, or cancelled by a fast
// shutdown without acknowledgement.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocol/postmaster/syncrep.h"
#include "protocol/wal/rmgr.h"
#include "protocol/wal/xlog_records.h"
#include "scenarios/harness/fake_processes.h"
#include "scenarios/harness/harness.h"

namespace replsim::scenarios {
namespace {

using Strings = std::vector<std::string>;

PgNode& StartedPrimary(Harness& t) {
  PgNode& p = t.Node("primary");
  p.entry_points() = FakeEntryPoints();
  EXPECT_EQ(p.InitDb(), absl::OkStatus());
  p.Start();
  EXPECT_TRUE(t.RunUntil([&] { return p.HasLog("ready to accept connections"); },
                         os::Seconds(10)));
  return p;
}

// The shutdown checkpoint is the last WAL record, and pg_control points at it.
void ExpectCleanShutdown(PgNode& p) {
  node::ControlFileData cf = p.ControlFile();
  EXPECT_EQ(cf.state, node::DBState::DB_SHUTDOWNED);
  WalScan scan = p.ScanWal(cf.checkPoint);
  ASSERT_FALSE(scan.records.empty()) << scan.stop_reason;
  ASSERT_EQ(scan.records.size(), 1u) << "records after the shutdown checkpoint";
  const ScannedRecord& last = scan.records.back();
  EXPECT_EQ(last.start, cf.checkPoint);
  EXPECT_EQ(last.record.rmid(), wal::RM_XLOG_ID);
  EXPECT_EQ(last.record.info(), wal::XLOG_CHECKPOINT_SHUTDOWN);
  EXPECT_EQ(cf.checkPointCopy.redo, last.start);
}

TEST(PostmasterScenarioTest, PrimaryFromInitdbRunsWorkloadAndAcksDurableCommits) {
  Harness t(1, "pg-15");
  PgNode& p = StartedPrimary(t);
  EXPECT_EQ(p.PMStates(), (Strings{"PM_STARTUP", "PM_RUN"}));
  p.Workload({.sessions = 3, .transactions = 5});
  t.RunFor(os::Seconds(5));
  ASSERT_EQ(t.ledger().acked.size(), 15u);
  // Every acknowledged commit is a COMMIT record of its xid in the WAL.
  WalScan scan = p.ScanWal(p.ControlFile().checkPoint);
  for (const postmaster::LedgerEntry& e : t.ledger().acked) {
    bool found = false;
    for (const ScannedRecord& r : scan.records) {
      if (r.start != e.commit_lsn) continue;
      found = r.record.rmid() == wal::RM_XACT_ID &&
              r.record.header.xl_xid == static_cast<uint32_t>(e.xid);
    }
    EXPECT_TRUE(found) << "xid " << e.xid;
  }
}

TEST(PostmasterScenarioTest, LookingAtANodeDoesNotChangeTheRun) {
  // pg_control and the WAL are read straight from the disk: no process runs,
  // no time passes, nothing is drawn, so the run goes on exactly as if
  // nobody had looked.
  auto run = [](bool look) {
    Harness t(3, "pg-15");
    PgNode& p = StartedPrimary(t);
    p.Workload({.sessions = 2, .transactions = 1000, .think_time = os::Milliseconds(5)});
    for (int i = 0; i < 20; ++i) {
      t.RunFor(os::Milliseconds(37));
      if (look) {
        const os::Instant before = t.world().now();
        EXPECT_FALSE(p.ScanWal(p.ControlFile().checkPoint).records.empty());
        EXPECT_EQ(t.world().now(), before);
      }
    }
    return t.world().Fingerprint();
  };
  EXPECT_EQ(run(true), run(false));
}

TEST(PostmasterScenarioTest, FastShutdownWritesTheLastRecord15) {
  Harness t(2, "pg-15");
  PgNode& p = StartedPrimary(t);
  p.Workload({.sessions = 2, .transactions = 1000, .think_time = os::Milliseconds(5)});
  t.RunFor(os::Seconds(1));
  p.Stop(Shutdown::kFast);
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(30)));
  EXPECT_EQ(p.postmaster_exit()->code, 0);
  EXPECT_EQ(p.PMStates(),
            (Strings{"PM_STARTUP", "PM_RUN", "PM_STOP_BACKENDS", "PM_WAIT_BACKENDS",
                     "PM_SHUTDOWN", "PM_SHUTDOWN_2", "PM_WAIT_DEAD_END",
                     "PM_NO_CHILDREN"}));
  p.ExpectLog("received fast shutdown request");
  p.ExpectLog("aborting any active transactions");
  p.ExpectLog("terminating connection due to administrator command");
  p.ExpectLog("checkpoint starting: shutdown immediate");
  p.ExpectLog("database system is shut down");
  EXPECT_GT(t.ledger().acked.size(), 0u);
  ExpectCleanShutdown(p);
}

TEST(PostmasterScenarioTest, FastShutdown93SequenceAndCheckpointerLogsShutDown) {
  Harness t(3, "pg-9.3.5");
  PgNode& p = StartedPrimary(t);
  p.Stop(Shutdown::kFast);
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(30)));
  EXPECT_EQ(p.PMStates(),
            (Strings{"PM_STARTUP", "PM_RUN", "PM_WAIT_BACKENDS", "PM_SHUTDOWN",
                     "PM_SHUTDOWN_2", "PM_WAIT_DEAD_END", "PM_NO_CHILDREN"}));
  bool by_checkpointer = false;
  for (const LogLine& l : p.Logs()) {
    if (l.message == "database system is shut down") by_checkpointer = l.process == "checkpointer";
  }
  EXPECT_TRUE(by_checkpointer);
  ExpectCleanShutdown(p);
}

TEST(PostmasterScenarioTest, SmartShutdownWaitsForSessionsAndRefusesNewOnes) {
  Harness t(4, "pg-15");
  PgNode& p = StartedPrimary(t);
  p.Workload({.sessions = 1, .transactions = 50, .think_time = os::Milliseconds(100)});
  t.RunFor(os::Seconds(1));
  p.Stop(Shutdown::kSmart);
  t.RunFor(os::Seconds(1));
  EXPECT_TRUE(p.running());  // the session is still working (connsAllowed off)
  EXPECT_EQ(p.PMStates().back(), "PM_RUN");
  p.Workload({.sessions = 1, .transactions = 1});
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(30)));
  EXPECT_EQ(t.ledger().acked.size(), 50u);  // the old session finished
  EXPECT_EQ(t.ledger().sessions_refused, 1);
  p.ExpectLog("the database system is shutting down");
  EXPECT_EQ(p.PMStates(),
            (Strings{"PM_STARTUP", "PM_RUN", "PM_STOP_BACKENDS", "PM_WAIT_BACKENDS",
                     "PM_SHUTDOWN", "PM_SHUTDOWN_2", "PM_WAIT_DEAD_END",
                     "PM_NO_CHILDREN"}));
  ExpectCleanShutdown(p);
}

TEST(PostmasterScenarioTest, ImmediateShutdownLeavesCrashRecoveryForNextStart) {
  Harness t(5, "pg-15");
  PgNode& p = StartedPrimary(t);
  p.Workload({.sessions = 1, .transactions = 20, .think_time = os::Milliseconds(1)});
  t.RunFor(os::Seconds(2));
  const size_t acked = t.ledger().acked.size();
  ASSERT_EQ(acked, 20u);
  p.Stop(Shutdown::kImmediate);
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(30)));
  EXPECT_EQ(p.PMStates(), (Strings{"PM_STARTUP", "PM_RUN", "PM_WAIT_BACKENDS",
                                   "PM_WAIT_DEAD_END", "PM_NO_CHILDREN"}));
  EXPECT_EQ(p.ControlFile().state, node::DBState::DB_IN_PRODUCTION);
  p.Start();
  ASSERT_TRUE(t.RunUntil([&] { return p.PMStates().size() >= 7 &&
                                      p.PMStates().back() == "PM_RUN"; },
                         os::Seconds(10)));
  p.ExpectLog("database system was not properly shut down; automatic recovery in progress");
  // Redo reached the last acknowledged commit; new xids do not reuse old ones.
  EXPECT_GT(p.shmem()->ShmemVariableCache.nextXid, t.ledger().acked.back().xid);
  EXPECT_GE(p.shmem()->XLogCtl.pos.Insert, t.ledger().acked.back().commit_end);
}

TEST(PostmasterScenarioTest, ImmediateShutdown93ExitsAtOnce) {
  Harness t(6, "pg-9.3.5");
  PgNode& p = StartedPrimary(t);
  p.Stop(Shutdown::kImmediate);
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(1)));
  EXPECT_EQ(p.PMStates(), (Strings{"PM_STARTUP", "PM_RUN"}));
  EXPECT_FALSE(p.HasLog("database system is shut down"));
}

TEST(PostmasterScenarioTest, ChildCrashRestartsThroughCrashRecovery) {
  Harness t(7, "pg-15");
  PgNode& p = StartedPrimary(t);
  p.Workload({.sessions = 1, .transactions = 1000, .think_time = os::Milliseconds(10)});
  t.RunFor(os::Seconds(1));
  const os::Pid backend = t.cluster().FindByName("primary", "backend");
  ASSERT_NE(backend, 0);
  t.cluster().SendSignal(backend, os::Signal::kSIGKILL);
  ASSERT_TRUE(t.RunUntil([&] { return p.PMStates().back() == "PM_RUN" &&
                                      p.PMStates().size() > 2; },
                         os::Seconds(20)));
  p.ExpectLog(absl::StrCat("server process (PID ", backend,
                           ") was terminated by signal 9: Killed"));
  p.ExpectLog("terminating any other active server processes");
  p.ExpectLog("all server processes terminated; reinitializing");
  p.ExpectLog("database system was not properly shut down");
  EXPECT_EQ(p.PMStates(), (Strings{"PM_STARTUP", "PM_RUN", "PM_WAIT_BACKENDS",
                                   "PM_WAIT_DEAD_END", "PM_NO_CHILDREN", "PM_STARTUP",
                                   "PM_RUN"}));
  EXPECT_TRUE(p.running());
}

// A primary whose commits wait for standby "s1".
PgNode& SyncPrimary(Harness& t) {
  PgNode& p = t.Node("primary");
  p.config().gucs.synchronous_standby_names = "s1";
  p.config().gucs.max_wal_senders = 3;  // 9.3's default is 0: no sync rep at all
  return StartedPrimary(t);
}

TEST(PostmasterScenarioTest, SyncCommitWaitsUntilWalSenderReportsFlush) {
  Harness t(8, "pg-15");
  PgNode& p = SyncPrimary(t);
  p.Workload({.sessions = 1, .transactions = 1});
  t.RunFor(os::Seconds(3));
  EXPECT_TRUE(t.ledger().acked.empty());  // no standby yet: the commit hangs
  node::NodeShmem& shm = *p.shmem();
  ASSERT_EQ(shm.WalSndCtl.SyncRepQueue[node::SYNC_REP_WAIT_FLUSH].size(), 1u);
  const wal::XLogRecPtr commit = shm.WalSndCtl.SyncRepQueue[node::SYNC_REP_WAIT_FLUSH][0]->waitLSN;
  t.cluster().Spawn("primary", "walsender", [&](os::Os& os) -> os::Task<> {
    node::WalSnd& slot = shm.WalSndCtl.walsnds[0];
    slot = {.pid = os.MyPid(), .state = node::WalSndState::WALSNDSTATE_STREAMING,
            .write = commit, .flush = commit - 8, .sync_standby_priority = 1,
            .application_name = "s1"};
    postmaster::SyncRepWalSndState st;
    postmaster::SyncRepReleaseWaiters(os, shm, slot, st);  // flush short of it
    co_await os.Sleep(os::Seconds(1));
    slot.flush = commit;
    postmaster::SyncRepReleaseWaiters(os, shm, slot, st);  // the 'r' that covers it
    slot.pid = 0;
  });
  t.RunFor(os::Milliseconds(500));
  EXPECT_TRUE(t.ledger().acked.empty());
  t.RunFor(os::Seconds(2));
  ASSERT_EQ(t.ledger().acked.size(), 1u);
  EXPECT_EQ(t.ledger().acked[0].commit_end, commit);
  p.ExpectLog("standby \"s1\" is now a synchronous standby with priority 1");
}

TEST(PostmasterScenarioTest, FastShutdownCancelsTheSyncWaitWithoutAck) {
  Harness t(9, "pg-15");
  PgNode& p = SyncPrimary(t);
  p.Workload({.sessions = 1, .transactions = 1});
  t.RunFor(os::Seconds(3));
  p.Stop(Shutdown::kFast);
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(30)));
  EXPECT_TRUE(t.ledger().acked.empty());
  ASSERT_EQ(t.ledger().unacked.size(), 1u);
  p.ExpectLog("canceling the wait for synchronous replication and terminating connection "
              "due to administrator command");
  ExpectCleanShutdown(p);
}

TEST(PostmasterScenarioTest, SmartShutdownHangsOnASyncWait) {
  Harness t(10, "pg-9.3.5");
  PgNode& p = SyncPrimary(t);
  p.Workload({.sessions = 1, .transactions = 1});
  t.RunFor(os::Seconds(3));
  p.Stop(Shutdown::kSmart);
  t.RunFor(os::Seconds(60));
  EXPECT_TRUE(p.running());  // RW-18
  EXPECT_EQ(p.PMStates().back(), "PM_WAIT_BACKENDS");
  EXPECT_TRUE(t.ledger().acked.empty());
  // Only a stronger request ends it: fast shutdown cancels the wait.
  p.Stop(Shutdown::kFast);
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(30)));
  EXPECT_EQ(t.ledger().unacked.size(), 1u);
}

}  // namespace
}  // namespace replsim::scenarios
