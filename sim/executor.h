// File: sim/executor.h
//
// Runs simulated processes: C++20 coroutines (os::Task) resumed only from the
// event queue, one at a time, on one thread. A process body reads like the
// PostgreSQL loop it models; each co_await on a ProcessContext wait is a
// suspension point:
//
//   Pid pid = executor.Spawn("walsender", [&](ProcessContext& ctx) -> os::Task<> {
//     for (;;) {
//       int which = co_await ctx.WaitAny(os::Seconds(10), latch, readable);
//       if (which == ProcessContext::kTimedOut) ...
//     }
//   });
//
// Contract:
// - Spawn() schedules the first resumption at now(); the body's factory is kept
//   alive for the process's whole life, so lambda captures stay valid.
// - A wait that is already satisfied returns without suspending (as
//   WaitLatch does when the latch is already set). A wait that suspends is
//   resumed by an event scheduled when a Waitable wakes it or its timeout
//   expires; a wait returns the index of the Waitable that woke it, or
//   kTimedOut.
// - Kill(pid) ends a process at its current suspension point: its root frame
//   is destroyed, which destroys every nested frame innermost first; pending
//   timers and wait registrations are released by the awaitables' destructors.
//   Nothing leaks and nothing of the process runs again. A process that kills
//   itself, or calls Exit(), ends as soon as control returns to the executor.
// - Exit listeners (a parent's SIGCHLD) run as their own event after the exit
//   (after the exit's cost, with a CPU model).
// - Every resumption of a process is an event in the process's own lane
//   (its pid, sim/tie_break.h): one process's steps keep their order under
//   every tie-break mode.
// - With a CPU model (set_cpu, sim/cpu.h) a resumption waits for a core of
//   its host and its code runs at the end of its burst; without one, at once.
// - Processes are kept by pid in a btree_map: any walk over them is in pid
//   order, and pids are handed out 1, 2, 3, ... per Executor.
// - Stop(pid) is SIGSTOP: a wake-up of a stopped process (a Waitable, a
//   timer, its first start) is held, and Continue(pid) (SIGCONT) resumes it
//   as an event of its lane at that time; nothing of it runs in between.
//   Kill still ends it at once. Stops nest: each Stop needs a Continue.
//
// Not thread-safe; one per World.
#ifndef REPLSIM_SIM_EXECUTOR_H_
#define REPLSIM_SIM_EXECUTOR_H_

#include <array>
#include <coroutine>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/types/span.h"
#include "protocol/os/task.h"
#include "protocol/os/time.h"
#include "sim/cpu.h"
#include "sim/event_queue.h"
#include "sim/trace.h"
#include "sim/wait_observer.h"
#include "sim/waitable.h"

namespace replsim::sim {

using Pid = int32_t;

// How a process ended, as wait(2) would report it.
struct ExitStatus {
  int code = 0;    // exit code when signal == 0
  int signal = 0;  // the signal that killed it, or 0 for a normal exit
  bool operator==(const ExitStatus&) const = default;
};

class Executor;
class ProcessContext;

namespace internal_executor {
struct Process;
}  // namespace internal_executor

// co_await ctx.Sleep(d): resumes after d of virtual time.
class SleepAwaitable {
 public:
  SleepAwaitable(Executor* ex, internal_executor::Process* p, os::Instant until)
      : ex_(ex), p_(p), until_(until) {}
  SleepAwaitable(const SleepAwaitable&) = delete;
  ~SleepAwaitable();
  bool await_ready() const noexcept;
  void await_suspend(std::coroutine_handle<> h);
  void await_resume() const noexcept {}

 private:
  Executor* ex_;
  internal_executor::Process* p_;
  os::Instant until_;
  TimerId timer_;
};

// co_await ctx.WaitAny({...}, timeout): the first of several Waitables, or a
// timeout.
class WaitAnyAwaitable final : public WakeTarget {
 public:
  static constexpr int kMaxWaitables = 6;

  WaitAnyAwaitable(Executor* ex, internal_executor::Process* p,
                   absl::Span<Waitable* const> waitables,
                   std::optional<os::Duration> timeout);
  WaitAnyAwaitable(const WaitAnyAwaitable&) = delete;
  ~WaitAnyAwaitable();

  bool await_ready() noexcept;
  void await_suspend(std::coroutine_handle<> h);
  int await_resume() noexcept;
  void OnWake(int index) override;

 private:
  void Release();

  Executor* ex_;
  internal_executor::Process* p_;
  std::array<Waitable*, kMaxWaitables> waitables_{};
  std::array<WaitRegistration, kMaxWaitables> regs_;
  int count_ = 0;
  std::optional<os::Duration> timeout_;
  std::coroutine_handle<> handle_;
  TimerId timeout_timer_;
  TimerId resume_event_;
  int result_ = -1;
};

// co_await ctx.Exit(code): ends the process; never resumes.
class ExitAwaitable {
 public:
  ExitAwaitable(Executor* ex, internal_executor::Process* p, int code)
      : ex_(ex), p_(p), code_(code) {}
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) noexcept;
  void await_resume() const noexcept {}

 private:
  Executor* ex_;
  internal_executor::Process* p_;
  int code_;
};

// What a process body sees of the kernel: its identity, the clock, and its
// waits. Owned by the executor; valid for the process's whole life.
class ProcessContext {
 public:
  static constexpr int kTimedOut = -1;

  Pid pid() const;
  const std::string& name() const;
  void set_name(std::string name);
  const std::string& host() const;
  os::Instant now() const;

  SleepAwaitable Sleep(os::Duration d);
  SleepAwaitable SleepUntil(os::Instant t);
  WaitAnyAwaitable Wait(Waitable& w) { return WaitAny(std::nullopt, w); }
  WaitAnyAwaitable WaitFor(Waitable& w, os::Duration timeout) {
    return WaitAny(timeout, w);
  }
  // The first of several Waitables (index in argument order), or kTimedOut;
  // std::nullopt waits without a timeout. (Variadic rather than a braced list:
  // GCC 12 miscompiles initializer_lists inside co_await expressions.)
  template <typename... W>
  WaitAnyAwaitable WaitAny(std::optional<os::Duration> timeout, W&... ws) {
    Waitable* list[] = {&ws...};
    return WaitAnyOf(list, timeout);
  }
  // The same over a list built at run time (at most kMaxWaitables).
  WaitAnyAwaitable WaitAnyOf(absl::Span<Waitable* const> waitables,
                             std::optional<os::Duration> timeout);
  ExitAwaitable Exit(int code);

 private:
  friend class Executor;
  ProcessContext(Executor* ex, internal_executor::Process* p) : ex_(ex), p_(p) {}
  Executor* ex_;
  internal_executor::Process* p_;
};

class Executor {
 public:
  using Body = absl::AnyInvocable<os::Task<>(ProcessContext&)>;
  using ExitListener = absl::AnyInvocable<void(Pid, ExitStatus)>;

  Executor(EventQueue& queue, Trace& trace);
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;
  // Destroys every live process (as if killed) without tracing.
  ~Executor();

  // Starts a process named `name` on `host` (both only name it in the trace).
  Pid Spawn(std::string name, Body body, std::string host = "");
  // Ends the process at its suspension point with `signal` (SIGKILL = 9 by
  // default). No-op for an exited or unknown pid.
  void Kill(Pid pid, int signal = 9);
  // Destroys every live process at once, innermost frames first, in pid order;
  // nothing is traced and no listener runs (a host losing power).
  void KillAllSilently();
  void AddExitListener(Pid pid, ExitListener listener);
  // SIGSTOP / SIGCONT (see the contract above); no-op for a dead pid.
  void Stop(Pid pid);
  void Continue(Pid pid);
  bool IsStopped(Pid pid) const;

  // CPU time (sim/cpu.h); null (the default) runs every resumption at once.
  // Set before the first Spawn; `cpu` must outlive the executor.
  void set_cpu(Cpu* cpu) { cpu_ = cpu; }
  Cpu* cpu() { return cpu_; }
  // `bytes` copied by `pid` (a send, a receive, a read, a write): their cost
  // is added to its next burst. No-op without a CPU model.
  void ChargeBytes(Pid pid, uint64_t bytes);

  // Waits for viewers (sim/wait_observer.h): this reports kCpu and
  // kStopped, SimOs the blocking calls. Null (the default) reports nothing.
  void set_wait_observer(WaitObserver* o) { wait_observer_ = o; }
  WaitObserver* wait_observer() const { return wait_observer_; }

  bool IsAlive(Pid pid) const;
  std::optional<ExitStatus> exit_status(Pid pid) const;
  size_t live_processes() const { return live_; }
  EventQueue& queue() { return queue_; }

 private:
  friend class ProcessContext;
  friend class SleepAwaitable;
  friend class WaitAnyAwaitable;
  friend class ExitAwaitable;

  // `p` is woken at `h`: it runs now, or after its burst on a core.
  void Resume(internal_executor::Process* p, std::coroutine_handle<> h);
  // Runs `h` (a suspended frame of `p`), then ends `p` if it finished or asked
  // to exit.
  void RunSlice(internal_executor::Process* p, std::coroutine_handle<> h);
  // CPU model (executor_cpu.cc).
  void StartBurst(internal_executor::Process* p, Cpu::Host& h);
  void ReleaseCore(Cpu::Host& h);
  // Tells the wait observer, if any, that `p`'s wait of `kind` begins or ends.
  void NoteWait(internal_executor::Process* p, WaitKind kind, bool begin);
  static Lane LaneOf(const internal_executor::Process* p);
  void Finish(internal_executor::Process* p, ExitStatus status, bool trace);
  internal_executor::Process* Find(Pid pid) const;

  EventQueue& queue_;
  Trace& trace_;
  Pid next_pid_ = 1;
  size_t live_ = 0;
  internal_executor::Process* running_ = nullptr;
  Cpu* cpu_ = nullptr;
  WaitObserver* wait_observer_ = nullptr;
  absl::btree_map<Pid, std::unique_ptr<internal_executor::Process>> processes_;
};

}  // namespace replsim::sim

#endif  // REPLSIM_SIM_EXECUTOR_H_
