// Only a scenario's own expect rows tolerate an outcome (issue 17). A
// partition between the primary and its standby just before a fast stop
// keeps the standby from the tail of WAL: CLEAN_SWITCHOVER's precondition
// does not hold, and the violation says so, but it used to be marked
// tolerated by the run itself. Now it is reported like any other unless the
// scenario's row for the run lists CLEAN_SWITCHOVER; and the old primary,
// ahead of the promoted standby on the timeline it forked from, is not
// taken for caught up with it.
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

// clean_switchover with the link cut for 70 s right before the fast stop
// (pg-15 waits for the standby until wal_sender_timeout, 60 s, then stops
// without it), its pg-15 row tolerating CLEAN_SWITCHOVER or not.
Scenario PartitionedSwitchover(bool tolerate) {
  std::ifstream in("scenarios/clean_switchover.textproto");
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  const std::string stop =
      "steps { delay_ms { min: 0 max: 50 } stop { node: \"primary\" mode: FAST timeout_s: 120 } }";
  const size_t at = text.find(stop);
  EXPECT_NE(at, std::string::npos);
  text.insert(at,
              "steps { partition { a: \"primary\" b: \"standby\" duration_ms { min: 70000 max: "
              "70000 } } }\n");
  if (tolerate) {
    const std::string row = "expect { profile: \"pg-15\" violations_expected: false";
    const size_t row_at = text.find(row);
    EXPECT_NE(row_at, std::string::npos);
    text.insert(row_at + row.size(), " tolerated: CLEAN_SWITCHOVER");
  }
  auto s = ParseScenario(text, "clean_switchover with a partition before the stop");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario();
}

constexpr char kWhy[] =
    "; outside CLEAN_SWITCHOVER's precondition, since when the stop began, the link between "
    "primary and standby was cut";

TEST(ExplicitToleranceTest, APartitionBeforeAFastStopIsReportedUnlessTheRowToleratesIt) {
  const Scenario reported = PartitionedSwitchover(false);
  const Scenario tolerated = PartitionedSwitchover(true);
  RunOptions o;
  o.profile = "pg-15";
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    auto r = RunScenario(reported, seed, o);
    ASSERT_TRUE(r.ok()) << r.status();
    const Violation* v = r->first_violation();
    ASSERT_NE(v, nullptr) << "seed " << seed;
    EXPECT_EQ(v->invariant, CLEAN_SWITCHOVER) << v->message;
    EXPECT_FALSE(v->tolerated);
    EXPECT_TRUE(absl::StrContains(v->message, "it missed the tail of WAL")) << v->message;
    EXPECT_TRUE(absl::EndsWith(v->message, kWhy)) << v->message;

    auto t = RunScenario(tolerated, seed, o);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->first_violation(), nullptr)
        << "seed " << seed << ": " << t->first_violation()->message;
    // Both outcomes are still reported: the missed tail at the promotion,
    // and the old primary that cannot follow the new timeline.
    bool missed = false, cannot_rejoin = false;
    for (const Violation& u : t->violations) {
      EXPECT_EQ(u.invariant, CLEAN_SWITCHOVER) << u.message;
      EXPECT_TRUE(u.tolerated) << u.message;
      missed |= absl::StrContains(u.message, "it missed the tail of WAL");
      cannot_rejoin |= absl::StrContains(u.message,
                                         "cannot rejoin as a standby: new timeline 2 "
                                         "forked off current database system timeline 1");
    }
    EXPECT_TRUE(missed) << "seed " << seed;
    EXPECT_TRUE(cannot_rejoin) << "seed " << seed;
  }
}

}  // namespace
}  // namespace replsim::scenarios
