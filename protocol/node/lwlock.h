// File: protocol/node/lwlock.h
//
// An exclusive LWLock (storage/lmgr/lwlock.c), in the one use replsim has
// for it: WALWriteLock, which the process writing and flushing WAL holds
// (XLogWrite runs under it, so only one process at a time creates, writes
// and fsyncs WAL segment files). Waiters sleep on a semaphore of their own
// (PGPROC->sem), not on their process latch, so signals do not wake them.
//
// LWLockAcquireOrWait is XLogFlush's group commit (9.2's 9b38d46d9f): take
// the lock if it is free; otherwise sleep until it is released and return
// without it, so the caller can first see whether the holder flushed its
// record too. (9.0 and 9.1 acquired the lock after the wait and then
// rechecked; the WAL written is the same, only the next holder differs.)
//
// A crash keeps nothing: the lock is in shared memory, which the postmaster
// makes anew. A process that exits holding it releases it, as
// LWLockReleaseAll does at proc exit; a waiter that exits leaves the queue.
#ifndef REPLSIM_PROTOCOL_NODE_LWLOCK_H_
#define REPLSIM_PROTOCOL_NODE_LWLOCK_H_

#include <vector>

#include "protocol/os/latch.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::node {

struct LWLock {
  os::Pid holder = 0;               // 0: free
  std::vector<os::Latch*> waiters;  // their semaphores, in arrival order
};

// Releases the lock and wakes every waiter (LWLockRelease + LWLockWakeup).
void LWLockRelease(LWLock& lock);

// True: it was free and is now held by this process. False: it was held;
// this returns once it has been released, without holding it.
os::Task<bool> LWLockAcquireOrWait(os::Os& os, LWLock& lock);

// Holds an acquired lock until it goes out of scope, the process's exit
// included.
class LWLockHeld {
 public:
  explicit LWLockHeld(LWLock& lock) : lock_(lock) {}
  LWLockHeld(const LWLockHeld&) = delete;
  LWLockHeld& operator=(const LWLockHeld&) = delete;
  ~LWLockHeld() { LWLockRelease(lock_); }

 private:
  LWLock& lock_;
};

}  // namespace replsim::node

#endif  // REPLSIM_PROTOCOL_NODE_LWLOCK_H_
