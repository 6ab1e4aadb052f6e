// `replsim merge` on hand-made shard files, written by the sweep's own
// writers (SweepReportJson, RecordToJson): a good set merges to the counts a
// single sweep has; a missing, unfinished, overlapping or foreign shard each
// gets its sentence and makes the merge bad input. Also: a task of a
// Kubernetes Indexed Job takes its shard from JOB_COMPLETION_INDEX.
#include "tools/merge.h"

#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tools/cli_common.h"
#include "tools/reports.h"

namespace replsim::tools {
namespace {

constexpr uint64_t kFirst = 1, kLast = 100;
constexpr int kShards = 4;

// Fails on multiples of 7, each with its own WAL position and time, as
// real failures of one bug differ.
bool Fails(uint64_t seed) { return seed % 7 == 0; }
SeedOutcome OutcomeOf(uint64_t seed) {
  SeedOutcome o;
  o.kind = SeedOutcome::Kind::kSafety;
  o.invariant = "CLEAN_SWITCHOVER";
  o.fingerprint = seed * 0x9E3779B97F4A7C15ULL;
  o.violation = absl::StrFormat(
      "CLEAN_SWITCHOVER at 0.%06ds: standby was promoted at 0/%X (timeline 2), before the end "
      "of primary's shutdown checkpoint",
      seed * 1013 % 1000000, 0x1001000 + seed * 8);
  return o;
}

SweepIdentity Shard(int index, int count = kShards) {
  SweepIdentity id;
  id.scenario_path = "scenarios/clean_switchover.textproto";
  id.scenario_name = "clean_switchover";
  id.scenario_hash = 0x66f15b4eecb6d532;
  id.profile = "pg-9.3beta2";
  id.first = kFirst;
  id.last = kLast;
  id.shard_index = index;
  id.shard_count = count;
  id.version = "replsim test";
  return id;
}

class MergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = absl::StrCat(tmp ? tmp : "/tmp", "/",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    mkdir(dir_.c_str(), 0755);
  }

  // Runs shard `id` "to the end" (or for `done` seeds): its report as
  // <name>.json, its failures as <name>.jsonl.
  void WriteShard(const std::string& name, const SweepIdentity& id, bool report = true,
                  int64_t done = -1, int interrupted_by = 0) {
    SweepResult r;
    std::ofstream failures(absl::StrCat(dir_, "/", name, ".jsonl"));
    for (uint64_t seed = id.first + id.shard_index; seed <= id.last; seed += id.shard_count) {
      ++r.seeds_total;
      if (done >= 0 && static_cast<int64_t>(r.seeds_run) >= done) continue;
      ++r.seeds_run;
      if (!Fails(seed)) continue;
      const SeedOutcome o = OutcomeOf(seed);
      r.failures.emplace_back(seed, o);
      failures << RecordToJson(id,
                               SeedRecord{seed, "safety", o.invariant, o.fingerprint, o.violation})
               << "\n";
    }
    r.interrupted_by = interrupted_by;
    if (report) std::ofstream(absl::StrCat(dir_, "/", name, ".json")) << SweepReportJson(id, r);
  }

  void WriteGoodSet() {
    for (int i = 0; i < kShards; ++i) WriteShard(absl::StrCat("shard-", i), Shard(i));
  }

  MergeResult Merge() {
    absl::StatusOr<MergeResult> m = MergeShards({dir_});
    EXPECT_TRUE(m.ok()) << m.status();
    return m.ok() ? *m : MergeResult();
  }

  std::string dir_;
};

std::string Problems(const MergeResult& m) { return absl::StrJoin(m.problems, "\n"); }

TEST_F(MergeTest, AGoodSetMergesToTheCountsOfOneSweep) {
  WriteGoodSet();
  const MergeResult m = Merge();
  EXPECT_TRUE(m.problems.empty()) << Problems(m);
  EXPECT_EQ(m.shards.size(), 4u);
  EXPECT_EQ(m.seeds_total, 100u);
  EXPECT_EQ(m.seeds_done, 100u);
  std::vector<uint64_t> expected, merged;
  for (uint64_t s = kFirst; s <= kLast; ++s) {
    if (Fails(s)) expected.push_back(s);
  }
  for (const MergedRecord& r : m.records) merged.push_back(r.record.seed);
  EXPECT_EQ(merged, expected);  // each once, though in a report and a failures file
  EXPECT_EQ(m.failing(), expected.size());
  EXPECT_EQ(MergeExitCode(m), kExitSafety);
  // One bug, one signature, though every seed's LSN and time differ.
  const std::vector<Signature> sigs = Signatures(m);
  ASSERT_EQ(sigs.size(), 1u);
  EXPECT_EQ(sigs[0].seeds, expected);
  EXPECT_EQ(sigs[0].message,
            "CLEAN_SWITCHOVER at <time>: standby was promoted at <lsn> (timeline N), before "
            "the end of primary's shutdown checkpoint");
  const std::string json = MergeReportJson(m);
  EXPECT_TRUE(absl::StrContains(json,
                                "\"failing_seeds\":[7,14,21,28,35,42,49,56,63,70,77,84,"
                                "91,98]"))
      << json;
  EXPECT_TRUE(absl::StrContains(json,
                                "\"first_replay\":\"bazel run //tools:replsim -- replay "
                                "scenarios/clean_switchover.textproto --seed 7 --profile "
                                "pg-9.3beta2\""))
      << json;
  EXPECT_TRUE(absl::StrContains(json, "\"exit_code\":1")) << json;
  EXPECT_TRUE(absl::StrContains(MergeJunitXml(m), "tests=\"4\" failures=\"4\" errors=\"0\""));
}

TEST_F(MergeTest, AMissingShardIsNamed) {
  WriteGoodSet();
  std::remove(absl::StrCat(dir_, "/shard-2.json").c_str());
  std::remove(absl::StrCat(dir_, "/shard-2.jsonl").c_str());
  const MergeResult m = Merge();
  ASSERT_EQ(m.problems.size(), 1u) << Problems(m);
  EXPECT_TRUE(absl::StartsWith(m.problems[0], "shard 2/4 is missing: no report and no records"))
      << Problems(m);
  EXPECT_EQ(m.seeds_done, 75u);
  EXPECT_EQ(MergeExitCode(m), kExitBadInput);
  EXPECT_TRUE(absl::StrContains(MergeJunitXml(m), "errors=\"1\""));
}

TEST_F(MergeTest, AnUnfinishedShardIsNamedWithWhatItDid) {
  WriteGoodSet();
  WriteShard("shard-0", Shard(0), /*report=*/true, /*done=*/10, SIGTERM);
  WriteShard("shard-3", Shard(3), /*report=*/false);  // killed: records, no report
  std::remove(absl::StrCat(dir_, "/shard-3.json").c_str());
  const MergeResult m = Merge();
  ASSERT_EQ(m.problems.size(), 2u) << Problems(m);
  EXPECT_TRUE(absl::StartsWith(m.problems[0],
                               "shard 0/4 is unfinished: 10 of 25 seeds done "
                               "(interrupted by SIGTERM)"))
      << Problems(m);
  EXPECT_TRUE(absl::StartsWith(m.problems[1],
                               "shard 3/4 is unfinished: no report, but 3 "
                               "record(s) in a failures file"))
      << Problems(m);
  // What they found so far is still listed: shard 3's 28, 56, 84, and of
  // shard 0 only 21, found in its first 10 seeds.
  std::vector<uint64_t> seeds;
  for (const MergedRecord& r : m.records) seeds.push_back(r.record.seed);
  EXPECT_EQ(seeds, (std::vector<uint64_t>{7, 14, 21, 28, 35, 42, 56, 63, 70, 84, 91, 98}));
  EXPECT_EQ(MergeExitCode(m), kExitBadInput);
}

TEST_F(MergeTest, OverlappingShardsAreNamed) {
  WriteGoodSet();
  WriteShard("again-1", Shard(1));     // a second task ran shard 1/4
  WriteShard("split-1", Shard(1, 2));  // a shard of a 2-way split
  const MergeResult m = Merge();
  ASSERT_EQ(m.problems.size(), 2u) << Problems(m);
  EXPECT_EQ(m.problems[0], absl::StrCat(dir_,
                                        "/split-1.json is overlapping: shard 1/2 of a "
                                        "2-way split, while the campaign is split 4 "
                                        "ways; its seeds are also those of shard(s) "
                                        "1/4, 3/4"));
  EXPECT_EQ(m.problems[1],
            absl::StrCat("shard 1/4 is overlapping: reported 2 times, by ", dir_,
                         "/again-1.json and ", dir_, "/shard-1.json (more than one task ran it)"));
  EXPECT_EQ(m.seeds_done, 100u);  // shard 1 counted once
  EXPECT_EQ(MergeExitCode(m), kExitBadInput);
}

TEST_F(MergeTest, AShardOfAnotherScenarioHashRanSomethingElse) {
  WriteGoodSet();
  SweepIdentity other = Shard(3);
  other.scenario_hash = 0x1234;
  std::remove(absl::StrCat(dir_, "/shard-3.jsonl").c_str());
  WriteShard("shard-3", other);
  const MergeResult m = Merge();
  ASSERT_EQ(m.problems.size(), 2u) << Problems(m);
  EXPECT_EQ(m.problems[0],
            absl::StrCat(dir_,
                         "/shard-3.json (shard 3/4) ran something else: the scenario "
                         "file's contents (hash 0000000000001234; the campaign: "
                         "66f15b4eecb6d532)"));
  EXPECT_TRUE(absl::StartsWith(m.problems[1], "shard 3/4 is missing")) << Problems(m);
  // Records of another sweep without its report are named by their file.
  std::remove(absl::StrCat(dir_, "/shard-3.json").c_str());
  const MergeResult m2 = Merge();
  ASSERT_EQ(m2.problems.size(), 2u) << Problems(m2);
  EXPECT_TRUE(absl::StartsWith(m2.problems[0], absl::StrCat(dir_,
                                                            "/shard-3.jsonl holds records "
                                                            "of another sweep: the "
                                                            "scenario file's contents")))
      << Problems(m2);
  EXPECT_EQ(MergeExitCode(m), kExitBadInput);
}

TEST_F(MergeTest, TwoDifferentRecordsOfOneSeedAreAProblem) {
  WriteGoodSet();
  SeedRecord r{14, "liveness", "CLEAN_SWITCHOVER", 1, "something else"};
  std::ofstream(absl::StrCat(dir_, "/extra.jsonl")) << RecordToJson(Shard(1), r) << "\n";
  const MergeResult m = Merge();
  ASSERT_EQ(m.problems.size(), 1u) << Problems(m);
  EXPECT_TRUE(absl::StartsWith(m.problems[0], "seed 14 has two different records")) << Problems(m);
}

TEST_F(MergeTest, NothingToMergeIsAProblemAndANonexistentPathBadInput) {
  const MergeResult m = Merge();
  EXPECT_EQ(m.problems.size(), 2u) << Problems(m);  // an empty directory; no results
  EXPECT_EQ(MergeExitCode(m), kExitBadInput);
  EXPECT_FALSE(MergeShards({dir_ + "/nonexistent"}).ok());
}

TEST(NormaliseMessageTest, StripsWhatDiffersBetweenSeedsOfOneBug) {
  EXPECT_EQ(NormaliseMessage("CLEAN_SWITCHOVER at 0.242873s: standby was promoted at 0/1001630 "
                             "(timeline 2), checkpoint 0/1001630..0/10016A8"),
            "CLEAN_SWITCHOVER at <time>: standby was promoted at <lsn> (timeline N), "
            "checkpoint <lsn>..<lsn>");
  EXPECT_EQ(NormaliseMessage("a walsender of primary (PID 4711) asked 3 time(s)"),
            "a walsender of primary (PID <pid>) asked N time(s)");
  EXPECT_EQ(NormaliseMessage("WAL differs at 0/2000000 (segment 000000010000000000000002, "
                             "offset 8192) on standby2"),
            "WAL differs at <lsn> (segment <segment>, offset N) on standby2");
}

// A pod of a Kubernetes Indexed Job: --shard_count N, i from the environment.
TEST(ShardFromEnvTest, JobCompletionIndexGivesTheShard) {
  int i = -1, n = -1;
  setenv("JOB_COMPLETION_INDEX", "2", 1);
  ASSERT_TRUE(ShardFromFlagOrEnv("", "4", &i, &n).ok());
  EXPECT_EQ(i, 2);
  EXPECT_EQ(n, 4);
  absl::Status st = ShardFromFlagOrEnv("", "2", &i, &n);
  EXPECT_TRUE(absl::StrContains(st.message(),
                                "JOB_COMPLETION_INDEX=2 is not a shard of "
                                "--shard_count 2"))
      << st;
  st = ShardFromFlagOrEnv("1/4", "4", &i, &n);
  EXPECT_EQ(st.message(), "give --shard i/n or --shard_count N, not both");
  unsetenv("JOB_COMPLETION_INDEX");
  st = ShardFromFlagOrEnv("", "4", &i, &n);
  EXPECT_TRUE(absl::StrContains(st.message(), "JOB_COMPLETION_INDEX")) << st;
  ASSERT_TRUE(ShardFromFlagOrEnv("3/8", "", &i, &n).ok());
  EXPECT_EQ(i, 3);
  EXPECT_EQ(n, 8);
}

}  // namespace
}  // namespace replsim::tools
