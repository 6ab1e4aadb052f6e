// RunSeed as a sweep uses it: the seed runs without a fingerprint, a failing
// seed runs again with one, and a rerun that finds something else is
// reported as NONDETERMINISM rather than taken at its word.
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tools/cli_common.h"

namespace replsim::tools {
namespace {

scenarios::RunReport Report(uint64_t events, const char* violation) {
  scenarios::RunReport r;
  r.events = events;
  if (violation != nullptr) {
    scenarios::Violation v;
    v.invariant = scenarios::CLEAN_SWITCHOVER;
    v.message = violation;
    r.violations.push_back(v);
  }
  return r;
}

// Returns the given reports in turn and records whether each call hashed.
struct FakeRuns {
  std::vector<scenarios::RunReport> reports;
  std::vector<bool> hashed;
  ScenarioRun AsRun() {
    return [this](const scenarios::RunOptions& o) -> absl::StatusOr<scenarios::RunReport> {
      scenarios::RunReport r = reports.at(hashed.size());
      hashed.push_back(o.fingerprint);
      if (o.fingerprint) r.fingerprint = 0xF1F1;
      return r;
    };
  }
};

TEST(RunSeedTest, APassingSeedRunsOnceWithoutAFingerprint) {
  FakeRuns f{{Report(400, nullptr)}};
  SeedOutcome o = RunSeedWith(f.AsRun(), {});
  EXPECT_EQ(o.kind, SeedOutcome::Kind::kOk);
  EXPECT_EQ(f.hashed, std::vector<bool>{false});
}

TEST(RunSeedTest, AFailingSeedRunsAgainForItsFingerprint) {
  FakeRuns f{{Report(400, "missed the tail"), Report(400, "missed the tail")}};
  SeedOutcome o = RunSeedWith(f.AsRun(), {});
  EXPECT_EQ(o.kind, SeedOutcome::Kind::kSafety);
  EXPECT_EQ(f.hashed, (std::vector<bool>{false, true}));
  EXPECT_EQ(o.fingerprint, 0xF1F1u);
  EXPECT_TRUE(absl::StrContains(o.violation, "CLEAN_SWITCHOVER at 0.000000s: missed the tail"))
      << o.violation;
}

TEST(RunSeedTest, ARerunThatDiffersIsNondeterminism) {
  FakeRuns events{{Report(400, "missed the tail"), Report(401, "missed the tail")}};
  SeedOutcome o = RunSeedWith(events.AsRun(), {});
  EXPECT_EQ(o.kind, SeedOutcome::Kind::kSafety);
  EXPECT_TRUE(absl::StartsWith(o.violation, "NONDETERMINISM")) << o.violation;
  EXPECT_TRUE(absl::StrContains(o.violation, "400 events")) << o.violation;
  EXPECT_TRUE(absl::StrContains(o.violation, "401 events")) << o.violation;

  FakeRuns passes{{Report(400, "missed the tail"), Report(400, nullptr)}};
  o = RunSeedWith(passes.AsRun(), {});
  EXPECT_TRUE(absl::StartsWith(o.violation, "NONDETERMINISM")) << o.violation;
}

}  // namespace
}  // namespace replsim::tools
