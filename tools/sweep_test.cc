// A sweep as a user relies on it: failures land in the file as JSON records
// that say how to reproduce them, a rerun resumes only the same sweep and
// repeats its result, an interrupt loses nothing and runs nothing twice, and
// a seed that crashes replsim is reported while every other seed still runs.
#include "tools/sweep.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tools/sweep_record.h"

namespace replsim::tools {
namespace {

SeedOutcome FailOnMultiplesOf7(uint64_t seed) {
  SeedOutcome o;
  o.fingerprint = seed * 0x9E3779B97F4A7C15ULL;
  if (seed % 7 == 0) {
    o.kind = SeedOutcome::Kind::kSafety;
    o.invariant = "WAL_PREFIX";
    o.violation = "seed is a multiple of 7";
  }
  return o;
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");  // set by Bazel
  const std::string p = std::string(dir ? dir : "/tmp") + "/" + name;
  std::remove(p.c_str());
  std::remove((p + ".progress").c_str());
  return p;
}

std::vector<std::string> Lines(const std::string& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

SweepOptions Options(uint64_t first, uint64_t last, const std::string& failures = "") {
  SweepOptions o;
  o.identity.scenario_path = "scenarios/x.textproto";
  o.identity.scenario_name = "x";
  o.identity.scenario_hash = 0x1234;
  o.identity.profile = "pg-15";
  o.identity.first = first;
  o.identity.last = last;
  o.identity.version = "test";
  o.failures_path = failures;
  return o;
}

TEST(SweepTest, FailuresAreJsonRecordsThatSayHowToReproduceThem) {
  const std::string path = TempPath("f1.jsonl");
  SweepOptions o = Options(1, 30, path);
  o.identity.switches = "985bd7d497=off";
  auto r = RunSweep(o, FailOnMultiplesOf7);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->seeds_run, 30u);
  ASSERT_EQ(r->failures.size(), 4u);
  EXPECT_EQ(r->failures[0].first, 7u);
  const std::vector<std::string> lines = Lines(path);
  ASSERT_EQ(lines.size(), 4u);
  absl::StatusOr<ParsedRecord> rec = RecordFromJson(lines[1]);
  ASSERT_TRUE(rec.ok()) << rec.status() << "\n" << lines[1];
  EXPECT_EQ(rec->record.seed, 14u);
  EXPECT_EQ(rec->record.outcome, "safety");
  EXPECT_EQ(rec->record.invariant, "WAL_PREFIX");
  EXPECT_EQ(rec->record.fingerprint, 14 * 0x9E3779B97F4A7C15ULL);
  EXPECT_EQ(rec->record.message, "seed is a multiple of 7");
  EXPECT_EQ(rec->identity.scenario_path, "scenarios/x.textproto");
  EXPECT_EQ(rec->identity.profile, "pg-15");
  EXPECT_EQ(rec->identity.switches, "985bd7d497=off");
  EXPECT_EQ(rec->sweep_key, o.identity.KeyHex());
  EXPECT_TRUE(absl::StrContains(lines[1],
                                "\"replay\":\"bazel run //tools:replsim -- replay "
                                "scenarios/x.textproto --seed 14 --profile pg-15 "
                                "--switches 985bd7d497=off\""))
      << lines[1];
}

TEST(SweepTest, AFinishedSweepRerunRepeatsItsResult) {
  const std::string path = TempPath("f2.jsonl");
  SweepOptions o = Options(1, 20, path);
  ASSERT_TRUE(RunSweep(o, FailOnMultiplesOf7).ok());
  auto again = RunSweep(o, [](uint64_t) -> SeedOutcome {
    ADD_FAILURE() << "a finished sweep ran a seed again";
    return {};
  });
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_done);
  EXPECT_EQ(again->seeds_run, 0u);
  EXPECT_EQ(again->seeds_resumed, 20u);
  ASSERT_EQ(again->failures.size(), 2u);  // 7 and 14, from the file
  EXPECT_EQ(again->failures[1].first, 14u);
  EXPECT_EQ(again->failures[1].second.violation, "seed is a multiple of 7");
  EXPECT_EQ(Lines(path).size(), 2u);  // nothing written twice
}

TEST(SweepTest, ResumeIsKeyedByEverythingThatDecidesARun) {
  struct Change {
    const char* what;
    void (*apply)(SweepIdentity&);
    const char* said;
  } changes[] = {
      {"profile", [](SweepIdentity& id) { id.profile = "pg-9.3beta2"; },
       "profile pg-15 (this sweep: pg-9.3beta2)"},
      {"switches", [](SweepIdentity& id) { id.switches = "985bd7d497=off"; }, "switches"},
      {"scenario", [](SweepIdentity& id) { id.scenario_hash = 0x9999; },
       "the scenario file's contents"},
      {"build", [](SweepIdentity& id) { id.version = "other"; }, "another replsim build"},
      {"range", [](SweepIdentity& id) { id.last = 25; }, "seeds 1..20 (this sweep: 1..25)"},
      {"shard", [](SweepIdentity& id) { id.shard_count = 2; }, "shard 0/1"},
  };
  for (const Change& c : changes) {
    const std::string path = TempPath(std::string("f3_") + c.what);
    SweepOptions o = Options(1, 20, path);
    ASSERT_TRUE(RunSweep(o, FailOnMultiplesOf7).ok());
    c.apply(o.identity);
    auto r = RunSweep(o, FailOnMultiplesOf7);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->already_done) << c.what;
    EXPECT_EQ(r->seeds_resumed, 0u) << c.what;
    EXPECT_EQ(r->seeds_run, r->seeds_total) << c.what;
    EXPECT_TRUE(absl::StrContains(r->resume_note, "starting afresh")) << r->resume_note;
    EXPECT_TRUE(absl::StrContains(r->resume_note, c.said)) << c.what << ": " << r->resume_note;
  }
}

TEST(SweepTest, AnInterruptLosesNothingAndNoSeedRunsTwice) {
  for (int jobs : {1, 2}) {
    const std::string path = TempPath("f4_" + std::to_string(jobs));
    const std::string ran = TempPath("f4_ran_" + std::to_string(jobs));
    SweepOptions o = Options(1, 200, path);
    o.jobs = jobs;
    // Every run of a seed is logged; seed 120 interrupts the sweep, as ^C.
    auto runner = [&](uint64_t seed) {
      std::ofstream(ran, std::ios::app) << seed << "\n";
      if (seed == 120) {
        kill(getppid(), SIGINT);
        std::this_thread::sleep_for(std::chrono::seconds(5));  // killed first
      }
      return FailOnMultiplesOf7(seed);
    };
    auto first = RunSweep(o, runner);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->interrupted_by, SIGINT);
    EXPECT_LT(first->seeds_done(), 200u);
    EXPECT_GE(first->seeds_done(), 100u);
    const size_t failing_before = first->failures.size();
    auto second = RunSweep(o, FailOnMultiplesOf7);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->interrupted_by, 0);
    EXPECT_EQ(second->seeds_resumed, first->seeds_done());
    EXPECT_EQ(second->seeds_done(), 200u);
    EXPECT_GT(second->seeds_run, 0u);
    // Every failure once, in the result and in the file.
    EXPECT_EQ(second->failures.size(), 28u);
    EXPECT_GE(second->failures.size(), failing_before);
    std::set<std::string> seen;
    for (const std::string& l : Lines(path)) EXPECT_TRUE(seen.insert(l).second) << l;
    EXPECT_EQ(seen.size(), 28u);
    // No seed the first run finished ran again.
    std::set<uint64_t> done_first;
    for (const std::string& l : Lines(ran)) done_first.insert(std::stoull(l));
    for (const auto& [seed, outcome] : first->failures) EXPECT_TRUE(done_first.count(seed));
  }
}

TEST(SweepTest, ProgressIsSavedWhileTheSweepRuns) {
  const std::string path = TempPath("f5.jsonl");
  const std::string seen = TempPath("f5_seen");
  SweepOptions o = Options(1, 8, path);
  auto r = RunSweep(o, [&](uint64_t seed) {
    if (seed < 6) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    if (seed == 6) {
      std::ifstream in(path + ".progress");
      std::stringstream s;
      s << in.rdbuf();
      std::ofstream(seen) << s.str();
    }
    return SeedOutcome{};
  });
  ASSERT_TRUE(r.ok());
  std::ifstream in(seen);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // After 1.5 s of work, at most a second of it is unsaved.
  EXPECT_TRUE(absl::StrContains(text, "\ndone 2\n") || absl::StrContains(text, "\ndone 3\n") ||
              absl::StrContains(text, "\ndone 4\n") || absl::StrContains(text, "\ndone 5\n"))
      << text;
}

TEST(SweepTest, ShardsPartitionTheRange) {
  uint64_t total = 0;
  std::vector<uint64_t> fails;
  for (int i = 0; i < 3; ++i) {
    SweepOptions o = Options(1, 100);
    o.identity.shard_index = i;
    o.identity.shard_count = 3;
    auto r = RunSweep(o, FailOnMultiplesOf7);
    total += r->seeds_run;
    for (auto& f : r->failures) fails.push_back(f.first);
  }
  EXPECT_EQ(total, 100u);
  EXPECT_EQ(fails.size(), 14u);
}

TEST(SweepTest, JobsGiveTheSameResultsAsOneProcess) {
  SweepOptions one = Options(1, 200);
  SweepOptions two = one;
  two.jobs = 2;
  auto a = RunSweep(one, FailOnMultiplesOf7);
  auto b = RunSweep(two, FailOnMultiplesOf7);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(b->seeds_run, 200u);
  ASSERT_EQ(a->failures.size(), b->failures.size());
  for (size_t i = 0; i < a->failures.size(); ++i) {
    EXPECT_EQ(a->failures[i].first, b->failures[i].first);
    EXPECT_EQ(a->failures[i].second.fingerprint, b->failures[i].second.fingerprint);
    EXPECT_EQ(a->failures[i].second.violation, b->failures[i].second.violation);
  }
}

TEST(SweepTest, ReportsWhatItCostTheParentAndTheWorkers) {
  // Seed 3 makes its worker resident in 64 MiB more than the parent ever is,
  // and every seed burns CPU in the worker, not in the parent.
  auto r = RunSweep(Options(1, 6), [](uint64_t seed) {
    if (seed == 3) {
      std::vector<char> big(64 << 20);
      for (size_t i = 0; i < big.size(); i += 4096) big[i] = 1;
      volatile char sink = big[big.size() / 2];
      (void)sink;
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(30);
    volatile uint64_t spin = 0;
    while (std::chrono::steady_clock::now() < until) spin = spin + 1;
    return FailOnMultiplesOf7(seed);
  });
  ASSERT_TRUE(r.ok());
  EXPECT_GE(r->worker_peak_rss_mib, 64);
  EXPECT_GT(r->parent_peak_rss_mib, 0);
  EXPECT_LT(r->parent_peak_rss_mib, r->worker_peak_rss_mib);
  EXPECT_GE(r->worker_cpu_seconds, 0.15);  // 6 seeds of 30 ms on a core
  EXPECT_LT(r->parent_cpu_seconds, r->worker_cpu_seconds);
}

TEST(SweepTest, ASeedThatCrashesIsReportedAndEveryOtherSeedStillRuns) {
  for (int jobs : {1, 2}) {
    const std::string path = TempPath("f_crash_" + std::to_string(jobs));
    SweepOptions o = Options(1, 20, path);
    o.jobs = jobs;
    auto r = RunSweep(o, [](uint64_t seed) {
      if (seed == 10) {
        std::fprintf(stderr, "sim/x.cc:1: CHECK failed: a model bug\n");
        std::abort();
      }
      return FailOnMultiplesOf7(seed);
    });
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->crashes.size(), 1u) << jobs;
    EXPECT_EQ(r->crashes[0].seed, 10u);
    EXPECT_EQ(r->crashes[0].how, "killed by signal 6 (Aborted)");
    EXPECT_EQ(r->crashes[0].last_words, "sim/x.cc:1: CHECK failed: a model bug");
    EXPECT_EQ(r->seeds_run, 19u);
    EXPECT_EQ(r->seeds_done(), 20u);
    ASSERT_EQ(r->failures.size(), 2u);  // 7 and 14: the seeds after the crash ran
    const std::vector<std::string> lines = Lines(path);
    ASSERT_EQ(lines.size(), 3u);
    bool crash_line = false;
    for (const std::string& l : lines) {
      absl::StatusOr<ParsedRecord> rec = RecordFromJson(l);
      ASSERT_TRUE(rec.ok()) << l;
      if (rec->record.outcome != "crash") continue;
      crash_line = true;
      EXPECT_EQ(rec->record.seed, 10u);
      EXPECT_TRUE(absl::StrContains(rec->record.message, "CHECK failed: a model bug")) << l;
    }
    EXPECT_TRUE(crash_line);
  }
}

TEST(SweepTest, BadRangesAndShardsAreClearErrors) {
  uint64_t a, b;
  int i, n;
  EXPECT_EQ(ParseSeedRange("5..2", &a, &b).message(), "--seeds: the range 5..2 is empty (A > B)");
  EXPECT_FALSE(ParseSeedRange("1-5", &a, &b).ok());
  EXPECT_FALSE(ParseSeedRange("x..5", &a, &b).ok());
  EXPECT_FALSE(ParseSeedRange("1..18446744073709551616", &a, &b).ok());
  EXPECT_FALSE(ParseSeedRange("+1..5", &a, &b).ok());
  EXPECT_FALSE(ParseSeedRange("0..18446744073709551615", &a, &b).ok());
  EXPECT_TRUE(ParseSeedRange("1..18446744073709551615", &a, &b).ok());
  EXPECT_EQ(b, 18446744073709551615ULL);
  EXPECT_FALSE(ParseShard("3/3", &i, &n).ok());
  EXPECT_FALSE(ParseShard("0/0", &i, &n).ok());
  EXPECT_TRUE(ParseShard("2/3", &i, &n).ok());
}

TEST(SweepTest, SeedsFromTwoToTheSixtyThreeUpRun) {
  SweepOptions o = Options(18446744073709551610ULL, 18446744073709551615ULL);
  std::vector<uint64_t> ran;
  auto r = RunSweep(o, FailOnMultiplesOf7);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->seeds_run, 6u);
}

}  // namespace
}  // namespace replsim::tools
