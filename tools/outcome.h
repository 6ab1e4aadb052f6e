// File: tools/outcome.h
//
// The outcome of one run, real or simulated, in one normalised form, so
// that `replsim diff` can compare real PostgreSQL 15 with the pg-15 profile:
// for each node, where it ended (running as primary or standby, or
// stopped), on which timeline, its control file's state, whether it
// rejoined (the last wait_for_catch_up of it succeeded), why not (the class
// and exact text of the refusal its server log gives), its timeline history
// files, and for an old primary stopped cleanly before its standby was
// promoted, whether its shutdown checkpoint reached that standby (the fork
// point past the checkpoint). LSNs become relations, and pids, times, ports,
// host names and system identifiers are stripped, so that a class is the
// same string whenever the same thing happened.
//
// Both sides read the same server log format (log_line_prefix
// '%m [%p] %b: ', tools/node_logs.h): the real run's files and the
// simulated nodes' logs.
#ifndef REPLSIM_TOOLS_OUTCOME_H_
#define REPLSIM_TOOLS_OUTCOME_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "scenarios/scenario.pb.h"

namespace replsim::tools {

struct NodeOutcome {
  std::string node;
  std::string role;            // "primary", "standby", "stopped", "never started"
  int timeline = 0;            // the timeline it was last on (0: never started)
  std::string control_state;   // pg_controldata's "Database cluster state"
  bool rejoin_checked = false;  // a wait_for_catch_up of it ran
  bool rejoined = false;
  std::string refusal_class;   // normalised refusal (empty: none)
  std::string refusal_text;    // the refusal as logged
  std::vector<std::string> history;  // "00000002.history: 1 X/X no recovery target specified"
  // For a refusal of a new timeline: where the node's recovery point is
  // relative to the fork (the switchpoint its upstream sent, "End of WAL
  // reached on timeline N at ..." or "This server's history forked from
  // timeline N at ..."; on the real side the node's history file):
  // "recovery point past the fork, same segment" / "..., in a later
  // segment" (how many later depends on the write rate, not the model).
  std::string fork_relation;
  // "reached the standby" / "missed by the standby" (empty: no clean stop
  // of this node followed by its standby's promotion).
  std::string shutdown_checkpoint;
  std::string detail;          // side-specific facts for the record, not compared
};

struct RunOutcome {
  std::vector<NodeOutcome> nodes;  // in the scenario's order
  // One line per run, compared between the sides.
  std::string Class() const;
  // The record, node by node, with exact texts and details.
  std::string Record() const;
};

// What a node's server log says.
struct LogFacts {
  bool started = false;
  bool stopped = false;         // the last postmaster line is "database system is shut down"
  bool immediate = false;       // ... after an immediate shutdown request
  bool in_recovery = false;     // its last start entered standby mode and it was not promoted
  int timeline = 0;             // the last one it streamed, selected or started on
  // The startup process's last refusal of a new timeline, else the last
  // FATAL/PANIC.
  std::string last_refusal;
  bool timeline_refused = false;
  // The fork its upstream told it: the LSN of the last "End of WAL
  // reached" or "This server's history forked" DETAIL, if any.
  std::string end_of_wal;
  std::string recovery_point;   // of the last "... before current recovery point X", if any
};
LogFacts ParseServerLog(const std::string& log);
// Sets rejoin_checked, rejoined and, when it did not rejoin, the refusal and
// the fork relation from the node's log; `fork`, when not 0, is the
// switchpoint from its history file instead of the log's.
void SetRejoin(const LogFacts& f, bool rejoined, NodeOutcome* n, unsigned long long fork = 0);

// The scenario's clean stops (smart or fast) of a node whose standby is
// promoted later: stopped node -> promoted node. Both sides judge whether
// the shutdown checkpoint reached the standby for these.
std::map<std::string, std::string> CleanStopsBeforePromotion(const scenarios::Scenario& s);
// The nodes some wait_for_catch_up step waits for.
std::set<std::string> CatchUpNodes(const scenarios::Scenario& s);

// LSNs to X/X, quoted host names and ports to HOST and N, pids to N.
std::string NormaliseMessage(const std::string& message);
// "0/3000060" -> 0x3000060; 0 when it is not an LSN.
unsigned long long ParseLsnText(const std::string& text);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_OUTCOME_H_
