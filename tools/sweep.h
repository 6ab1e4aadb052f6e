// File: tools/sweep.h
//
// Runs a seed range and keeps its results honest:
// - seeds run in forked workers (tools/sweep_workers.h): a crash inside the
//   model is reported with its seed and the other seeds still run;
// - shards (--shard i/n, or Bazel's TEST_SHARD_INDEX/TEST_TOTAL_SHARDS):
//   shard i takes every n-th seed from the i-th;
// - every failing or crashed seed is appended to the failures file as one
//   JSON line (tools/sweep_record.h) as soon as it is known, fsynced;
// - progress (which seeds are done) is saved beside it, <failures>.progress,
//   at least once a second and at the end; a rerun resumes only when every
//   thing that decides a run is the same (SweepIdentity), else it starts
//   afresh and says why; a finished sweep rerun repeats its result; no seed
//   is run or written twice;
// - SIGINT/SIGTERM stop the workers, save progress and return what was done
//   (the caller prints it and exits 130/143);
// - progress on stderr: a live line on a terminal, else a line every 10 s
//   (wall-clock seconds: tools/ only, never the simulation).
#ifndef REPLSIM_TOOLS_SWEEP_H_
#define REPLSIM_TOOLS_SWEEP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/sweep_record.h"

namespace replsim::tools {

// What one seed's run found. Exit-code order: kOk < kSafety < kLiveness.
struct SeedOutcome {
  enum class Kind { kOk = 0, kSafety = 1, kLiveness = 2 };
  Kind kind = Kind::kOk;
  uint64_t fingerprint = 0;
  std::string invariant;  // the first violation's, "" when kOk
  std::string violation;  // one line, empty when kOk
};

struct SweepOptions {
  SweepIdentity identity;     // scenario, profile, switches, range, shard, build
  int jobs = 1;
  std::string failures_path;  // empty: results in memory only, no resume
  bool show_progress = false;  // a live line (a terminal)
  bool progress_lines = false;  // a line every 10 s (not a terminal)
};

// A seed whose run crashed replsim (a CHECK, a signal): a replsim bug.
struct WorkerCrash {
  uint64_t seed = 0;
  std::string how;         // "killed by signal 6 (Aborted)"
  std::string last_words;  // the worker's last stderr line: the CHECK's text
};

struct SweepResult {
  uint64_t seeds_total = 0;    // this shard's seeds
  uint64_t seeds_run = 0;      // run to an outcome by this invocation
  uint64_t seeds_crashed = 0;  // crashed replsim in this invocation
  uint64_t seeds_resumed = 0;  // done by an earlier run of the same sweep
  bool already_done = false;   // every seed was done before this invocation
  std::string resume_note;     // why earlier progress was or was not used
  std::vector<std::pair<uint64_t, SeedOutcome>> failures;  // in seed order
  std::vector<WorkerCrash> crashes;                        // in seed order
  int interrupted_by = 0;      // SIGINT or SIGTERM, when stopped early
  double seconds = 0;
  // What the sweep cost its processes (getrusage): the peak resident set of
  // the parent and of the largest worker (RUSAGE_CHILDREN's ru_maxrss, over
  // every child the process has waited for), and the CPU seconds each side
  // spent in this invocation (the parent's share shows what handing out
  // seeds and collecting results costs beside the runs).
  double parent_peak_rss_mib = 0;
  double worker_peak_rss_mib = 0;
  double parent_cpu_seconds = 0;
  double worker_cpu_seconds = 0;
  uint64_t seeds_done() const { return seeds_run + seeds_crashed + seeds_resumed; }
  double seeds_per_second() const { return seconds > 0 ? seeds_run / seconds : 0; }
};

// "A..B" (inclusive, A <= B, each 0..2^64-1).
absl::Status ParseSeedRange(const std::string& text, uint64_t* first, uint64_t* last);
// "i/n" with 0 <= i < n.
absl::Status ParseShard(const std::string& text, int* index, int* count);

using SeedRunner = std::function<SeedOutcome(uint64_t seed)>;

absl::StatusOr<SweepResult> RunSweep(const SweepOptions& options, const SeedRunner& run);

const char* OutcomeName(SeedOutcome::Kind k);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_SWEEP_H_
