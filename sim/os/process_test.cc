// Processes on simulated hosts: signals (handlers, coalescing, default
// actions, random delivery order), latches, SIGCHLD, postmaster death, SIGKILL
// mid-wait, host crash, files through the Os, fault points.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/os/test_util.h"
#include "sim/os/cluster.h"

namespace replsim::sim::os_sim {
namespace {

using os::Signal;

class ProcessTest : public ::testing::Test {
 protected:
  explicit ProcessTest(uint64_t seed = 1) : world_(seed, true), cluster_(world_) {
    cluster_.AddHost("h");
  }
  void RunUntil(os::Duration d) { os_sim::RunUntil(world_, d); }
  int Count(std::string_view kind) { return os_sim::CountEvents(world_, kind); }

  World world_;
  Cluster cluster_;
};

TEST_F(ProcessTest, SigusrTwoSetsLatchAndWakesWaitLatchOrSocket) {
  int rc = 0;
  bool got = false;
  os::Instant woke;
  os::Pid pid = cluster_.Spawn("h", "walsender", [&](os::Os& os) -> os::Task<> {
    os.SetSignalHandler(Signal::kSIGUSR2, [&] {
      got = true;
      os.MyLatch().Set();
    });
    rc = co_await os.WaitLatchOrSocket(&os.MyLatch(), os::WL_LATCH_SET | os::WL_TIMEOUT,
                                       os::kNoFd, os::Seconds(10));
    woke = world_.now();
  });
  world_.queue().Schedule(os::Instant() + os::Seconds(1),
                          [&] { cluster_.SendSignal(pid, Signal::kSIGUSR2); });
  RunUntil(os::Seconds(20));
  EXPECT_TRUE(got);
  EXPECT_EQ(rc, os::WL_LATCH_SET);
  EXPECT_EQ(woke, os::Instant() + os::Seconds(1));
}

TEST_F(ProcessTest, HandlerThatSetsNoLatchDoesNotEndTheWait) {
  int rc = 0;
  bool hup = false;
  os::Pid pid = cluster_.Spawn("h", "p", [&](os::Os& os) -> os::Task<> {
    os.SetSignalHandler(Signal::kSIGHUP, [&] { hup = true; });
    rc = co_await os.WaitLatchOrSocket(&os.MyLatch(), os::WL_LATCH_SET | os::WL_TIMEOUT,
                                       os::kNoFd, os::Seconds(10));
  });
  world_.queue().Schedule(os::Instant() + os::Seconds(1),
                          [&] { cluster_.SendSignal(pid, Signal::kSIGHUP); });
  RunUntil(os::Seconds(5));
  EXPECT_TRUE(hup);
  EXPECT_EQ(rc, 0);  // still waiting
  RunUntil(os::Seconds(20));
  EXPECT_EQ(rc, os::WL_TIMEOUT);
}

TEST_F(ProcessTest, PendingSignalsCoalesce) {
  int handled = 0;
  os::Pid pid = cluster_.Spawn("h", "p", [&](os::Os& os) -> os::Task<> {
    os.SetSignalHandler(Signal::kSIGUSR1, [&] { ++handled; });
    co_await os.Sleep(os::Seconds(10));
  });
  world_.queue().Schedule(os::Instant() + os::Seconds(1), [&] {
    cluster_.SendSignal(pid, Signal::kSIGUSR1);
    cluster_.SendSignal(pid, Signal::kSIGUSR1);
  });
  RunUntil(os::Seconds(20));
  EXPECT_EQ(handled, 1);
  EXPECT_EQ(Count("signal_coalesced"), 1);
}

TEST_F(ProcessTest, SleepReturnsEintrAfterAHandler) {
  os::Errno r = os::Errno::kOk;
  os::Pid pid = cluster_.Spawn("h", "p", [&](os::Os& os) -> os::Task<> {
    os.SetSignalHandler(Signal::kSIGINT, [] {});
    r = co_await os.Sleep(os::Seconds(10));
  });
  world_.queue().Schedule(os::Instant() + os::Seconds(1),
                          [&] { cluster_.SendSignal(pid, Signal::kSIGINT); });
  RunUntil(os::Seconds(2));
  EXPECT_EQ(r, os::Errno::kEINTR);
}

TEST_F(ProcessTest, SigchldArrivesAsItsOwnEventAfterTheExit) {
  std::optional<os::ChildExit> status;
  bool chld = false;
  os::Pid child = 0;
  cluster_.Spawn("h", "postmaster", [&](os::Os& os) -> os::Task<> {
    os.SetSignalHandler(Signal::kSIGCHLD, [&] {
      chld = true;
      os.MyLatch().Set();
    });
    child = *os.StartChild("startup", [](os::Os& c) -> os::Task<> { co_await c.Exit(3); });
    co_await os.WaitLatchOrSocket(&os.MyLatch(), os::WL_LATCH_SET, os::kNoFd, {});
    status = os.WaitChild();
  });
  RunUntil(os::Seconds(1));
  ASSERT_TRUE(chld);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->pid, child);
  EXPECT_EQ(status->code, 3);
  // The child's exit and the parent's status are separate, ordered events.
  const auto& ev = world_.trace().events();
  size_t exit_at = 0, status_at = 0;
  for (size_t i = 0; i < ev.size(); ++i) {
    if (ev[i].kind == "process_exit" && ev[i].process == "startup") exit_at = i;
    if (ev[i].kind == "child_exit_status") status_at = i;
  }
  EXPECT_GT(status_at, exit_at);
}

// A child sends SIGUSR1 to its parent (PMSIGNAL) and exits at once; the
// parent is in disk I/O meanwhile, which does not wait for signals. Returns
// the order the parent handled them in, and whether they were pending
// together at one suspension point.
struct UsrChldRun {
  std::vector<std::string> order;
  uint64_t together = 0;
};
UsrChldRun RunUsr1ThenExit(uint64_t seed, ClusterConfig config) {
  World world(seed);
  Cluster cluster(world, std::move(config));
  cluster.AddHost("h");
  UsrChldRun run;
  cluster.Spawn("h", "postmaster", [&](os::Os& os) -> os::Task<> {
    os.SetSignalHandler(Signal::kSIGUSR1, [&] { run.order.push_back("usr1"); });
    os.SetSignalHandler(Signal::kSIGCHLD, [&] { run.order.push_back("chld"); });
    os::Fd f = *os.Open("log", os::kOpenCreate | os::kOpenReadWrite);
    os::Pid me = os.MyPid();
    (void)os.StartChild("walsender", [me](os::Os& c) -> os::Task<> {
      c.Kill(me, Signal::kSIGUSR1);  // PMSIGNAL, then exit at once
      co_return;
    });
    std::vector<uint8_t> b(10);
    while (run.order.size() < 2) (void)co_await os.PWrite(f, b, 0);
  });
  world.Run({.until = os::Instant() + os::Seconds(1)});
  run.together = cluster.stats().signals_pending_together;
  return run;
}

// Both pending at one suspension point: Linux's order, lowest number first
// (SIGUSR1 = 10 before SIGCHLD = 17), on every seed.
TEST(ProcessOrderTest, PendingTogetherSigusrOneBeforeSigchldAsOnLinux) {
  for (uint64_t seed = 1; seed <= 16; ++seed) {
    UsrChldRun r = RunUsr1ThenExit(seed, ClusterConfig());
    EXPECT_EQ(r.order, (std::vector<std::string>{"usr1", "chld"})) << seed;
    EXPECT_EQ(r.together, 1u) << seed;
  }
}

// A scenario asking for a random order gets both orders across seeds.
TEST(ProcessOrderTest, RandomSignalOrderVariesWithSeed) {
  int usr1_first = 0, chld_first = 0;
  for (uint64_t seed = 1; seed <= 16; ++seed) {
    UsrChldRun r = RunUsr1ThenExit(seed, ClusterConfig{.random_signal_order = true});
    ASSERT_EQ(r.order.size(), 2u) << seed;
    (r.order[0] == "usr1" ? usr1_first : chld_first)++;
  }
  EXPECT_GT(usr1_first, 0);
  EXPECT_GT(chld_first, 0);
}

// With CPU time the child's exit takes time before its SIGCHLD: in some
// seeds the parent handles SIGUSR1 on its own, before SIGCHLD arrives; in
// others both are pending together. Never SIGCHLD first.
TEST(ProcessOrderTest, ExitTimeSeparatesAChildsSignalFromItsSigchld) {
  int apart = 0, together = 0;
  for (uint64_t seed = 1; seed <= 32; ++seed) {
    UsrChldRun r = RunUsr1ThenExit(seed, ClusterConfig{.cpu = CpuConfig()});
    EXPECT_EQ(r.order, (std::vector<std::string>{"usr1", "chld"})) << seed;
    (r.together > 0 ? together : apart)++;
  }
  EXPECT_GT(apart, 0);
  EXPECT_GT(together, 0);
}

TEST_F(ProcessTest, DefaultActionTerminatesWithTheSignal) {
  std::optional<os::ChildExit> status;
  cluster_.Spawn("h", "postmaster", [&](os::Os& os) -> os::Task<> {
    os.SetSignalHandler(Signal::kSIGCHLD, [&] { os.MyLatch().Set(); });
    os::Pid c = *os.StartChild("child", [](os::Os& c) -> os::Task<> {
      co_await c.Sleep(os::Seconds(100));
    });
    co_await os.Sleep(os::Seconds(1));
    os.Kill(c, Signal::kSIGTERM);
    co_await os.WaitLatchOrSocket(&os.MyLatch(), os::WL_LATCH_SET, os::kNoFd, {});
    status = os.WaitChild();
  });
  RunUntil(os::Seconds(5));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->signal, 15);
}

TEST_F(ProcessTest, SigkillEndsAProcessMidWait) {
  std::string* leak_canary = nullptr;
  os::Pid pid = cluster_.Spawn("h", "p", [&](os::Os& os) -> os::Task<> {
    auto owned = std::make_unique<std::string>("frame state");
    leak_canary = owned.get();
    os::Fd l = *os.Listen(5432, 4);
    (void)co_await os.Accept(l);  // never connects
  });
  world_.queue().Schedule(os::Instant() + os::Seconds(1),
                          [&] { cluster_.SendSignal(pid, Signal::kSIGKILL); });
  RunUntil(os::Seconds(2));
  EXPECT_NE(leak_canary, nullptr);
  EXPECT_FALSE(cluster_.IsAlive(pid));
  EXPECT_EQ(cluster_.exit_status(pid)->signal, 9);
}

TEST_F(ProcessTest, AbortEndsTheProcessAsKilledBySigabrtEvenWithAHandler) {
  bool after = false;
  os::Pid pid = cluster_.Spawn("h", "p", [&](os::Os& os) -> os::Task<> {
    os.SetSignalHandler(Signal::kSIGTERM, [] {});
    co_await os.Sleep(os::Milliseconds(5));
    co_await os.Abort();
    after = true;
  });
  RunUntil(os::Seconds(1));
  EXPECT_FALSE(after);
  EXPECT_FALSE(cluster_.IsAlive(pid));
  EXPECT_EQ(cluster_.exit_status(pid)->signal, 6);
  EXPECT_EQ(cluster_.exit_status(pid)->code, 0);
}

TEST_F(ProcessTest, ExitOnSignalEndsTheProcessWithThatCodeAtDelivery) {
  bool after = false;
  os::Pid pid = cluster_.Spawn("h", "p", [&](os::Os& os) -> os::Task<> {
    os.ExitOnSignal(Signal::kSIGTERM, 1);
    co_await os.Sleep(os::Seconds(10));
    after = true;
  });
  world_.queue().Schedule(os::Instant() + os::Seconds(1),
                          [&] { cluster_.SendSignal(pid, Signal::kSIGTERM); });
  RunUntil(os::Seconds(20));
  EXPECT_FALSE(after);
  EXPECT_EQ(cluster_.exit_status(pid)->code, 1);
  EXPECT_EQ(cluster_.exit_status(pid)->signal, 0) << "an exit, not a death by the signal";
}

TEST_F(ProcessTest, ABlockedSignalWaitsAndUnblockingDeliversItToItsHandlerAtOnce) {
  // BackendInitialize's BlockSig, then PostgresMain's die() and UnBlockSig:
  // a SIGTERM that came in between neither ends the process nor interrupts
  // its sleep, and reaches the new handler inside UnblockSignal.
  std::vector<std::string> seen;
  os::Pid pid = cluster_.Spawn("h", "p", [&](os::Os& os) -> os::Task<> {
    os.ExitOnSignal(Signal::kSIGTERM, 1);
    os.BlockSignal(Signal::kSIGTERM);
    const os::Errno slept = co_await os.Sleep(os::Seconds(5));
    seen.push_back(slept == os::Errno::kOk ? "slept" : "interrupted");
    bool die = false;
    os.SetSignalHandler(Signal::kSIGTERM, [&die] { die = true; });
    os.UnblockSignal(Signal::kSIGTERM);
    seen.push_back(die ? "die at unblock" : "nothing at unblock");
  });
  world_.queue().Schedule(os::Instant() + os::Seconds(1),
                          [&] { cluster_.SendSignal(pid, Signal::kSIGTERM); });
  RunUntil(os::Seconds(20));
  EXPECT_EQ(seen, (std::vector<std::string>{"slept", "die at unblock"}));
  EXPECT_EQ(cluster_.exit_status(pid)->code, 0);
}

TEST_F(ProcessTest, UnblockingAPendingExitSignalExitsAtTheNextSuspension) {
  bool after = false;
  os::Pid pid = cluster_.Spawn("h", "p", [&](os::Os& os) -> os::Task<> {
    os.ExitOnSignal(Signal::kSIGTERM, 1);
    os.BlockSignal(Signal::kSIGTERM);
    co_await os.Sleep(os::Seconds(5));
    os.UnblockSignal(Signal::kSIGTERM);
    co_await os.Sleep(os::Seconds(5));
    after = true;
  });
  world_.queue().Schedule(os::Instant() + os::Seconds(1),
                          [&] { cluster_.SendSignal(pid, Signal::kSIGTERM); });
  RunUntil(os::Seconds(20));
  EXPECT_FALSE(after);
  EXPECT_EQ(cluster_.exit_status(pid)->code, 1);
}

TEST_F(ProcessTest, ExitOnSignalRunsItsLastWordsThenExits) {
  std::vector<std::string> said;
  bool after = false;
  os::Pid pid = cluster_.Spawn("h", "p", [&](os::Os& os) -> os::Task<> {
    os.ExitOnSignal(Signal::kSIGQUIT, 2, [&] { said.push_back("quickdie"); });
    co_await os.Sleep(os::Seconds(10));
    after = true;
  });
  world_.queue().Schedule(os::Instant() + os::Seconds(1),
                          [&] { cluster_.SendSignal(pid, Signal::kSIGQUIT); });
  RunUntil(os::Seconds(20));
  EXPECT_FALSE(after);
  EXPECT_EQ(said, std::vector<std::string>{"quickdie"});
  EXPECT_EQ(cluster_.exit_status(pid)->code, 2);
  EXPECT_EQ(cluster_.exit_status(pid)->signal, 0);
}

TEST_F(ProcessTest, ASignalsLastWordsGoWhenItsHandlerIsReplaced) {
  bool spoke = false;
  os::Pid pid = cluster_.Spawn("h", "p", [&](os::Os& os) -> os::Task<> {
    os.ExitOnSignal(Signal::kSIGQUIT, 2, [&] { spoke = true; });
    os.ExitOnSignal(Signal::kSIGQUIT, 2);
    co_await os.Sleep(os::Seconds(10));
  });
  world_.queue().Schedule(os::Instant() + os::Seconds(1),
                          [&] { cluster_.SendSignal(pid, Signal::kSIGQUIT); });
  RunUntil(os::Seconds(20));
  EXPECT_FALSE(spoke);
  EXPECT_EQ(cluster_.exit_status(pid)->code, 2);
}

TEST_F(ProcessTest, ParentExitIsPostmasterDeathForChildren) {
  int rc = 0;
  os::Pid exiter = 0;
  cluster_.Spawn("h", "postmaster", [&](os::Os& os) -> os::Task<> {
    (void)os.StartChild("walreceiver", [&](os::Os& c) -> os::Task<> {
      rc = co_await c.WaitLatchOrSocket(&c.MyLatch(),
                                        os::WL_LATCH_SET | os::WL_POSTMASTER_DEATH,
                                        os::kNoFd, {});
    });
    exiter = *os.StartChild("checkpointer", [&](os::Os& c) -> os::Task<> {
      co_await c.WaitLatchOrSocket(&c.MyLatch(), os::WL_LATCH_SET | os::WL_EXIT_ON_PM_DEATH,
                                   os::kNoFd, {});
    });
    co_await os.Sleep(os::Seconds(1));
  });
  RunUntil(os::Seconds(5));
  EXPECT_EQ(rc, os::WL_POSTMASTER_DEATH);
  EXPECT_EQ(cluster_.exit_status(exiter)->code, 1);
}

TEST_F(ProcessTest, HostCrashKillsEverythingAndKeepsOnlyDurableFiles) {
  os::Pid pid = cluster_.Spawn("h", "p", [&](os::Os& os) -> os::Task<> {
    std::vector<uint8_t> data(100, 'a');
    os::Fd a = *os.Open("a", os::kOpenCreate | os::kOpenReadWrite);
    (void)co_await os.PWrite(a, data, 0);
    EXPECT_EQ(co_await os.Fsync(a), os::Errno::kOk);
    EXPECT_EQ(co_await os.FsyncDir(""), os::Errno::kOk);
    (void)co_await os.PWrite(a, data, 100);  // not fsynced
    os::Fd b = *os.Open("b", os::kOpenCreate | os::kOpenReadWrite);
    (void)co_await os.PWrite(b, data, 0);
    EXPECT_EQ(co_await os.Fsync(b), os::Errno::kOk);  // but no directory fsync
    co_await os.Sleep(os::Seconds(100));
  });
  world_.queue().Schedule(os::Instant() + os::Seconds(1), [&] {
    cluster_.CrashHost("h");
    cluster_.RestartHost("h");
  });
  RunUntil(os::Seconds(2));
  EXPECT_FALSE(cluster_.IsAlive(pid));
  EXPECT_EQ(Count("child_exit_status"), 0);
  std::optional<os::FileStat> a;
  bool b_missing = false;
  cluster_.Spawn("h", "after", [&](os::Os& os) -> os::Task<> {
    a = *os.Stat("a");
    b_missing = os.Stat("b").error() == os::Errno::kENOENT;
    co_return;
  });
  RunUntil(os::Seconds(3));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->size, 100);
  EXPECT_TRUE(b_missing);
}

TEST_F(ProcessTest, TheLogSinkSeesEveryLogLineAfterItsTraceEvent) {
  struct Line {
    os::Instant time;
    std::string where;
    uint64_t events_before;  // trace events committed when the sink ran
  };
  std::vector<Line> lines;
  cluster_.set_log_sink([&](os::Instant t, std::string_view host, std::string_view process,
                            std::string_view level, std::string_view message) {
    lines.push_back({t,
                     std::string(host) + " " + std::string(process) + " " + std::string(level) +
                         ": " + std::string(message),
                     world_.trace().event_count()});
  });
  cluster_.Spawn("h", "startup", [&](os::Os& os) -> os::Task<> {
    os.Log("LOG", "redo starts at 0/1000028");
    co_await os.Sleep(os::Milliseconds(5));
    os.Log("FATAL", "terminating connection");
  });
  RunUntil(os::Seconds(1));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].where, "h startup LOG: redo starts at 0/1000028");
  EXPECT_EQ(lines[1].where, "h startup FATAL: terminating connection");
  EXPECT_EQ(lines[1].time - lines[0].time, os::Milliseconds(5));
  // Each line's trace event is already committed (the last one when the sink ran).
  const std::vector<TraceEvent>& events = world_.trace().events();
  for (const Line& l : lines) {
    ASSERT_GE(l.events_before, 1u);
    const TraceEvent& e = events[l.events_before - 1];
    EXPECT_EQ(e.kind, "log");
    EXPECT_EQ(e.time, l.time);
  }
  EXPECT_EQ(Count("log"), 2);
}

TEST_F(ProcessTest, FaultPointsFireWhenEnabledAndAreTraced) {
  cluster_.fault_points().Force("always", true);
  cluster_.fault_points().Force("never", false);
  bool always = false, never = true;
  cluster_.Spawn("h", "p", [&](os::Os& os) -> os::Task<> {
    always = os.FaultPoint("always");
    never = os.FaultPoint("never");
    co_return;
  });
  RunUntil(os::Seconds(1));
  EXPECT_TRUE(always);
  EXPECT_FALSE(never);
  EXPECT_EQ(Count("fault_point_fired"), 1);
}

TEST(FaultPointsTest, AboutAQuarterOfPointsAreEnabledPerRun) {
  World world(5);
  fault::FaultPoints points(world, {.enabled = true, .enable = {1, 4}, .fire = {1, 1}});
  int enabled = 0;
  for (int i = 0; i < 400; ++i) enabled += points.Fire("p" + std::to_string(i), "h", "x");
  EXPECT_GT(enabled, 60);
  EXPECT_LT(enabled, 140);
}

}  // namespace
}  // namespace replsim::sim::os_sim
