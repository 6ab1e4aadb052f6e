// syncrep: a commit waits until the synchronous walsender's reported flush
// passes it; a non-sync or non-streaming walsender releases nothing; SIGTERM
// ends the wait unacknowledged; priorities follow synchronous_standby_names.
// Each release's rules: a STOPPING walsender releases waiters only with
// 4c703369af; a backend whose own names are stale skips the wait before
// 48c9f49265; a backend skips it before the checkpointer's first
// publication before 2e57790836.
#include "protocol/postmaster/syncrep.h"

#include "gtest/gtest.h"
#include "sim/os/cluster.h"

namespace replsim::postmaster {
namespace {

using sim::os_sim::Cluster;

struct Fixture {
  sim::World world{1};
  Cluster cluster{world};
  node::NodeShmem shm;
  Fixture() {
    cluster.AddHost("h");
    shm.gucs.synchronous_standby_names = "s1, s2";
    shm.WalSndCtl.walsnds.resize(2);
    SyncRepUpdateSyncStandbysDefined(shm);
  }
  void Run(os::Duration d) { world.Run({.until = world.now() + d}); }
};

TEST(SyncRepTest, WaitReleasedBySyncStandbyFlush) {
  Fixture f;
  std::optional<SyncRepWaitResult> result;
  InterruptFlags flags;
  f.cluster.Spawn("h", "backend", [&](os::Os& os) -> os::Task<> {
    result = co_await SyncRepWaitForLSN(os, f.shm, f.shm.gucs, 0x3000100, flags);
  });
  f.Run(os::Seconds(1));
  EXPECT_FALSE(result.has_value());
  ASSERT_EQ(f.shm.WalSndCtl.SyncRepQueue[node::SYNC_REP_WAIT_FLUSH].size(), 1u);

  node::WalSnd& s2 = f.shm.WalSndCtl.walsnds[1];
  s2 = {.pid = 90, .state = node::WalSndState::WALSNDSTATE_STREAMING, .write = 0x3000200,
        .flush = 0x3000200, .sync_standby_priority = 2, .application_name = "s2"};
  node::WalSnd& s1 = f.shm.WalSndCtl.walsnds[0];
  s1 = {.pid = 91, .state = node::WalSndState::WALSNDSTATE_STREAMING, .write = 0x3000080,
        .flush = 0x3000080, .sync_standby_priority = 1, .application_name = "s1"};
  f.cluster.Spawn("h", "walsender", [&](os::Os& os) -> os::Task<> {
    SyncRepWalSndState st1, st2;
    SyncRepReleaseWaiters(os, f.shm, s2, st2);  // not the sync standby
    SyncRepReleaseWaiters(os, f.shm, s1, st1);  // flush below the commit
    co_return;
  });
  f.Run(os::Seconds(1));
  EXPECT_FALSE(result.has_value());
  EXPECT_EQ(f.shm.WalSndCtl.lsn[node::SYNC_REP_WAIT_FLUSH], 0x3000080u);

  f.cluster.Spawn("h", "walsender", [&](os::Os& os) -> os::Task<> {
    s1.flush = s1.write = 0x3000100;
    SyncRepWalSndState st;
    SyncRepReleaseWaiters(os, f.shm, s1, st);
    co_return;
  });
  f.Run(os::Seconds(1));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, SyncRepWaitResult::kReleased);
  EXPECT_TRUE(f.shm.WalSndCtl.SyncRepQueue[node::SYNC_REP_WAIT_FLUSH].empty());
}

TEST(SyncRepTest, SigtermEndsTheWaitUnacknowledged) {
  Fixture f;
  std::optional<SyncRepWaitResult> result;
  InterruptFlags flags;
  os::Pid pid = f.cluster.Spawn("h", "backend", [&](os::Os& os) -> os::Task<> {
    os.SetSignalHandler(os::Signal::kSIGTERM, [&] {
      flags.ProcDiePending = true;
      os.MyLatch().Set();
    });
    result = co_await SyncRepWaitForLSN(os, f.shm, f.shm.gucs, 0x3000100, flags);
  });
  f.Run(os::Seconds(10));
  EXPECT_FALSE(result.has_value());  // no standby: it hangs
  f.cluster.SendSignal(pid, os::Signal::kSIGTERM);
  f.Run(os::Seconds(1));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, SyncRepWaitResult::kTerminated);
  EXPECT_TRUE(f.shm.WalSndCtl.SyncRepQueue[node::SYNC_REP_WAIT_FLUSH].empty());
}

TEST(SyncRepTest, NoWaitWithoutNamesOrBelowLocal) {
  Fixture f;
  f.shm.gucs.synchronous_standby_names = "";
  SyncRepUpdateSyncStandbysDefined(f.shm);
  std::optional<SyncRepWaitResult> a, b;
  InterruptFlags flags;
  f.cluster.Spawn("h", "backend", [&](os::Os& os) -> os::Task<> {
    a = co_await SyncRepWaitForLSN(os, f.shm, f.shm.gucs, 0x3000100, flags);
    f.shm.gucs.synchronous_standby_names = "s1";
    SyncRepUpdateSyncStandbysDefined(f.shm);
    f.shm.gucs.synchronous_commit = node::SynchronousCommit::kLocal;
    b = co_await SyncRepWaitForLSN(os, f.shm, f.shm.gucs, 0x3000100, flags);
  });
  f.Run(os::Seconds(1));
  EXPECT_EQ(a, SyncRepWaitResult::kNotNeeded);
  EXPECT_EQ(b, SyncRepWaitResult::kNotNeeded);
}

// One backend's commit at 0x3000100 whose own GUCs are `my`: the result
// (nullopt while it waits) and its report.
struct Commit {
  std::optional<SyncRepWaitResult> result;
  SyncRepWaitReport report;
  InterruptFlags flags;
};
void StartCommit(Fixture& f, Commit& c, const node::Gucs& my) {
  f.cluster.Spawn("h", "backend", [&f, &c, my](os::Os& os) -> os::Task<> {
    c.result = co_await SyncRepWaitForLSN(os, f.shm, my, 0x3000100, c.flags, &c.report);
  });
  f.Run(os::Seconds(1));
}

// A walsender in `state`, the only candidate, reports a flush past the
// commit.
void Reply(Fixture& f, node::WalSndState state) {
  node::WalSnd& s1 = f.shm.WalSndCtl.walsnds[0];
  s1 = {.pid = 91, .state = state, .write = 0x3000200, .flush = 0x3000200,
        .sync_standby_priority = 1, .application_name = "s1", .client_host = "standby"};
  f.cluster.Spawn("h", "walsender", [&f, &s1](os::Os& os) -> os::Task<> {
    SyncRepWalSndState st;
    SyncRepReleaseWaiters(os, f.shm, s1, st);
    co_return;
  });
  f.Run(os::Seconds(1));
}

TEST(SyncRepTest, StoppingWalsenderReleasesFrom4c703369af) {
  for (const bool fixed : {false, true}) {
    Fixture f;
    f.shm.behavior.syncrep_stopping_walsenders_release = fixed;
    Commit c;
    StartCommit(f, c, f.shm.gucs);
    Reply(f, node::WalSndState::WALSNDSTATE_STOPPING);
    EXPECT_EQ(c.result.has_value(), fixed) << "fixed=" << fixed;
    if (fixed) EXPECT_EQ(c.report.confirmed_by, "standby");
  }
}

TEST(SyncRepTest, StaleBackendNamesSkipTheWaitBefore48c9f49265) {
  for (const bool fixed : {false, true}) {
    Fixture f;  // the checkpointer has published "s1, s2"
    f.shm.behavior.syncrep_wait_on_shared_flag = fixed;
    node::Gucs stale = f.shm.gucs;
    stale.synchronous_standby_names = "";  // its SIGHUP not yet processed
    Commit c;
    StartCommit(f, c, stale);
    if (fixed) {
      EXPECT_FALSE(c.result.has_value()) << "waits by the shared flag";
      Reply(f, node::WalSndState::WALSNDSTATE_STREAMING);
      EXPECT_EQ(c.result, SyncRepWaitResult::kReleased);
      EXPECT_EQ(c.report.confirmed_by, "standby");
    } else {
      EXPECT_EQ(c.result, SyncRepWaitResult::kNotNeeded);
      EXPECT_EQ(c.report.confirmed_by, "");
    }
    EXPECT_TRUE(c.report.promised) << "the server had published the names";
  }
}

TEST(SyncRepTest, UnpublishedNamesSkipTheWaitBefore2e57790836) {
  for (const bool fixed : {false, true}) {
    Fixture f;
    f.shm.WalSndCtl = {};  // fresh shared memory, no checkpointer yet
    f.shm.WalSndCtl.walsnds.resize(2);
    f.shm.behavior.syncrep_sync_standbys_init = fixed;
    Commit c;
    StartCommit(f, c, f.shm.gucs);
    EXPECT_EQ(c.result.has_value(), !fixed) << "fixed=" << fixed;
    if (!fixed) {
      EXPECT_EQ(c.result, SyncRepWaitResult::kNotNeeded);
      EXPECT_TRUE(c.report.promised) << "the server was started with the names";
    }
    SyncRepUpdateSyncStandbysDefined(f.shm);
    EXPECT_TRUE(f.shm.WalSndCtl.sync_standbys_init);
  }
}

TEST(SyncRepTest, NotPromisedWithoutNames) {
  Fixture f;
  node::Gucs none = f.shm.gucs;
  none.synchronous_standby_names = "";
  f.shm.gucs = none;
  SyncRepUpdateSyncStandbysDefined(f.shm);
  Commit c;
  StartCommit(f, c, none);
  EXPECT_EQ(c.result, SyncRepWaitResult::kNotNeeded);
  EXPECT_FALSE(c.report.promised);
}

TEST(SyncRepTest, StandbyPriority) {
  EXPECT_EQ(SyncRepGetStandbyPriority("s1, s2", "s2"), 2);
  EXPECT_EQ(SyncRepGetStandbyPriority("FIRST 1 (a, \"B\")", "b"), 2);
  EXPECT_EQ(SyncRepGetStandbyPriority("*", "anything"), 1);
  EXPECT_EQ(SyncRepGetStandbyPriority("s1", "s3"), 0);
  EXPECT_EQ(SyncRepGetStandbyPriority("", "s1"), 0);
}

}  // namespace
}  // namespace replsim::postmaster
