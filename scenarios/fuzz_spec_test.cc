// The fuzz spec loader refuses what cannot generate, with file:line:col;
// the generator is a pure function of (spec, seed), draws a different swarm
// per seed, and writes scenarios the scenario loader accepts as files.
#include <fstream>
#include <sstream>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scenarios/fuzz_generator.h"
#include "scenarios/fuzz_spec_loader.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

std::string ReadSpec() {
  std::ifstream in("scenarios/fuzz/primary_standby.textproto");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Error(const std::string& text) {
  absl::StatusOr<FuzzSpec> f = ParseFuzzSpec(text, "spec");
  return f.ok() ? "loaded" : std::string(f.status().message());
}

TEST(FuzzSpecTest, BundledSpecsLoad) {
  for (const char* p : {"scenarios/fuzz/primary_standby.textproto",
                        "scenarios/fuzz/primary_two_standbys.textproto"}) {
    EXPECT_TRUE(LoadFuzzSpecFile(p).ok()) << LoadFuzzSpecFile(p).status();
  }
}

TEST(FuzzSpecTest, BadSpecsNameLineAndColumn) {
  const std::string good = ReadSpec();
  ASSERT_EQ(Error(good), "loaded");
  // No operation kinds.
  std::string none;
  for (absl::string_view line : absl::StrSplit(good, '\n')) {
    if (!absl::StartsWith(line, "operations")) absl::StrAppend(&none, line, "\n");
  }
  EXPECT_THAT(Error(none), ContainsRegex("^spec:[0-9]+:[0-9]+: expected at least one operations"));
  // Every weight zero.
  std::string zero = good;
  for (const char* w : {"weight: 1 ", "weight: 2 ", "weight: 3 ", "weight: 4 "}) {
    zero = absl::StrReplaceAll(zero, {{w, "weight: 0 "}});
  }
  EXPECT_THAT(Error(zero), ContainsRegex("^spec:[0-9]+:1: every operation has weight 0"));
  // A topology that cannot start: nothing starts the primary.
  EXPECT_THAT(Error(absl::StrReplaceAll(good, {{"steps { start { node: \"primary\" } }\n", ""}})),
              ContainsRegex("^spec:[0-9]+:[0-9]+: .*cannot start|has no data directory"));
  EXPECT_THAT(Error(absl::StrReplaceAll(
                  good, {{"  steps { start { node: \"primary\" } }\n", ""},
                         {"steps { base_backup { node: \"standby\" upstream: \"primary\" } }\n"
                          "  steps { start { node: \"standby\" } }\n"
                          "  steps { wait_for_catch_up { node: \"standby\" timeout_s: 60 } }\n",
                          ""}})),
              ContainsRegex("^spec:[0-9]+:[0-9]+: the topology cannot start"));
  // Limits of zero.
  EXPECT_THAT(Error(absl::StrReplaceAll(good, {{"steps_max: 12", "steps_max: 0"}})),
              ContainsRegex("^spec:[0-9]+:3: limits: steps_max is 0"));
  EXPECT_THAT(Error(absl::StrReplaceAll(good, {{"delay_ms { min: 0 max: 300 }",
                                                "delay_ms { min: 0 max: 0 }"}})),
              ContainsRegex("^spec:[0-9]+:3: limits: delay_ms max is 0"));
  EXPECT_THAT(Error(absl::StrReplaceAll(good, {{"converge_s: 60", "converge_s: 0"}})),
              ContainsRegex("^spec:[0-9]+:[0-9]+: limits: converge_s is 0"));
  // The template is checked as a scenario file is, located in the spec.
  EXPECT_THAT(Error(absl::StrReplaceAll(good, {{"profile: \"pg-15\"", "profile: \"pg-9.9\""}})),
              ContainsRegex("^spec:11:3: unknown profile"));
}

TEST(FuzzGeneratorTest, PureFunctionOfSpecAndSeedAndLoadsAsAFile) {
  absl::StatusOr<FuzzSpec> spec = LoadFuzzSpecFile("scenarios/fuzz/primary_standby.textproto");
  ASSERT_TRUE(spec.ok());
  std::set<std::string> swarms;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    absl::StatusOr<GeneratedSchedule> a = GenerateSchedule(*spec, seed, "pg-15", "");
    absl::StatusOr<GeneratedSchedule> b = GenerateSchedule(*spec, seed, "pg-15", "");
    ASSERT_TRUE(a.ok() && b.ok()) << a.status();
    EXPECT_EQ(a->scenario.SerializeAsString(), b->scenario.SerializeAsString());
    EXPECT_GT(a->scenario.steps_size(), a->set_up_steps + a->liveness_steps - 1);
    for (const Step& st : a->scenario.steps()) {
      EXPECT_EQ(st.delay_ms().min(), st.delay_ms().max()) << "every delay fixed";
    }
    absl::StatusOr<Scenario> loaded = ParseScenario(ScheduleFileText(*a, "header"), "gen");
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_EQ(loaded->SerializeAsString(), a->scenario.SerializeAsString());
    swarms.insert(absl::StrJoin(a->enabled, ","));
  }
  EXPECT_GT(swarms.size(), 25u) << "swarm testing draws different kinds per seed";
}

}  // namespace
}  // namespace replsim::scenarios
