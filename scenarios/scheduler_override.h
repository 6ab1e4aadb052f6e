// File: scenarios/scheduler_override.h
//
// The scheduler a run uses when the command line overrides the scenario's
// `scheduler {}` block (`--scheduler random,cpu_time=off`), so a sweep can
// explore the same scenario under FIFO, RANDOM or PCT ordering without
// editing the file. The override is part of a sweep's identity and of every
// replay command, in the canonical form CanonicalSchedulerOverride gives.
//
// Grammar: comma-separated items, each at most once:
//   fifo | random | pct | pct:D    order of same-time events (D: PCT depth 1..10)
//   cpu_time=on|off                processes take CPU time (sim/cpu.h)
//   cores=N                        CPUs per host, 1..64
//   signals=linux|random           order of several pending signals
#ifndef REPLSIM_SCENARIOS_SCHEDULER_OVERRIDE_H_
#define REPLSIM_SCENARIOS_SCHEDULER_OVERRIDE_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "scenarios/scenario.pb.h"

namespace replsim::scenarios {

// `base` with `spec` applied; "" leaves it as it is. InvalidArgument names
// the item and what was expected.
absl::StatusOr<Scheduler> ApplySchedulerOverride(const Scheduler& base, absl::string_view spec);

// The same override in one spelling ("pct:3,cpu_time=off,cores=4,
// signals=random"; items in the grammar's order), so two ways of asking for
// the same override give one sweep identity. "" for "". Requires a spec
// ApplySchedulerOverride accepts.
absl::StatusOr<std::string> CanonicalSchedulerOverride(absl::string_view spec);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_SCHEDULER_OVERRIDE_H_
