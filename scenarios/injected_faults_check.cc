#include "scenarios/injected_faults_check.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "protocol/os/fault_points.h"
#include "protocol/os/signal.h"
#include "protocol/os/trace_marks.h"
#include "scenarios/scenario_limits.h"

namespace replsim::scenarios {
namespace {

using google::protobuf::Message;

// One nemesis fault or trigger: its message, where it is, and what its node
// fields may say besides a node name.
class FaultCheck {
 public:
  FaultCheck(const Scenario& s, const ScenarioLocator& c, const ParseTree* tree,
             const Message& owner, bool here_allowed)
      : c_(c), tree_(tree), owner_(owner), here_allowed_(here_allowed),
        limit_s_(s.time_limit_s() > 0 ? s.time_limit_s() : 600) {
    for (const Node& n : s.nodes()) nodes_.insert(n.name());
  }

  absl::Status Check(const Step& op, const google::protobuf::RepeatedPtrField<std::string>& nodes,
                     const google::protobuf::RepeatedPtrField<std::string>& processes,
                     const Range& heal_after_ms) {
    for (int i = 0; i < nodes.size(); ++i) {
      if (nodes_.count(nodes[i]) == 0) {
        return c_.Error(tree_, owner_, "nodes", i, absl::StrCat("unknown node \"", nodes[i], "\""));
      }
    }
    for (int i = 0; i < processes.size(); ++i) {
      if (!KnownProcess(processes[i])) {
        return c_.Error(tree_, owner_, "processes", i,
                        absl::StrCat("no process \"", processes[i], "\" in PostgreSQL; expected ",
                                     absl::StrJoin(kKillableProcesses, ", ")));
      }
    }
    if (absl::Status st = CheckRange(c_, tree_, owner_, "heal_after_ms", heal_after_ms); !st.ok()) {
      return st;
    }
    if (op.op_case() == Step::OP_NOT_SET) {
      return c_.Error(tree_, owner_, "op", -1,
                      "expected op: a fault step (kill, crash, partition, disk_fault, "
                      "drop_connections, stall_process, pause_host, slow_disk, slow_reader or "
                      "clock_step)");
    }
    const ParseTree* ot = c_.Child(tree_, owner_, "op", -1);
    if (!InjectableStep(op.op_case())) {
      const google::protobuf::FieldDescriptor* f = op.GetReflection()->GetOneofFieldDescriptor(
          op, op.GetDescriptor()->FindOneofByName("op"));
      return c_.Error(ot, op, f->name().c_str(), -1,
                      absl::StrCat(f->name(),
                                   " is a step that waits, not a fault; expected kill, crash, "
                                   "partition, disk_fault, drop_connections, stall_process, "
                                   "pause_host, slow_disk, slow_reader or clock_step"));
    }
    if (op.has_delay_ms()) {
      return c_.Error(ot, op, "delay_ms", -1,
                      "a fault's timing is its nemesis's or trigger's; expected no delay_ms");
    }
    switch (op.op_case()) {
      case Step::kKill: {
        const KillProcess& k = op.kill();
        const ParseTree* kt = c_.Child(ot, op, "kill", -1);
        if (absl::Status st = NodeField(kt, k, "node", k.node()); !st.ok()) return st;
        bool known_signal = false;
        for (os::Signal sig : os::kAllSignals) known_signal |= os::SignalName(sig) == k.signal();
        if (!known_signal) {
          return c_.Error(kt, k, "signal", -1,
                          absl::StrCat("unknown signal \"", k.signal(),
                                       "\": expected SIGTERM, SIGKILL, SIGQUIT, ..."));
        }
        if (k.process() != "any" && !KnownProcess(k.process())) {
          return c_.Error(kt, k, "process", -1,
                          absl::StrCat("no process \"", k.process(), "\" in PostgreSQL; expected ",
                                       absl::StrJoin(kKillableProcesses, ", "), " or \"any\""));
        }
        return absl::OkStatus();
      }
      case Step::kCrash: {
        const ParseTree* kt = c_.Child(ot, op, "crash", -1);
        if (absl::Status st = NodeField(kt, op.crash(), "node", op.crash().node()); !st.ok()) {
          return st;
        }
        if (op.crash().restart_after_ms() == 0) {
          return c_.Error(ot, op, "crash", -1,
                          "an injected crash needs restart_after_ms: no later step could use a "
                          "host that stays down");
        }
        return absl::OkStatus();
      }
      case Step::kPartition: {
        const Partition& p = op.partition();
        const ParseTree* pt = c_.Child(ot, op, "partition", -1);
        if (absl::Status st = NodeField(pt, p, "a", p.a()); !st.ok()) return st;
        if (absl::Status st = NodeField(pt, p, "b", p.b()); !st.ok()) return st;
        if (p.a() == p.b() && nodes_.count(p.a()) > 0) {
          return c_.Error(pt, p, "b", -1,
                          absl::StrCat("partition: a and b are both \"", p.a(),
                                       "\"; expected two different hosts"));
        }
        return CheckRange(c_, pt, p, "duration_ms", p.duration_ms());
      }
      case Step::kDiskFault: {
        const DiskFault& d = op.disk_fault();
        const ParseTree* dt = c_.Child(ot, op, "disk_fault", -1);
        if (absl::Status st = NodeField(dt, d, "node", d.node()); !st.ok()) return st;
        if (d.kind() == DiskFault::KIND_UNSPECIFIED) {
          return c_.Error(ot, op, "disk_fault", -1, "expected kind: FAIL_NEXT_FSYNC, FILL or FREE");
        }
        if (d.kind() == DiskFault::FILL && heal_after_ms.max() == 0) {
          return c_.Error(dt, d, "kind", -1,
                          "an injected FILL needs heal_after_ms: the disk would stay full for "
                          "the rest of the run");
        }
        return absl::OkStatus();
      }
      case Step::kDropConnections: {
        const ParseTree* dt = c_.Child(ot, op, "drop_connections", -1);
        return NodeField(dt, op.drop_connections(), "node", op.drop_connections().node());
      }
      case Step::kStallProcess:
      case Step::kSlowReader: {
        const bool stall = op.op_case() == Step::kStallProcess;
        const char* name = stall ? "stall_process" : "slow_reader";
        const Message& m = stall ? static_cast<const Message&>(op.stall_process())
                                 : static_cast<const Message&>(op.slow_reader());
        const std::string& node = stall ? op.stall_process().node() : op.slow_reader().node();
        const std::string& process =
            stall ? op.stall_process().process() : op.slow_reader().process();
        const ParseTree* st = c_.Child(ot, op, name, -1);
        if (absl::Status e = NodeField(st, m, "node", node); !e.ok()) return e;
        if (process != "any" && !KnownProcess(process)) {
          return c_.Error(st, m, "process", -1,
                          absl::StrCat("no process \"", process, "\" in PostgreSQL; expected ",
                                       absl::StrJoin(kKillableProcesses, ", "), " or \"any\""));
        }
        return CheckStall(op, ot, c_, limit_s_);
      }
      case Step::kPauseHost:
      case Step::kSlowDisk:
      case Step::kClockStep: {
        const char* name = op.op_case() == Step::kPauseHost  ? "pause_host"
                           : op.op_case() == Step::kSlowDisk ? "slow_disk"
                                                             : "clock_step";
        const Message& m = op.op_case() == Step::kPauseHost
                               ? static_cast<const Message&>(op.pause_host())
                           : op.op_case() == Step::kSlowDisk
                               ? static_cast<const Message&>(op.slow_disk())
                               : static_cast<const Message&>(op.clock_step());
        const std::string& node = op.op_case() == Step::kPauseHost  ? op.pause_host().node()
                                  : op.op_case() == Step::kSlowDisk ? op.slow_disk().node()
                                                                    : op.clock_step().node();
        if (absl::Status e = NodeField(c_.Child(ot, op, name, -1), m, "node", node); !e.ok()) {
          return e;
        }
        return CheckStall(op, ot, c_, limit_s_);
      }
      default:
        return absl::OkStatus();
    }
  }

 private:
  static bool KnownProcess(const std::string& p) {
    for (const char* k : kKillableProcesses) {
      if (p == k) return true;
    }
    return false;
  }

  absl::Status NodeField(const ParseTree* t, const Message& m, const char* field,
                         const std::string& v) const {
    if (nodes_.count(v) > 0 || v == "any" || (here_allowed_ && v == "here")) {
      return absl::OkStatus();
    }
    return c_.Error(t, m, field, -1,
                    absl::StrCat("unknown node \"", v, "\": expected a node's name or \"any\"",
                                 here_allowed_ ? " or \"here\" (the mark's node)" : ""));
  }

  const ScenarioLocator& c_;
  const ParseTree* tree_;
  const Message& owner_;
  bool here_allowed_;
  uint64_t limit_s_;
  std::set<std::string> nodes_;
};

std::string MarkNames() {
  std::vector<std::string> names;
  for (const os::TraceMarkInfo& m : os::kAllTraceMarks) names.emplace_back(m.name);
  return absl::StrJoin(names, ", ");
}

absl::Status CheckFaultPoints(const Scenario& s, const ScenarioLocator& c) {
  const FaultPoints& fp = s.fault_points();
  const ParseTree* t = c.Child(c.root(), s, "fault_points", -1);
  for (const char* field : {"off", "on"}) {
    const auto& names = std::string(field) == "off" ? fp.off() : fp.on();
    for (int i = 0; i < names.size(); ++i) {
      bool known = false;
      std::vector<std::string> all;
      for (const os::FaultPointInfo& p : os::kAllFaultPoints) {
        known |= p.name == names[i];
        all.emplace_back(p.name);
      }
      if (!known) {
        return c.Error(t, fp, field, i,
                       absl::StrCat("unknown fault point \"", names[i], "\": expected one of ",
                                    absl::StrJoin(all, ", ")));
      }
    }
  }
  if (!fp.enabled() && (fp.off_size() > 0 || fp.on_size() > 0)) {
    return c.Error(c.root(), s, "fault_points", -1,
                   "fault_points lists points but is not enabled; expected enabled: true");
  }
  return absl::OkStatus();
}

}  // namespace

bool InjectableStep(Step::OpCase op) {
  switch (op) {
    case Step::kKill:
    case Step::kCrash:
    case Step::kPartition:
    case Step::kDiskFault:
    case Step::kDropConnections:
    case Step::kStallProcess:
    case Step::kPauseHost:
    case Step::kSlowDisk:
    case Step::kSlowReader:
    case Step::kClockStep:
      return true;
    default:
      return false;
  }
}

absl::Status CheckInjectedFaults(const Scenario& s, const ScenarioLocator& c) {
  const ParseTree* nt = c.Child(c.root(), s, "nemesis", -1);
  for (int i = 0; i < s.nemesis().fault_size(); ++i) {
    const NemesisFault& f = s.nemesis().fault(i);
    const ParseTree* ft = c.Child(nt, s.nemesis(), "fault", i);
    if (f.mean_interval_ms() == 0) {
      return c.Error(nt, s.nemesis(), "fault", i,
                     "expected mean_interval_ms: the mean time between firings, at least 1");
    }
    if (absl::Status st = CheckRange(c, ft, f, "window_ms", f.window_ms()); !st.ok()) return st;
    FaultCheck check(s, c, ft, f, /*here_allowed=*/false);
    if (absl::Status st = check.Check(f.op(), f.nodes(), f.processes(), f.heal_after_ms());
        !st.ok()) {
      return st;
    }
  }
  std::set<std::string> nodes;
  for (const Node& n : s.nodes()) nodes.insert(n.name());
  for (int i = 0; i < s.triggers_size(); ++i) {
    const Trigger& g = s.triggers(i);
    const ParseTree* gt = c.Child(c.root(), s, "triggers", i);
    if (g.on().empty()) {
      return c.Error(c.root(), s, "triggers", i,
                     absl::StrCat("expected on: a mark name, one of ", MarkNames()));
    }
    bool known = false;
    for (const os::TraceMarkInfo& m : os::kAllTraceMarks) known |= m.name == g.on();
    if (!known) {
      return c.Error(gt, g, "on", -1,
                     absl::StrCat("unknown mark \"", g.on(), "\": expected one of ", MarkNames()));
    }
    if (!g.node().empty() && nodes.count(g.node()) == 0) {
      return c.Error(gt, g, "node", -1, absl::StrCat("unknown node \"", g.node(), "\""));
    }
    if (g.has_probability() &&
        (g.probability().den() == 0 || g.probability().num() > g.probability().den())) {
      return c.Error(gt, g, "probability", -1,
                     "expected num/den with den at least 1 and num at most den");
    }
    if (absl::Status st = CheckRange(c, gt, g, "delay_ms", g.delay_ms()); !st.ok()) return st;
    FaultCheck check(s, c, gt, g, /*here_allowed=*/true);
    if (absl::Status st = check.Check(g.op(), g.nodes(), g.processes(), g.heal_after_ms());
        !st.ok()) {
      return st;
    }
  }
  return CheckFaultPoints(s, c);
}

}  // namespace replsim::scenarios
