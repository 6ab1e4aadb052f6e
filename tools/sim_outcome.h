// File: tools/sim_outcome.h
//
// The outcome record (tools/outcome.h) of a simulated run, from what the
// simulator exposes after RunScenario: the trace (the nodes' server logs,
// tools/node_logs.h, and the disk's file events) and the violations. The
// simulated disk itself is gone by then, so three fields are derived:
// - the control file's state from the log's lifecycle lines (a clean
//   shutdown "shut down" or "shut down in recovery", otherwise "in
//   production" or "in archive recovery" by whether it was in recovery);
// - a timeline history file from its creation (the rename to
//   pg_wal/0000000N.history), its content as PostgreSQL writes it for a
//   promotion: "N-1 X/X no recovery target specified";
// - whether a shutdown checkpoint reached the standby from the
//   CLEAN_SWITCHOVER check (the scenario must list it), which compares the
//   promoted standby's switchpoint with the end of that checkpoint.
// Whether a node rejoined: no violation of its wait_for_catch_up step (a
// liveness failure, or CLEAN_SWITCHOVER's "cannot rejoin as a standby").
#ifndef REPLSIM_TOOLS_SIM_OUTCOME_H_
#define REPLSIM_TOOLS_SIM_OUTCOME_H_

#include "scenarios/runner.h"
#include "scenarios/scenario.pb.h"
#include "tools/outcome.h"

namespace replsim::tools {

// `r` must have kept its trace (RunOptions::keep_trace).
RunOutcome SimOutcome(const scenarios::Scenario& s, const scenarios::RunReport& r);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_SIM_OUTCOME_H_
