// File: sim/os/cluster.h
//
// The simulated machines of one run: hosts, the network between them, the
// fault points, and every live process with its SimOs. This is what a test or
// scenario builds on a World:
//
//   World world(seed);
//   Cluster cluster(world);
//   cluster.AddHost("primary");
//   cluster.AddHost("standby");
//   cluster.Spawn("primary", "postmaster", [](os::Os& os) -> os::Task<> {...});
//   world.Run({.until = os::Instant() + os::Seconds(60)});
//
// Process life: Spawn starts a root process (no parent); Os::StartChild starts
// a child. When a process ends, its descriptors are closed by the kernel rules
// at once, its children see postmaster death at once, and its parent gets the
// wait status and SIGCHLD as a separate, later event.
//
// Host crash: every process of the host ends at once (traced as SIGKILL
// exits, with no cleanup: no FIN/RST from its sockets, no SIGCHLD to anyone),
// its sockets vanish, its page cache is lost. Restart brings the host (and its
// kernel, which answers stray segments with RST) back with an empty process
// table; the scenario starts its postmaster again.
//
// Contract: the Cluster is destroyed before its World; its destructor ends
// every process first.
#ifndef REPLSIM_SIM_OS_CLUSTER_H_
#define REPLSIM_SIM_OS_CLUSTER_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/container/btree_map.h"
#include "protocol/os/os.h"
#include "sim/fault/fault_points.h"
#include "sim/host/host.h"
#include "sim/net/network.h"
#include "sim/os/sim_os.h"
#include "sim/world.h"

namespace replsim::sim::os_sim {

struct ClusterConfig {
  net::NetConfig net;
  fault::FaultPointConfig fault_points;
  // Processes take CPU time (sim/cpu.h); unset, none.
  std::optional<CpuConfig> cpu;
  // Order of same-time events (sim/tie_break.h).
  TieBreakConfig tie_break;
  // Several pending signals are handled in a random order (stream
  // "signals/order") instead of Linux's lowest number first.
  bool random_signal_order = false;
};

// How often the cluster's scheduling mechanisms came into play in a run.
struct ClusterStats {
  // A process had two or more signals to handle at one suspension point.
  uint64_t signals_pending_together = 0;
  // A child's SIGCHLD arrived while its parent had another signal pending.
  uint64_t sigchld_joins_pending = 0;
};

class Cluster {
 public:
  explicit Cluster(World& world, ClusterConfig config = ClusterConfig());
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  ~Cluster();

  host::Host& AddHost(std::string name, host::HostConfig config = host::HostConfig());
  host::Host& host(std::string_view name);

  // A process with no parent (a postmaster) on `host`.
  os::Pid Spawn(std::string_view host, std::string name, os::ProcessBody body);
  // kill(pid, sig) from outside any process (pg_ctl, an operator, a fault).
  os::Errno SendSignal(os::Pid pid, os::Signal sig);
  // The live process of `host` named `name` with the lowest pid, or 0.
  os::Pid FindByName(std::string_view host, std::string_view name) const;
  bool IsAlive(os::Pid pid) const { return live_.contains(pid); }
  // The live processes of `host` as (pid, name), in pid order: what `ps`
  // would show an operator whose pg_ctl stop hangs.
  std::vector<std::pair<os::Pid, std::string>> LiveProcesses(std::string_view host) const;
  std::optional<ExitStatus> exit_status(os::Pid pid) const {
    return world_.executor().exit_status(pid);
  }

  void CrashHost(std::string_view name);
  void RestartHost(std::string_view name);

  // Stalls (stalls.cc; sim/os/stalls.h schedules their ends).
  // kill -SIGSTOP / -SIGCONT from outside (Executor::Stop: nothing of the
  // process runs, pending signals but SIGKILL wait); traced as signal_sent.
  void StopProcess(os::Pid pid);
  void ContinueProcess(os::Pid pid);
  // A VM freeze: every process of the host stops (and any started on it
  // meanwhile), and its network stack: a two-way partition from every other
  // host. Resume undoes both; the clocks were never frozen.
  void PauseHost(std::string_view name);
  void ResumeHost(std::string_view name);
  // The live process `pid`'s OS, or null.
  SimOs* process(os::Pid pid) const { return Find(pid); }

  World& world() { return world_; }
  net::Network& network() { return network_; }
  fault::FaultPoints& fault_points() { return fault_points_; }
  // The stream the order of several pending signals is drawn from, or null
  // for Linux's order (lowest number first).
  Rng* signal_order_rng() {
    return random_signal_order_ ? &world_.Stream("signals/order") : nullptr;
  }
  ClusterStats& stats() { return stats_; }
  bool tearing_down() const { return tearing_down_; }

  // Sees every server log line (SimOs::Log) as it is written, after its
  // trace event: the harness's log, kept without materializing the event.
  using LogSink = absl::AnyInvocable<void(os::Instant time, std::string_view host,
                                          std::string_view process, std::string_view level,
                                          std::string_view message)>;
  void set_log_sink(LogSink sink) { log_sink_ = std::move(sink); }
  // Sees every Os::Mark (protocol/os/trace_marks.h) after its trace event,
  // inside the marking process: it may schedule events, not run the world.
  using MarkListener = absl::AnyInvocable<void(std::string_view host, std::string_view process,
                                               std::string_view mark)>;
  void set_mark_listener(MarkListener l) { mark_listener_ = std::move(l); }

 private:
  friend class SimOs;
  os::Pid SpawnProcess(host::Host& host, std::string name, os::ProcessBody body,
                       os::Pid parent,
                       absl::AnyInvocable<void(SimOs&)> setup = nullptr);
  // From a process's kill(): only to processes on the same host.
  os::Errno Deliver(const std::string& from_host, std::string_view from_process,
                    os::Pid pid, os::Signal sig);
  void Register(os::Pid pid, SimOs* os) { live_[pid] = os; }
  void Unregister(os::Pid pid) { live_.erase(pid); }
  SimOs* Find(os::Pid pid) const;

  World& world_;
  net::Network network_;
  fault::FaultPoints fault_points_;
  bool tearing_down_ = false;
  bool random_signal_order_ = false;
  ClusterStats stats_;
  absl::btree_map<std::string, std::unique_ptr<host::Host>, std::less<>> hosts_;
  absl::btree_map<os::Pid, SimOs*> live_;
  LogSink log_sink_;
  MarkListener mark_listener_;
};

}  // namespace replsim::sim::os_sim

#endif  // REPLSIM_SIM_OS_CLUSTER_H_
