#include "scenarios/fault_injector.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/os/signal.h"
#include "sim/distributions.h"
#include "sim/fault/fault_plan.h"
#include "sim/os/stalls.h"

namespace replsim::scenarios {
namespace {

constexpr const char* kAny = "any";
constexpr const char* kHere = "here";

std::optional<os::Signal> SignalNamed(const std::string& name) {
  for (os::Signal s : os::kAllSignals) {
    if (os::SignalName(s) == name) return s;
  }
  return std::nullopt;
}

bool Terminating(os::Signal s) {
  return s != os::Signal::kSIGHUP && s != os::Signal::kSIGUSR1 && s != os::Signal::kSIGUSR2 &&
         s != os::Signal::kSIGCHLD;
}

os::Duration DrawMs(sim::Rng& rng, const Range& r) {
  const uint32_t hi = std::max(r.min(), r.max());
  return os::Milliseconds(hi == 0 ? 0 : sim::UniformInt(rng, r.min(), hi));
}

}  // namespace

FaultInjector::FaultInjector(const Scenario& s, Harness& t, Sink sink)
    : s_(s), t_(t), sink_(std::move(sink)) {}

FaultInjector::~FaultInjector() {
  *armed_ = false;
  *alive_ = false;
  if (!triggers_.empty()) t_.cluster().set_mark_listener(nullptr);
}

void FaultInjector::Arm() {
  *armed_ = true;
  for (int i = 0; i < s_.nemesis().fault_size(); ++i) {
    const NemesisFault& f = s_.nemesis().fault(i);
    const std::string name = absl::StrCat("nemesis #", i + 1);
    nemesis_.push_back({name, &f.op(), &f.nodes(), &f.processes(), &f.heal_after_ms(),
                        f.max_fires(), 0, &t_.world().Stream(absl::StrCat("nemesis/", i))});
  }
  for (int i = 0; i < s_.triggers_size(); ++i) {
    const Trigger& g = s_.triggers(i);
    const std::string name = absl::StrCat("trigger #", i + 1);
    triggers_.push_back({name, &g.op(), &g.nodes(), &g.processes(), &g.heal_after_ms(),
                         g.max_fires(), 0, &t_.world().Stream(absl::StrCat("trigger/", i))});
  }
  for (int i = 0; i < static_cast<int>(nemesis_.size()); ++i) ScheduleNemesis(i);
  if (!triggers_.empty()) {
    t_.cluster().set_mark_listener([this](std::string_view host, std::string_view,
                                          std::string_view mark) { OnMark(host, mark); });
  }
}

void FaultInjector::Disarm() { *armed_ = false; }

void FaultInjector::ScheduleNemesis(int i) {
  Source& src = nemesis_[i];
  const NemesisFault& f = s_.nemesis().fault(i);
  if (src.max_fires > 0 && src.fires >= src.max_fires) return;
  const os::Instant start = os::Instant() + os::Milliseconds(f.window_ms().min());
  os::Instant at = std::max(t_.world().now(), start) +
                   sim::Exponential(*src.rng, os::Milliseconds(std::max(1u, f.mean_interval_ms())));
  if (f.window_ms().max() > 0 && at > os::Instant() + os::Milliseconds(f.window_ms().max())) {
    return;
  }
  t_.world().queue().Schedule(at, [this, i, armed = armed_] {
    if (!*armed) return;
    Source& s = nemesis_[i];
    ++s.fires;
    Apply(s, s.name, "");
    ScheduleNemesis(i);
  });
}

void FaultInjector::OnMark(std::string_view host, std::string_view mark) {
  if (!*armed_) return;
  for (int i = 0; i < static_cast<int>(triggers_.size()); ++i) {
    const Trigger& g = s_.triggers(i);
    Source& src = triggers_[i];
    if (g.on() != mark || (!g.node().empty() && g.node() != host)) continue;
    if (src.max_fires > 0 && src.fires >= src.max_fires) continue;
    if (g.probability().den() > 0 &&
        !sim::Bernoulli(*src.rng, {g.probability().num(), g.probability().den()})) {
      continue;
    }
    ++src.fires;
    const os::Duration delay = DrawMs(*src.rng, g.delay_ms());
    std::string cause =
        absl::StrCat(src.name, " (", std::string(mark), " on ", std::string(host), ")");
    // Never inside the marking process's own code: an event of its own.
    t_.world().queue().ScheduleAfter(
        delay, [this, i, cause = std::move(cause), here = std::string(host), armed = armed_] {
          if (*armed) Apply(triggers_[i], cause, here);
        });
  }
}

std::string FaultInjector::Pick(Source& src, const std::string& field, const std::string& here,
                                const std::string& avoid) {
  if (field == kHere) return here == avoid ? "" : here;
  if (field != kAny) return field;
  std::vector<std::string> choices;
  if (src.nodes->empty()) {
    for (const Node& n : s_.nodes()) choices.push_back(n.name());
  } else {
    choices.assign(src.nodes->begin(), src.nodes->end());
  }
  std::erase(choices, avoid);
  if (choices.empty()) return "";
  return choices[sim::Choice(*src.rng, choices.size())];
}

void FaultInjector::Skip(const std::string& cause, const std::string& node,
                         const std::string& why) {
  t_.world()
      .trace()
      .Emit(t_.world().now(), node, "nemesis", "nemesis_skipped")
      .Str("source", cause)
      .Str("why", why);
}

void FaultInjector::Struck(InjectedFault f) {
  f.time = t_.world().now();
  t_.world()
      .trace()
      .Emit(f.time, f.nodes.empty() ? "" : f.nodes.front(), "nemesis", "nemesis_fault",
            sim::Severity::kWarning)
      .Str("fault", f.what);
  fired_.push_back(f);
  if (sink_ != nullptr) sink_(fired_.back());
}

std::string FaultInjector::ChooseProcess(Source& src, const std::string& node,
                                         const std::string& process) {
  if (process != kAny) return process;
  std::vector<std::string> live;
  for (const auto& [pid, name] : t_.cluster().LiveProcesses(node)) {
    const bool allowed =
        src.processes->empty()
            ? std::ranges::find(kKillableProcesses, name) != std::end(kKillableProcesses)
            : std::ranges::find(*src.processes, name) != src.processes->end();
    if (allowed) live.push_back(name);
  }
  if (live.empty()) return "";
  return live[sim::Choice(*src.rng, live.size())];
}

void FaultInjector::Apply(Source& src, const std::string& cause, const std::string& here) {
  const Step& op = *src.op;
  sim::os_sim::Cluster& cluster = t_.cluster();
  sim::fault::FaultPlan plan(cluster);
  const os::Instant now = t_.world().now();
  auto down = [&](const std::string& node) { return !cluster.host(node).up(); };
  switch (op.op_case()) {
    case Step::kKill: {
      const KillProcess& k = op.kill();
      const std::string node = Pick(src, k.node(), here);
      if (node.empty() || down(node)) return Skip(cause, node, "kill: the host is down");
      const std::string process = ChooseProcess(src, node, k.process());
      if (process.empty()) return Skip(cause, node, "kill: no such process runs");
      const os::Pid pid = cluster.FindByName(node, process);
      const std::optional<os::Signal> sig = SignalNamed(k.signal());
      if (pid == 0 || !sig.has_value()) {
        return Skip(cause, node, absl::StrCat("kill: no ", process, " runs"));
      }
      cluster.SendSignal(pid, *sig);
      InjectedFault f;
      f.what =
          absl::StrFormat("%s: kill -%s %s (PID %d) of %s", cause, k.signal(), process, pid, node);
      f.nodes = {node};
      if (Terminating(*sig)) {
        f.kill_node = node;
        f.kill_process = process;
        f.kill_pid = pid;
      }
      return Struck(std::move(f));
    }
    case Step::kCrash: {
      const std::string node = Pick(src, op.crash().node(), here);
      if (node.empty() || down(node)) return Skip(cause, node, "crash: the host is down");
      PgNode& n = t_.Node(node);
      std::optional<wal::XLogRecPtr> replayed;
      if (node::ShmemRef shm = n.shmem();
          shm && n.running() && shm->XLogCtl.SharedRecoveryInProgress) {
        replayed = shm->XLogCtl.lastReplayedEndRecPtr;
      }
      n.CrashHost();
      Struck({.what = absl::StrFormat("%s: crash of %s's host", cause, node), .nodes = {node}});
      const os::Duration after = os::Milliseconds(std::max(1u, op.crash().restart_after_ms()));
      // The host comes back even after Disarm: a later step may use it.
      t_.world().queue().ScheduleAfter(after, [this, node, replayed, cause, alive = alive_] {
        if (!*alive) return;
        t_.Node(node).RestartHost();
        InjectedFault f;
        f.time = t_.world().now();
        f.what = absl::StrFormat("%s: %s's host restarted", cause, node);
        f.nodes = {node};
        f.host_restarted = true;
        f.replayed_at_crash = replayed;
        fired_.push_back(f);
        if (sink_ != nullptr) sink_(fired_.back());
      });
      return;
    }
    case Step::kPartition: {
      const Partition& p = op.partition();
      const std::string a = Pick(src, p.a(), here);
      const std::string b = a.empty() ? "" : Pick(src, p.b(), here, a);
      if (a.empty() || b.empty() || a == b) {
        return Skip(cause, a, "partition: no two different hosts to choose");
      }
      const os::Duration d = DrawMs(*src.rng, p.duration_ms());
      plan.PartitionAt(now, a, b, d, !p.one_way());
      return Struck({.what = absl::StrFormat("%s: partition %s %s %s for %.3fs", cause, a,
                                             p.one_way() ? "->" : "<->", b, d.nanos() / 1e9),
                     .nodes = {a, b}});
    }
    case Step::kDiskFault: {
      const std::string node = Pick(src, op.disk_fault().node(), here);
      if (node.empty() || down(node)) return Skip(cause, node, "disk_fault: the host is down");
      std::string what;
      switch (op.disk_fault().kind()) {
        case DiskFault::FAIL_NEXT_FSYNC:
          plan.FailFsyncAt(now, node);
          what = "the next fsync fails";
          break;
        case DiskFault::FILL: {
          const os::Duration heal = DrawMs(*src.rng, *src.heal_after_ms);
          plan.FillDiskAt(now, node);
          plan.FreeDiskAt(now + heal, node);
          what = absl::StrFormat("disk full for %.3fs", heal.nanos() / 1e9);
          break;
        }
        case DiskFault::FREE:
          plan.FreeDiskAt(now, node);
          what = "disk space freed";
          break;
        default:
          return;
      }
      return Struck({.what = absl::StrFormat("%s: %s on %s", cause, what, node), .nodes = {node}});
    }
    case Step::kDropConnections: {
      const std::string node = Pick(src, op.drop_connections().node(), here);
      if (node.empty() || down(node))
        return Skip(cause, node, "drop_connections: the host is down");
      plan.DropConnectionsAt(now, node);
      return Struck({.what = absl::StrFormat("%s: every connection of %s reset", cause, node),
                     .nodes = {node}});
    }
    case Step::kStallProcess:
    case Step::kSlowReader: {
      const bool stall = op.op_case() == Step::kStallProcess;
      const char* what = stall ? "stall_process" : "slow_reader";
      const std::string node =
          Pick(src, stall ? op.stall_process().node() : op.slow_reader().node(), here);
      if (node.empty() || down(node)) return Skip(cause, node, absl::StrCat(what, ": the host is down"));
      const std::string process = ChooseProcess(
          src, node, stall ? op.stall_process().process() : op.slow_reader().process());
      if (process.empty()) return Skip(cause, node, absl::StrCat(what, ": no such process runs"));
      const os::Pid pid = cluster.FindByName(node, process);
      if (pid == 0) return Skip(cause, node, absl::StrCat(what, ": no ", process, " runs"));
      const os::Duration d =
          DrawMs(*src.rng, stall ? op.stall_process().duration_ms() : op.slow_reader().duration_ms());
      if (stall) {
        sim::os_sim::StallProcess(cluster, pid, d);
      } else {
        sim::os_sim::SlowReader(cluster, pid, op.slow_reader().read_bytes_per_ms(), d);
      }
      return Struck({.what = absl::StrFormat("%s: %s %s (PID %d) of %s for %.3fs", cause,
                                             stall ? "SIGSTOP" : "slow reading by", process, pid,
                                             node, d.nanos() / 1e9),
                     .nodes = {node}});
    }
    case Step::kPauseHost: {
      const std::string node = Pick(src, op.pause_host().node(), here);
      if (node.empty() || down(node)) return Skip(cause, node, "pause_host: the host is down");
      const os::Duration d = DrawMs(*src.rng, op.pause_host().duration_ms());
      sim::os_sim::PauseHost(cluster, node, d);
      return Struck({.what = absl::StrFormat("%s: %s's host paused for %.3fs", cause, node,
                                             d.nanos() / 1e9),
                     .nodes = {node}});
    }
    case Step::kSlowDisk: {
      const std::string node = Pick(src, op.slow_disk().node(), here);
      if (node.empty() || down(node)) return Skip(cause, node, "slow_disk: the host is down");
      const os::Duration d = DrawMs(*src.rng, op.slow_disk().duration_ms());
      sim::os_sim::SlowDisk(cluster, node, op.slow_disk().factor(), d);
      return Struck({.what = absl::StrFormat("%s: %s's disk %ux slower for %.3fs", cause, node,
                                             op.slow_disk().factor(), d.nanos() / 1e9),
                     .nodes = {node}});
    }
    case Step::kClockStep: {
      const std::string node = Pick(src, op.clock_step().node(), here);
      if (node.empty() || down(node)) return Skip(cause, node, "clock_step: the host is down");
      sim::os_sim::StepWallClock(cluster, node, os::Milliseconds(op.clock_step().step_ms()));
      return Struck({.what = absl::StrFormat("%s: %s's wall clock stepped %+d ms", cause, node,
                                             op.clock_step().step_ms()),
                     .nodes = {node}});
    }
    default:
      return;  // the loader refuses every other kind
  }
}

}  // namespace replsim::scenarios
