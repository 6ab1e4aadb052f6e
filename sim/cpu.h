// File: sim/cpu.h
//
// CPU time of simulated processes: what a resumption costs and how many
// processes of one host run at once. Without it (the Executor's default),
// code between two suspension points takes no virtual time and every process
// runs the moment it is woken.
//
// The model (per host, every number drawn per seed from the stream
// "cpu/<host>", so hosts are as different as machines are):
// - A host has `cores` CPUs. A woken process runs when a core is free; the
//   others wait their turn, FIFO (Linux's CFS gives a woken task the CPU
//   soon, not at once; FIFO among equals is the simple faithful part).
// - A burst: the process holds a core for its cost, then its code runs (so
//   what it sends, writes and signals happens at the end of the burst, and
//   now() reads that time), then the core is free again.
// - The cost of a burst: a resumption cost, uniform in [mean/2, 3*mean/2]
//   around the host's mean (drawn in [resume_mean_min, resume_mean_max]:
//   a PostgreSQL loop iteration with its system calls, 5..50 us), plus what
//   the process's previous burst copied: bytes sent, received, read and
//   written at the host's per-byte cost (drawn in [byte_ps_min,
//   byte_ps_max] picoseconds per byte: 0.1..1 ns/B, a copy through the
//   kernel), plus, for a process's first burst, its start-up: fork() of the
//   postmaster and the child's initialisation (InitPostmasterChild,
//   InitProcess; a backend's InitPostgres), mean drawn in
//   [start_mean_min, start_mean_max].
// - Exit: from _exit() to the parent's SIGCHLD the kernel tears the process
//   down (exit_mm, exit_files: its sockets close at once, as in the model;
//   then exit_notify sends SIGCHLD): uniform around a mean drawn in
//   [exit_mean_min, exit_mean_max].
#ifndef REPLSIM_SIM_CPU_H_
#define REPLSIM_SIM_CPU_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/btree_map.h"
#include "absl/functional/any_invocable.h"
#include "protocol/os/time.h"
#include "sim/rng.h"

namespace replsim::sim {

struct CpuConfig {
  int cores = 2;  // per host, >= 1
  os::Duration resume_mean_min = os::Microseconds(5);
  os::Duration resume_mean_max = os::Microseconds(50);
  int64_t byte_ps_min = 100;  // picoseconds per byte copied
  int64_t byte_ps_max = 1000;
  os::Duration start_mean_min = os::Microseconds(200);
  os::Duration start_mean_max = os::Milliseconds(2);
  os::Duration exit_mean_min = os::Microseconds(20);
  os::Duration exit_mean_max = os::Microseconds(500);
};

struct CpuStats {
  uint64_t bursts = 0;         // resumptions that ran on a core
  uint64_t waited = 0;         // of them, woken when every core was busy
  int64_t wait_ns = 0;         // their total time in the run queue
  uint64_t max_run_queue = 0;  // the longest run queue seen on any host
};

class Cpu {
 public:
  using StreamFn = absl::AnyInvocable<Rng&(std::string_view)>;
  Cpu(CpuConfig config, StreamFn stream);

  struct Host {
    int free_cores = 0;
    std::deque<int32_t> run_queue;  // pids, FIFO
    os::Duration resume_mean;
    int64_t byte_ps = 0;
    os::Duration start_mean;
    os::Duration exit_mean;
    Rng* rng = nullptr;
  };
  // The host's state, its parameters drawn when first asked for.
  Host& host(const std::string& name);

  os::Duration ResumeCost(Host& h);
  os::Duration StartCost(Host& h);
  os::Duration ExitCost(Host& h);
  os::Duration ByteCost(Host& h, uint64_t bytes) const;

  CpuStats& stats() { return stats_; }

 private:
  // Uniform in [mean/2, 3*mean/2].
  static os::Duration Around(Rng& rng, os::Duration mean);

  CpuConfig config_;
  StreamFn stream_;
  absl::btree_map<std::string, std::unique_ptr<Host>, std::less<>> hosts_;
  CpuStats stats_;
};

}  // namespace replsim::sim

#endif  // REPLSIM_SIM_CPU_H_
