#include "scenarios/run_state.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/os/signal.h"
#include "protocol/postmaster/workload_tuple.h"
#include "protocol/receivexlog/receivexlog.h"
#include "scenarios/checkers.h"
#include "scenarios/harness/real_processes.h"
#include "sim/distributions.h"
#include "sim/fault/fault_plan.h"

namespace replsim::scenarios {
namespace {

constexpr int kWorkloadTransactions = 400;  // per session, when unset; a fast stop ends them
constexpr os::Duration kReceiveXlogStartBound = os::Seconds(30);

std::optional<os::Signal> SignalByName(const std::string& name) {
  for (os::Signal s : os::kAllSignals) {
    if (os::SignalName(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace

RunState::RunState(const Scenario& s, Harness& t, sim::Rng& rng, std::set<int> tolerated)
    : s_(s), t_(t), rng_(rng), tolerated_(std::move(tolerated)) {}

RunState::~RunState() = default;

bool RunState::Checking(Invariant i) const {
  for (int x : s_.invariants()) {
    if (x == i) return true;
  }
  return false;
}

void RunState::Add(Violation v) {
  v.tolerated = tolerated_.count(v.invariant) > 0;
  violations_.push_back(std::move(v));
}

absl::Status RunState::CreateNodes() {
  // initdb meets the disk's faults like any process; a failure ends the run
  // before its first step (bad input, below, is reported first).
  std::string initdb_node;
  absl::Status initdb = absl::OkStatus();
  for (const Node& n : s_.nodes()) {
    PgNode& p = t_.Node(n.name());
    DrawClock(n.name());
    p.entry_points() = RealEntryPoints();
    for (const Setting& g : n.settings()) {
      absl::Status st = node::Gucs::CheckExists(g.name(), t_.behavior().server_version_num);
      if (st.ok()) st = p.config().gucs.Set(g.name(), g.value());
      if (!st.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("node \"", n.name(), "\" under ", t_.behavior().description, ": ",
                         st.message()));
      }
    }
    roles_[n.name()] = n.role();
    if (n.role() == Node::PRIMARY && initdb.ok()) {
      initdb = p.InitDb();
      initdb_node = n.name();
    }
    if (n.role() != Node::PRIMARY) upstream_[n.name()] = n.upstream();
  }
  if (!initdb.ok()) SetUpFailed(absl::StrCat("initdb of ", initdb_node), initdb);
  if (s_.has_archive()) {
    archive_ = std::make_unique<ArchiveHost>(t_, s_);
    archive_->Start();
  }
  return absl::OkStatus();
}

bool RunState::StartReceiveXlog(const std::string& node) {
  receivexlog::ReceiveXlogOptions o;
  o.conninfo = absl::StrCat("host=", upstream_[node], " port=5432");
  for (const Node& n : s_.nodes()) {
    if (n.name() != node) continue;
    o.loop = n.reconnect();  // no -n
    if (n.slot_name().empty()) continue;
    o.slot_name = n.slot_name();
    o.create_slot = n.create_slot();
  }
  o.flush_on_reply_request = t_.behavior().receivexlog_flush_on_reply_request;
  const os::Instant since = t_.world().now();
  t_.cluster().Spawn(node, "pg_receivexlog", [o](os::Os& os) -> os::Task<> {
    os.MakeDir(o.directory);
    co_await receivexlog::ReceiveXlogMain(os, o);
  });
  if (!RunUntilBound([&] { return FindLog(t_, node, "starting log streaming", since) != nullptr; },
                     kReceiveXlogStartBound)) {
    StepFailed(absl::StrCat("start of pg_receivexlog on ", node), "not streaming",
               kReceiveXlogStartBound, nullptr, {node, upstream_[node]});
    return false;
  }
  return true;
}

bool RunState::Start(const std::string& node) {
  if (roles_[node] == Node::RECEIVEXLOG) return StartReceiveXlog(node);
  PgNode& n = t_.Node(node);
  const os::Instant since = t_.world().now();
  n.Start();
  const bool up = RunUntilBound(
      [&] {
        return !n.running() || FindLog(t_, node, "ready to accept", since) != nullptr ||
               FindLog(t_, node, "entering standby mode", since) != nullptr;
      },
      kStartBound);
  if (!up || !n.running()) return AfterFailedStart(node);
  if (roles_[node] == Node::PRIMARY && !workload_started_ && s_.workload().sessions() > 0) {
    workload_started_ = true;
    workload_node_ = node;
    n.Workload({.sessions = static_cast<int>(s_.workload().sessions()),
                .transactions = s_.workload().transactions() > 0
                                    ? static_cast<int>(s_.workload().transactions())
                                    : kWorkloadTransactions,
                .think_time = os::Milliseconds(std::max<uint32_t>(1, s_.workload().think_ms())),
                .interval = os::Milliseconds(10),
                .row_bytes = static_cast<int>(std::max<uint32_t>(postmaster::kMinRowBytes,
                                                                 s_.workload().row_bytes()))});
  }
  return true;
}

bool RunState::Stop(const StopNode& st) {
  const std::string& node = st.node();
  const Shutdown mode = st.mode() == StopNode::SMART  ? Shutdown::kSmart
                        : st.mode() == StopNode::FAST ? Shutdown::kFast
                                                      : Shutdown::kImmediate;
  auto it = pending_stops_.find(node);
  if (it == pending_stops_.end()) {
    PendingStop p;
    p.mode = st.mode();
    p.began = t_.world().now();
    p.bound = SecondsOr(st.timeout_s(), 120);
    p.not_streaming = WhyNotStreaming(node);
    // Disk faults that strike a standby during the shutdown count too.
    for (const auto& [standby, up] : upstream_) {
      if (up == node) p.faults_before[standby] = t_.cluster().host(standby).disk().faults_fired();
    }
    it = pending_stops_.emplace(node, std::move(p)).first;
  } else {
    // A second pg_ctl stop while one is in progress: the postmaster takes
    // the stronger mode (pmdie), and this pg_ctl waits with its own bound.
    it->second.mode = std::max(it->second.mode, st.mode());
    t_.world()
        .trace()
        .Emit(t_.world().now(), node, "pg_ctl", "stop_again")
        .Str("mode", StopNode::Mode_Name(st.mode()))
        .Str("in_effect", StopNode::Mode_Name(it->second.mode));
  }
  t_.Node(node).Stop(mode);
  if (st.no_wait()) return true;
  return AwaitStop(node, step_began_, SecondsOr(st.timeout_s(), 120));
}

bool RunState::Promote(const PromoteNode& p) {
  const std::string& node = p.node();
  PgNode& n = t_.Node(node);
  if (!p.no_wait() && !AwaitPending(node)) return false;
  if (p.no_wait() && !n.running()) {
    Skipped(node, "promote", "server is not running");
    return true;
  }
  const os::Instant since = t_.world().now();
  // A promotion that begins while its upstream is shutting down: whatever
  // the standby had not received by then is not waited for.
  if (const auto up = upstream_.find(node); up != upstream_.end()) {
    if (auto s = pending_stops_.find(up->second);
        s != pending_stops_.end() && s->second.promoted_during.empty()) {
      s->second.promoted_during = node;
      s->second.promoted_at = since;
    }
  }
  if (absl::Status st = n.Promote(); !st.ok()) {
    SetUpFailed(absl::StrCat("promote of ", node), st);
    return false;
  }
  if (p.no_wait()) {
    pending_promotes_[node] = since;
    return true;
  }
  const bool done = RunUntilBound(
      [&] {
        return !n.running() ||
               (FindLog(t_, node, "database system is ready to accept connections", since) !=
                    nullptr &&
                n.shmem() != nullptr && !n.shmem()->XLogCtl.SharedRecoveryInProgress);
      },
      kStartBound);
  if (!done || !n.running()) {
    StepFailed(absl::StrCat("promote of ", node), "not read-write", kStartBound, &n, {node});
    return false;
  }
  // A stop of its upstream that completed meanwhile is what it is compared with.
  Settle();
  FinishPromote(node);
  return true;
}

void RunState::FinishPromote(const std::string& node) {
  PgNode& n = t_.Node(node);
  const auto up = upstream_.find(node);
  if (Checking(CLEAN_SWITCHOVER) && clean_stop_.has_value() && up != upstream_.end() &&
      up->second == clean_stop_->node) {
    // A fault injected into either end after the stop began, while the
    // standby was still to receive the tail, until this promotion.
    if (std::string f = InjectedSince(clean_stop_->began, {node, clean_stop_->node});
        clean_stop_->not_streaming.empty() && !f.empty()) {
      clean_stop_->not_streaming =
          absl::StrCat("a fault struck between the stop and the promotion (", f, ")");
    }
    const wal::TimeLineID tli = n.shmem()->XLogCtl.ThisTimeLineID;
    std::optional<wal::XLogRecPtr> e = SwitchPointOf(t_, node, tli);
    if (e.has_value() && *e < clean_stop_->end) {
      Violation v;
      v.invariant = CLEAN_SWITCHOVER;
      v.time = t_.world().now();
      v.message = absl::StrFormat(
          "%s was promoted at %s (timeline %u), before the end of %s's shutdown checkpoint "
          "%s..%s: it missed the tail of WAL, so %s cannot rejoin without a new base backup",
          node, wal::LsnToString(*e), tli, clean_stop_->node,
          wal::LsnToString(clean_stop_->checkpoint), wal::LsnToString(clean_stop_->end),
          clean_stop_->node);
      if (const LogLine* l = FindLog(t_, clean_stop_->node, "walsender exiting at shutdown")) {
        v.evidence = FormatLogLine(*l);
      }
      AddOutsidePrecondition(v);
      Add(std::move(v));
    }
  }
  if (Checking(SYNC_COMMIT_DURABLE) && up != upstream_.end()) {
    CheckSyncCommitsSurvived(node, up->second);
  }
  upstream_.erase(node);
  roles_[node] = Node::PRIMARY;
}

void RunState::PlaySteps() {
  if (s_.nemesis().fault_size() > 0 || s_.triggers_size() > 0) {
    injector_ = std::make_unique<FaultInjector>(
        s_, t_, [this](const InjectedFault& f) { OnInjected(f); });
    injector_->Arm();
  }
  const bool done = PlayEachStep();
  if (injector_ != nullptr) injector_->Disarm();
  if (done) t_.RunFor(os::Milliseconds(500));
}

bool RunState::PlayEachStep() {
  const os::Instant deadline = t_.world().now() + SecondsOr(s_.time_limit_s(), 600);
  for (int i = 0; i < s_.steps_size(); ++i) {
    const Step& st = s_.steps(i);
    if (stopped_) return false;
    const uint32_t lo = st.delay_ms().min(), hi = std::max(st.delay_ms().min(), st.delay_ms().max());
    if (hi > 0) t_.RunFor(os::Milliseconds(sim::UniformInt(rng_, lo, hi)));
    if (t_.world().now() >= deadline) {
      Liveness(
          absl::StrFormat("the run reached its time limit of %ds (time_limit_s) at "
                          "%.6fs, before step %d",
                          SecondsOr(s_.time_limit_s(), 600).nanos() / 1000000000,
                          t_.world().now().nanos() / 1e9, i + 1));
      return false;
    }
    step_began_ = t_.world().now();
    Settle();
    if (!pending_stops_.empty()) {
      switch (st.op_case()) {
        case Step::kKill:
          NoteFaultDuringStops(absl::StrCat("kill -", st.kill().signal(), " of ", st.kill().node(),
                                            "'s ", st.kill().process()));
          break;
        case Step::kCrash: NoteFaultDuringStops("crash of " + st.crash().node()); break;
        case Step::kStop: NoteStandbyStopDuringStop(st.stop()); break;
        case Step::kPartition: NoteFaultDuringStops("partition"); break;
        case Step::kDiskFault: NoteFaultDuringStops("disk fault of " + st.disk_fault().node()); break;
        case Step::kDropConnections:
          NoteFaultDuringStops("drop_connections of " + st.drop_connections().node());
          break;
        case Step::kStallProcess:
          NoteFaultDuringStops(absl::StrCat("SIGSTOP of ", st.stall_process().node(), "'s ",
                                            st.stall_process().process()));
          break;
        case Step::kPauseHost: NoteFaultDuringStops("pause of " + st.pause_host().node()); break;
        case Step::kSlowDisk: NoteFaultDuringStops("slow disk of " + st.slow_disk().node()); break;
        case Step::kSlowReader:
          NoteFaultDuringStops(absl::StrCat("slow reader ", st.slow_reader().node(), "'s ",
                                            st.slow_reader().process()));
          break;
        case Step::kClockStep:
          NoteFaultDuringStops("clock step of " + st.clock_step().node());
          break;
        default: break;
      }
    }
    bool go_on = true;
    switch (st.op_case()) {
      case Step::kStart:
        go_on = AwaitPending(st.start().node()) && Start(st.start().node());
        break;
      case Step::kStop: go_on = Stop(st.stop()); break;
      case Step::kPromote: go_on = Promote(st.promote()); break;
      case Step::kRestartAsStandby: {
        const std::string& node = st.restart_as_standby().node();
        if (!AwaitPending(node)) return false;
        absl::Status configured = t_.Node(node).ConfigureStandby(
            t_.Node(st.restart_as_standby().upstream()), !ArchiveOnly(s_, node));
        upstream_[node] = st.restart_as_standby().upstream();
        roles_[node] = Node::STANDBY;
        if (clean_stop_.has_value() && clean_stop_->node == node) rejoining_.insert(node);
        if (!configured.ok()) {
          SetUpFailed(absl::StrCat("restart_as_standby of ", node), configured);
          go_on = false;
          break;
        }
        go_on = Start(node);
        break;
      }
      case Step::kBaseBackup: {
        if (!AwaitPending(st.base_backup().node())) return false;
        PgNode& n = t_.Node(st.base_backup().node());
        PgNode& up = t_.Node(st.base_backup().upstream());
        absl::Status backed_up = n.BaseBackupFrom(up);
        if (backed_up.ok()) backed_up = n.ConfigureStandby(up, !ArchiveOnly(s_, n.name()));
        upstream_[n.name()] = up.name();
        if (!backed_up.ok()) {
          SetUpFailed(absl::StrFormat("base_backup of %s from %s", n.name(), up.name()), backed_up);
          go_on = false;
        }
        break;
      }
      case Step::kKill: {
        const os::Pid pid = t_.cluster().FindByName(st.kill().node(), st.kill().process());
        std::optional<os::Signal> sig = SignalByName(st.kill().signal());
        if (pid != 0 && sig.has_value()) {
          t_.cluster().SendSignal(pid, *sig);
          if (*sig != os::Signal::kSIGHUP && *sig != os::Signal::kSIGUSR1 &&
              *sig != os::Signal::kSIGUSR2 && *sig != os::Signal::kSIGCHLD) {
            kills_.push_back({st.kill().node(), st.kill().process(), pid});
          }
        }
        break;
      }
      case Step::kCrash: {
        PgNode& n = t_.Node(st.crash().node());
        // What its own recovery had replayed when the power went.
        std::optional<wal::XLogRecPtr> replayed;
        if (node::ShmemRef shm = n.shmem(); shm && n.running() &&
                                            shm->XLogCtl.SharedRecoveryInProgress) {
          replayed = shm->XLogCtl.lastReplayedEndRecPtr;
        }
        n.CrashHost();
        if (st.crash().restart_after_ms() > 0) {
          t_.RunFor(os::Milliseconds(st.crash().restart_after_ms()));
          n.RestartHost();
          if (Checking(WAL_PREFIX)) CheckStandbysWithinDurableWal(n.name());
          if (Checking(REPLAY_NOT_PAST_DURABLE) && replayed.has_value()) {
            CheckReplayWithinDurableWal(n.name(), *replayed);
          }
        }
        break;
      }
      case Step::kPartition: {
        const Partition& p = st.partition();
        const uint32_t dmax = std::max(p.duration_ms().min(), p.duration_ms().max());
        sim::fault::FaultPlan plan(t_.cluster());
        plan.PartitionAt(t_.world().now(), p.a(), p.b(),
                         os::Milliseconds(sim::UniformInt(rng_, p.duration_ms().min(), dmax)),
                         !p.one_way());
        break;
      }
      case Step::kDiskFault: {
        sim::fault::FaultPlan plan(t_.cluster());
        const std::string& node = st.disk_fault().node();
        switch (st.disk_fault().kind()) {
          case DiskFault::FAIL_NEXT_FSYNC: plan.FailFsyncAt(t_.world().now(), node); break;
          case DiskFault::FILL: plan.FillDiskAt(t_.world().now(), node); break;
          case DiskFault::FREE: plan.FreeDiskAt(t_.world().now(), node); break;
          default: break;
        }
        break;
      }
      case Step::kDropConnections: {
        sim::fault::FaultPlan plan(t_.cluster());
        plan.DropConnectionsAt(t_.world().now(), st.drop_connections().node());
        break;
      }
      case Step::kStallProcess:
      case Step::kPauseHost:
      case Step::kSlowDisk:
      case Step::kSlowReader:
      case Step::kClockStep: PlayStall(st); break;
      case Step::kWaitForCatchUp:
        go_on = AwaitPending(st.wait_for_catch_up().node()) && AwaitCatchUp(st.wait_for_catch_up());
        break;
      case Step::kStopWorkload: go_on = AwaitWorkloadEnd(); break;
      case Step::kReload: PlayReload(st.reload()); break;
      case Step::kSwitchWal: t_.Node(st.switch_wal().node()).SwitchWal(); break;
      case Step::kArchiveFault:
        if (archive_ != nullptr) archive_->Fault(st.archive_fault(), rng_);
        break;
      case Step::OP_NOT_SET: break;
    }
    if (!go_on) return false;
  }
  if (!AwaitAllPending()) return false;
  return true;
}


}  // namespace replsim::scenarios
