// Stalls: Cluster's SIGSTOP/SIGCONT and VM pause, and the timed faults of
// sim/os/stalls.h.
#include "sim/os/stalls.h"

#include <vector>

namespace replsim::sim::os_sim {

void Cluster::StopProcess(os::Pid pid) {
  SimOs* p = Find(pid);
  if (p == nullptr) return;
  world_.trace()
      .Emit(world_.now(), std::string(p->HostName()), "operator", "signal_sent",
            Severity::kWarning)
      .Int("pid", pid)
      .Str("signal", "SIGSTOP");
  world_.executor().Stop(pid);
}

void Cluster::ContinueProcess(os::Pid pid) {
  SimOs* p = Find(pid);
  if (p == nullptr) return;
  world_.trace()
      .Emit(world_.now(), std::string(p->HostName()), "operator", "signal_sent")
      .Int("pid", pid)
      .Str("signal", "SIGCONT");
  world_.executor().Continue(pid);
}

void Cluster::PauseHost(std::string_view name) {
  host::Host& h = host(name);
  if (h.paused()) return;
  h.set_paused(true);
  world_.trace().Emit(world_.now(), h.name(), "host", "host_pause", Severity::kWarning);
  for (const auto& [pid, p] : live_) {
    if (p->HostName() == h.name()) world_.executor().Stop(pid);
  }
  for (const auto& [other, unused] : hosts_) {
    if (other != h.name()) network_.Partition(h.name(), other, /*two_way=*/true);
  }
}

void Cluster::ResumeHost(std::string_view name) {
  host::Host& h = host(name);
  if (!h.paused()) return;
  h.set_paused(false);
  world_.trace().Emit(world_.now(), h.name(), "host", "host_resume");
  for (const auto& [other, unused] : hosts_) {
    if (other != h.name()) network_.Heal(h.name(), other, /*two_way=*/true);
  }
  std::vector<os::Pid> pids;
  for (const auto& [pid, p] : live_) {
    if (p->HostName() == h.name()) pids.push_back(pid);
  }
  for (os::Pid pid : pids) world_.executor().Continue(pid);
}

void StallProcess(Cluster& c, os::Pid pid, os::Duration d) {
  if (c.process(pid) == nullptr) return;
  c.StopProcess(pid);
  c.world().queue().ScheduleAfter(d, [&c, pid] { c.ContinueProcess(pid); });
}

void PauseHost(Cluster& c, const std::string& host, os::Duration d) {
  if (c.host(host).paused()) return;
  c.PauseHost(host);
  c.world().queue().ScheduleAfter(d, [&c, host] { c.ResumeHost(host); });
}

void SlowDisk(Cluster& c, const std::string& host, int64_t factor, os::Duration d) {
  disk::Disk& disk = c.host(host).disk();
  disk.SetSlowFactor(factor);
  c.world().queue().ScheduleAfter(d, [&disk] { disk.SetSlowFactor(1); });
}

void SlowReader(Cluster& c, os::Pid pid, uint32_t bytes_per_ms, os::Duration d) {
  SimOs* p = c.process(pid);
  if (p == nullptr) return;
  p->SetSlowRead(bytes_per_ms);
  c.world().queue().ScheduleAfter(d, [&c, pid] {
    if (SimOs* q = c.process(pid)) q->SetSlowRead(0);
  });
}

void StepWallClock(Cluster& c, const std::string& host, os::Duration step) {
  c.host(host).StepWallClock(step);
}

}  // namespace replsim::sim::os_sim
