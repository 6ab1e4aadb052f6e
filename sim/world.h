// File: sim/world.h
//
// One simulated world: the clock and event queue, the named random streams,
// the trace and the process executor. There are no globals and no mutable
// statics anywhere in sim/ or protocol/: everything a run touches hangs off
// its World, so many worlds can run one after another in one process and each
// is a pure function of its seed (and what the caller builds in it).
//
//   World w(seed);
//   w.executor().Spawn("p", body);
//   RunStats s = w.Run({.until = os::Instant() + os::Seconds(60)});
//   printf("%016llx %016llx", w.Fingerprint(), w.Unseed());
//
// Destruction order is deliberate: processes die first (their frames may be
// registered on waitables and timers the rest of the world owns), then the
// executor, the streams, the queue and the trace.
#ifndef REPLSIM_SIM_WORLD_H_
#define REPLSIM_SIM_WORLD_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/btree_map.h"
#include "protocol/os/time.h"
#include "sim/cpu.h"
#include "sim/event_queue.h"
#include "sim/executor.h"
#include "sim/rng.h"
#include "sim/tie_break.h"
#include "sim/trace.h"

namespace replsim::sim {

struct RunLimits {
  // Stop before running an event due after this time.
  os::Instant until = os::Instant::FromNanos(std::numeric_limits<int64_t>::max());
  // Stop after this many events (a runaway guard).
  uint64_t max_events = std::numeric_limits<uint64_t>::max();
};

struct RunStats {
  enum class StopReason { kIdle, kTimeLimit, kEventLimit };
  StopReason reason = StopReason::kIdle;
  uint64_t events = 0;
  os::Instant end_time;
};

class World {
 public:
  explicit World(uint64_t seed, bool keep_trace = false);
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  ~World();

  uint64_t seed() const { return seed_; }
  os::Instant now() const { return queue_.now(); }
  EventQueue& queue() { return queue_; }
  Trace& trace() { return trace_; }
  Executor& executor() { return *executor_; }

  // The stream named `name`, created on first use from (seed, name). The same
  // name always gives the same object.
  Rng& Stream(std::string_view name);

  // Same-time events are ordered by `config` (sim/tie_break.h), drawing from
  // the stream "scheduler/tiebreak" (kRandom) or "scheduler/pct" (kPct).
  void SetTieBreak(TieBreakConfig config);
  // Processes take CPU time on their hosts' cores (sim/cpu.h). Before the
  // first process starts.
  void EnableCpu(CpuConfig config);
  Cpu* cpu() { return cpu_.get(); }

  RunStats Run(const RunLimits& limits = RunLimits());

  // A hash of the whole trace so far.
  uint64_t Fingerprint() const { return trace_.fingerprint(); }
  // A digest of every stream's state, in name order (FDB's "unseed"): two runs
  // that drew the same numbers from the same streams end with the same value.
  uint64_t Unseed() const;

 private:
  uint64_t seed_;
  Trace trace_;
  EventQueue queue_;
  // unique_ptr: btree_map moves its values on insert, and Stream() hands out
  // references that must stay valid.
  absl::btree_map<std::string, std::unique_ptr<Rng>, std::less<>> streams_;
  std::unique_ptr<Cpu> cpu_;  // outlives the executor, which points at it
  std::unique_ptr<Executor> executor_;
};

}  // namespace replsim::sim

#endif  // REPLSIM_SIM_WORLD_H_
