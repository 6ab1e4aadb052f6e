// RunState's waiting steps (see run_state.h): wait_for_catch_up and
// stop_workload, each within its bound from the step's start; a bound that
// runs out is a liveness violation naming its cause (run_state_failures.cc),
// or for an old primary rejoining, the reason its logs give.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/wal/lsn.h"
#include "scenarios/checkers.h"
#include "scenarios/run_state.h"

namespace replsim::scenarios {
namespace {

constexpr os::Duration kWorkloadEndBound = os::Seconds(120);

// A standby that refused its upstream's timeline for a reason PostgreSQL's
// startup process gives (xlogrecovery.c's rescanLatestTimeLine and
// walreceiver start checks): logged at LOG, so no "last error" names it.
// A note for the failure's message, or "".
std::string TimelineRefusal(const Harness& t, const std::string& node, os::Instant since) {
  for (const char* needle : {"forked off current database system timeline",
                             "is not a child of this server's history",
                             "is not in this server's history"}) {
    if (const LogLine* l = FindLog(t, node, needle, since)) {
      return absl::StrFormat(
          "; %s refuses to follow, as PostgreSQL does when a server's WAL goes past the "
          "fork of the timeline it is to follow (it needs a new base backup): %s: %s",
          node, l->level, l->message);
    }
  }
  return "";
}

}  // namespace

bool RunState::AwaitCatchUp(const scenarios::WaitForCatchUp& w) {
  PgNode& n = t_.Node(w.node());
  const auto up = upstream_.find(w.node());
  if (up == upstream_.end()) return true;
  PgNode& u = t_.Node(up->second);
  node::ShmemRef ushm = u.shmem();
  if (ushm == nullptr || !u.running()) return true;
  // Caught up: replayed as far as the upstream had (flushed, or replayed
  // if it is a standby itself) when the step began, on its timeline. An
  // old primary ahead of its new upstream on the timeline it forked from
  // has not caught up with anything.
  const bool cascaded = ushm->XLogCtl.SharedRecoveryInProgress;
  const wal::XLogRecPtr target =
      cascaded ? ushm->XLogCtl.lastReplayedEndRecPtr : ushm->XLogCtl.pos.LogwrtResult.Flush;
  const wal::TimeLineID target_tli =
      cascaded ? ushm->XLogCtl.lastReplayedTLI : ushm->XLogCtl.ThisTimeLineID;
  const os::Duration bound = SecondsOr(w.timeout_s(), 60);
  const bool caught_up = RunUntilBound(
      [&] {
        node::ShmemRef shm = n.shmem();
        return shm != nullptr && n.running() && shm->XLogCtl.lastReplayedTLI == target_tli &&
               shm->XLogCtl.lastReplayedEndRecPtr >= target;
      },
      bound);
  if (caught_up) return true;
  if (rejoining_.count(w.node()) > 0) {
    // A rejoin that failed for a reason the logs give is reported as that
    // reason; only an unexplained one is a liveness failure.
    const size_t before = violations_.size();
    RejoinFailure(w.node(), step_began_ - os::Seconds(3600));
    if (violations_.size() > before) return false;
  }
  node::ShmemRef shm = n.shmem();
  StepFailed(absl::StrCat("wait_for_catch_up of ", w.node()),
             absl::StrCat("not caught up with ", up->second), bound, &n, {w.node(), up->second},
             absl::StrCat(
                 absl::StrFormat(": replayed %s on timeline %u, target %s on timeline %u",
                                 wal::LsnToString(shm ? shm->XLogCtl.lastReplayedEndRecPtr : 0),
                                 shm ? shm->XLogCtl.lastReplayedTLI : 0, wal::LsnToString(target),
                                 target_tli),
                 TimelineRefusal(t_, w.node(), step_began_)));
  return false;
}

bool RunState::AwaitWorkloadEnd() {
  const int sessions = workload_started_ ? static_cast<int>(s_.workload().sessions()) : 0;
  const postmaster::CommitLedger& l = t_.ledger();
  if (RunUntilBound([&] { return l.sessions_ended + l.sessions_refused >= sessions; },
                    kWorkloadEndBound)) {
    return true;
  }
  std::vector<std::string> nodes;
  if (!workload_node_.empty()) nodes.push_back(workload_node_);
  StepFailed("stop_workload",
             absl::StrFormat("the workload's %d session(s) had not all ended", sessions),
             kWorkloadEndBound, nullptr, nodes,
             absl::StrFormat(" (%d ended, %d refused)", l.sessions_ended, l.sessions_refused));
  return false;
}

}  // namespace replsim::scenarios
