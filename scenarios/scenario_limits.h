// File: scenarios/scenario_limits.h
//
// The loader's checks of values that would otherwise load and then quietly
// test less than the scenario says: enum numbers that name nothing (proto3
// parses any number), node names that are no host names, a link with no
// bandwidth or a range of 0 that the runner reads as unset, counts past an
// int or PostgreSQL's own limits, and waits that cannot fit in the run's
// time limit. Errors name file:line:col and what was expected.
#ifndef REPLSIM_SCENARIOS_SCENARIO_LIMITS_H_
#define REPLSIM_SCENARIOS_SCENARIO_LIMITS_H_

#include "absl/status/status.h"
#include "scenarios/scenario.pb.h"
#include "scenarios/scenario_location.h"

namespace replsim::scenarios {

// Every enum value in the file is one its enum has, and no repeated enum
// (invariants, tolerated) lists the *_UNSPECIFIED value.
absl::Status CheckEnumValues(const Scenario& s, const ScenarioLocator& c);

// Node `n`, whose location tree is `tree`, has a name that can be a host
// name in a connection string: an RFC 1123 label.
absl::Status CheckHostName(const ScenarioLocator& c, const ParseTree* tree, const Node& n);

// The workload's counts, the fault model's ranges, and the steps' waits
// against time_limit_s. The steps' own ranges are already ordered.
absl::Status CheckLimits(const Scenario& s, const ScenarioLocator& c);

// The values of a stall step (stall_process, pause_host, slow_disk,
// slow_reader, clock_step) at `t`, the tree of step `st`, whether in the
// scenario's steps or a nemesis or trigger's op; OK for any other step.
absl::Status CheckStall(const Step& st, const ParseTree* t, const ScenarioLocator& c,
                        uint64_t limit_s);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_SCENARIO_LIMITS_H_
