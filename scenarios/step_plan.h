// File: scenarios/step_plan.h
//
// Checks, before anything runs, that a scenario's steps can be carried out
// in order: each operation suits the role of the node it names (a
// RECEIVEXLOG node has no data directory to stop, promote or restart), a
// node is promoted only while it is a standby (promote, restart_as_standby
// and base_backup change roles along the plan) and not after a stop of it
// with no start since (a promote -W after a stop -W races the shutdown and
// is allowed), a STANDBY is made by a base_backup step before it starts, a kill names a process that node can
// have, a partition joins two hosts, and a host that crashed without
// restart_after_ms is not used again. Without this the run
// failed a CHECK deep in the harness, or waited out a bound and reported
// the wrong thing. Errors name file:line:col and what was expected.
#ifndef REPLSIM_SCENARIOS_STEP_PLAN_H_
#define REPLSIM_SCENARIOS_STEP_PLAN_H_

#include "absl/status/status.h"
#include "scenarios/scenario.pb.h"
#include "scenarios/scenario_location.h"

namespace replsim::scenarios {

// Every node a step names must already be known (the loader checks that).
absl::Status CheckStepPlan(const Scenario& s, const ScenarioLocator& c);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_STEP_PLAN_H_
