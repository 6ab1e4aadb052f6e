#include "scenarios/runner.h"

#include <algorithm>
#include <set>
#include <string>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "protocol/node/behavior.h"
#include "scenarios/checkers.h"
#include "scenarios/harness/harness.h"
#include "scenarios/harness/real_processes.h"
#include "scenarios/run_state.h"
#include "scenarios/scheduler_override.h"
#include "sim/distributions.h"

namespace replsim::scenarios {

const char* InvariantName(Invariant i) {
  switch (i) {
    case CLEAN_SWITCHOVER: return "CLEAN_SWITCHOVER";
    case WAL_PREFIX: return "WAL_PREFIX";
    case SYNC_COMMIT_DURABLE: return "SYNC_COMMIT_DURABLE";
    case LIVENESS: return "LIVENESS";
    case NO_PANIC: return "NO_PANIC";
    case REPLAY_NOT_PAST_DURABLE: return "REPLAY_NOT_PAST_DURABLE";
    case ONE_PING_OUTSTANDING: return "ONE_PING_OUTSTANDING";
    case ARCHIVE_PREFIX: return "ARCHIVE_PREFIX";
    default: return "INVARIANT_UNSPECIFIED";
  }
}

const Violation* RunReport::first_violation() const {
  for (const Violation& v : violations) {
    if (!v.tolerated) return &v;
  }
  return nullptr;
}

namespace {

sim::os_sim::ClusterConfig ClusterConfigFor(const Scenario& s, const Scheduler& k,
                                            sim::Rng& rng) {
  sim::os_sim::ClusterConfig c;
  const FaultModel& f = s.faults();
  if (f.latency_us().max() > 0) {
    c.net.link.min_latency = os::Microseconds(f.latency_us().min());
    c.net.link.max_latency = os::Microseconds(f.latency_us().max());
  }
  if (f.bandwidth_bytes_per_ms().max() > 0) {
    // One bandwidth for the run, drawn per seed (swarm-style).
    const int64_t bw = sim::UniformInt(rng, f.bandwidth_bytes_per_ms().min(),
                                       f.bandwidth_bytes_per_ms().max());
    c.net.link.min_bandwidth = std::max<int64_t>(1, bw) * 1000;
    c.net.link.max_bandwidth = std::max<int64_t>(1, bw) * 1000;
  }
  // Packet loss and latency spikes: drawn only when set, so a scenario
  // without them keeps its draws (and fingerprints).
  if (f.packet_loss_per_million().max() > 0) {
    c.net.link.loss_per_million = static_cast<uint64_t>(sim::UniformInt(
        rng, f.packet_loss_per_million().min(), f.packet_loss_per_million().max()));
  }
  if (f.latency_spike_per_million().max() > 0) {
    c.net.link.spike_per_million = static_cast<uint64_t>(sim::UniformInt(
        rng, f.latency_spike_per_million().min(), f.latency_spike_per_million().max()));
    c.net.link.spike_min = os::Milliseconds(f.latency_spike_ms().min());
    c.net.link.spike_max = os::Milliseconds(f.latency_spike_ms().max());
  }
  if (f.socket_send_buffer_bytes() > 0) c.net.snd_buf = f.socket_send_buffer_bytes();
  if (f.socket_receive_buffer_bytes() > 0) c.net.rcv_buf = f.socket_receive_buffer_bytes();
  switch (k.mode()) {
    case Scheduler::FIFO: c.tie_break.mode = sim::TieBreakMode::kFifo; break;
    case Scheduler::PCT: c.tie_break.mode = sim::TieBreakMode::kPct; break;
    case Scheduler::RANDOM: c.tie_break.mode = sim::TieBreakMode::kRandom; break;
    default: c.tie_break.mode = sim::TieBreakMode::kRandom; break;
  }
  if (k.depth() > 0) c.tie_break.pct_depth = static_cast<int>(k.depth());
  if (!k.has_cpu_time() || k.cpu_time()) {
    sim::CpuConfig cpu;
    if (k.cores() > 0) cpu.cores = static_cast<int>(k.cores());
    if (k.resume_us().max() > 0) {
      cpu.resume_mean_min = os::Microseconds(k.resume_us().min());
      cpu.resume_mean_max = os::Microseconds(k.resume_us().max());
    }
    c.cpu = cpu;
  }
  c.random_signal_order = k.random_signal_order();
  c.fault_points.enabled = s.fault_points().enabled();
  return c;
}

// Every switch's value, in AllSwitches() order.
std::vector<bool> SwitchValues(const node::Behavior& b) {
  std::vector<bool> v;
  for (const node::SwitchInfo& s : node::AllSwitches()) v.push_back(b.*(s.member));
  return v;
}

}  // namespace

std::string RunProfile(const Scenario& s, const RunOptions& o) {
  return o.profile.empty() ? s.profile() : o.profile;
}

absl::StatusOr<node::Behavior> ResolveBehavior(const Scenario& s, const RunOptions& o) {
  absl::StatusOr<node::Behavior> b = node::Behavior::ForProfile(RunProfile(s, o));
  if (!b.ok()) return b.status();
  // The scenario's own switches, then the run's, switch by switch: a later
  // setting of one switch overrides an earlier one.
  for (const std::string& sw : s.switches()) {
    if (absl::Status st = b->ApplyOverrides(sw); !st.ok()) return st;
  }
  if (absl::Status st = b->ApplyOverrides(o.switches); !st.ok()) return st;
  return b;
}

std::string CanonicalSwitches(const node::Behavior& b) {
  absl::StatusOr<node::Behavior> base = node::Behavior::ForProfile(
      b.description.substr(0, b.description.find(' ')));
  std::vector<std::string> out;
  const std::vector<bool> have = SwitchValues(b);
  const std::vector<bool> def = base.ok() ? SwitchValues(*base) : std::vector<bool>();
  for (size_t i = 0; i < have.size(); ++i) {
    if (i < def.size() && have[i] == def[i]) continue;
    out.push_back(absl::StrCat(node::AllSwitches()[i].commit, have[i] ? "=on" : "=off"));
  }
  return absl::StrJoin(out, ",");
}

std::set<int> ToleratedFor(const Scenario& s, const node::Behavior& run_behavior) {
  // A row tolerates outcomes of the runs that behave as the row does: the
  // same profile and the same value of every switch (the scenario's own
  // switches and the row's applied to the row's profile). So `run
  // --profile P --switches S` is tolerated exactly what the suite's row for
  // P and S is, and a run no row describes is tolerated nothing.
  std::set<int> tolerated;
  const std::string profile = run_behavior.description.substr(0, run_behavior.description.find(' '));
  const std::vector<bool> values = SwitchValues(run_behavior);
  for (const Expectation& e : s.expect()) {
    RunOptions row;
    row.profile = e.profile();
    row.switches = absl::StrJoin(e.switches(), ",");
    absl::StatusOr<node::Behavior> b = ResolveBehavior(s, row);
    if (!b.ok() || RunProfile(s, row) != profile || SwitchValues(*b) != values) continue;
    for (int i : e.tolerated()) tolerated.insert(i);
  }
  return tolerated;
}

absl::StatusOr<RunReport> RunScenario(const Scenario& s, uint64_t seed,
                                      const RunOptions& options) {
  absl::StatusOr<node::Behavior> behavior = ResolveBehavior(s, options);
  if (!behavior.ok()) return behavior.status();
  absl::StatusOr<Scheduler> scheduler = ApplySchedulerOverride(s.scheduler(), options.scheduler);
  if (!scheduler.ok()) return scheduler.status();
  // Scenario-level draws come from their own stream, independent of the world's.
  sim::Rng scenario_rng = sim::Rng::ForStream(seed, "scenario");
  Harness t(seed, *behavior, ClusterConfigFor(s, *scheduler, scenario_rng), options.keep_trace);
  t.world().trace().set_hashing(options.fingerprint);
  for (const std::string& p : s.fault_points().off()) t.cluster().fault_points().Force(p, false);
  for (const std::string& p : s.fault_points().on()) {
    t.cluster().fault_points().Force(p, true, sim::fault::FaultPointConfig().fire);
  }
  {
    // Disk faults, the same on every host. A range is drawn only when set, so
    // a scenario without it keeps its draws (and fingerprints).
    const FaultModel& f = s.faults();
    sim::host::HostConfig hc;
    if (f.disk_latency_us().max() > 0) {
      hc.disk.sync_min = os::Microseconds(f.disk_latency_us().min());
      hc.disk.sync_max = os::Microseconds(f.disk_latency_us().max());
    }
    if (f.fsync_eio_per_million().max() > 0) {
      hc.disk.fsync_eio = {static_cast<uint64_t>(sim::UniformInt(
                               scenario_rng, f.fsync_eio_per_million().min(),
                               f.fsync_eio_per_million().max())),
                           1'000'000};
    }
    if (f.crash_sector_persist_percent().max() > 0) {
      hc.disk.crash_sector_persist = {
          static_cast<uint64_t>(sim::UniformInt(scenario_rng,
                                                f.crash_sector_persist_percent().min(),
                                                f.crash_sector_persist_percent().max())),
          100};
    }
    t.set_host_config(hc);
  }
  if (options.sink != nullptr) {
    t.set_trace_sink([sink = options.sink](const sim::TraceEvent& e) { sink(e); });
  }

  // Detached before the world goes away (its processes' frames with it).
  t.world().executor().set_wait_observer(options.wait_observer);
  absl::Cleanup detach = [&t] { t.world().executor().set_wait_observer(nullptr); };
  if (options.on_start) options.on_start(t);
  std::set<int> tolerated = ToleratedFor(s, *behavior);
  RunState run(s, t, scenario_rng, std::move(tolerated));
  if (absl::Status st = run.CreateNodes(); !st.ok()) return st;
  run.PlaySteps();
  run.FinalChecks();
  if (options.on_end) options.on_end(t);
  std::move(detach).Invoke();

  RunReport r;
  r.seed = seed;
  r.profile = behavior->description;
  r.violations = run.TakeViolations();
  std::stable_sort(r.violations.begin(), r.violations.end(),
                   [](const Violation& a, const Violation& b) { return a.time < b.time; });
  r.fingerprint = options.fingerprint ? t.world().Fingerprint() : 0;
  r.unseed = t.world().Unseed();
  r.events = t.world().queue().events_run();
  r.sched.tie_break = t.world().queue().tie_break_stats();
  if (t.world().cpu() != nullptr) r.sched.cpu = t.world().cpu()->stats();
  r.sched.cluster = t.cluster().stats();
  r.end_time = t.world().now();
  if (options.keep_trace) r.trace = t.world().trace().events();
  return r;
}

}  // namespace replsim::scenarios
