// File: sim/fault/fault_plan.h
//
// A scenario's faults: scheduled ones (at time T do X) and probabilistic
// ones (integer ratios per operation, set on the components that draw them).
// Every fault is traced when it fires, by the component that applies it
// (fault_partition, host_crash, process_exit with signal 9, fault_drop_
// connection, fault_disk_full, fault_fsync_eio, ...), and the plan adds a
// "fault_plan" event naming the scheduled step.
//
//   FaultPlan plan(cluster);
//   plan.PartitionAt(os::Instant() + os::Seconds(5), "primary", "standby",
//                    os::Seconds(30), /*two_way=*/true);
//   plan.CrashHostAt(os::Instant() + os::Seconds(50), "primary", os::Seconds(10));
//   plan.SetDiskFaults("standby", {.fsync_eio = {1, 100}});
//
// Contract: the plan only schedules events on the World; it must outlive
// nothing (each event captures the Cluster, which outlives every Run).
#ifndef REPLSIM_SIM_FAULT_FAULT_PLAN_H_
#define REPLSIM_SIM_FAULT_FAULT_PLAN_H_

#include <optional>
#include <string>

#include "protocol/os/signal.h"
#include "protocol/os/time.h"
#include "sim/distributions.h"
#include "sim/os/cluster.h"

namespace replsim::sim::fault {

struct DiskFaults {
  Ratio fsync_eio{0, 1};
  Ratio crash_sector_persist{0, 1};
};

class FaultPlan {
 public:
  explicit FaultPlan(os_sim::Cluster& cluster) : cluster_(cluster) {}

  // Partition a<->b (or only a->b) from `at` for `duration`.
  void PartitionAt(os::Instant at, std::string a, std::string b,
                   os::Duration duration, bool two_way);
  // Crash `host` at `at`; restart it `restart_after` later if given.
  void CrashHostAt(os::Instant at, std::string host,
                   std::optional<os::Duration> restart_after);
  // Send `sig` to the live process named `process` on `host` (lowest pid).
  void SignalProcessAt(os::Instant at, std::string host, std::string process,
                       os::Signal sig);
  // Reset every live connection of `host` (a middlebox RST).
  void DropConnectionsAt(os::Instant at, std::string host);
  // The disk of `host` is full from `at` on.
  void FillDiskAt(os::Instant at, std::string host);
  // The disk of `host` has space again from `at` on (heals FillDiskAt).
  void FreeDiskAt(os::Instant at, std::string host);
  // The next fsync on `host` after `at` fails with EIO.
  void FailFsyncAt(os::Instant at, std::string host);
  // Per-operation probabilities for the disk of `host`, from now on.
  void SetDiskFaults(const std::string& host, DiskFaults faults);

 private:
  void At(os::Instant at, std::string what, std::string host,
          absl::AnyInvocable<void()> action);

  os_sim::Cluster& cluster_;
};

}  // namespace replsim::sim::fault

#endif  // REPLSIM_SIM_FAULT_FAULT_PLAN_H_
