// File: scenarios/runner.h
//
// Runs one scenario for one seed: builds the world (hosts, nodes from the
// scenario's profile and settings), plays the steps with per-seed delays,
// applies the fault model, and checks the invariants. A run is a pure
// function of (scenario, seed, profile): the report's fingerprint is the
// trace's.
#ifndef REPLSIM_SCENARIOS_RUNNER_H_
#define REPLSIM_SCENARIOS_RUNNER_H_

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "protocol/node/behavior.h"
#include "protocol/os/time.h"
#include "scenarios/scenario.pb.h"
#include "sim/os/cluster.h"
#include "sim/trace.h"
#include "sim/wait_observer.h"

namespace replsim::scenarios {

class Harness;

struct Violation {
  Invariant invariant = INVARIANT_UNSPECIFIED;
  bool liveness = false;      // a liveness rather than a safety property
  bool tolerated = false;     // listed in the scenario's expect.tolerated
  os::Instant time;           // when it was established
  std::string message;        // what went wrong, in PostgreSQL's terms
  std::string evidence;       // the first trace event that proves it
};

struct RunOptions {
  std::string profile;        // overrides the scenario's, if set
  // "985bd7d497=off,..." on top of the profile and the scenario's own
  // switches (which apply under every profile).
  std::string switches;
  // Overrides the scenario's scheduler block (scenarios/scheduler_override.h),
  // e.g. "random,cpu_time=off"; "" keeps the scenario's.
  std::string scheduler;
  bool keep_trace = false;    // keep every event (replay, --trace)
  // Hash the trace into RunReport::fingerprint. Off, the fingerprint is 0 and
  // the run is otherwise identical (sweeps, which rerun a failing seed with it
  // on to report its fingerprint).
  bool fingerprint = true;
  std::function<void(const sim::TraceEvent&)> sink;  // sees each event as it happens
  // Sees each process's waits (sim/wait_observer.h), outside the trace: the
  // trace and fingerprint are the same with or without it. Detached after
  // on_end.
  sim::WaitObserver* wait_observer = nullptr;
  // Read-only looks at the run's world for tools (pg_controldata/pg_waldump
  // dumps): `on_start` gets the harness before the first step (a sink may
  // then read nodes' disks through it, which draws nothing and changes
  // nothing), `on_end` after the last check, before the world goes away.
  std::function<void(const Harness&)> on_start, on_end;
};

// How often the scheduling mechanisms came into play (not in the trace).
struct SchedStats {
  sim::TieBreakStats tie_break;
  sim::CpuStats cpu;
  sim::os_sim::ClusterStats cluster;
};

struct RunReport {
  uint64_t seed = 0;
  std::string profile;        // with overrides, e.g. "pg-9.2.4 +985bd7d497"
  uint64_t fingerprint = 0;   // 0 when RunOptions::fingerprint is off
  uint64_t unseed = 0;
  uint64_t events = 0;
  SchedStats sched;
  os::Instant end_time;
  std::vector<Violation> violations;
  std::vector<sim::TraceEvent> trace;  // when keep_trace

  // The first violation that is not tolerated, or null.
  const Violation* first_violation() const;
};

const char* InvariantName(Invariant i);

// The profile a run uses: options.profile, else the scenario's.
std::string RunProfile(const Scenario& s, const RunOptions& o);
// The run's behaviour: its profile, then the scenario's own switches, then
// options.switches, switch by switch (a later setting of a switch wins).
// InvalidArgument for an unknown profile or a bad switch override.
absl::StatusOr<node::Behavior> ResolveBehavior(const Scenario& s, const RunOptions& o);
// "COMMIT=on,COMMIT=off": every switch where `b` differs from its profile,
// in behavior.h's order; the same text for every way of asking for the same
// behaviour, so it keys resumes and goes into replay commands.
std::string CanonicalSwitches(const node::Behavior& b);
// The invariants the scenario's expect rows tolerate for runs of this
// behaviour (the rows of the same profile and the same switch values).
std::set<int> ToleratedFor(const Scenario& s, const node::Behavior& b);

// InvalidArgument for a bad profile or switch override.
absl::StatusOr<RunReport> RunScenario(const Scenario& scenario, uint64_t seed,
                                      const RunOptions& options);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_RUNNER_H_
