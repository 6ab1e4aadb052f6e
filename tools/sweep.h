// File: tools/sweep.h
//
// Runs a seed range through a run function and keeps the results safe:
// - seeds are split across --jobs worker processes (fork; each worker is a
//   plain single-threaded simulator) and across shards (--shard i/n, or
//   Bazel's TEST_SHARD_INDEX/TEST_TOTAL_SHARDS): shard i takes every n-th seed;
// - every failing seed is appended to the failures file as soon as it is
//   known, flushed and fsynced, so nothing found is lost to a crash or ^C;
// - progress (the contiguous prefix of finished seeds) is saved beside it
//   (<failures>.progress) and a rerun of the same range resumes after it;
// - a worker that dies (a CHECK failure in the simulator) is reported with
//   the seed it died on and how many seeds it left unrun, in the result and
//   the failures file; the progress stops before that seed. With one job
//   the CHECK ends the sweep itself, after what it found was saved;
// - a live progress line (seeds/s from the wall clock; tools/ only, never the
//   simulation) goes to stderr when it is a terminal.
#ifndef REPLSIM_TOOLS_SWEEP_H_
#define REPLSIM_TOOLS_SWEEP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace replsim::tools {

// What one seed's run found. Exit-code order: kOk < kSafety < kLiveness.
struct SeedOutcome {
  enum class Kind { kOk = 0, kSafety = 1, kLiveness = 2 };
  Kind kind = Kind::kOk;
  uint64_t fingerprint = 0;
  std::string violation;  // one line, empty when kOk
};

struct SweepOptions {
  uint64_t first = 0;
  uint64_t last = 0;
  int shard_index = 0;
  int shard_count = 1;
  int jobs = 1;
  std::string failures_path;  // empty: keep failures in memory only
  std::string label;          // for the progress line and the file header
  bool show_progress = false;
};

// A --jobs worker that died instead of finishing its share: the simulator
// itself failed (a CHECK, a signal), which is a replsim bug, never a finding.
struct WorkerCrash {
  uint64_t seed = 0;         // the first seed of its share it did not report
  uint64_t seeds_lost = 0;   // seeds of its share not run, that one included
  std::string how;           // "killed by signal 6 (Aborted)", "exited with code 3"
};

struct SweepResult {
  uint64_t seeds_run = 0;
  uint64_t seeds_skipped = 0;  // resumed past
  std::vector<std::pair<uint64_t, SeedOutcome>> failures;  // in seed order
  std::vector<WorkerCrash> crashes;                        // in seed order
  double seconds = 0;
  double seeds_per_second() const { return seconds > 0 ? seeds_run / seconds : 0; }
};

// "A..B" (inclusive, A <= B).
absl::Status ParseSeedRange(const std::string& text, uint64_t* first, uint64_t* last);
// "i/n" with 0 <= i < n.
absl::Status ParseShard(const std::string& text, int* index, int* count);

using SeedRunner = std::function<SeedOutcome(uint64_t seed)>;

absl::StatusOr<SweepResult> RunSweep(const SweepOptions& options, const SeedRunner& run);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_SWEEP_H_
