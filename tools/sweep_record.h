// File: tools/sweep_record.h
//
// What a sweep's results are keyed by and how each result is written down.
// - SweepIdentity: everything that decides what a sweep's seeds do (the
//   scenario file's bytes, profile, switches, seed range, shard, the replsim
//   build). A resume, and a merge of shards, accept earlier results only
//   when the identity is the same; otherwise they say what differs.
// - SeedRecord: one line of the failures file, one JSON object, one schema
//   for every kind of outcome (safety, liveness, crash): seed, scenario path
//   and hash, profile, switches, outcome, invariant, fingerprint, message,
//   and the replay command that reproduces it.
#ifndef REPLSIM_TOOLS_SWEEP_RECORD_H_
#define REPLSIM_TOOLS_SWEEP_RECORD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/json.h"

namespace replsim::tools {

struct SweepIdentity {
  std::string scenario_path;   // as the user gave it (for replay commands)
  std::string scenario_name;
  uint64_t scenario_hash = 0;  // sim::StableHasher over the file's bytes
  std::string profile;         // the run's profile name
  std::string switches;        // canonical overrides (CanonicalSwitches)
  std::string scheduler;       // canonical --scheduler (CanonicalSchedulerOverride)
  uint64_t first = 0;
  uint64_t last = 0;
  int shard_index = 0;
  int shard_count = 1;
  std::string version;         // BuildVersion(): replsim's version and build

  uint64_t Key() const;
  std::string KeyHex() const;
  // Where `other` differs from this, in words, or "" when they are the same:
  // "profile pg-15 (this sweep: pg-9.3beta2)"; `ours` names this side
  // ("the campaign" in a merge).
  std::string DifferenceFrom(const SweepIdentity& other,
                             absl::string_view ours = "this sweep") const;
};

// The command that reproduces one seed, pasteable from where the sweep ran.
std::string ReplayCommand(const std::string& path, uint64_t seed, const std::string& profile,
                          const std::string& switches, const std::string& scheduler = "");

struct SeedRecord {
  uint64_t seed = 0;
  std::string outcome;     // "safety", "liveness" or "crash"
  std::string invariant;   // CLEAN_SWITCHOVER, ...; "" for a crash
  uint64_t fingerprint = 0;
  std::string message;
};

// One line, without the newline.
std::string RecordToJson(const SweepIdentity& id, const SeedRecord& r);
// A line of a failures file: the record and the key of the sweep that wrote
// it. InvalidArgument for a line that is not such a record.
struct ParsedRecord {
  std::string sweep_key;
  SweepIdentity identity;  // what the line says about its sweep
  SeedRecord record;
};
absl::StatusOr<ParsedRecord> RecordFromJson(const std::string& line);
// The identity fields a record or a --report document carries (scenario,
// scenario_name, scenario_hash, profile, switches, seeds, shard, version).
absl::StatusOr<SweepIdentity> IdentityFromJson(const JsonObject& o);

// 64-bit stable hash of bytes, as 16 hex digits where printed.
uint64_t HashBytes(const std::string& bytes);

// "replsim 0.9 (git <commit>, build <hash of this executable>)": two builds
// of different sources or options never share it.
const std::string& BuildVersion();

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_SWEEP_RECORD_H_
