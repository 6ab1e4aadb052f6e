#include "scenarios/step_plan.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace replsim::scenarios {
namespace {

// What `kill { process: ... }` can find on a node (the names the processes
// run under; a backend serving a client or a walsender is "backend" or
// "walsender").
constexpr const char* kPostgresProcesses[] = {"postmaster",  "startup",   "checkpointer",
                                              "walreceiver", "walsender", "backend"};

struct NodeState {
  // At this point of the plan: promote makes a STANDBY a PRIMARY,
  // restart_as_standby and base_backup make a PRIMARY a STANDBY. A STANDBY
  // has an upstream to catch up with; a PRIMARY has none.
  Node::Role role = Node::ROLE_UNSPECIFIED;
  bool has_data = false;  // initdb (PRIMARY) or a base_backup step made it
  int down_at = -1;       // the step whose crash left the host down for good
  int promoted_at = -1;   // the step that made it the PRIMARY it is, if any
  // The last stop step, while no start or restart_as_standby followed it,
  // and whether it was a pg_ctl stop -W (the shutdown may still be in
  // progress at the next steps).
  int stopped_at = -1;
  bool stop_no_wait = false;
};

class PlanChecker {
 public:
  PlanChecker(const Scenario& s, const ScenarioLocator& c) : s_(s), c_(c) {
    for (const Node& n : s.nodes()) {
      nodes_[n.name()] = {n.role(), n.role() == Node::PRIMARY, -1, -1, -1, false};
    }
  }

  absl::Status Check() {
    for (int i = 0; i < s_.steps_size(); ++i) {
      if (absl::Status st = CheckStep(i); !st.ok()) return st;
    }
    return absl::OkStatus();
  }

 private:
  // An error at `field` of step i's operation `op`.
  absl::Status At(int i, const char* op, const google::protobuf::Message& m, const char* field,
                  const std::string& msg) const {
    const Step& st = s_.steps(i);
    const ParseTree* t = c_.Child(c_.Child(c_.root(), s_, "steps", i), st, op, -1);
    return c_.Error(t, m, field, -1, msg);
  }

  // The node named at `field` may be used by `op` at step i: its host is up,
  // and, unless `any_role`, it is a PostgreSQL node with a data directory.
  absl::Status Usable(int i, const char* op, const google::protobuf::Message& m, const char* field,
                      const std::string& node, bool any_role) const {
    const NodeState& n = nodes_.at(node);
    if (n.down_at >= 0) {
      return At(i, op, m, field,
                absl::StrCat(op, ": the host of \"", node, "\" crashed at step ", n.down_at + 1,
                             " without restart_after_ms and is still down"));
    }
    if (any_role) return absl::OkStatus();
    if (n.role == Node::RECEIVEXLOG) {
      return At(i, op, m, field,
                absl::StrCat(op, ": \"", node,
                             "\" is a RECEIVEXLOG node; expected a PRIMARY or STANDBY node"));
    }
    if (!n.has_data) {
      return At(i, op, m, field,
                absl::StrCat(op, ": \"", node,
                             "\" has no data directory yet; expected a base_backup step "
                             "for it first"));
    }
    return absl::OkStatus();
  }

  // A server to stream or copy from: a PostgreSQL node other than `node`.
  absl::Status Upstream(int i, const char* op, const google::protobuf::Message& m,
                        const std::string& node, const std::string& upstream) const {
    if (upstream == node) {
      return At(i, op, m, "upstream",
                absl::StrCat(op, ": \"", node, "\" cannot be its own upstream"));
    }
    if (nodes_.at(upstream).role == Node::RECEIVEXLOG) {
      return At(i, op, m, "upstream",
                absl::StrCat(op, ": upstream \"", upstream,
                             "\" is a RECEIVEXLOG node; expected a PRIMARY or STANDBY node"));
    }
    return absl::OkStatus();
  }

  // `op` (kill, stall_process, slow_reader) names in `m` a process by the
  // name it runs under on `node`.
  absl::Status CheckProcess(int i, const char* op, const google::protobuf::Message& m,
                            const std::string& node, const std::string& process) const {
    if (absl::Status st = Usable(i, op, m, "node", node, true); !st.ok()) return st;
    if (nodes_.at(node).role == Node::RECEIVEXLOG) {
      if (process == "pg_receivexlog") return absl::OkStatus();
      return At(i, op, m, "process",
                absl::StrCat(op, ": no process \"", process, "\" on RECEIVEXLOG node \"", node,
                             "\"; expected \"pg_receivexlog\""));
    }
    for (const char* p : kPostgresProcesses) {
      if (process == p) return absl::OkStatus();
    }
    return At(i, op, m, "process",
              absl::StrCat(op, ": no process \"", process, "\" in PostgreSQL; expected one of ",
                           absl::StrJoin(kPostgresProcesses, ", ")));
  }

  // pg_ctl promote of a server not in recovery fails ("server is not in
  // standby mode"): the node must be a standby at this point of the plan.
  absl::Status CheckPromote(int i, const PromoteNode& p) {
    if (absl::Status st = Usable(i, "promote", p, "node", p.node(), false); !st.ok()) return st;
    NodeState& n = nodes_.at(p.node());
    if (n.role == Node::PRIMARY) {
      return At(i, "promote", p, "node",
                absl::StrCat("promote: \"", p.node(), "\" is a primary at this step (",
                             n.promoted_at < 0 ? "a PRIMARY node"
                                               : absl::StrCat("step ", n.promoted_at + 1,
                                                              " promoted it"),
                             "); expected a standby: a STANDBY node, or one that base_backup "
                             "or restart_as_standby made one"));
    }
    // A waiting promote of a node being stopped waits for the stop first
    // and then finds no server; pg_ctl promote -W may race the shutdown.
    if (n.stopped_at >= 0 && (!p.no_wait() || !n.stop_no_wait)) {
      return At(i, "promote", p, "node",
                absl::StrCat("promote: \"", p.node(), "\" was stopped at step ", n.stopped_at + 1,
                             " and not started since (pg_ctl: server is not running); expected a "
                             "start first", n.stop_no_wait ? ", or promote { no_wait: true } to "
                             "race its shutdown" : ""));
    }
    n.role = Node::PRIMARY;
    n.promoted_at = i;
    return absl::OkStatus();
  }

  absl::Status CheckStep(int i) {
    const Step& st = s_.steps(i);
    switch (st.op_case()) {
      case Step::kStart: {
        const std::string& n = st.start().node();
        const bool receivexlog = nodes_.at(n).role == Node::RECEIVEXLOG;
        nodes_.at(n).stopped_at = -1;
        return Usable(i, "start", st.start(), "node", n, receivexlog);
      }
      case Step::kStop: {
        NodeState& n = nodes_.at(st.stop().node());
        n.stopped_at = i;
        n.stop_no_wait = st.stop().no_wait();
        return Usable(i, "stop", st.stop(), "node", st.stop().node(), false);
      }
      case Step::kPromote:
        return CheckPromote(i, st.promote());
      case Step::kRestartAsStandby: {
        const RestartAsStandby& r = st.restart_as_standby();
        if (absl::Status e = Usable(i, "restart_as_standby", r, "node", r.node(), false); !e.ok()) {
          return e;
        }
        nodes_.at(r.node()).role = Node::STANDBY;
        nodes_.at(r.node()).stopped_at = -1;
        return Upstream(i, "restart_as_standby", r, r.node(), r.upstream());
      }
      case Step::kBaseBackup: {
        const BaseBackup& b = st.base_backup();
        NodeState& n = nodes_.at(b.node());
        if (n.role == Node::RECEIVEXLOG) {
          return At(i, "base_backup", b, "node",
                    absl::StrCat("base_backup: \"", b.node(),
                                 "\" is a RECEIVEXLOG node; expected a PRIMARY "
                                 "or STANDBY node"));
        }
        if (absl::Status e = Usable(i, "base_backup", b, "node", b.node(), true); !e.ok()) {
          return e;
        }
        if (absl::Status e = Upstream(i, "base_backup", b, b.node(), b.upstream()); !e.ok()) {
          return e;
        }
        n.has_data = true;
        n.role = Node::STANDBY;
        return absl::OkStatus();
      }
      case Step::kKill:
        return CheckProcess(i, "kill", st.kill(), st.kill().node(), st.kill().process());
      case Step::kStallProcess:
        return CheckProcess(i, "stall_process", st.stall_process(), st.stall_process().node(),
                            st.stall_process().process());
      case Step::kSlowReader:
        return CheckProcess(i, "slow_reader", st.slow_reader(), st.slow_reader().node(),
                            st.slow_reader().process());
      case Step::kPauseHost:
        return Usable(i, "pause_host", st.pause_host(), "node", st.pause_host().node(), true);
      case Step::kSlowDisk:
        return Usable(i, "slow_disk", st.slow_disk(), "node", st.slow_disk().node(), true);
      case Step::kClockStep:
        return Usable(i, "clock_step", st.clock_step(), "node", st.clock_step().node(), true);
      case Step::kReload:
        return Usable(i, "reload", st.reload(), "node", st.reload().node(), false);
      case Step::kWaitForCatchUp: {
        const WaitForCatchUp& w = st.wait_for_catch_up();
        if (absl::Status e = Usable(i, "wait_for_catch_up", w, "node", w.node(), false); !e.ok()) {
          return e;
        }
        if (nodes_.at(w.node()).role != Node::STANDBY) {
          return At(i, "wait_for_catch_up", w, "node",
                    absl::StrCat("wait_for_catch_up: \"", w.node(),
                                 "\" has no upstream at this step (a primary, or promoted); "
                                 "expected a standby, or a restart_as_standby step first"));
        }
        return absl::OkStatus();
      }
      case Step::kDiskFault:
        return Usable(i, "disk_fault", st.disk_fault(), "node", st.disk_fault().node(), true);
      case Step::kDropConnections:
        return Usable(i, "drop_connections", st.drop_connections(), "node",
                      st.drop_connections().node(), true);
      case Step::kCrash: {
        const CrashHost& c = st.crash();
        if (absl::Status e = Usable(i, "crash", c, "node", c.node(), true); !e.ok()) return e;
        if (c.restart_after_ms() == 0) nodes_.at(c.node()).down_at = i;
        return absl::OkStatus();
      }
      case Step::kPartition:
        if (st.partition().a() == st.partition().b()) {
          return At(i, "partition", st.partition(), "b",
                    absl::StrCat("partition: a and b are both \"", st.partition().a(),
                                 "\"; expected two different hosts"));
        }
        return absl::OkStatus();
      case Step::kSwitchWal: {
        const std::string& n = st.switch_wal().node();
        if (absl::Status e = Usable(i, "switch_wal", st.switch_wal(), "node", n, false); !e.ok()) {
          return e;
        }
        if (nodes_.at(n).role != Node::PRIMARY) {
          return At(i, "switch_wal", st.switch_wal(), "node",
                    absl::StrCat("switch_wal: \"", n,
                                 "\" is not a primary at this step; expected a PRIMARY node "
                                 "(pg_switch_wal() fails in recovery)"));
        }
        return absl::OkStatus();
      }
      case Step::kArchiveFault:
      case Step::kStopWorkload:
      case Step::OP_NOT_SET:
        return absl::OkStatus();
    }
    return absl::OkStatus();
  }

  const Scenario& s_;
  const ScenarioLocator& c_;
  std::map<std::string, NodeState> nodes_;
};

}  // namespace

absl::Status CheckStepPlan(const Scenario& s, const ScenarioLocator& c) {
  return PlanChecker(s, c).Check();
}

}  // namespace replsim::scenarios
