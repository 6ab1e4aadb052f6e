// WALWriteLock's LWLock: LWLockAcquireOrWait takes a free lock, or waits for
// its release and returns without it; a signal does not end the wait; a
// holder's exit releases it, and a waiter's exit leaves the queue.
#include "protocol/node/lwlock.h"

#include <optional>

#include "gtest/gtest.h"
#include "sim/os/cluster.h"

namespace replsim::node {
namespace {

struct Fixture {
  sim::World world{1};
  sim::os_sim::Cluster cluster{world};
  LWLock lock;
  Fixture() { cluster.AddHost("h"); }
  void Run(os::Duration d) { world.Run({.until = world.now() + d}); }
};

TEST(LWLockTest, AWaiterReturnsAtTheReleaseWithoutTheLock) {
  Fixture f;
  std::optional<bool> first, second;
  os::Instant second_at;
  f.cluster.Spawn("h", "holder", [&](os::Os& os) -> os::Task<> {
    first = co_await LWLockAcquireOrWait(os, f.lock);
    LWLockHeld held(f.lock);
    co_await os.Sleep(os::Milliseconds(10));
  });
  f.cluster.Spawn("h", "waiter", [&](os::Os& os) -> os::Task<> {
    os.SetSignalHandler(os::Signal::kSIGUSR1, [&os] { os.MyLatch().Set(); });
    co_await os.Sleep(os::Milliseconds(1));
    second = co_await LWLockAcquireOrWait(os, f.lock);
    second_at = os.Monotonic();
  });
  f.Run(os::Milliseconds(5));
  EXPECT_EQ(first, true);
  EXPECT_FALSE(second.has_value());
  const os::Pid waiter = f.cluster.FindByName("h", "waiter");
  f.cluster.SendSignal(waiter, os::Signal::kSIGUSR1);  // sets its latch: no wake-up
  f.Run(os::Milliseconds(2));
  EXPECT_FALSE(second.has_value());
  f.Run(os::Milliseconds(20));
  EXPECT_EQ(second, false);
  EXPECT_EQ(second_at, os::Instant() + os::Milliseconds(10));
  EXPECT_EQ(f.lock.holder, 0);
}

TEST(LWLockTest, ExitsReleaseTheLockAndLeaveTheQueue) {
  Fixture f;
  f.cluster.Spawn("h", "holder", [&](os::Os& os) -> os::Task<> {
    co_await LWLockAcquireOrWait(os, f.lock);
    LWLockHeld held(f.lock);
    co_await os.Sleep(os::Seconds(10));
  });
  f.cluster.Spawn("h", "waiter", [&](os::Os& os) -> os::Task<> {
    co_await os.Sleep(os::Milliseconds(1));
    co_await LWLockAcquireOrWait(os, f.lock);
  });
  f.Run(os::Milliseconds(5));
  EXPECT_NE(f.lock.holder, 0);
  ASSERT_EQ(f.lock.waiters.size(), 1u);
  f.cluster.SendSignal(f.cluster.FindByName("h", "waiter"), os::Signal::kSIGKILL);
  f.Run(os::Milliseconds(1));
  EXPECT_TRUE(f.lock.waiters.empty());
  f.cluster.SendSignal(f.cluster.FindByName("h", "holder"), os::Signal::kSIGKILL);
  f.Run(os::Milliseconds(1));
  EXPECT_EQ(f.lock.holder, 0);
}

}  // namespace
}  // namespace replsim::node
