// File: scenarios/injected_faults_check.h
//
// The loader's checks of a scenario's nemesis, triggers and fault points
// (scenario.proto: Nemesis, Trigger, FaultPoints), and the allow-list of
// step kinds they may inject. Errors name file:line:col and what was
// expected: a waiting step given as a fault, an unknown mark or fault point
// name, a node that is none of the scenario's, a crash that never restarts.
#ifndef REPLSIM_SCENARIOS_INJECTED_FAULTS_CHECK_H_
#define REPLSIM_SCENARIOS_INJECTED_FAULTS_CHECK_H_

#include "absl/status/status.h"
#include "scenarios/scenario.pb.h"
#include "scenarios/scenario_location.h"

namespace replsim::scenarios {

// True for the step kinds a nemesis or trigger may inject: faults that
// strike and return. Waiting steps (start, stop, promote,
// restart_as_standby, base_backup, wait_for_catch_up, stop_workload) are no
// faults. A new fault step kind is enabled by adding it here and to
// FaultInjector::Apply (fault_injector.cc).
bool InjectableStep(Step::OpCase op);

// What an injected kill may name or choose for process "any": PostgreSQL's
// processes as they are named (and pg_receivexlog), never the harness's
// helpers (initdb, pg_ctl, the clients).
inline constexpr const char* kKillableProcesses[] = {"postmaster",    "startup",   "checkpointer",
                                                     "walreceiver",   "walsender", "backend",
                                                     "pg_receivexlog"};

// Every node a step names is known (the loader checked the steps first).
absl::Status CheckInjectedFaults(const Scenario& s, const ScenarioLocator& c);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_INJECTED_FAULTS_CHECK_H_
