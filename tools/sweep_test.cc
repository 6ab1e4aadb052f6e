#include "tools/sweep.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace replsim::tools {
namespace {

SeedOutcome FailOnMultiplesOf7(uint64_t seed) {
  SeedOutcome o;
  o.fingerprint = seed * 0x9E3779B97F4A7C15ULL;
  if (seed % 7 == 0) {
    o.kind = SeedOutcome::Kind::kSafety;
    o.violation = "seed is a multiple of 7";
  }
  return o;
}

std::string TempPath(const char* name) {
  const char* dir = std::getenv("TEST_TMPDIR");  // set by Bazel
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

std::string ReadFile(const std::string& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SweepTest, FindsFailuresAndAppendsThemToTheFile) {
  const std::string path = TempPath("f1.txt");
  std::remove(path.c_str());
  SweepOptions o{.first = 1, .last = 30, .failures_path = path, .label = "t"};
  auto r = RunSweep(o, FailOnMultiplesOf7);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->seeds_run, 30u);
  ASSERT_EQ(r->failures.size(), 4u);
  EXPECT_EQ(r->failures[0].first, 7u);
  const std::string text = ReadFile(path);
  EXPECT_NE(text.find("t seed=14 safety"), std::string::npos) << text;
  EXPECT_NE(text.find("t seed=28 safety"), std::string::npos) << text;
}

TEST(SweepTest, ARerunOfTheSameRangeResumesAfterWhatWasDone) {
  const std::string path = TempPath("f2.txt");
  std::remove(path.c_str());
  std::remove((path + ".progress").c_str());
  SweepOptions o{.first = 1, .last = 20, .failures_path = path, .label = "t"};
  ASSERT_TRUE(RunSweep(o, FailOnMultiplesOf7).ok());
  auto again = RunSweep(o, FailOnMultiplesOf7);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->seeds_run, 0u);
  EXPECT_EQ(again->seeds_skipped, 20u);
  // A different range starts over.
  o.last = 25;
  auto wider = RunSweep(o, FailOnMultiplesOf7);
  EXPECT_EQ(wider->seeds_run, 25u);
}

TEST(SweepTest, ShardsPartitionTheRange) {
  uint64_t total = 0;
  std::vector<uint64_t> fails;
  for (int i = 0; i < 3; ++i) {
    SweepOptions o{.first = 1, .last = 100, .shard_index = i, .shard_count = 3};
    auto r = RunSweep(o, FailOnMultiplesOf7);
    total += r->seeds_run;
    for (auto& f : r->failures) fails.push_back(f.first);
  }
  EXPECT_EQ(total, 100u);
  EXPECT_EQ(fails.size(), 14u);
}

TEST(SweepTest, JobsGiveTheSameResultsAsOneProcess) {
  SweepOptions one{.first = 1, .last = 200};
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

TEST(SweepTest, AWorkerThatDiesIsReportedWithItsSeedNotCountedClean) {
  // With two jobs, worker 1 runs the even seeds; it aborts on seed 10, as a
  // CHECK failure in the simulator would.
  const std::string path = TempPath("f_crash.txt");
  std::remove(path.c_str());
  std::remove((path + ".progress").c_str());
  SweepOptions o{.first = 1, .last = 20, .jobs = 2, .failures_path = path, .label = "t"};
  auto r = RunSweep(o, [](uint64_t seed) {
    if (seed == 10) std::abort();
    return FailOnMultiplesOf7(seed);
  });
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->crashes.size(), 1u);
  EXPECT_EQ(r->crashes[0].seed, 10u);
  EXPECT_EQ(r->crashes[0].seeds_lost, 6u);  // 10, 12, ..., 20
  EXPECT_EQ(r->crashes[0].how, "killed by signal 6 (Aborted)");
  EXPECT_EQ(r->seeds_run, 14u);  // every odd seed, and 2..8
  ASSERT_EQ(r->failures.size(), 1u);  // 7; 14 was never run
  const std::string text = ReadFile(path);
  EXPECT_NE(text.find("t seed=7 safety"), std::string::npos) << text;
  EXPECT_NE(text.find("t seed=10 crash the worker running it was killed by signal 6 "
                      "(Aborted); 6 seed(s) of its share were not run"),
            std::string::npos)
      << text;
  // The progress stops before the seed that crashed: a rerun starts there.
  std::ifstream progress(path + ".progress");
  std::string key, count;
  std::getline(progress, key);
  std::getline(progress, count);
  EXPECT_EQ(count, "9");
}

TEST(SweepTest, BadRangesAndShardsAreClearErrors) {
  uint64_t a, b;
  int i, n;
  EXPECT_EQ(ParseSeedRange("5..2", &a, &b).message(), "--seeds: the range 5..2 is empty (A > B)");
  EXPECT_FALSE(ParseSeedRange("1-5", &a, &b).ok());
  EXPECT_FALSE(ParseSeedRange("x..5", &a, &b).ok());
  EXPECT_TRUE(ParseSeedRange("0..18446744073709551615", &a, &b).ok());
  EXPECT_FALSE(ParseShard("3/3", &i, &n).ok());
  EXPECT_FALSE(ParseShard("0/0", &i, &n).ok());
  EXPECT_TRUE(ParseShard("2/3", &i, &n).ok());
}

}  // namespace
}  // namespace replsim::tools
