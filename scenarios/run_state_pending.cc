// RunState's stops and promotions in progress (see run_state.h): pg_ctl
// stop -W and pg_ctl promote -W send their signal and return, so the steps
// after them run while the postmaster shuts down or the startup process
// finishes recovery. Their bookkeeping (the CleanStop record of a shutdown
// that completes later, the role change of a promotion) is done when they
// are seen to have completed: at the start of each step, when a step waits
// on their node, and at the end of the run, which waits for them within
// their bounds.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "scenarios/checkers.h"
#include "scenarios/run_state.h"

namespace replsim::scenarios {
namespace {

// The node has finished its promotion: read-write.
bool ReadWrite(Harness& t, PgNode& n, os::Instant since) {
  return n.running() && n.shmem() != nullptr && !n.shmem()->XLogCtl.SharedRecoveryInProgress &&
         FindLog(t, n.name(), "database system is ready to accept connections", since) != nullptr;
}

// PostgreSQL 15's own hang (tests/crash_recovery_stop_test.cc): a smart or
// fast stop during crash recovery after a crash (restart_after_crash) ends
// the startup process, but FatalError stays set, so PM_WAIT_BACKENDS waits
// for the checkpointer, which 15 runs in crash recovery and never stops.
// A note for the failure's message when that is where `n` is stuck.
std::string CrashRecoveryStopHang(Harness& t, PgNode& n) {
  const std::vector<std::string> states = n.PMStates();
  if (states.empty() || states.back() != "PM_WAIT_BACKENDS" ||
      t.cluster().FindByName(n.name(), "checkpointer") == 0 ||
      t.cluster().FindByName(n.name(), "startup") != 0) {
    return "";
  }
  bool reinitialized = false, stopped_in_recovery = false;
  for (const LogLine& l : n.Logs()) {
    if (absl::StrContains(l.message, "all server processes terminated; reinitializing")) {
      reinitialized = true;
      stopped_in_recovery = false;
    } else if (absl::StrContains(l.message, "ready to accept connections") ||
               absl::StrContains(l.message, "database system is shut down")) {
      reinitialized = stopped_in_recovery = false;
    } else if (reinitialized && (absl::StrContains(l.message, "received fast shutdown request") ||
                                 absl::StrContains(l.message, "received smart shutdown request"))) {
      stopped_in_recovery = true;
    }
  }
  if (!stopped_in_recovery) return "";
  return "; PostgreSQL 15 hangs so too: a smart or fast stop during crash recovery after a "
         "crash leaves FatalError set, so PM_WAIT_BACKENDS waits for the checkpointer, which 15 "
         "runs in crash recovery and never stops (checked on PostgreSQL 15.18)";
}

}  // namespace

void RunState::Skipped(const std::string& node, const std::string& what, const std::string& why) {
  t_.world()
      .trace()
      .Emit(t_.world().now(), node, "pg_ctl", "skipped")
      .Str("op", what)
      .Str("why", why);
}

void RunState::Settle() {
  std::vector<std::string> done;
  for (const auto& [node, p] : pending_stops_) {
    if (!t_.Node(node).running()) done.push_back(node);
  }
  for (const std::string& node : done) FinishStop(node);
  done.clear();
  for (const auto& [node, since] : pending_promotes_) {
    PgNode& n = t_.Node(node);
    if (!n.running() || ReadWrite(t_, n, since)) done.push_back(node);
  }
  for (const std::string& node : done) {
    const os::Instant since = pending_promotes_[node];
    pending_promotes_.erase(node);
    PgNode& n = t_.Node(node);
    if (n.running()) {
      FinishPromote(node);
    } else if (FindLog(t_, node, "selected new timeline ID", since) != nullptr) {
      // Stopped after it left recovery: a primary of the new timeline
      // (the checks at promotion need its shared memory, gone with it).
      upstream_.erase(node);
      roles_[node] = Node::PRIMARY;
    } else {
      Skipped(node, "promote", "the server stopped before it finished recovery");
    }
  }
}

void RunState::NoteFaultDuringStops(const std::string& what) {
  for (auto& [node, p] : pending_stops_) {
    if (p.fault_during.empty()) {
      p.fault_during = absl::StrFormat("%s at %.6fs", what, t_.world().now().nanos() / 1e9);
    }
  }
}

void RunState::NoteStandbyStopDuringStop(const StopNode& st) {
  const auto up = upstream_.find(st.node());
  if (up == upstream_.end()) return;
  const auto s = pending_stops_.find(up->second);
  if (s == pending_stops_.end() || !s->second.fault_during.empty()) return;
  s->second.fault_during = absl::StrFormat(
      "pg_ctl stop -m %s%s of %s at %.6fs", StopNode::Mode_Name(st.mode()),
      st.no_wait() ? " -W" : "", st.node(), t_.world().now().nanos() / 1e9);
}

bool RunState::AwaitStop(const std::string& node, os::Instant began, os::Duration bound) {
  PgNode& n = t_.Node(node);
  const os::Instant step_began = step_began_;
  step_began_ = began;  // the bound and the failure's message count from the stop's start
  if (!RunUntilBound([&] { return !n.running(); }, bound)) {
    // A shutdown waits on the node's walsenders, so on its standbys too.
    std::vector<std::string> nodes = {node};
    for (const auto& [standby, up] : upstream_) {
      if (up == node) nodes.push_back(standby);
    }
    // What is still running is the first thing an operator looks at when
    // pg_ctl stop hangs; what the stop itself made backends and walreceivers
    // log is no cause.
    std::string still;
    for (const auto& [pid, name] : t_.cluster().LiveProcesses(node)) {
      absl::StrAppend(&still, still.empty() ? "" : ", ", name, " (pid ", pid, ")");
    }
    StepFailed(absl::StrFormat("pg_ctl stop -m %s of %s",
                               StopNode::Mode_Name(pending_stops_[node].mode), node),
               "its postmaster had not exited", bound, nullptr, nodes,
               absl::StrCat(still.empty() ? "" : absl::StrCat("; still running on ", node, ": ", still),
                            CrashRecoveryStopHang(t_, n)),
               {"due to administrator command"});
    step_began_ = step_began;
    return false;
  }
  step_began_ = step_began;
  FinishStop(node);
  return true;
}

void RunState::FinishStop(const std::string& node) {
  PendingStop p = std::move(pending_stops_[node]);
  pending_stops_.erase(node);
  PgNode& n = t_.Node(node);
  CheckPingsAnswered(node);
  std::string not_streaming = std::move(p.not_streaming);
  for (const auto& [standby, before] : p.faults_before) {
    if (not_streaming.empty() && t_.cluster().host(standby).disk().faults_fired() != before) {
      not_streaming = absl::StrFormat("a disk fault struck %s during the shutdown", standby);
    }
  }
  if (std::string f = InjectedSince(p.began, WithStandbys(node));
      not_streaming.empty() && !f.empty()) {
    not_streaming = absl::StrCat("a fault struck during the shutdown (", f, ")");
  }
  if (not_streaming.empty() && !p.fault_during.empty()) {
    not_streaming = absl::StrFormat("a %s struck during %s's shutdown", p.fault_during, node);
  }
  if (not_streaming.empty() && !p.promoted_during.empty()) {
    not_streaming = absl::StrFormat(
        "%s's promotion began at %.6fs, before %s's shutdown had completed: a standby stops "
        "streaming when it is promoted, whatever its upstream had still to send",
        p.promoted_during, p.promoted_at.nanos() / 1e9, node);
  }
  // A standby lagging by more WAL than the primary keeps: its shutdown
  // checkpoint removed WAL the walsender had still to send.
  if (const LogLine* l = FindLog(t_, node, "has already been removed", p.began);
      not_streaming.empty() && l != nullptr) {
    not_streaming = absl::StrFormat(
        "%s's walsender could not send WAL its shutdown checkpoint removed (\"%s\"): without "
        "wal_keep_segments, wal_keep_size or a slot, PostgreSQL keeps no WAL for a standby",
        node, l->message);
  }
  if (p.mode == StopNode::IMMEDIATE) return;
  const absl::StatusOr<node::ControlFileData> c = n.ReadControlFile();
  if (!c.ok() || c->state != node::DBState::DB_SHUTDOWNED) return;
  WalScan scan = n.ScanWal(c->checkPoint);
  if (scan.records.empty()) return;
  clean_stop_ = CleanStop{node, c->checkPoint, scan.records.front().end, not_streaming, p.began};
}

bool RunState::AwaitPending(const std::string& node) {
  Settle();
  if (auto s = pending_stops_.find(node); s != pending_stops_.end()) {
    if (!AwaitStop(node, s->second.began, s->second.bound)) return false;
  }
  if (auto p = pending_promotes_.find(node); p != pending_promotes_.end()) {
    const os::Instant since = p->second;
    PgNode& n = t_.Node(node);
    const os::Instant step_began = step_began_;
    step_began_ = since;
    const bool done =
        RunUntilBound([&] { return !n.running() || ReadWrite(t_, n, since); }, kStartBound);
    if (!done) {
      StepFailed(absl::StrCat("promote -W of ", node), "not read-write", kStartBound, &n, {node});
      step_began_ = step_began;
      return false;
    }
    step_began_ = step_began;
    Settle();
  }
  return true;
}

bool RunState::AwaitAllPending() {
  while (!pending_stops_.empty() || !pending_promotes_.empty()) {
    const std::string node = !pending_stops_.empty() ? pending_stops_.begin()->first
                                                     : pending_promotes_.begin()->first;
    if (!AwaitPending(node)) return false;
  }
  return true;
}

}  // namespace replsim::scenarios
