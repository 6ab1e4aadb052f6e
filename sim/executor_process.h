// File: sim/executor_process.h
//
// The executor's record of one process (private to executor*.cc): its
// coroutine, its body, its exit status and listeners, and its CPU state.
#ifndef REPLSIM_SIM_EXECUTOR_PROCESS_H_
#define REPLSIM_SIM_EXECUTOR_PROCESS_H_

#include <coroutine>
#include <memory>
#include <string>
#include <vector>

#include "sim/executor.h"

namespace replsim::sim {
namespace internal_executor {

struct Process {
  Pid pid = 0;
  std::string name;
  std::string host;
  Executor::Body body;  // kept alive: the coroutine may reference its captures
  std::unique_ptr<ProcessContext> ctx;
  os::Task<> root;
  TimerId start_event;
  bool alive = true;
  bool exit_requested = false;
  ExitStatus status;
  std::vector<Executor::ExitListener> listeners;
  // CPU model: the frame to resume at the end of its burst, the burst's
  // event, bytes copied since its last burst, whether it ever ran.
  std::coroutine_handle<> runnable;
  TimerId cpu_event;
  uint64_t bytes_copied = 0;
  bool started = false;
  os::Instant runnable_since;
  // SIGSTOP (Executor::Stop): how many stops hold it, and the frame a
  // wake-up found while it was stopped, resumed by the last Continue.
  int stops = 0;
  std::coroutine_handle<> parked;
};

}  // namespace internal_executor

}  // namespace replsim::sim

#endif  // REPLSIM_SIM_EXECUTOR_PROCESS_H_
