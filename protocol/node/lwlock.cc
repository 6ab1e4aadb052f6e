#include "protocol/node/lwlock.h"

#include <algorithm>
#include <memory>
#include <utility>

namespace replsim::node {
namespace {

// A waiter's place in the queue, left when the wait ends in any way.
class QueuedWaiter {
 public:
  QueuedWaiter(LWLock& lock, os::Latch* sem) : lock_(lock), sem_(sem) {
    lock_.waiters.push_back(sem_);
  }
  QueuedWaiter(const QueuedWaiter&) = delete;
  QueuedWaiter& operator=(const QueuedWaiter&) = delete;
  ~QueuedWaiter() {
    auto it = std::find(lock_.waiters.begin(), lock_.waiters.end(), sem_);
    if (it != lock_.waiters.end()) lock_.waiters.erase(it);
  }

 private:
  LWLock& lock_;
  os::Latch* sem_;
};

}  // namespace

void LWLockRelease(LWLock& lock) {
  lock.holder = 0;
  std::vector<os::Latch*> wake = std::move(lock.waiters);
  lock.waiters.clear();
  for (os::Latch* sem : wake) sem->Set();
}

os::Task<bool> LWLockAcquireOrWait(os::Os& os, LWLock& lock) {
  if (lock.holder == 0) {
    lock.holder = os.MyPid();
    co_return true;
  }
  // Woken by the release (the semaphore is set by nothing else); by then
  // another process may hold the lock again, which the caller's recheck
  // and next attempt find out.
  std::unique_ptr<os::Latch> sem = os.NewSharedLatch();
  QueuedWaiter queued(lock, sem.get());
  while (!sem->is_set()) {
    co_await os.WaitLatchOrSocket(sem.get(), os::WL_LATCH_SET, os::kNoFd, os::Duration());
  }
  co_return false;
}

}  // namespace replsim::node
