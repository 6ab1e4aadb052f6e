// File: tools/sweep_progress.h
//
// What a sweep remembers between invocations, beside its failures file:
// <failures>.progress holds the sweep's identity (tools/sweep_record.h) and
// which of its seeds are done, as a prefix of positions plus the few done
// out of order. A rerun resumes only when the identity is the same; the
// results of the done seeds come back from the failures file's lines of the
// same sweep, so a resumed or finished sweep reports every failure it has
// found, and a seed with a line in the file is never run or written again.
#ifndef REPLSIM_TOOLS_SWEEP_PROGRESS_H_
#define REPLSIM_TOOLS_SWEEP_PROGRESS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "tools/sweep.h"
#include "tools/sweep_record.h"

namespace replsim::tools {

// Seeds are numbered by position p in the shard: seed = base + p * stride.
struct SweepProgress {
  uint64_t prefix = 0;               // positions [0, prefix) are done
  absl::btree_set<uint64_t> extra;   // done positions past the prefix
  std::vector<std::pair<uint64_t, SeedOutcome>> failures;  // of done seeds
  std::vector<WorkerCrash> crashes;                        // of done seeds
  std::string note;  // what was resumed, or why not; "" for a first run

  uint64_t done() const { return prefix + extra.size(); }
  bool IsDone(uint64_t p) const { return p < prefix || extra.count(p) > 0; }
  void MarkDone(uint64_t p);
};

// Reads <failures_path>.progress and the failures file. `base`/`stride`
// map seeds to positions; `count` is the number of positions.
SweepProgress LoadProgress(const std::string& failures_path, const SweepIdentity& id,
                           uint64_t base, uint64_t stride, uint64_t count);

// Writes <failures_path>.progress atomically (temporary file, fsync, rename).
bool SaveProgress(const std::string& failures_path, const SweepIdentity& id,
                  const SweepProgress& p);

// The failures-file line of a crashed seed, and back.
SeedRecord CrashRecord(const WorkerCrash& c);
WorkerCrash CrashFromRecord(const SeedRecord& r);
// The outcome of a failing seed's record (outcome "safety" or "liveness").
SeedOutcome OutcomeFromRecord(const SeedRecord& r);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_SWEEP_PROGRESS_H_
