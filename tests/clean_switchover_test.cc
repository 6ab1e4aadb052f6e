// The headline: a CI-sized slice of the clean_switchover sweep. Before
// 985bd7d497 (pg-9.3beta2) some seeds lose the tail of WAL at the switchover,
// for the real reason (the walsender exited before the standby confirmed its
// flush); with the fix (pg-9.3.0, pg-15) none does. The long sweep is
// //tests:clean_switchover_long (manual).
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

uint64_t SeedsFromEnv(uint64_t dflt) {
  const char* n = std::getenv("REPLSIM_SEEDS");
  return n != nullptr ? std::strtoull(n, nullptr, 10) : dflt;
}

struct SweepCount {
  uint64_t failing = 0;
  uint64_t first_failing = 0;
};

SweepCount Sweep(const Scenario& s, const std::string& profile, uint64_t seeds) {
  SweepCount c;
  RunOptions o;
  o.profile = profile;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    auto r = RunScenario(s, seed, o);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok() || r->first_violation() == nullptr) continue;
    EXPECT_EQ(r->first_violation()->invariant, CLEAN_SWITCHOVER)
        << profile << " seed " << seed << ": " << r->first_violation()->message;
    if (c.failing++ == 0) c.first_failing = seed;
  }
  return c;
}

class CleanSwitchoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = LoadScenarioFile("scenarios/clean_switchover.textproto");
    ASSERT_TRUE(s.ok()) << s.status();
    scenario_ = *s;
  }
  Scenario scenario_;
};

TEST_F(CleanSwitchoverTest, BeforeTheFixSomeSeedsLoseTheTailForTheRealReason) {
  // About 3 seeds in 10,000 lose the tail (6 of the first 20,000; the
  // first two are 7971 and 12415).
  const uint64_t seeds = SeedsFromEnv(8000);
  SweepCount c = Sweep(scenario_, "pg-9.3beta2", seeds);
  std::printf("pg-9.3beta2: %lu of %lu seeds fail; first %lu\n",
              static_cast<unsigned long>(c.failing), static_cast<unsigned long>(seeds),
              static_cast<unsigned long>(c.first_failing));
  ASSERT_GT(c.failing, 0u);
  // The first failing seed's evidence: the walsender left before the standby
  // had flushed what it was sent.
  RunOptions o;
  o.profile = "pg-9.3beta2";
  o.keep_trace = true;
  auto r = RunScenario(scenario_, c.first_failing, o);
  ASSERT_TRUE(r.ok());
  const Violation* v = r->first_violation();
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(absl::StrContains(v->evidence, "walsender exiting at shutdown")) << v->evidence;
  bool rst = false, tail_missed = false;
  for (const sim::TraceEvent& e : r->trace) {
    rst |= e.kind == "tcp_rst_received" && e.host == "standby";
    if (e.kind == "log" && e.host == "standby") {
      const sim::TraceField* m = e.Find("message");
      tail_missed |= m != nullptr && absl::StrContains(m->s, "could not send data to WAL stream");
    }
  }
  EXPECT_TRUE(rst) << "the walsender's close reset the connection";
  EXPECT_TRUE(tail_missed) << "the walreceiver died on its send before reading the tail";
}

TEST_F(CleanSwitchoverTest, WithTheFixNoSeedFails) {
  const uint64_t seeds = SeedsFromEnv(300);
  for (const char* profile : {"pg-9.3.0", "pg-15"}) {
    SweepCount c = Sweep(scenario_, profile, seeds);
    EXPECT_EQ(c.failing, 0u) << profile << ": first failing seed " << c.first_failing;
  }
}

TEST_F(CleanSwitchoverTest, AStandbyHitByAFaultAtTheStopMissesTheTailAsExpected) {
  // The invariant holds for a clean stop with a connected, streaming standby
  // and no fault in progress. Just before the stop, reset the connections,
  // tell the standby's walreceiver to end (it may still be handling the
  // signal when the shutdown runs), or arm a failed fsync on the standby:
  // the standby misses the tail and cannot
  // rejoin, which PostgreSQL never promised otherwise. The violations say
  // so, and are tolerated outcomes because this variant's expect rows list
  // CLEAN_SWITCHOVER (nothing tolerates them otherwise), under the profile
  // before the fix and after it.
  std::ifstream in("scenarios/clean_switchover.textproto");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string original = buf.str();
  const std::string stop =
      "steps { delay_ms { min: 0 max: 50 } stop { node: \"primary\" mode: FAST timeout_s: 120 } }";
  const size_t at = original.find(stop);
  ASSERT_NE(at, std::string::npos);
  for (const char* fault : {"drop_connections { node: \"primary\" }",
                            "kill { node: \"standby\" process: \"walreceiver\" signal: "
                            "\"SIGTERM\" }",
                            "disk_fault { node: \"standby\" kind: FAIL_NEXT_FSYNC }"}) {
    std::string text = original;
    // A failed fsync PANICs the walreceiver, as it should: not what this
    // test looks at.
    const size_t no_panic = text.find("invariants: NO_PANIC\n");
    ASSERT_NE(no_panic, std::string::npos);
    text.erase(no_panic, std::string("invariants: NO_PANIC\n").size());
    for (const char* row : {"expect { profile: \"pg-9.3beta2\" violations_expected: true",
                            "expect { profile: \"pg-15\" violations_expected: false"}) {
      const size_t row_at = text.find(row);
      ASSERT_NE(row_at, std::string::npos) << row;
      text.insert(row_at + std::string(row).size(), " tolerated: CLEAN_SWITCHOVER");
    }
    const size_t stop_at = text.find(stop);
    ASSERT_NE(stop_at, std::string::npos);
    text.replace(stop_at, stop.size(),
                 absl::StrCat("steps { delay_ms { min: 0 max: 50 } ", fault,
                              " }\nsteps { delay_ms { min: 0 max: 3 } stop { node: "
                              "\"primary\" mode: FAST timeout_s: 120 } }"));
    auto s = ParseScenario(text, "clean_switchover with a fault before the stop");
    ASSERT_TRUE(s.ok()) << s.status();
    for (const char* profile : {"pg-9.3beta2", "pg-15"}) {
      RunOptions o;
      o.profile = profile;
      int expected_misses = 0;
      for (uint64_t seed = 1; seed <= 60; ++seed) {
        auto r = RunScenario(*s, seed, o);
        ASSERT_TRUE(r.ok()) << r.status();
        EXPECT_EQ(r->first_violation(), nullptr)
            << fault << " " << profile << " seed " << seed << ": "
            << r->first_violation()->message;
        for (const Violation& v : r->violations) {
          if (v.tolerated && v.invariant == CLEAN_SWITCHOVER &&
              absl::StrContains(v.message, "; outside CLEAN_SWITCHOVER's precondition, since ")) {
            ++expected_misses;
            break;
          }
        }
      }
      EXPECT_GT(expected_misses, 10) << fault << " " << profile;
    }
  }
}

}  // namespace
}  // namespace replsim::scenarios
