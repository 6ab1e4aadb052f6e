// The schedule generator (fuzz_generator.h). A small model of the cluster
// along the plan (which servers run, their roles and upstreams, whether
// their last stop was clean) chooses a node each operation can apply to;
// the scenario loader's own checks then accept or refuse each step.
#include "scenarios/fuzz_generator.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/text_format.h"
#include "protocol/node/behavior.h"
#include "protocol/node/guc.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_location.h"
#include "sim/distributions.h"
#include "sim/rng.h"

namespace replsim::scenarios {
namespace {

constexpr const char* kPrimaryProcesses[] = {"postmaster", "checkpointer", "walsender", "backend"};
constexpr const char* kStandbyProcesses[] = {"postmaster", "startup", "walreceiver",
                                             "checkpointer"};
constexpr const char* kSignals[] = {"SIGKILL", "SIGTERM", "SIGQUIT", "SIGINT", "SIGHUP", "SIGUSR1"};

struct NodeModel {
  Node::Role role = Node::ROLE_UNSPECIFIED;
  bool server = false;    // PRIMARY or STANDBY: a PostgreSQL server
  bool has_data = false;
  bool running = false;   // certainly running
  bool maybe = false;     // a fault may have stopped it: neither certainly up nor down
  bool faulted = false;   // a fault struck it since it last started
  bool clean = false;     // its last stop was SMART or FAST with no fault since its start
  // A stop -W was its last operation: the shutdown may be in progress, in
  // `stop_mode` (the strongest sent).
  bool stopping = false;
  StopNode::Mode stop_mode = StopNode::MODE_UNSPECIFIED;
  // promote -W was sent when the schedule's delays had summed to this: the
  // generator leaves the node alone until kPromoteSettleMs more.
  int64_t promoting_at_ms = -1;
  std::string upstream;
};

// After pg_ctl promote -W, how long (summed delays) before the generator
// stops, kills or crashes the promoted node: long enough for any promotion
// to have finished, so that the liveness phase's model of which node is the
// primary holds. Stops of other nodes during the promotion are the point.
constexpr int64_t kPromoteSettleMs = 2000;
// A seed's choices: its stream "fuzz.schedule".
class RngChoices : public ScheduleChoices {
 public:
  explicit RngChoices(uint64_t seed) : rng_(sim::Rng::ForStream(seed, "fuzz.schedule")) {}
  uint64_t Below(uint64_t bound) override { return rng_.Below(bound); }

 private:
  sim::Rng rng_;
};

class Generator {
 public:
  Generator(const FuzzSpec& spec, ScheduleChoices& choices, GeneratedSchedule* out)
      : spec_(spec), rng_(choices), out_(*out) {
    limit_ms_ = uint64_t{spec.scenario().time_limit_s() > 0 ? spec.scenario().time_limit_s() : 600} *
                1000;
    for (const Node& n : spec.scenario().nodes()) {
      NodeModel& m = nodes_[n.name()];
      m.role = n.role();
      m.server = n.role() != Node::RECEIVEXLOG;
      m.has_data = n.role() == Node::PRIMARY;
      m.upstream = n.upstream();
      if (n.role() == Node::PRIMARY) primary_ = n.name();
      order_.push_back(n.name());
    }
  }

  void Apply(const Step& st);
  void DrawSwarm();
  void DrawOperations();
  void LivenessPhase();

 private:
  // Appends `st` after a delay of `delay_ms` if the scenario loader accepts
  // the schedule with it; otherwise records why as skipped.
  bool Emit(Step st, uint32_t delay_ms, const std::string& what);
  // `node` is certainly stopped before an operation that needs it so.
  bool EnsureStopped(const std::string& node);
  // In [lo, hi], as sim::UniformInt draws it from a seed's stream.
  uint32_t Uniform(uint32_t lo, uint32_t hi) {
    return hi <= lo ? lo : static_cast<uint32_t>(lo + rng_.Below(uint64_t{hi} - lo + 1));
  }
  uint32_t Delay() { return Uniform(spec_.limits().delay_ms().min(), spec_.limits().delay_ms().max()); }
  uint32_t Duration(const Operation& op) {
    return Uniform(op.duration_ms().min(), op.duration_ms().max());
  }
  template <typename Pred>
  std::vector<std::string> Nodes(Pred pred) const {
    std::vector<std::string> out;
    for (const std::string& n : order_) {
      if (pred(n, nodes_.at(n))) out.push_back(n);
    }
    return out;
  }
  const std::string& Pick(const std::vector<std::string>& v) { return v[rng_.Below(v.size())]; }
  // One operation of kind `op` at this point of the plan, or a skip.
  void Draw(const Operation& op);

  const FuzzSpec& spec_;
  ScheduleChoices& rng_;
  GeneratedSchedule& out_;
  uint64_t limit_ms_ = 0;
  uint64_t delays_ms_ = 0;  // delays and crash restarts so far (CheckLimits counts them)
  uint32_t partition_ms_max_ = 0;
  std::map<std::string, NodeModel> nodes_;
  std::vector<std::string> order_;  // the spec's node order
  std::string primary_;             // the current primary
  std::string promoted_from_;       // the cleanly stopped primary primary_ took over from
  std::set<std::string> filled_;
  bool workload_stopped_ = false;
  std::vector<std::pair<const Operation*, uint64_t>> swarm_;  // enabled kinds, weights
};

void Generator::Apply(const Step& st) {
  switch (st.op_case()) {
    case Step::kStart: {
      NodeModel& m = nodes_[st.start().node()];
      m.running = true;
      m.maybe = m.faulted = m.stopping = false;
      break;
    }
    case Step::kStop: {
      NodeModel& m = nodes_[st.stop().node()];
      const StopNode::Mode mode = st.stop().mode();
      // A second stop of a shutdown in progress keeps it clean unless it
      // makes it immediate.
      m.clean = mode != StopNode::IMMEDIATE &&
                (m.stopping ? m.clean : m.running && !m.faulted);
      m.stop_mode = m.stopping ? std::max(m.stop_mode, mode) : mode;
      m.stopping = st.stop().no_wait();
      m.running = m.maybe = false;
      break;
    }
    case Step::kPromote: {
      NodeModel& m = nodes_[st.promote().node()];
      // A switchover only when the old primary had stopped cleanly first;
      // one still running forks off the new timeline as it writes on.
      // A stop -W of it may not have completed when the promotion began.
      const NodeModel& up = nodes_[m.upstream];
      promoted_from_ = !up.running && !up.maybe && !up.stopping && up.clean ? m.upstream : "";
      if (st.promote().no_wait()) m.promoting_at_ms = static_cast<int64_t>(delays_ms_);
      m.role = Node::PRIMARY;
      m.upstream.clear();
      primary_ = st.promote().node();
      break;
    }
    case Step::kRestartAsStandby: {
      NodeModel& m = nodes_[st.restart_as_standby().node()];
      m.role = Node::STANDBY;
      m.upstream = st.restart_as_standby().upstream();
      m.running = true;
      m.maybe = m.faulted = m.stopping = false;
      break;
    }
    case Step::kBaseBackup: {
      NodeModel& m = nodes_[st.base_backup().node()];
      m.role = Node::STANDBY;
      m.upstream = st.base_backup().upstream();
      m.has_data = m.clean = true;
      m.stopping = false;
      break;
    }
    case Step::kKill: {
      NodeModel& m = nodes_[st.kill().node()];
      m.faulted = true;
      const std::string& p = st.kill().process();
      const std::string& s = st.kill().signal();
      if ((p == "postmaster" || p == "startup" || p == "checkpointer") && s != "SIGHUP" &&
          s != "SIGUSR1") {
        m.running = false;
        m.maybe = true;
      }
      break;
    }
    case Step::kCrash: {
      NodeModel& m = nodes_[st.crash().node()];
      m.running = m.maybe = m.clean = m.stopping = false;
      m.faulted = true;
      delays_ms_ += st.crash().restart_after_ms();
      break;
    }
    case Step::kDiskFault: {
      // A full disk or a failed fsync can PANIC the server; the model
      // cannot tell whether it still runs.
      NodeModel& m = nodes_[st.disk_fault().node()];
      m.faulted = true;
      if (m.running) m.maybe = true;
      m.running = false;
      if (st.disk_fault().kind() == DiskFault::FILL) filled_.insert(st.disk_fault().node());
      if (st.disk_fault().kind() == DiskFault::FREE) filled_.erase(st.disk_fault().node());
      break;
    }
    case Step::kPartition:
      partition_ms_max_ = std::max(partition_ms_max_, st.partition().duration_ms().max());
      break;
    case Step::kStopWorkload: workload_stopped_ = true; break;
    default: break;
  }
  delays_ms_ += st.delay_ms().max();
}

bool Generator::Emit(Step st, uint32_t delay_ms, const std::string& what) {
  if (delay_ms > 0) {
    st.mutable_delay_ms()->set_min(delay_ms);
    st.mutable_delay_ms()->set_max(delay_ms);
  }
  Scenario& s = out_.scenario;
  *s.add_steps() = st;
  absl::Status ok = ValidateScenario(s, ScenarioLocator("generated", nullptr));
  if (!ok.ok()) {
    s.mutable_steps()->RemoveLast();
    out_.skipped.push_back(absl::StrCat(what, ": ", ok.message()));
    return false;
  }
  Apply(st);
  return true;
}

bool Generator::EnsureStopped(const std::string& node) {
  if (!nodes_[node].maybe && !nodes_[node].running) return true;
  Step st;
  st.mutable_stop()->set_node(node);
  st.mutable_stop()->set_mode(StopNode::IMMEDIATE);
  return Emit(st, 0, absl::StrCat("stop -m immediate of ", node));
}

void Generator::DrawSwarm() {
  for (const Operation& op : spec_.operations()) {
    if (op.weight() == 0 || rng_.Below(2) == 0) continue;
    const uint64_t intensity = 1 + rng_.Below(4);
    swarm_.emplace_back(&op, op.weight() * intensity);
  }
  if (swarm_.empty()) {  // at least one kind, drawn by weight
    uint64_t total = 0;
    for (const Operation& op : spec_.operations()) total += op.weight();
    uint64_t x = rng_.Below(total);
    for (const Operation& op : spec_.operations()) {
      if (x < op.weight()) {
        swarm_.emplace_back(&op, op.weight() * (1 + rng_.Below(4)));
        break;
      }
      x -= op.weight();
    }
  }
  for (const auto& [op, w] : swarm_) {
    out_.enabled.push_back(absl::StrCat(OperationKind_Name(op->kind()), " x", w / op->weight()));
  }
}

void Generator::DrawOperations() {
  uint64_t total = 0;
  for (const auto& [op, w] : swarm_) total += w;
  const uint64_t count = 1 + rng_.Below(spec_.limits().steps_max());
  for (uint64_t i = 0; i < count; ++i) {
    // Half the time limit for the schedule's waits, the rest for the steps
    // themselves and the liveness phase.
    if ((delays_ms_ + spec_.limits().delay_ms().max()) * 2 >= limit_ms_) {
      out_.skipped.push_back(absl::StrCat("operations ", i + 1, "..", count,
                                          ": their delays would not fit in half the time limit"));
      break;
    }
    uint64_t x = rng_.Below(total);
    for (const auto& [op, w] : swarm_) {
      if (x < w) {
        Draw(*op);
        break;
      }
      x -= w;
    }
  }
}

void Generator::Draw(const Operation& op) {
  const std::string kind = OperationKind_Name(op.kind());
  const uint32_t delay = Delay();
  // Not a node whose promote -W may still be in progress.
  auto settled = [&](const NodeModel& m) {
    return m.promoting_at_ms < 0 ||
           static_cast<int64_t>(delays_ms_) - m.promoting_at_ms >= kPromoteSettleMs;
  };
  auto running = [&](const std::string&, const NodeModel& m) {
    return m.server && m.running && settled(m);
  };
  // Also in the middle of its shutdown.
  auto running_or_stopping = [&](const std::string&, const NodeModel& m) {
    return m.server && (m.running || m.stopping) && settled(m);
  };
  auto server = [&](const std::string&, const NodeModel& m) { return m.server && settled(m); };
  auto stopped_not_primary = [&](const std::string& n, const NodeModel& m) {
    return m.server && !m.running && n != primary_;
  };
  Step st;
  std::vector<std::string> c;
  switch (op.kind()) {
    case STOP_SMART:
    case STOP_FAST:
    case STOP_IMMEDIATE:
      if ((c = Nodes(running)).empty()) break;
      st.mutable_stop()->set_node(Pick(c));
      st.mutable_stop()->set_mode(op.kind() == STOP_SMART  ? StopNode::SMART
                                  : op.kind() == STOP_FAST ? StopNode::FAST
                                                           : StopNode::IMMEDIATE);
      break;
    case STOP_NO_WAIT:
      if ((c = Nodes(running)).empty()) break;
      st.mutable_stop()->set_node(Pick(c));
      st.mutable_stop()->set_mode(static_cast<StopNode::Mode>(1 + rng_.Below(3)));
      st.mutable_stop()->set_no_wait(true);
      break;
    case STOP_AGAIN: {
      c = Nodes([](const std::string&, const NodeModel& m) {
        return m.stopping && m.stop_mode < StopNode::IMMEDIATE;
      });
      if (c.empty()) break;
      const std::string& node = Pick(c);
      const int from = nodes_[node].stop_mode;
      st.mutable_stop()->set_node(node);
      st.mutable_stop()->set_mode(
          static_cast<StopNode::Mode>(from + 1 + rng_.Below(StopNode::IMMEDIATE - from)));
      st.mutable_stop()->set_no_wait(rng_.Below(2) == 0);
      break;
    }
    case START: {
      // An old primary started as a primary again would fork the cluster:
      // it comes back only as a standby (RESTART_AS_STANDBY).
      c = Nodes([&](const std::string& n, const NodeModel& m) {
        return m.server && !m.running && m.has_data && (m.role == Node::STANDBY || n == primary_);
      });
      if (c.empty()) break;
      const std::string node = Pick(c);
      if (!EnsureStopped(node)) return;
      st.mutable_start()->set_node(node);
      break;
    }
    case PROMOTE:
    case PROMOTE_NO_WAIT:
      c = Nodes([](const std::string&, const NodeModel& m) {
        return m.server && m.running && m.role == Node::STANDBY;
      });
      if (c.empty()) break;
      st.mutable_promote()->set_node(Pick(c));
      if (op.kind() == PROMOTE_NO_WAIT) st.mutable_promote()->set_no_wait(true);
      break;
    case RESTART_AS_STANDBY:
    case BASE_BACKUP: {
      c = Nodes(stopped_not_primary);
      if (op.kind() == RESTART_AS_STANDBY) {
        c = Nodes([&](const std::string& n, const NodeModel& m) {
          return stopped_not_primary(n, m) && m.has_data;
        });
      }
      if (c.empty()) break;
      const std::string node = Pick(c);
      std::vector<std::string> ups = Nodes(
          [&](const std::string& n, const NodeModel& m) { return running(n, m) && n != node; });
      if (ups.empty()) break;
      // Mostly the current primary, sometimes another server (cascading).
      std::string up = Pick(ups);
      if (nodes_[primary_].running && rng_.Below(4) != 0) up = primary_;
      if (!EnsureStopped(node)) return;
      if (op.kind() == BASE_BACKUP) {
        st.mutable_base_backup()->set_node(node);
        st.mutable_base_backup()->set_upstream(up);
      } else {
        st.mutable_restart_as_standby()->set_node(node);
        st.mutable_restart_as_standby()->set_upstream(up);
      }
      break;
    }
    case KILL: {
      if ((c = Nodes(running_or_stopping)).empty()) break;
      const std::string node = Pick(c);
      KillProcess* k = st.mutable_kill();
      k->set_node(node);
      k->set_process(nodes_[node].role == Node::PRIMARY
                         ? kPrimaryProcesses[rng_.Below(std::size(kPrimaryProcesses))]
                         : kStandbyProcesses[rng_.Below(std::size(kStandbyProcesses))]);
      k->set_signal(kSignals[rng_.Below(std::size(kSignals))]);
      break;
    }
    case CRASH_HOST:
      if ((c = Nodes(server)).empty()) break;
      st.mutable_crash()->set_node(Pick(c));
      st.mutable_crash()->set_restart_after_ms(Duration(op));
      break;
    case PARTITION:
    case PARTITION_ONE_WAY: {
      if (order_.size() < 2) break;
      const std::string a = Pick(order_);
      std::string b = Pick(order_);
      if (b == a) b = order_[(std::find(order_.begin(), order_.end(), a) - order_.begin() + 1) %
                             order_.size()];
      Partition* p = st.mutable_partition();
      p->set_a(a);
      p->set_b(b);
      p->set_one_way(op.kind() == PARTITION_ONE_WAY);
      const uint32_t d = Duration(op);
      p->mutable_duration_ms()->set_min(d);
      p->mutable_duration_ms()->set_max(d);
      break;
    }
    case DROP_CONNECTIONS:
      if ((c = Nodes(running_or_stopping)).empty()) break;
      st.mutable_drop_connections()->set_node(Pick(c));
      break;
    case DISK_FULL:
    case FAIL_NEXT_FSYNC:
      if ((c = Nodes(server)).empty()) break;
      st.mutable_disk_fault()->set_node(Pick(c));
      st.mutable_disk_fault()->set_kind(op.kind() == DISK_FULL ? DiskFault::FILL
                                                               : DiskFault::FAIL_NEXT_FSYNC);
      break;
    case WAIT_FOR_CATCH_UP:
      c = Nodes([&](const std::string&, const NodeModel& m) {
        return m.server && m.running && m.role == Node::STANDBY && nodes_[m.upstream].running;
      });
      if (c.empty()) break;
      st.mutable_wait_for_catch_up()->set_node(Pick(c));
      st.mutable_wait_for_catch_up()->set_timeout_s(spec_.limits().converge_s());
      break;
    case STOP_WORKLOAD:
      if (workload_stopped_ || spec_.scenario().workload().sessions() == 0) break;
      st.mutable_stop_workload();
      break;
    default: break;
  }
  if (st.op_case() == Step::OP_NOT_SET) {
    out_.skipped.push_back(absl::StrCat(kind, ": no node it can apply to at this point"));
    return;
  }
  Emit(st, delay, kind);
}

void Generator::LivenessPhase() {
  const int before = out_.scenario.steps_size();
  // The first step waits out the longest partition: by then all have healed.
  uint32_t delay = partition_ms_max_;
  auto emit = [&](Step st, const std::string& what) {
    if (Emit(st, delay, absl::StrCat("liveness: ", what))) delay = 0;
  };
  for (const std::string& n : std::vector<std::string>(filled_.begin(), filled_.end())) {
    Step st;
    st.mutable_disk_fault()->set_node(n);
    st.mutable_disk_fault()->set_kind(DiskFault::FREE);
    emit(st, "free the disk of " + n);
  }
  if (!nodes_[primary_].running) {
    if (nodes_[primary_].maybe) {
      Step stop;
      stop.mutable_stop()->set_node(primary_);
      stop.mutable_stop()->set_mode(StopNode::IMMEDIATE);
      emit(stop, "stop " + primary_);
    }
    Step st;
    st.mutable_start()->set_node(primary_);
    emit(st, "start " + primary_);
  }
  // Every other server rejoins the current primary: without a new base
  // backup where PostgreSQL promises that works (a standby of it already,
  // stopped cleanly; the old primary it was promoted from, after a clean
  // stop: a switchover), else from a fresh base backup (the remedy for an
  // unclean stop, a fault, or a standby of another timeline).
  std::vector<std::string> standbys;
  for (const std::string& n : order_) {
    NodeModel& m = nodes_[n];
    if (!m.server || n == primary_) continue;
    standbys.push_back(n);
    if (m.running && m.role == Node::STANDBY && m.upstream == primary_) continue;
    if (m.running || m.maybe) {
      Step stop;
      stop.mutable_stop()->set_node(n);
      stop.mutable_stop()->set_mode(m.running ? StopNode::FAST : StopNode::IMMEDIATE);
      emit(stop, "stop " + n);
    }
    const bool rejoin = m.has_data && m.clean &&
                        ((m.role == Node::STANDBY && m.upstream == primary_) ||
                         (m.role == Node::PRIMARY && n == promoted_from_));
    Step st;
    if (rejoin) {
      st.mutable_restart_as_standby()->set_node(n);
      st.mutable_restart_as_standby()->set_upstream(primary_);
      emit(st, "restart " + n + " as a standby");
      continue;
    }
    st.mutable_base_backup()->set_node(n);
    st.mutable_base_backup()->set_upstream(primary_);
    emit(st, "base backup of " + n);
    Step start;
    start.mutable_start()->set_node(n);
    emit(start, "start " + n);
  }
  for (const std::string& n : standbys) {
    Step st;
    st.mutable_wait_for_catch_up()->set_node(n);
    st.mutable_wait_for_catch_up()->set_timeout_s(spec_.limits().converge_s());
    emit(st, "catch-up of " + n);
  }
  out_.liveness_steps = out_.scenario.steps_size() - before;
}

// A value in [lo, hi] drawn so that every doubling of it is about as
// likely as any other (a slow link as likely as a fast one), in integers.
uint32_t DrawLogUniform(sim::Rng& rng, uint32_t lo, uint32_t hi) {
  lo = std::max<uint32_t>(lo, 1);
  if (hi <= lo) return hi < 1 ? 1 : hi;
  int doublings = 0;
  for (uint64_t v = lo; v * 2 <= hi; v *= 2) ++doublings;
  const uint64_t from = uint64_t{lo} << rng.Below(doublings + 1);
  return static_cast<uint32_t>(sim::UniformInt(rng, from, std::min<uint64_t>(from * 2, hi)));
}

// Swarm over fault intensity: a link bandwidth and a latency ceiling for
// the seed, drawn log-uniformly from the spec's ranges and written as fixed
// values, so that some seeds have slow links (a standby that lags far
// behind) and some fast ones.
void DrawFaultIntensity(sim::Rng& rng, FaultModel& f, std::vector<std::string>& enabled) {
  if (f.bandwidth_bytes_per_ms().max() > 0) {
    const uint32_t bw =
        DrawLogUniform(rng, f.bandwidth_bytes_per_ms().min(), f.bandwidth_bytes_per_ms().max());
    f.mutable_bandwidth_bytes_per_ms()->set_min(bw);
    f.mutable_bandwidth_bytes_per_ms()->set_max(bw);
    enabled.push_back(absl::StrCat("bandwidth ", bw, " bytes/ms"));
  }
  if (f.latency_us().max() > 0) {
    const uint32_t lat = DrawLogUniform(rng, std::max<uint32_t>(f.latency_us().min(), 1),
                                        f.latency_us().max());
    f.mutable_latency_us()->set_max(std::max(lat, f.latency_us().min()));
    enabled.push_back(absl::StrCat("latency ", f.latency_us().min(), "..",
                                   f.latency_us().max(), " us"));
  }
}

// The spec is the same for every profile: a setting the run's release does
// not have (wal_receiver_status_interval before 9.1) is left out, as an
// operator of that release would, and listed with the skipped steps.
void DropSettingsTheReleaseLacks(Scenario& s, const std::string& profile,
                                 std::vector<std::string>& skipped) {
  absl::StatusOr<node::Behavior> b = node::Behavior::ForProfile(profile);
  if (!b.ok()) return;  // the scenario loader names the bad profile
  for (Node& n : *s.mutable_nodes()) {
    auto* settings = n.mutable_settings();
    for (int i = settings->size() - 1; i >= 0; --i) {
      const std::string& name = settings->Get(i).name();
      if (node::Gucs::CheckExists(name, b->server_version_num).ok()) continue;
      skipped.push_back(absl::StrCat("setting ", name, " of ", n.name(), ": not in ", profile));
      settings->DeleteSubrange(i, 1);
    }
  }
}

}  // namespace

absl::StatusOr<GeneratedSchedule> GenerateSchedule(const FuzzSpec& spec, uint64_t seed,
                                                   const std::string& profile,
                                                   const std::string& switches) {
  RngChoices choices(seed);
  return GenerateSchedule(spec, seed, choices, profile, switches);
}

absl::StatusOr<GeneratedSchedule> GenerateSchedule(const FuzzSpec& spec, uint64_t seed,
                                                   ScheduleChoices& choices,
                                                   const std::string& profile,
                                                   const std::string& switches) {
  GeneratedSchedule out;
  Scenario& s = out.scenario;
  s = spec.scenario();
  s.set_name(absl::StrCat(spec.name(), "-", seed));
  s.set_profile(profile);
  s.clear_steps();
  s.clear_expect();
  s.clear_default_seeds();
  DropSettingsTheReleaseLacks(s, profile, out.skipped);
  if (spec.tolerated_size() > 0) {
    Expectation* e = s.add_expect();
    e->set_profile(profile);
    for (absl::string_view sw : absl::StrSplit(switches, ',', absl::SkipEmpty())) {
      e->add_switches(std::string(sw));
    }
    for (int t : spec.tolerated()) e->add_tolerated(static_cast<Invariant>(t));
  }
  Generator g(spec, choices, &out);
  for (const Step& st : spec.scenario().steps()) {
    *s.add_steps() = st;
    g.Apply(st);
  }
  if (absl::Status st = ValidateScenario(s, ScenarioLocator(spec.name(), nullptr)); !st.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("spec ", spec.name(), " under ", profile, ": ", st.message()));
  }
  out.set_up_steps = s.steps_size();
  {
    // Its own stream: the operations' draws stay those of the spec's kinds.
    sim::Rng faults = sim::Rng::ForStream(seed, "fuzz.faults");
    DrawFaultIntensity(faults, *s.mutable_faults(), out.enabled);
  }
  g.DrawSwarm();
  g.DrawOperations();
  g.LivenessPhase();
  s.set_description(absl::StrCat("generated by replsim fuzz from spec ", spec.name(), ", seed ",
                                 seed, "; swarm: ", absl::StrJoin(out.enabled, ", ")));
  return out;
}

std::string ScheduleFileText(const GeneratedSchedule& g, const std::string& header) {
  std::string text;
  for (absl::string_view line : absl::StrSplit(header, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&text, "# ", line, "\n");
  }
  for (const std::string& skip : g.skipped) absl::StrAppend(&text, "# skipped: ", skip, "\n");
  std::string body;
  google::protobuf::TextFormat::Printer printer;
  printer.PrintToString(g.scenario, &body);
  return text + body;
}

}  // namespace replsim::scenarios
