#include "sim/fault/fault_plan.h"

#include <utility>

namespace replsim::sim::fault {

void FaultPlan::At(os::Instant at, std::string what, std::string host,
                   absl::AnyInvocable<void()> action) {
  World& w = cluster_.world();
  w.queue().Schedule(at, [&w, what = std::move(what), host = std::move(host),
                          action = std::move(action)]() mutable {
    w.trace().Emit(w.now(), host, "fault_plan", "fault_plan", Severity::kWarning)
        .Str("step", what);
    action();
  });
}

void FaultPlan::PartitionAt(os::Instant at, std::string a, std::string b,
                            os::Duration duration, bool two_way) {
  os_sim::Cluster* c = &cluster_;
  At(at, "partition", a, [c, a, b, duration, two_way] {
    c->network().Partition(a, b, two_way);
    c->world().queue().ScheduleAfter(duration, [c, a, b, two_way] {
      c->network().Heal(a, b, two_way);
    });
  });
}

void FaultPlan::CrashHostAt(os::Instant at, std::string host,
                            std::optional<os::Duration> restart_after) {
  os_sim::Cluster* c = &cluster_;
  At(at, "crash_host", host, [c, host, restart_after] {
    c->CrashHost(host);
    if (restart_after.has_value()) {
      c->world().queue().ScheduleAfter(*restart_after,
                                       [c, host] { c->RestartHost(host); });
    }
  });
}

void FaultPlan::SignalProcessAt(os::Instant at, std::string host, std::string process,
                                os::Signal sig) {
  os_sim::Cluster* c = &cluster_;
  At(at, "signal_process", host, [c, host, process, sig] {
    os::Pid pid = c->FindByName(host, process);
    if (pid != 0) c->SendSignal(pid, sig);
  });
}

void FaultPlan::DropConnectionsAt(os::Instant at, std::string host) {
  os_sim::Cluster* c = &cluster_;
  At(at, "drop_connections", host, [c, host] {
    for (net::SocketId id : c->network().LiveConnections(host)) {
      if (!c->network().Find(id)->dead()) c->network().DropConnection(id);
    }
  });
}

void FaultPlan::FillDiskAt(os::Instant at, std::string host) {
  os_sim::Cluster* c = &cluster_;
  At(at, "fill_disk", host, [c, host] { c->host(host).disk().Fill(); });
}

void FaultPlan::FreeDiskAt(os::Instant at, std::string host) {
  os_sim::Cluster* c = &cluster_;
  At(at, "free_disk", host, [c, host] { c->host(host).disk().Free(); });
}

void FaultPlan::FailFsyncAt(os::Instant at, std::string host) {
  os_sim::Cluster* c = &cluster_;
  At(at, "fail_fsync", host, [c, host] { c->host(host).disk().FailNextFsync(); });
}

void FaultPlan::SetDiskFaults(const std::string& host, DiskFaults faults) {
  disk::Disk& d = cluster_.host(host).disk();
  d.set_fsync_eio(faults.fsync_eio);
  d.set_crash_sector_persist(faults.crash_sector_persist);
}

}  // namespace replsim::sim::fault
