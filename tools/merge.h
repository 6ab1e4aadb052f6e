// File: tools/merge.h
//
// `replsim merge DIR...`: one result out of a campaign's shards, the files
// that the tasks of a Slurm job array (tools/slurm/) or a Kubernetes Indexed
// Job each wrote for `replsim sweep --shard i/n`.
//
// What is authoritative for what:
// - a shard's --report document (FILE.json, "command":"sweep") says what
//   the shard covered (its SweepIdentity: scenario hash, profile, switches,
//   seed range, shard i/n, replsim build) and whether it finished
//   (seeds_done == seeds_total, not interrupted). A shard without one has
//   not finished: its task is still running, or was killed before the end.
// - failures files (FILE.jsonl, one record a line) hold every failing and
//   crashed seed, fsynced as found, also those of a task killed before it
//   wrote its report; a report repeats its shard's records. Records of both
//   are read and each seed is counted once.
// A directory is read for *.json and *.jsonl (not recursively; *.progress
// files, logs and a merge's own report are left alone).
//
// The checks: every shard of the campaign is there exactly once and
// finished, and all ran the same scenario bytes, profile, switches, seed
// range, shard count and replsim build. Each shard that is missing,
// unfinished, overlapping (two reports of one shard, or a shard of another
// split of the range) or that ran something else gets a sentence in
// `problems`; then the merge is bad input (exit 4), as no result of an
// incomplete or mixed campaign is the campaign's.
#ifndef REPLSIM_TOOLS_MERGE_H_
#define REPLSIM_TOOLS_MERGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/flags.h"
#include "tools/sweep_record.h"

namespace replsim::tools {

// What one shard's --report says.
struct ShardReport {
  std::string path;
  SweepIdentity identity;
  uint64_t seeds_total = 0;
  uint64_t seeds_done = 0;
  std::string interrupted;  // "SIGTERM", "SIGINT", ... or "" when not
  double seconds = 0;
  bool finished() const { return seeds_done == seeds_total && interrupted.empty(); }
};

// A failing or crashed seed of the campaign, with the shard that found it.
struct MergedRecord {
  SweepIdentity identity;
  SeedRecord record;
  std::string source;  // the file it was read from
};

struct MergeResult {
  std::vector<std::string> inputs;    // the files read, in order
  bool have_campaign = false;         // false: no shard results at all
  SweepIdentity campaign;             // what the shards agree on; shard_index 0
  std::vector<ShardReport> shards;    // the campaign's reports, by shard index
  std::vector<MergedRecord> records;  // by seed, one per seed
  uint64_t seeds_total = 0;           // the campaign's range
  uint64_t seeds_done = 0;            // by the shards' reports
  std::vector<std::string> problems;  // each makes the merge exit 4
  std::vector<std::string> warnings;  // said, but no problem

  size_t failing() const;
  size_t crashed() const;
};

// Reads the files and directories named. InvalidArgument only for a path
// that is neither; everything else wrong is a problem in the result.
absl::StatusOr<MergeResult> MergeShards(const std::vector<std::string>& paths);

// 4 with problems; else as a sweep: 3 a crash, 1 safety, 2 liveness, 0.
int MergeExitCode(const MergeResult& m);

// A failure's message without what differs between seeds of one bug: WAL
// positions (0/1001630 -> <lsn>), segment file names (<segment>), times
// (0.242873s -> <time>), PIDs (PID <pid>) and other numbers (N).
std::string NormaliseMessage(absl::string_view message);

// Failures grouped by outcome, invariant and normalised message, most
// frequent first.
struct Signature {
  std::string outcome;
  std::string invariant;
  std::string message;          // normalised
  std::vector<uint64_t> seeds;  // in seed order
};
std::vector<Signature> Signatures(const MergeResult& m);

// --report: the campaign's identity and counts, failing seeds, signatures,
// the first replay command, problems, each shard and every record.
std::string MergeReportJson(const MergeResult& m);
// --junit: a testcase per shard, an error per problem.
std::string MergeJunitXml(const MergeResult& m);
// The table, signatures, first replay command and problems, on stdout.
void PrintMerge(const MergeResult& m);

// `replsim merge DIR|FILE... [--report R.json] [--junit J.xml]`.
int RunMerge(const CommandLine& cl);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_MERGE_H_
