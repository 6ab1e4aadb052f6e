// Protocol-state coverage from trace events (state_coverage.h).
#include "scenarios/state_coverage.h"

#include "absl/strings/string_view.h"
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace replsim::scenarios {
namespace {

absl::string_view Field(const sim::TraceEvent& e, const char* key) {
  const sim::TraceField* f = e.Find(key);
  return f == nullptr ? absl::string_view() : absl::string_view(f->s);
}

// The startup process's recovery milestones, by the line that marks each.
struct Milestone {
  const char* needle;
  const char* phase;
};
constexpr Milestone kStartupPhases[] = {
    {"automatic recovery in progress", "crash_recovery"},
    {"entering standby mode", "standby_mode"},
    {"redo starts at", "redo"},
    {"consistent recovery state reached", "consistent"},
    {"entering archive recovery", "archive"},
    {"switched WAL source from archive to stream", "stream"},
    {"switched WAL source from stream to archive", "archive"},
    {"received promote request", "promote"},
    {"promote trigger file found", "promote"},
    {"redo done at", "redo_done"},
    {"selected new timeline ID", "new_timeline"},
    {"archive recovery complete", "recovery_complete"},
};

}  // namespace

void StateCoverage::BeginRun() {
  nodes_.clear();
  process_of_.clear();
}

bool StateCoverage::Add(const std::string& key) {
  if (!keys_.insert(key).second) return false;
  new_.push_back(key);
  if (absl::StartsWith(key, "node ")) ++node_states_;
  return true;
}

void StateCoverage::Reach(const std::string& key) {
  if (on_reach_) on_reach_(key);
  Add(key);
}

void StateCoverage::Record(const std::string& node) {
  const NodeState& n = nodes_[node];
  absl::btree_set<std::string> states;
  for (const auto& [pid, s] : n.walsenders) states.insert(s);
  Reach(absl::StrCat("node ", node, ": ", n.pm, " | walsnd ",
                   states.empty() ? "-" : absl::StrJoin(states, "+"), " | walrcv ", n.walrcv,
                   " | startup ", n.startup));
}

void StateCoverage::RecordFault(const std::string& what) {
  std::string phases;
  for (const auto& [node, n] : nodes_) {
    absl::StrAppend(&phases, phases.empty() ? "" : ", ", node, " ", n.pm);
  }
  Reach(absl::StrCat("fault ", what, ": ", phases));
}

void StateCoverage::ProcessGone(NodeState& n, const std::string& process, int32_t pid) {
  if (process == "postmaster") {
    n = NodeState();
  } else if (process == "walsender") {
    n.walsenders.erase(pid);
  } else if (process == "walreceiver") {
    n.walrcv = "-";
  } else if (process == "startup") {
    n.startup = "-";
  }
}

void StateCoverage::Observe(const sim::TraceEvent& e) {
  const std::string& kind = e.kind;
  const std::string& p = e.process;
  // Most events change nothing here: filter them before any lookup.
  const bool relevant = kind == "log" || kind == "process_start" || kind == "process_exit" ||
                        kind == "host_crash" || kind == "fault_plan" ||
                        (kind == "signal_sent" && p == "operator") ||
                        (kind == "signal_delivered" && p == "walsender");
  if (!relevant) return;
  NodeState& n = nodes_[e.host];
  if (kind == "process_start") {
    const sim::TraceField* pid = e.Find("pid");
    if (pid != nullptr) process_of_[static_cast<int32_t>(pid->i)] = p;
    if (p == "postmaster") {
      n = NodeState();
      n.pm = "PM_INIT";
    } else if (p == "walsender" && pid != nullptr) {
      n.walsenders[static_cast<int32_t>(pid->i)] = "startup";
    } else if (p == "walreceiver") {
      n.walrcv = "starting";
    } else if (p == "startup") {
      n.startup = "starting";
    } else {
      return;
    }
  } else if (kind == "process_exit") {
    const sim::TraceField* pid = e.Find("pid");
    ProcessGone(n, p, pid != nullptr ? static_cast<int32_t>(pid->i) : e.pid);
  } else if (kind == "host_crash") {
    RecordFault(absl::StrCat("crash_host@", e.host));
    n = NodeState();
  } else if (kind == "fault_plan") {
    RecordFault(absl::StrCat(Field(e, "step"), "@", e.host));
    return;
  } else if (kind == "signal_sent") {
    // An operator's signal: pg_ctl's requests to a postmaster are operations,
    // anything else (a kill step) a fault.
    const sim::TraceField* pid = e.Find("pid");
    const sim::TraceField* sig = e.Find("signal");
    const std::string target =
        pid != nullptr && process_of_.count(static_cast<int32_t>(pid->i)) > 0
            ? process_of_[static_cast<int32_t>(pid->i)]
            : "?";
    const std::string signal = sig != nullptr ? sig->s : "?";
    if (target == "postmaster" && signal != "SIGKILL") return;
    RecordFault(absl::StrCat("kill ", target, " ", signal, "@", e.host));
    return;
  } else if (kind == "signal_delivered") {
    if (Field(e, "signal") != "SIGUSR2" || n.walsenders.count(e.pid) == 0) return;
    n.walsenders[e.pid] = "last_cycle";
  } else {  // log
    const absl::string_view m = Field(e, "message");
    if (p == "postmaster") {
      constexpr absl::string_view kPrefix = "postmaster state: ";
      if (!absl::StartsWith(m, kPrefix)) return;
      const size_t arrow = m.rfind(" -> ");
      if (arrow == absl::string_view::npos) return;
      n.pm = std::string(m.substr(arrow + 4));
    } else if (p == "walsender") {
      auto it = n.walsenders.find(e.pid);
      if (it == n.walsenders.end()) return;
      if (absl::StrContains(m, "START_REPLICATION")) {
        it->second = "catchup";
      } else if (absl::StrContains(m, "has now caught up")) {
        it->second = "streaming";
      } else {
        return;
      }
    } else if (p == "walreceiver") {
      if (absl::StartsWith(m, "started streaming")) {
        n.walrcv = "streaming";
      } else if (absl::StrContains(m, "replication terminated by primary server")) {
        n.walrcv = "waiting";
      } else {
        return;
      }
    } else if (p == "startup") {
      const Milestone* hit = nullptr;
      for (const Milestone& s : kStartupPhases) {
        if (absl::StrContains(m, s.needle)) hit = &s;
      }
      if (hit == nullptr || n.startup == hit->phase) return;
      n.startup = hit->phase;
    } else {
      return;
    }
  }
  Record(e.host);
}

}  // namespace replsim::scenarios
