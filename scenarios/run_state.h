// File: scenarios/run_state.h
//
// Plays one scenario's steps on a Harness and tracks what the invariants
// need: the last clean shutdown of a primary (its shutdown checkpoint C and
// where it ends, C_end), which standby streams from whom, which old primary
// is trying to rejoin. Steps wait the way an operator would (pg_ctl stop
// waits for the postmaster to exit, promote waits for read-write), each with
// a bound counted from the step's start; a step that cannot complete (its
// bound runs out, its node's postmaster exits, a set-up action such as initdb
// or the base backup fails on a disk fault) is a liveness violation that
// names its cause and ends the run.
//
// Only the scenario's own expect rows tolerate an outcome (the `tolerated`
// set given to the constructor); RunState never tolerates one by itself.
#ifndef REPLSIM_SCENARIOS_RUN_STATE_H_
#define REPLSIM_SCENARIOS_RUN_STATE_H_

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "protocol/wal/lsn.h"
#include "scenarios/archive_scenario.h"
#include "scenarios/fault_injector.h"
#include "scenarios/harness/harness.h"
#include "scenarios/runner.h"
#include "scenarios/scenario.pb.h"
#include "sim/rng.h"

namespace replsim::scenarios {

// How long a start or a promotion may take.
inline constexpr os::Duration kStartBound = os::Seconds(60);

// A step's bound in seconds, `dflt` when the scenario leaves it 0.
inline os::Duration SecondsOr(uint32_t s, int64_t dflt) { return os::Seconds(s > 0 ? s : dflt); }

class RunState {
 public:
  RunState(const Scenario& s, Harness& t, sim::Rng& rng, std::set<int> tolerated);
  ~RunState();
  absl::Status CreateNodes();
  // Plays the steps, with the scenario's nemesis and triggers armed while
  // they run (fault_injector.h).
  void PlaySteps();
  void FinalChecks();
  std::vector<Violation> TakeViolations() { return std::move(violations_); }

 private:
  struct CleanStop {
    std::string node;
    wal::XLogRecPtr checkpoint = 0;  // C
    wal::XLogRecPtr end = 0;         // C_end
    // Empty when every standby of `node` was streaming from it (caught up
    // or not), over links no fault cut, as the stop began, and no fault
    // struck a standby until `node` was down: CLEAN_SWITCHOVER's
    // precondition.
    // Otherwise why not: a missed tail is then PostgreSQL behaving as
    // designed, and the violation's message says so, but it is reported
    // like any other; only the scenario's expect rows tolerate it.
    std::string not_streaming;
    os::Instant began;  // when the stop began
  };

  // The steps in order; false when the run ended before the last one.
  bool PlayEachStep();
  bool Checking(Invariant i) const;
  void Add(Violation v);
  // Why `primary`'s standbys could not all be streaming from it now, free of
  // faults in progress (a kill not yet acted on, an armed failed fsync), or "".
  std::string WhyNotStreaming(const std::string& primary);
  // LIVENESS, at `time` (now by default), which ends the run.
  void Liveness(const std::string& what, std::string evidence = "",
                std::optional<os::Instant> time = std::nullopt);
  // A waiting step that did not complete: `what` ("promote of standby")
  // began at the step's start and waited up to `bound` for `not_done`
  // ("not read-write") to change. The message says when and how it ended:
  // `n`'s postmaster exiting (n may be null), the bound running out, or
  // nothing being left to happen; then `detail`, then the last error of
  // each of `nodes` since the step began (LastError).
  void StepFailed(const std::string& what, const std::string& not_done, os::Duration bound,
                  const PgNode* n, const std::vector<std::string>& nodes,
                  const std::string& detail = "",
                  const std::vector<std::string>& expected = {});
  // A set-up action (initdb, the base backup's copy, pg_ctl) that failed.
  void SetUpFailed(const std::string& what, const absl::Status& st);
  // Runs until pred() holds or the step's `bound` has passed since its start.
  bool RunUntilBound(const std::function<bool()>& pred, os::Duration bound);
  // Each returns false when the run cannot go on.
  bool Start(const std::string& node);
  bool StartReceiveXlog(const std::string& node);
  // A stop's signal; with no_wait it completes at once (pg_ctl stop -W),
  // else once the postmaster has exited. A stop of a node whose stop is in
  // progress sends its signal too (escalation, see scenario.proto).
  bool Stop(const StopNode& st);
  bool Promote(const PromoteNode& p);
  // --- pg_ctl -W (run_state_pending.cc) ---
  // Finishes the bookkeeping of every no-wait stop or promotion that has
  // completed by now.
  void Settle();
  // A step that waits on `node` first waits for its no-wait actions to
  // finish, each within its bound from its own start; false when one does
  // not (a liveness violation) and the run cannot go on.
  bool AwaitPending(const std::string& node);
  bool AwaitAllPending();
  // Waits for `node`'s postmaster to exit, within `bound` of `began`
  // (a stop's start), then FinishStop.
  bool AwaitStop(const std::string& node, os::Instant began, os::Duration bound);
  // After the postmaster of a stopping node exited: CleanStop and checks.
  void FinishStop(const std::string& node);
  // A promotion that has made `node` read-write: the invariant checks and
  // the role change.
  void FinishPromote(const std::string& node);
  // A fault step (`what`, "kill of standby's walreceiver") played while
  // stops are in progress: none of them is a clean switchover's shutdown.
  void NoteFaultDuringStops(const std::string& what);
  // A stop of a standby whose upstream's stop is in progress: that shutdown
  // is no clean switchover's either (its standby stops streaming).
  void NoteStandbyStopDuringStop(const StopNode& st);
  // An operation pg_ctl would refuse at this moment: traced, not an error.
  void Skipped(const std::string& node, const std::string& what, const std::string& why);
  bool AwaitCatchUp(const scenarios::WaitForCatchUp& w);
  // stop_workload: every session of the workload has ended (its
  // transactions done, or its backend gone), within kWorkloadEndBound.
  bool AwaitWorkloadEnd();
  // A start of `node` that did not complete: why, and false.
  bool AfterFailedStart(const std::string& node);
  void RejoinFailure(const std::string& node, os::Instant since);
  // Appends to a CLEAN_SWITCHOVER violation's message why the last clean
  // stop was outside the invariant's precondition, if it was.
  void AddOutsidePrecondition(Violation& v) const;
  // SYNC_COMMIT_DURABLE at the promotion of `node`: every commit its old
  // primary acknowledged is below the new timeline's switchpoint.
  void CheckSyncCommitsSurvived(const std::string& node, const std::string& old_primary);
  // WAL_PREFIX after a host crash of `crashed` (07e8b6aabc's oracle): no
  // standby of it has flushed WAL beyond what survived on its disk.
  void CheckStandbysWithinDurableWal(const std::string& crashed);
  // REPLAY_NOT_PAST_DURABLE after a host crash of a node in recovery
  // (34ef02b4d4's oracle): what it had replayed is within its durable WAL.
  void CheckReplayWithinDurableWal(const std::string& node, wal::XLogRecPtr replayed);
  // A nemesis's or trigger's fault struck (run_state_injected.cc): kept as a
  // step's fault is (a kill in kills_, a host's restart checked as a crash
  // step's), for the precondition and the failures below.
  void OnInjected(const InjectedFault& f);
  // The first injected fault since `since` that touched one of `nodes` (any
  // node when empty), or "".
  std::string InjectedSince(os::Instant since, const std::vector<std::string>& nodes) const;
  // `primary` and its standbys now.
  std::vector<std::string> WithStandbys(const std::string& primary) const;
  // ONE_PING_OUTSTANDING over `node`'s walsenders so far (its shared memory
  // goes with a restart: checked at each stop and at the end).
  void CheckPingsAnswered(const std::string& node);
  // run_state_stalls.cc: a stall_process, pause_host, slow_disk,
  // slow_reader or clock_step step; none waits (its end is a later event).
  void PlayStall(const Step& st);
  // run_state_reload.cc: a reload step (pg_ctl reload); does not wait.
  void PlayReload(const ReloadConfig& r);
  // The node's host clock offset and drift from the fault model, drawn from
  // the stream "clock/<node>" only when the scenario sets them.
  void DrawClock(const std::string& node);

  const Scenario& s_;
  Harness& t_;
  sim::Rng& rng_;
  std::set<int> tolerated_;
  std::vector<Violation> violations_;
  absl::btree_map<std::string, Node::Role> roles_;
  absl::btree_map<std::string, std::string> upstream_;  // standby -> upstream
  std::optional<CleanStop> clean_stop_;
  // Processes a kill step told to end (a terminating signal).
  struct Kill {
    std::string node;
    std::string process;
    os::Pid pid = 0;
  };
  std::vector<Kill> kills_;
  // Stops in progress: sent, the postmaster not yet seen to exit.
  struct PendingStop {
    StopNode::Mode mode = StopNode::MODE_UNSPECIFIED;  // the strongest sent
    os::Instant began;
    os::Duration bound;
    std::string not_streaming;  // CleanStop::not_streaming as the stop began
    absl::btree_map<std::string, uint64_t> faults_before;  // standby -> disk faults
    // The first fault step played while the shutdown was in progress.
    std::string fault_during;
    // A standby of the node whose promotion began before its shutdown ended.
    std::string promoted_during;
    os::Instant promoted_at;
  };
  absl::btree_map<std::string, PendingStop> pending_stops_;
  absl::btree_map<std::string, os::Instant> pending_promotes_;  // node -> began
  std::set<std::string> rejoining_;  // old primaries restarted as standbys
  std::set<std::string> pings_reported_;  // nodes with an ONE_PING_OUTSTANDING violation
  os::Instant step_began_;                // after the step's delay
  std::string workload_node_;             // the primary the workload runs on, once started
  bool workload_started_ = false;
  bool stopped_ = false;
  std::unique_ptr<FaultInjector> injector_;  // with a nemesis or triggers
  std::unique_ptr<ArchiveHost> archive_;     // with an archive block
};

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_RUN_STATE_H_
