// File: protocol/os/latch.h
//
// PostgreSQL's Latch (storage/ipc/latch.c, latch.h): a boolean a process waits
// on and any process may set. The WL_* flags are PostgreSQL's own values.
//
// Contract:
// - Set() from anywhere (another process, a signal handler) makes the owner's
//   WaitLatchOrSocket return WL_LATCH_SET; setting a set latch does nothing.
// - Reset() is only meaningful for the owner, which must re-check its work
//   after resetting (the documented latch.c usage pattern).
// - Latches are made by the Os (Os::MyLatch for the process latch,
//   Os::NewSharedLatch for one placed in shared state) and only the Os that made
//   a latch may wait on it.
#ifndef REPLSIM_PROTOCOL_OS_LATCH_H_
#define REPLSIM_PROTOCOL_OS_LATCH_H_

namespace replsim::os {

inline constexpr int WL_LATCH_SET = 1 << 0;
inline constexpr int WL_SOCKET_READABLE = 1 << 1;
inline constexpr int WL_SOCKET_WRITEABLE = 1 << 2;
inline constexpr int WL_TIMEOUT = 1 << 3;
inline constexpr int WL_POSTMASTER_DEATH = 1 << 4;
inline constexpr int WL_EXIT_ON_PM_DEATH = 1 << 5;

class Latch {
 public:
  virtual ~Latch() = default;
  virtual void Set() = 0;
  virtual void Reset() = 0;
  virtual bool is_set() const = 0;
};

}  // namespace replsim::os

#endif  // REPLSIM_PROTOCOL_OS_LATCH_H_
