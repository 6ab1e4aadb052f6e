#include "sim/os/cluster.h"

#include <vector>

#include "protocol/os/check.h"

namespace replsim::sim::os_sim {
namespace {

// Owns a process's SimOs and body. Members are destroyed in reverse order:
// the body (and its captures) first, then the SimOs, whose destructor is the
// kernel's exit path.
struct ProcessHolder {
  std::unique_ptr<SimOs> os;
  os::ProcessBody body;
};

}  // namespace

Cluster::Cluster(World& world, ClusterConfig config)
    : world_(world),
      network_(world, config.net),
      fault_points_(world, config.fault_points),
      random_signal_order_(config.random_signal_order) {
  world_.SetTieBreak(config.tie_break);
  if (config.cpu.has_value()) world_.EnableCpu(*config.cpu);
}

Cluster::~Cluster() {
  tearing_down_ = true;
  world_.executor().KillAllSilently();
}

host::Host& Cluster::AddHost(std::string name, host::HostConfig config) {
  CHECK(!hosts_.contains(name)) << "host " << name << " added twice";
  auto h = std::make_unique<host::Host>(world_, name, config);
  host::Host& ref = *h;
  hosts_.emplace(std::move(name), std::move(h));
  network_.HostUp(ref.name());
  return ref;
}

host::Host& Cluster::host(std::string_view name) {
  auto it = hosts_.find(name);
  CHECK(it != hosts_.end()) << "no host " << name;
  return *it->second;
}

os::Pid Cluster::Spawn(std::string_view host_name, std::string name,
                       os::ProcessBody body) {
  host::Host& h = host(host_name);
  CHECK(h.up()) << "spawn on down host " << host_name;
  return SpawnProcess(h, std::move(name), std::move(body), 0);
}

os::Pid Cluster::SpawnProcess(host::Host& h, std::string name, os::ProcessBody body,
                              os::Pid parent, absl::AnyInvocable<void(SimOs&)> setup) {
  auto holder = std::make_unique<ProcessHolder>();
  holder->os = std::make_unique<SimOs>(*this, h, name, parent);
  if (setup != nullptr) setup(*holder->os);
  holder->body = std::move(body);
  os::Pid pid = world_.executor().Spawn(
      name,
      [holder = std::move(holder)](ProcessContext& ctx) -> os::Task<> {
        holder->os->Attach(ctx);
        return holder->body(*holder->os);
      },
      h.name());
  if (h.paused()) world_.executor().Stop(pid);  // forked inside a frozen VM
  int boot = h.boot();
  world_.executor().AddExitListener(
      pid, [this, parent, boot, &h](Pid child, ExitStatus status) {
        // Its own event, after the exit: the parent's wait status and SIGCHLD.
        SimOs* p = Find(parent);
        if (p == nullptr || h.boot() != boot) return;
        p->ChildExited(os::ChildExit{child, status.code, status.signal});
      });
  return pid;
}

SimOs* Cluster::Find(os::Pid pid) const {
  auto it = live_.find(pid);
  return it == live_.end() ? nullptr : it->second;
}

os::Pid Cluster::FindByName(std::string_view host_name, std::string_view name) const {
  for (const auto& [pid, p] : live_) {
    if (p->HostName() == host_name && p->ProcessName() == name) return pid;
  }
  return 0;
}

std::vector<std::pair<os::Pid, std::string>> Cluster::LiveProcesses(
    std::string_view host_name) const {
  std::vector<std::pair<os::Pid, std::string>> out;
  for (const auto& [pid, p] : live_) {
    if (p->HostName() == host_name) out.emplace_back(pid, std::string(p->ProcessName()));
  }
  return out;
}

os::Errno Cluster::SendSignal(os::Pid pid, os::Signal sig) {
  SimOs* p = Find(pid);
  if (p == nullptr) return os::Errno::kESRCH;
  return Deliver(std::string(p->HostName()), "operator", pid, sig);
}

os::Errno Cluster::Deliver(const std::string& from_host, std::string_view from_process,
                           os::Pid pid, os::Signal sig) {
  SimOs* p = Find(pid);
  if (p == nullptr || p->HostName() != from_host) return os::Errno::kESRCH;
  world_.trace()
      .Emit(world_.now(), from_host, from_process, "signal_sent")
      .Int("pid", pid)
      .Str("signal", os::SignalName(sig));
  if (sig == os::Signal::kSIGKILL) {
    world_.executor().Kill(pid, static_cast<int>(sig));
  } else {
    p->Raise(sig);
  }
  return os::Errno::kOk;
}

void Cluster::CrashHost(std::string_view name) {
  host::Host& h = host(name);
  if (!h.up()) return;
  h.Crash();
  network_.HostDown(h.name());
  std::vector<os::Pid> victims;
  for (const auto& [pid, p] : live_) {
    if (p->HostName() == h.name()) victims.push_back(pid);
  }
  for (os::Pid pid : victims) world_.executor().Kill(pid, 9);
}

void Cluster::RestartHost(std::string_view name) {
  host::Host& h = host(name);
  if (h.up()) return;
  h.Restart();
  network_.HostUp(h.name());
}

}  // namespace replsim::sim::os_sim
