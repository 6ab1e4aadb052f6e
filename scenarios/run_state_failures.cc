// RunState's failed steps (see run_state.h). A step that cannot complete is
// a LIVENESS violation that ends the run, and its message is what an
// operator would want first: what the step was and when it began; when and
// how it ended against its bound (a postmaster that exited says so at the
// time it exited, not when the bound ran out); and the cause the servers
// logged, the last ERROR, FATAL or PANIC of each node involved since the
// step began ("wait_for_catch_up of standby began at 12.300000s; not caught
// up with primary by 72.300000s (bound 60s): ...; last error of primary:
// FATAL: number of requested standby connections exceeds max_wal_senders
// (currently 0) (walsender at 70.100000s)").
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "scenarios/checkers.h"
#include "scenarios/run_state.h"

namespace replsim::scenarios {
namespace {

std::string At(os::Instant t) { return absl::StrFormat("%.6fs", t.nanos() / 1e9); }

std::string Span(os::Duration d) {
  if (d.nanos() % 1000000000 == 0) return absl::StrFormat("%ds", d.nanos() / 1000000000);
  return absl::StrFormat("%.6fs", d.nanos() / 1e9);
}

// "with exit code 1", "on signal 9".
std::string HowItExited(const PgNode& n) {
  const std::optional<os::ChildExit> e = n.postmaster_exit();
  if (!e.has_value()) return "";
  if (e->signal != 0) return absl::StrFormat(" on signal %d", e->signal);
  return absl::StrFormat(" with exit code %d", e->code);
}

}  // namespace

void RunState::Liveness(const std::string& what, std::string evidence,
                        std::optional<os::Instant> time) {
  Violation v;
  v.invariant = LIVENESS;
  v.liveness = true;
  v.time = time.value_or(t_.world().now());
  v.message = what;
  // A fault injected while the step ran may be why (fault_injector.h).
  if (std::string f = InjectedSince(step_began_, {}); !f.empty()) {
    absl::StrAppend(&v.message, "; a fault was injected while the step ran: ", f);
  }
  v.evidence = std::move(evidence);
  // Always reported: a run whose steps cannot complete did not test what the
  // scenario is about. Scenarios tolerate it explicitly where it is expected.
  Add(std::move(v));
  stopped_ = true;
}

bool RunState::RunUntilBound(const std::function<bool()>& pred, os::Duration bound) {
  const os::Duration left = step_began_ + bound - t_.world().now();
  return t_.RunUntil(pred, std::max(left, os::Duration()));
}

void RunState::StepFailed(const std::string& what, const std::string& not_done, os::Duration bound,
                          const PgNode* n, const std::vector<std::string>& nodes,
                          const std::string& detail, const std::vector<std::string>& expected) {
  const os::Instant now = t_.world().now();
  const os::Instant deadline = step_began_ + bound;
  std::string message;
  std::optional<os::Instant> time;
  if (n != nullptr && !n->running() && n->postmaster_exited_at().has_value() &&
      *n->postmaster_exited_at() >= step_began_) {
    time = *n->postmaster_exited_at();
    message = absl::StrFormat(
        "%s failed at %s (%s after the step began at %s): %s's postmaster "
        "exited%s",
        what, At(*time), Span(*time - step_began_), At(step_began_), n->name(), HowItExited(*n));
  } else if (n != nullptr && !n->running()) {
    message = absl::StrFormat("%s began at %s with %s's postmaster not running", what,
                              At(step_began_), n->name());
  } else if (os::Instant next; now < deadline && !t_.world().queue().PeekNextTime(&next)) {
    message = absl::StrFormat(
        "%s began at %s; %s at %s, when nothing was left to happen (bound "
        "%s)",
        what, At(step_began_), not_done, At(now), Span(bound));
  } else {
    // The clock moves only with events: the bound ran out at `deadline`
    // even when the last event came before it.
    time = std::max(now, deadline);
    message = absl::StrFormat("%s began at %s; %s by %s (bound %s)", what, At(step_began_),
                              not_done, At(deadline), Span(bound));
  }
  message += detail;
  std::string evidence;
  std::set<std::string> seen;
  for (const std::string& node : nodes) {
    if (!seen.insert(node).second) continue;
    const LogLine* l = LastError(t_, node, step_began_, expected);
    if (l == nullptr) continue;
    absl::StrAppendFormat(&message, "; last error of %s: %s: %s (%s at %s)", node, l->level,
                          l->message, l->process, At(l->time));
    if (evidence.empty()) evidence = FormatLogLine(*l);
  }
  Liveness(message, std::move(evidence), time);
}

void RunState::SetUpFailed(const std::string& what, const absl::Status& st) {
  Liveness(absl::StrFormat("%s failed at %s: %s", what, At(t_.world().now()), st.message()));
}

bool RunState::AfterFailedStart(const std::string& node) {
  if (rejoining_.count(node) > 0) {
    // A rejoin that failed for a reason the logs give (a timeline that
    // forked off) is reported as that reason.
    const size_t before = violations_.size();
    RejoinFailure(node, step_began_);
    if (violations_.size() > before) return false;
  }
  std::vector<std::string> nodes = {node};
  // A node once restarted as a standby may be a primary again (promoted):
  // then it has no upstream, and none must be made up (an empty one).
  if (const auto up = upstream_.find(node); rejoining_.count(node) > 0 && up != upstream_.end()) {
    nodes.push_back(up->second);
  }
  StepFailed(absl::StrCat("start of ", node), "not accepting connections nor in standby mode",
             kStartBound, &t_.Node(node), nodes);
  return false;
}

}  // namespace replsim::scenarios
