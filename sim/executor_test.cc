// Executor: waits (time, event, first of several, timeout), kills at any
// suspension point with deterministic cleanup, exits from nested frames, and
// exit notification as its own event.
#include "sim/executor.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/world.h"

namespace replsim::sim {
namespace {

using os::Milliseconds;
using os::Seconds;
using os::Task;

// Records its destruction, so tests can see what a kill unwinds.
struct Guard {
  std::vector<std::string>* log;
  std::string name;
  ~Guard() { log->push_back("~" + name); }
};

TEST(ExecutorTest, SleepAdvancesVirtualTimeOnly) {
  World w(1);
  std::vector<int64_t> woke;
  w.executor().Spawn("sleeper", [&](ProcessContext& ctx) -> Task<> {
    for (int i = 0; i < 3; ++i) {
      co_await ctx.Sleep(Seconds(10));
      woke.push_back(ctx.now().nanos());
    }
  });
  w.Run();
  EXPECT_EQ(woke, (std::vector<int64_t>{10'000'000'000, 20'000'000'000,
                                        30'000'000'000}));
  EXPECT_EQ(w.executor().live_processes(), 0u);
}

TEST(ExecutorTest, ProcessesInterleaveDeterministicallyAtEqualTimes) {
  World w(1);
  std::string order;
  for (char c : std::string("abc")) {
    w.executor().Spawn(std::string(1, c), [&order, c](ProcessContext& ctx) -> Task<> {
      for (int i = 0; i < 2; ++i) {
        order += c;
        co_await ctx.Sleep(Milliseconds(1));
      }
    });
  }
  w.Run();
  EXPECT_EQ(order, "abcabc");
}

TEST(ExecutorTest, WaitOnEventResumesAfterSetAndNotOnTheSettersStack) {
  World w(1);
  Event ev;
  std::vector<std::string> log;
  w.executor().Spawn("waiter", [&](ProcessContext& ctx) -> Task<> {
    int which = co_await ctx.Wait(ev);
    log.push_back("woke " + std::to_string(which) + " at " +
                  std::to_string(ctx.now().nanos()));
  });
  w.executor().Spawn("setter", [&](ProcessContext& ctx) -> Task<> {
    co_await ctx.Sleep(Milliseconds(5));
    ev.Set();
    log.push_back("set returned");
  });
  w.Run();
  EXPECT_EQ(log, (std::vector<std::string>{"set returned", "woke 0 at 5000000"}));
}

TEST(ExecutorTest, AlreadyReadyWaitDoesNotSuspend) {
  World w(1);
  Event ev;
  ev.Set();
  int64_t at = -1;
  w.executor().Spawn("p", [&](ProcessContext& ctx) -> Task<> {
    co_await ctx.Sleep(Milliseconds(2));
    const uint64_t before = w.queue().events_run();
    int which = co_await ctx.WaitFor(ev, Seconds(1));
    EXPECT_EQ(which, 0);
    EXPECT_EQ(w.queue().events_run(), before);  // no event needed
    at = ctx.now().nanos();
  });
  w.Run();
  EXPECT_EQ(at, 2'000'000);
}

TEST(ExecutorTest, WaitAnyReturnsTheFirstReadyOrTimesOut) {
  World w(1);
  Event a, b;
  std::vector<int> results;
  w.executor().Spawn("p", [&](ProcessContext& ctx) -> Task<> {
    results.push_back(co_await ctx.WaitAny(Milliseconds(10), a, b));
    results.push_back(co_await ctx.WaitAny(Milliseconds(10), a, b));
    b.Reset();
    results.push_back(co_await ctx.WaitAny(Milliseconds(10), a, b));
  });
  w.executor().Spawn("q", [&](ProcessContext& ctx) -> Task<> {
    co_await ctx.Sleep(Milliseconds(15));
    b.Set();
  });
  w.Run();
  // 1st: times out at 10 ms. 2nd: b at 15 ms. 3rd: times out at 25 ms.
  EXPECT_EQ(results, (std::vector<int>{ProcessContext::kTimedOut, 1,
                                       ProcessContext::kTimedOut}));
  EXPECT_EQ(w.now().nanos(), 25'000'000);
}

TEST(ExecutorTest, KillAtASuspensionPointUnwindsEveryFrameAndReleasesWaits) {
  World w(1);
  Event never;
  std::vector<std::string> log;
  int resumed = 0;
  auto inner = [&](ProcessContext& ctx) -> Task<int> {
    Guard g{&log, "inner"};
    co_await ctx.WaitFor(never, Seconds(100));
    ++resumed;
    co_return 1;
  };
  Pid victim = w.executor().Spawn("victim", [&](ProcessContext& ctx) -> Task<> {
    Guard g{&log, "outer"};
    co_await inner(ctx);
    ++resumed;
  });
  std::vector<std::pair<Pid, ExitStatus>> exits;
  w.executor().AddExitListener(victim, [&](Pid pid, ExitStatus st) {
    exits.push_back({pid, st});
  });
  w.executor().Spawn("killer", [&](ProcessContext& ctx) -> Task<> {
    co_await ctx.Sleep(Seconds(1));
    w.executor().Kill(victim);
    log.push_back("kill returned");
    EXPECT_TRUE(exits.empty()) << "the exit must reach listeners as its own event";
  });
  w.Run();
  EXPECT_EQ(log, (std::vector<std::string>{"~inner", "~outer", "kill returned"}));
  EXPECT_EQ(resumed, 0);
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0].second, (ExitStatus{0, 9}));
  EXPECT_FALSE(w.executor().IsAlive(victim));
  // The victim's 100 s timeout was cancelled: the run ended at 1 s.
  EXPECT_EQ(w.now().nanos(), 1'000'000'000);
  EXPECT_EQ(w.queue().live_events(), 0u);
}

TEST(ExecutorTest, KillWhileAWakeUpIsInFlightNeverResumes) {
  World w(1);
  Event ev;
  int resumed = 0;
  Pid victim = w.executor().Spawn("victim", [&](ProcessContext& ctx) -> Task<> {
    co_await ctx.Wait(ev);
    ++resumed;
  });
  w.executor().Spawn("p", [&](ProcessContext& ctx) -> Task<> {
    co_await ctx.Sleep(Milliseconds(1));
    ev.Set();                      // schedules the victim's resumption...
    w.executor().Kill(victim);     // ...which the kill must cancel
    co_return;
  });
  w.Run();
  EXPECT_EQ(resumed, 0);
}

TEST(ExecutorTest, ExitFromANestedFrameEndsTheProcessWithItsCode) {
  World w(1);
  std::vector<std::string> log;
  auto proc_exit = [&](ProcessContext& ctx) -> Task<> {
    Guard g{&log, "nested"};
    co_await ctx.Exit(3);
    log.push_back("after exit");  // never runs
  };
  Pid pid = w.executor().Spawn("p", [&](ProcessContext& ctx) -> Task<> {
    Guard g{&log, "body"};
    co_await proc_exit(ctx);
    log.push_back("after call");  // never runs
  });
  w.Run();
  EXPECT_EQ(log, (std::vector<std::string>{"~nested", "~body"}));
  ASSERT_TRUE(w.executor().exit_status(pid).has_value());
  EXPECT_EQ(*w.executor().exit_status(pid), (ExitStatus{3, 0}));
}

TEST(ExecutorTest, SelfKillEndsAtTheNextSuspension) {
  World w(1);
  int steps = 0;
  Pid pid = 0;
  pid = w.executor().Spawn("p", [&](ProcessContext& ctx) -> Task<> {
    ++steps;
    w.executor().Kill(pid, 15);
    ++steps;  // still running until it suspends
    co_await ctx.Sleep(Seconds(1));
    ++steps;
  });
  w.Run();
  EXPECT_EQ(steps, 2);
  EXPECT_EQ(*w.executor().exit_status(pid), (ExitStatus{0, 15}));
}

TEST(ExecutorTest, WaitableDestroyedBeforeItsWaiterDetachesIt) {
  World w(1);
  auto ev = std::make_unique<Event>();
  int result = 99;
  w.executor().Spawn("p", [&](ProcessContext& ctx) -> Task<> {
    result = co_await ctx.WaitFor(*ev, Milliseconds(50));
  });
  w.Run({.until = os::Instant::FromNanos(1'000'000)});
  ev.reset();  // the process is still registered on it
  w.Run();
  EXPECT_EQ(result, ProcessContext::kTimedOut);
}

TEST(ExecutorTest, WorldTeardownWithSuspendedProcessesLeaksNothing) {
  auto watch = std::make_shared<int>(0);
  std::weak_ptr<int> weak = watch;
  {
    World w(1);
    Event ev;
    w.executor().Spawn("p", [keep = std::move(watch), &ev](ProcessContext& ctx) -> Task<> {
      co_await ctx.WaitFor(ev, Seconds(1000));
    });
    w.Run({.until = os::Instant::FromNanos(10)});
    EXPECT_FALSE(weak.expired());
  }
  EXPECT_TRUE(weak.expired());
}

TEST(ExecutorTest, ProcessStartAndExitAreTraced) {
  World w(1, /*keep_trace=*/true);
  w.executor().Spawn("walsender", [](ProcessContext& ctx) -> Task<> {
    co_await ctx.Exit(1);
  }, "primary");
  w.Run();
  ASSERT_EQ(w.trace().events().size(), 2u);
  EXPECT_EQ(w.trace().events()[0].kind, "process_start");
  EXPECT_EQ(w.trace().events()[1].kind, "process_exit");
  EXPECT_EQ(w.trace().events()[1].host, "primary");
  EXPECT_EQ(w.trace().events()[1].Find("code")->i, 1);
}

}  // namespace
}  // namespace replsim::sim
