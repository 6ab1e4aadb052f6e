// File: sim/host/host.h
//
// One machine: its name (which is also its network address), its clock as its
// processes read it (offset and drift), its disk, and the process latches that
// live in its shared memory. A host is up or down; Crash() and Restart() only
// change this state and the disk: the Cluster (sim/os/cluster.h) also kills the
// host's processes and makes its sockets vanish.
//
// Clocks: monotonic = t + t * drift_ppm / 1e6 (t = virtual time since start);
// wall = kWallEpochMicros + offset + steps + monotonic, what gettimeofday()
// reads. StepWallClock (an NTP step) moves the wall clock only: monotonic
// time never jumps. A host's timeouts are lengths of its monotonic clock
// (HostToWorld turns one into virtual time).
#ifndef REPLSIM_SIM_HOST_HOST_H_
#define REPLSIM_SIM_HOST_HOST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol/os/time.h"
#include "sim/disk/disk.h"
#include "sim/host/sim_latch.h"
#include "sim/world.h"

namespace replsim::sim::host {

// 2026-01-01T00:00:00Z in microseconds since the Unix epoch.
inline constexpr int64_t kWallEpochMicros = 1767225600LL * 1000000;

struct HostConfig {
  os::Duration clock_offset;
  int64_t drift_ppm = 0;  // parts per million, may be negative
  disk::DiskConfig disk;
};

class Host {
 public:
  Host(World& world, std::string name, HostConfig config = HostConfig());
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  const std::string& name() const { return name_; }
  bool up() const { return up_; }
  // Incremented at every crash: a process or socket from an earlier boot is
  // gone.
  int boot() const { return boot_; }
  disk::Disk& disk() { return disk_; }

  os::Instant Monotonic() const;
  int64_t WallClockMicros() const;
  // Sets the offset and drift (a scenario's per-host draw), before anything
  // has read the clocks.
  void SetClock(os::Duration offset, int64_t drift_ppm);
  // An NTP step of the wall clock, forward (d > 0) or back; traced.
  void StepWallClock(os::Duration d);
  // How much virtual time `d` of this host's monotonic clock takes.
  os::Duration HostToWorld(os::Duration d) const;
  // The VM is frozen (sim/os/cluster.h PauseHost): nothing of it runs.
  bool paused() const { return paused_; }
  void set_paused(bool p) { paused_ = p; }

  // A latch in this host's shared memory; it lives as long as the Host.
  SimLatch& NewLatch();

  void Crash();
  void Restart();

 private:
  World& world_;
  std::string name_;
  HostConfig config_;
  bool up_ = true;
  bool paused_ = false;
  int boot_ = 0;
  os::Duration wall_steps_;
  disk::Disk disk_;
  std::vector<std::unique_ptr<SimLatch>> latches_;
};

}  // namespace replsim::sim::host

#endif  // REPLSIM_SIM_HOST_HOST_H_
