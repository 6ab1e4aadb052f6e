// A generated schedule written as a file replays to the same outcome and
// fingerprint without the generator (a sample of seeds, failing ones
// included); shrink makes a failing schedule smaller and it still fails
// with the same signature; signatures strip LSNs, numbers and times.
#include <string>

#include "gtest/gtest.h"
#include "protocol/os/check.h"
#include "scenarios/fuzz_generator.h"
#include "scenarios/fuzz_spec_loader.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "tools/cli_common.h"
#include "tools/fuzz_shrink.h"

namespace replsim::tools {
namespace {

using scenarios::FuzzSpec;
using scenarios::GeneratedSchedule;

FuzzSpec Spec() {
  absl::StatusOr<FuzzSpec> spec =
      scenarios::LoadFuzzSpecFile("scenarios/fuzz/primary_standby.textproto");
  CHECK(spec.ok()) << spec.status();
  return *spec;
}

TEST(FuzzSignatureTest, StripsLsnsNumbersAndTimes) {
  SeedOutcome a{SeedOutcome::Kind::kSafety, 0, "CLEAN_SWITCHOVER",
                "CLEAN_SWITCHOVER at 1.250000s: standby was promoted at 0/1001630 (timeline 2), "
                "pid 17"};
  SeedOutcome b = a;
  b.violation = "CLEAN_SWITCHOVER at 9.000001s: standby was promoted at 0/2A0BC8 (timeline 3), "
                "pid 4";
  EXPECT_EQ(FailureSignature(a), FailureSignature(b));
  EXPECT_EQ(FailureSignature(a),
            "CLEAN_SWITCHOVER: standby was promoted at X/X (timeline N), pid N");
  b.violation = "CLEAN_SWITCHOVER at 1.25s: standby2 was promoted at 0/1001630 (timeline 2), pid 17";
  EXPECT_NE(FailureSignature(a), FailureSignature(b)) << "node names are kept";
}

TEST(FuzzReproducerTest, WrittenScenariosReplayToTheSameFingerprint) {
  const FuzzSpec spec = Spec();
  int failing = 0;
  // Every seed up to the third failing one (seed 1..400).
  for (uint64_t seed = 1; seed <= 400 && failing < 3; ++seed) {
    absl::StatusOr<GeneratedSchedule> g = scenarios::GenerateSchedule(spec, seed, "pg-15", "");
    ASSERT_TRUE(g.ok());
    absl::StatusOr<scenarios::Scenario> file =
        scenarios::ParseScenario(scenarios::ScheduleFileText(*g, "a header"), "reproducer");
    ASSERT_TRUE(file.ok()) << file.status();
    scenarios::RunOptions o;
    o.profile = "pg-15";
    absl::StatusOr<scenarios::RunReport> fuzzed = scenarios::RunScenario(g->scenario, seed, o);
    absl::StatusOr<scenarios::RunReport> replayed = scenarios::RunScenario(*file, seed, o);
    ASSERT_TRUE(fuzzed.ok() && replayed.ok());
    EXPECT_EQ(fuzzed->fingerprint, replayed->fingerprint) << "seed " << seed;
    const scenarios::Violation* v = fuzzed->first_violation();
    const scenarios::Violation* w = replayed->first_violation();
    ASSERT_EQ(v == nullptr, w == nullptr) << "seed " << seed;
    if (v != nullptr) {
      ++failing;
      EXPECT_EQ(v->message, w->message);
    }
  }
  EXPECT_EQ(failing, 3) << "the sample has failing seeds (pg-15 with generic faults)";
}

TEST(ShrinkTest, ReducesAFailingScheduleThatStillFailsTheSameWay) {
  const FuzzSpec spec = Spec();
  scenarios::RunOptions o;
  o.profile = "pg-15";
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    absl::StatusOr<GeneratedSchedule> g = scenarios::GenerateSchedule(spec, seed, "pg-15", "");
    ASSERT_TRUE(g.ok());
    const SeedOutcome out = RunSeed(g->scenario, seed, o);
    if (out.kind == SeedOutcome::Kind::kOk) continue;
    const std::string sig = FailureSignature(out);
    const ShrinkResult r = Shrink(g->scenario, seed, o, sig);
    EXPECT_LT(r.steps_after, r.steps_before);
    EXPECT_LE(r.seconds_after, r.seconds_before);
    const SeedOutcome again = RunSeed(r.scenario, seed, o);
    EXPECT_NE(again.kind, SeedOutcome::Kind::kOk);
    EXPECT_EQ(FailureSignature(again), sig);
    EXPECT_TRUE(scenarios::ValidateScenario(r.scenario,
                                            scenarios::ScenarioLocator("shrunk", nullptr))
                    .ok());
    return;
  }
  FAIL() << "no failing seed in 1..400 to shrink";
}

}  // namespace
}  // namespace replsim::tools

namespace replsim::tools {
namespace {

// The generic spec, steered at no bug, finds 985bd7d497: seed 21561 is the
// first of seeds 1..20000 whose schedule loses the shutdown checkpoint's
// tail inside CLEAN_SWITCHOVER's precondition under pg-9.3beta2 (a fuzz of
// 1..20000 took about 4 minutes on one core); the same schedule is clean
// under pg-9.3.0, which has the fix.
TEST(FuzzFindsTest, CleanSwitchoverUnderPg93beta2Seed21561) {
  const FuzzSpec spec = Spec();
  for (const char* profile : {"pg-9.3beta2", "pg-9.3.0"}) {
    absl::StatusOr<GeneratedSchedule> g = scenarios::GenerateSchedule(spec, 21561, profile, "");
    ASSERT_TRUE(g.ok());
    scenarios::RunOptions o;
    o.profile = profile;
    const SeedOutcome out = RunSeed(g->scenario, 21561, o);
    if (std::string(profile) == "pg-9.3beta2") {
      EXPECT_EQ(FailureSignature(out),
                "CLEAN_SWITCHOVER: standby was promoted at X/X (timeline N), before the end of "
                "primary's shutdown checkpoint X/X..X/X: it missed the tail of WAL, so primary "
                "cannot rejoin without a new base backup");
    } else {
      EXPECT_EQ(out.kind, SeedOutcome::Kind::kOk) << out.violation;
    }
  }
}

}  // namespace
}  // namespace replsim::tools
