// File: scenarios/fault_injector.h
//
// Faults at any moment: a scenario's nemesis (fault kinds injected at random
// times throughout the run) and triggers (a fault when a named moment of
// PostgreSQL happens, protocol/os/trace_marks.h). Both are events of their
// own on the World, independent of the steps being played, so they strike
// while a step is still in progress: during a stop, a promotion, a base
// backup, a checkpoint.
//
// Each nemesis fault and each trigger draws from its own stream
// ("nemesis/<i>", "trigger/<i>"): a scenario without them draws exactly as
// before, and adding one never shifts another's draws. A fault that cannot
// apply when it comes (its host is down, no such process runs) is skipped
// and traced ("nemesis_skipped"); each fault that strikes is traced
// ("nemesis_fault") and handed to the run's bookkeeping (RunState), which
// accounts for it as it does for a step's fault.
//
//   FaultInjector inject(scenario, harness, [&](InjectedFault f) { ... });
//   inject.Arm();     // after the nodes exist
//   ...play the steps...
//   inject.Disarm();  // no fault after the steps are done
//
// Contract: the injector outlives every event it schedules or is disarmed
// before it dies (events check a shared flag, so a late one does nothing).
#ifndef REPLSIM_SCENARIOS_FAULT_INJECTOR_H_
#define REPLSIM_SCENARIOS_FAULT_INJECTOR_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "protocol/os/os.h"
#include "protocol/wal/lsn.h"
#include "scenarios/harness/harness.h"
#include "scenarios/injected_faults_check.h"
#include "scenarios/scenario.pb.h"
#include "sim/rng.h"

namespace replsim::scenarios {

// One fault that struck, for the run's bookkeeping.
struct InjectedFault {
  os::Instant time;
  // "nemesis #1" or "trigger #2 (checkpointer.shutdown_checkpoint_start on
  // primary)", then what it did: "kill -SIGKILL walreceiver (PID 12) of
  // standby".
  std::string what;
  std::vector<std::string> nodes;  // the nodes (hosts) it touched
  // A terminating signal sent to a process (as a kill step's kills_).
  std::string kill_node;
  std::string kill_process;
  os::Pid kill_pid = 0;
  // A crashed host came back (the crash's own checks run then), with what
  // its recovery had replayed when the power went, if it was in recovery.
  bool host_restarted = false;
  std::optional<wal::XLogRecPtr> replayed_at_crash;
};

class FaultInjector {
 public:
  using Sink = absl::AnyInvocable<void(const InjectedFault&)>;
  FaultInjector(const Scenario& s, Harness& t, Sink sink);
  ~FaultInjector();
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // Schedules each nemesis fault's first firing and listens for marks.
  void Arm();
  // No fault fires from now on; a crashed host still comes back.
  void Disarm();
  // Faults that struck so far, in order.
  const std::vector<InjectedFault>& fired() const { return fired_; }

 private:
  struct Source {
    std::string name;  // "nemesis #1", "trigger #2"
    const Step* op = nullptr;
    const google::protobuf::RepeatedPtrField<std::string>* nodes = nullptr;
    const google::protobuf::RepeatedPtrField<std::string>* processes = nullptr;
    const Range* heal_after_ms = nullptr;
    uint32_t max_fires = 0;
    uint32_t fires = 0;
    sim::Rng* rng = nullptr;
  };
  void ScheduleNemesis(int i);
  void OnMark(std::string_view host, std::string_view mark);
  // Applies `src`'s fault now; `here` is the node a trigger's mark happened on.
  void Apply(Source& src, const std::string& cause, const std::string& here);
  // A node field's value: the node itself, or a choice for "any" / "here";
  // empty when there is none to choose (`avoid` excluded).
  std::string Pick(Source& src, const std::string& field, const std::string& here,
                   const std::string& avoid = "");
  void Skip(const std::string& cause, const std::string& node, const std::string& why);
  // `process` as the op names it; for "any", one of the processes running
  // on `node` that `src` allows (its `processes`, else every PostgreSQL
  // process), drawn from src's stream; "" when none runs.
  std::string ChooseProcess(Source& src, const std::string& node, const std::string& process);
  void Struck(InjectedFault f);

  const Scenario& s_;
  Harness& t_;
  Sink sink_;
  std::vector<Source> nemesis_;
  std::vector<Source> triggers_;
  std::vector<InjectedFault> fired_;
  std::shared_ptr<bool> armed_ = std::make_shared<bool>(false);
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_FAULT_INJECTOR_H_
