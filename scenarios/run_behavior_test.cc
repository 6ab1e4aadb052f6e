// Which behaviour a run has and what it may tolerate: the scenario's own
// switches apply under every profile, a run's switches override them switch
// by switch, and only the expect row describing the run's exact behaviour
// tolerates anything.
#include "gtest/gtest.h"
#include "google/protobuf/text_format.h"
#include "scenarios/runner.h"

namespace replsim::scenarios {
namespace {

Scenario Parse(const char* text) {
  Scenario s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &s));
  return s;
}

constexpr char kRows[] = R"pb(
  name: "t"
  profile: "pg-15"
  expect { profile: "pg-15" tolerated: LIVENESS }
  expect { profile: "pg-15" switches: "e0b581acd2=off" tolerated: WAL_PREFIX }
  expect { profile: "pg-9.3.0" }
)pb";

std::set<int> Tolerated(const Scenario& s, const std::string& profile,
                        const std::string& switches) {
  RunOptions o;
  o.profile = profile;
  o.switches = switches;
  absl::StatusOr<node::Behavior> b = ResolveBehavior(s, o);
  EXPECT_TRUE(b.ok()) << b.status();
  return b.ok() ? ToleratedFor(s, *b) : std::set<int>{};
}

TEST(RunBehaviorTest, OnlyTheRowOfTheRunsExactBehaviourTolerates) {
  const Scenario s = Parse(kRows);
  EXPECT_EQ(Tolerated(s, "", ""), std::set<int>{LIVENESS});
  EXPECT_EQ(Tolerated(s, "pg-15", ""), std::set<int>{LIVENESS});
  EXPECT_EQ(Tolerated(s, "pg-15", "e0b581acd2=off"), std::set<int>{WAL_PREFIX});
  // Asking for what the profile already has is the same behaviour.
  EXPECT_EQ(Tolerated(s, "pg-15", "e0b581acd2=on"), std::set<int>{LIVENESS});
  // A row that tolerates nothing, and a run no row describes.
  EXPECT_EQ(Tolerated(s, "pg-9.3.0", ""), std::set<int>{});
  EXPECT_EQ(Tolerated(s, "pg-9.3.4", ""), std::set<int>{});
  EXPECT_EQ(Tolerated(s, "pg-15", "07e8b6aabc=off"), std::set<int>{});
}

TEST(RunBehaviorTest, TheScenariosSwitchesApplyUnderEveryProfileUnlessOverridden) {
  Scenario s = Parse(kRows);
  s.add_switches("985bd7d497=off");
  RunOptions o;
  o.profile = "pg-9.3.0";  // not the scenario's profile
  absl::StatusOr<node::Behavior> b = ResolveBehavior(s, o);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(CanonicalSwitches(*b), "985bd7d497=off");
  o.switches = "985bd7d497=on";
  b = ResolveBehavior(s, o);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(CanonicalSwitches(*b), "");
}

TEST(RunBehaviorTest, CanonicalSwitchesNameOnlyWhatDiffersFromTheProfile) {
  const Scenario s = Parse(kRows);
  RunOptions o;
  o.profile = "pg-15";
  o.switches = "e0b581acd2=on, 07e8b6aabc=off,e0b581acd2=off";
  absl::StatusOr<node::Behavior> b = ResolveBehavior(s, o);
  ASSERT_TRUE(b.ok());
  const std::string c = CanonicalSwitches(*b);
  EXPECT_NE(c.find("07e8b6aabc=off"), std::string::npos) << c;
  EXPECT_NE(c.find("e0b581acd2=off"), std::string::npos) << c;
  // The canonical text asks for the same behaviour again.
  RunOptions again;
  again.profile = "pg-15";
  again.switches = c;
  absl::StatusOr<node::Behavior> b2 = ResolveBehavior(s, again);
  ASSERT_TRUE(b2.ok());
  EXPECT_EQ(CanonicalSwitches(*b2), c);
}

}  // namespace
}  // namespace replsim::scenarios
