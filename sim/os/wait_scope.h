// File: sim/os/wait_scope.h
//
// One blocking call of a simulated process as the executor's wait observer
// sees it (sim/wait_observer.h): SimOs::Waiting() reports the begin, and the
// scope's end, when the call returns or its frame is destroyed (a kill),
// reports the end. Made empty when nobody observes, so a run without an
// observer pays one null test per blocking call and reports nothing.
#ifndef REPLSIM_SIM_OS_WAIT_SCOPE_H_
#define REPLSIM_SIM_OS_WAIT_SCOPE_H_

#include "protocol/os/os.h"
#include "sim/executor.h"
#include "sim/wait_observer.h"

namespace replsim::sim::os_sim {

class WaitScope {
 public:
  WaitScope() = default;
  WaitScope(Executor* ex, os::Pid pid, WaitKind kind) : ex_(ex), pid_(pid), kind_(kind) {}
  WaitScope(const WaitScope&) = delete;
  WaitScope& operator=(const WaitScope&) = delete;
  // The observer may have been detached meanwhile (the run's end): then
  // nothing is reported.
  ~WaitScope() {
    if (ex_ != nullptr && ex_->wait_observer() != nullptr) {
      ex_->wait_observer()->WaitEnd(ex_->queue().now(), pid_, kind_);
    }
  }

 private:
  Executor* ex_ = nullptr;  // null: nothing to report
  os::Pid pid_ = 0;
  WaitKind kind_ = WaitKind::kLatchOrSocket;
};

}  // namespace replsim::sim::os_sim

#endif  // REPLSIM_SIM_OS_WAIT_SCOPE_H_
