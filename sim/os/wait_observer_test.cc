// The wait observer (sim/wait_observer.h): SimOs reports each blocking call
// from its start to its return (or the kill that ends it), the executor a
// SIGSTOP inside it; and a run with an observer is the run without one.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "sim/os/cluster.h"
#include "sim/os/stalls.h"
#include "sim/os/test_util.h"

namespace replsim::sim::os_sim {
namespace {

os::Instant At(os::Duration d) { return os::Instant() + d; }

// Each call as "<ms> begin|end <kind>[ <detail>]", and how many trace
// events there were then.
class Recorder final : public WaitObserver {
 public:
  explicit Recorder(World& w) : world_(w) {}
  void WaitBegin(os::Instant t, const std::string& host, const std::string& process, int32_t pid,
                 const WaitInfo& w) override {
    std::string detail;
    if (w.kind == WaitKind::kLatchOrSocket) {
      detail = absl::StrCat(" events=", w.wake_events, w.own_latch ? " own" : " shared");
    }
    if (!w.path.empty()) detail = absl::StrCat(" ", std::string(w.path));
    Add(t, absl::StrCat("begin ", static_cast<int>(w.kind), detail, " ", host, "/", process, "/",
                        pid));
  }
  void WaitEnd(os::Instant t, int32_t pid, WaitKind kind) override {
    Add(t, absl::StrCat("end ", static_cast<int>(kind), " ", pid));
  }
  std::vector<std::string> calls;
  std::vector<size_t> events_then;

 private:
  void Add(os::Instant t, std::string s) {
    calls.push_back(absl::StrCat(t.nanos() / 1'000'000, " ", s));
    events_then.push_back(world_.trace().events().size());
  }
  World& world_;
};

struct Observed {
  uint64_t fingerprint = 0;
  size_t exit_event = 0;          // the index of the process_exit event
  std::vector<std::string> calls;
  std::vector<size_t> events_then;
};

// A checkpointer waits on its latch for 1 s, stopped from 0.5 s to 1.5 s,
// then fsyncs a file, then sleeps until it is killed at 3 s.
Observed RunCheckpointer(bool observe) {
  World world(1, true);
  Recorder r(world);
  if (observe) world.executor().set_wait_observer(&r);
  Cluster c(world);
  c.AddHost("h");
  const os::Pid p = c.Spawn("h", "checkpointer", [](os::Os& os) -> os::Task<> {
    co_await os.WaitLatchOrSocket(&os.MyLatch(), os::WL_LATCH_SET | os::WL_TIMEOUT, os::kNoFd,
                                  os::Seconds(1));
    os::Fd fd = *os.Open("/f", os::kOpenCreate | os::kOpenReadWrite);
    co_await os.Fsync(fd);
    co_await os.Sleep(os::Seconds(100));
  });
  world.queue().Schedule(At(os::Milliseconds(500)), [&] { StallProcess(c, p, os::Seconds(1)); });
  world.queue().Schedule(At(os::Seconds(3)), [&] { c.SendSignal(p, os::Signal::kSIGKILL); });
  RunUntil(world, os::Seconds(10));
  world.executor().set_wait_observer(nullptr);
  Observed o{.fingerprint = world.Fingerprint(), .calls = r.calls, .events_then = r.events_then};
  for (size_t i = 0; i < world.trace().events().size(); ++i) {
    if (world.trace().events()[i].kind == "process_exit") o.exit_event = i;
  }
  return o;
}

TEST(WaitObserverTest, ReportsEachBlockingCallAndTheStopInsideIt) {
  const Observed o = RunCheckpointer(true);
  const int latch = static_cast<int>(WaitKind::kLatchOrSocket);
  const int stopped = static_cast<int>(WaitKind::kStopped);
  const int fsync = static_cast<int>(WaitKind::kFileSync);
  const int sleep = static_cast<int>(WaitKind::kSleep);
  ASSERT_EQ(o.calls.size(), 8u) << absl::StrJoin(o.calls, "\n");
  EXPECT_EQ(o.calls[0], absl::StrCat("0 begin ", latch, " events=9 own h/checkpointer/1"));
  EXPECT_EQ(o.calls[1], absl::StrCat("500 begin ", stopped, " h/checkpointer/1"));
  // The timeout at 1 s is held until SIGCONT at 1.5 s.
  EXPECT_EQ(o.calls[2], absl::StrCat("1500 end ", stopped, " 1"));
  EXPECT_EQ(o.calls[3], absl::StrCat("1500 end ", latch, " 1"));
  EXPECT_EQ(o.calls[4], absl::StrCat("1500 begin ", fsync, " /f h/checkpointer/1"));
  EXPECT_TRUE(absl::StrContains(o.calls[5], absl::StrCat(" end ", fsync, " 1"))) << o.calls[5];
  EXPECT_TRUE(absl::StrContains(o.calls[6], absl::StrCat(" begin ", sleep, " h/checkpointer/1")))
      << o.calls[6];
  // The kill ends the sleep as it destroys the process's frames, before
  // its process_exit is traced.
  EXPECT_EQ(o.calls[7], absl::StrCat("3000 end ", sleep, " 1"));
  EXPECT_LE(o.events_then[7], o.exit_event);

  const Observed unobserved = RunCheckpointer(false);
  EXPECT_TRUE(unobserved.calls.empty());
  EXPECT_EQ(unobserved.fingerprint, o.fingerprint);
  EXPECT_EQ(unobserved.exit_event, o.exit_event);
}

}  // namespace
}  // namespace replsim::sim::os_sim
