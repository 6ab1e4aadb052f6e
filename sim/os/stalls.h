// File: sim/os/stalls.h
//
// Stalls and slow parts of a simulated machine, each for a duration whose
// end is a later event (the caller returns at once):
// - StallProcess: SIGSTOP, then SIGCONT. While stopped the process runs
//   nothing and handles no signal but SIGKILL; its kernel keeps taking in
//   (and ACKing) what arrives until the receive buffer is full, then the
//   peer's window closes and the peer blocks in send (sim/net).
// - PauseHost: a VM freeze (Cluster::PauseHost). The host's clocks run on
//   through it, so on resume they have jumped by the pause, as a resumed KVM
//   guest's do: timeouts that ran out meanwhile expire at once. Segments to
//   and from the host are lost while it is frozen and retransmitted by the
//   peers (its own TCP timers are not frozen: a simplification).
// - SlowDisk: writes and fsyncs take `factor` times as long (sim/disk).
// - SlowReader: the process's socket reads cost bytes / rate of time
//   (SimOs::SetSlowRead).
// - StepWallClock: an NTP step of the wall clock, now (no duration).
// Every start and end is traced.
#ifndef REPLSIM_SIM_OS_STALLS_H_
#define REPLSIM_SIM_OS_STALLS_H_

#include <cstdint>
#include <string>

#include "protocol/os/os.h"
#include "sim/os/cluster.h"

namespace replsim::sim::os_sim {

void StallProcess(Cluster& c, os::Pid pid, os::Duration d);
void PauseHost(Cluster& c, const std::string& host, os::Duration d);
void SlowDisk(Cluster& c, const std::string& host, int64_t factor, os::Duration d);
void SlowReader(Cluster& c, os::Pid pid, uint32_t bytes_per_ms, os::Duration d);
void StepWallClock(Cluster& c, const std::string& host, os::Duration step);

}  // namespace replsim::sim::os_sim

#endif  // REPLSIM_SIM_OS_STALLS_H_
