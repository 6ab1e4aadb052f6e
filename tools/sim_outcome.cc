// The outcome record of a simulated run (see sim_outcome.h).
#include "tools/sim_outcome.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/node_logs.h"

namespace replsim::tools {
namespace {

std::string ControlState(const LogFacts& f) {
  if (!f.started) return "";
  if (f.stopped && !f.immediate) return f.in_recovery ? "shut down in recovery" : "shut down";
  return f.in_recovery ? "in archive recovery" : "in production";
}

// "the old primary X cannot rejoin ...", "wait_for_catch_up of X ...".
bool RejoinFailed(const scenarios::RunReport& r, const std::string& node) {
  for (const scenarios::Violation& v : r.violations) {
    if (absl::StrContains(v.message, absl::StrCat("wait_for_catch_up of ", node, " ")) ||
        absl::StrContains(v.message, absl::StrCat("the old primary ", node, " cannot rejoin"))) {
      return true;
    }
  }
  return false;
}

}  // namespace

RunOutcome SimOutcome(const scenarios::Scenario& s, const scenarios::RunReport& r) {
  NodeLogs logs;
  std::map<std::string, std::set<std::string>> history;  // host -> file names
  for (const sim::TraceEvent& e : r.trace) {
    logs.Add(e);
    if (e.kind != "disk_rename") continue;
    const sim::TraceField* to = e.Find("to");
    if (to == nullptr || !absl::EndsWith(to->s, ".history")) continue;
    history[e.host].insert(to->s.substr(to->s.rfind('/') + 1));
  }
  const std::set<std::string> waited = CatchUpNodes(s);
  const std::map<std::string, std::string> switchovers = CleanStopsBeforePromotion(s);
  RunOutcome out;
  for (const scenarios::Node& spec : s.nodes()) {
    NodeOutcome n;
    n.node = spec.name();
    const LogFacts f = ParseServerLog(logs.LogOf(n.node));
    n.timeline = f.timeline;
    n.role = !f.started ? "never started" : f.stopped ? "stopped"
             : f.in_recovery                          ? "standby"
                                                      : "primary";
    n.control_state = ControlState(f);
    for (const std::string& h : history[n.node]) {
      unsigned tli = 0;
      (void)absl::SimpleHexAtoi(h.substr(0, 8), &tli);
      n.history.push_back(
          absl::StrFormat("%s: %u X/X no recovery target specified", h, tli - 1));
    }
    if (waited.count(n.node) > 0) {
      SetRejoin(f, !RejoinFailed(r, n.node), &n);
    }
    if (switchovers.count(n.node) > 0) {
      n.shutdown_checkpoint = "reached the standby";
      for (const scenarios::Violation& v : r.violations) {
        if (absl::StrContains(v.message,
                              absl::StrCat("before the end of ", n.node, "'s shutdown"))) {
          n.shutdown_checkpoint = "missed by the standby";
        }
      }
    }
    out.nodes.push_back(std::move(n));
  }
  return out;
}

}  // namespace replsim::tools
