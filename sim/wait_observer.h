// File: sim/wait_observer.h
//
// What keeps a simulated process from running, for viewers (the Perfetto
// writer, tools/perfetto_writer.h), outside the trace: a wait begins and
// ends per process, with what it waits for.
//
// - SimOs reports each blocking call (WaitLatchOrSocket, Sleep, a blocking
//   socket call, a file read, write or fsync, a slow reader's pacing) from
//   its start to its return, so a wait lasts until the process's code runs
//   again, as PostgreSQL's wait_event stays set until WaitEventSetWait
//   returns. Calls that return without time passing are reported too; a
//   viewer may drop what began and ended at the same instant.
// - The Executor reports kCpu (woken, waiting in its host's run queue for a
//   core, sim/cpu.h) and kStopped (SIGSTOP or a paused host, until the
//   matching SIGCONT), inside whatever SimOs wait the process is in.
//
// Per process, SimOs waits nest (begin/end in stack order). kCpu and
// kStopped need not nest with each other or with a SimOs wait that a kill
// ends: an end names its kind, and a viewer keeps its slices nested.
//
// An observer only looks: it must not emit trace events, draw random
// numbers or schedule events, so a run's trace and fingerprint are the same
// with or without one. Nothing is reported without one (a null pointer test
// per blocking call).
#ifndef REPLSIM_SIM_WAIT_OBSERVER_H_
#define REPLSIM_SIM_WAIT_OBSERVER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/os/time.h"

namespace replsim::sim {

enum class WaitKind : uint8_t {
  kLatchOrSocket,  // Os::WaitLatchOrSocket
  kSleep,          // Os::Sleep (pg_usleep)
  kAccept,         // blocking socket calls
  kConnect,
  kSend,
  kRecv,
  kFileRead,       // Os::PRead
  kFileWrite,      // Os::PWrite
  kFileExtend,     // Os::ReserveSpace (a zero-fill)
  kFileSync,       // Os::Fsync, Os::Fdatasync
  kDirSync,        // Os::FsyncDir
  kSlowRead,       // a slow reader's pacing (sim/os/stalls.h)
  kCpu,            // runnable, waiting for a core (Executor)
  kStopped,        // SIGSTOP / paused host (Executor)
};

// What a wait is on. Only the fields of its kind are set.
struct WaitInfo {
  WaitKind kind = WaitKind::kLatchOrSocket;
  int wake_events = 0;      // kLatchOrSocket: the WL_* flags
  bool own_latch = false;   // kLatchOrSocket: the latch is the process's MyLatch
  std::string_view path;    // file kinds: the file or directory, as opened
};

class WaitObserver {
 public:
  virtual ~WaitObserver() = default;
  // Process `pid` on `host`, named `process`, stops running at `t` for `w`.
  virtual void WaitBegin(os::Instant t, const std::string& host, const std::string& process,
                         int32_t pid, const WaitInfo& w) = 0;
  // Its innermost open wait of `kind` ends at `t`.
  virtual void WaitEnd(os::Instant t, int32_t pid, WaitKind kind) = 0;
};

}  // namespace replsim::sim

#endif  // REPLSIM_SIM_WAIT_OBSERVER_H_
