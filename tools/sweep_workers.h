// File: tools/sweep_workers.h
//
// The processes a sweep runs its seeds in. Every seed runs in a forked
// worker (one per --jobs, each a plain single-threaded simulator), never in
// the process that keeps the results, so a crash inside the model (a CHECK,
// a signal) costs one seed, not the sweep:
// - seeds are handed out in small chunks as workers finish them (not split
//   in advance), so a worker slowed by a busy core takes fewer and all end
//   together, and the seeds done at any moment are nearly a prefix;
// - a worker runs its chunks in order and reports each result on a pipe as
//   soon as it has it;
// - a worker that dies is reported with the seed it was running, how it
//   died and the last line it wrote to stderr (the CHECK's text); the seeds
//   it had been handed but not run go to the others, and a new worker takes
//   its place, so every other seed still runs;
// - a worker's stderr goes through the parent, which forwards it;
// - when *stop becomes non-zero (a SIGINT/SIGTERM handler sets it) the
//   workers are killed and Run returns at once with what was reported.
#ifndef REPLSIM_TOOLS_SWEEP_WORKERS_H_
#define REPLSIM_TOOLS_SWEEP_WORKERS_H_

#include <csignal>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/btree_set.h"
#include "tools/sweep.h"

namespace replsim::tools {

struct WorkerCallbacks {
  std::function<void(uint64_t seed, const SeedOutcome& o)> on_result;
  // `how`: "killed by signal 6 (Aborted)"; `last_words`: its last stderr line.
  std::function<void(uint64_t seed, const std::string& how, const std::string& last_words)>
      on_crash;
  // Called at least once a second while the workers run.
  std::function<void()> on_tick;
};

// The seeds to run: Seed(p) for every position p in [begin, count) not in
// `skip` (seeds an earlier run already did). Positions, not a list, so that a
// range of 10^9 seeds costs no memory.
struct SeedPlan {
  uint64_t base = 0;
  uint64_t stride = 1;
  uint64_t begin = 0;
  uint64_t count = 0;
  absl::btree_set<uint64_t> skip;
  uint64_t Seed(uint64_t p) const { return base + p * stride; }
};

// Runs the plan on `jobs` workers. Returns false when stopped by *stop, true
// when every seed was reported or crashed.
bool RunOnWorkers(const SeedPlan& plan, int jobs, const SeedRunner& run,
                  const WorkerCallbacks& callbacks, const volatile std::sig_atomic_t* stop);

// write() until all of `s` is written (EINTR retried); false on an error.
bool WriteAll(int fd, const std::string& s);

// The one-line wire form of a result between a worker and the parent.
std::string EncodeResult(uint64_t seed, const SeedOutcome& o);
bool DecodeResult(const std::string& line, uint64_t* seed, SeedOutcome* o);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_SWEEP_WORKERS_H_
