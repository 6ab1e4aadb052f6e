// Steps that wait on the workload or the clock do what scenario.proto says:
// stop_workload waits for every session to end and reports one that cannot,
// and time_limit_s ends a run whose steps would go past it.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "tests/streaming_pair.h"

namespace replsim::scenarios {
namespace {

RunReport RunOne(const std::string& text, uint64_t seed) {
  auto s = ParseScenario(text, "t.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
  auto r = RunScenario(*s, seed, RunOptions());
  EXPECT_TRUE(r.ok()) << r.status();
  return *r;
}

TEST(ScenarioStepsTest, StopWorkloadWaitsUntilEverySessionHasEnded) {
  // Each session runs 1,000 transactions, several seconds of work. A smart
  // stop waits for every session to end, so it finishes within its 1 s only
  // if stop_workload really waited for all of them (it used to go on after
  // 400 per session).
  std::string text = StreamingPairScenario("pg-15");
  const std::string workload = "row_bytes: 100 }";
  text.replace(text.find(workload), workload.size(), "row_bytes: 100 transactions: 1000 }");
  text += R"(
steps { stop_workload {} }
steps { stop { node: "primary" mode: SMART timeout_s: 1 } }
)";
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    RunReport r = RunOne(text, seed);
    EXPECT_TRUE(r.violations.empty()) << seed << ": " << r.violations[0].message;
    EXPECT_GT(r.end_time.nanos(), 5'000'000'000) << seed << ": the sessions ran their course";
  }
  // Without the wait, the smart stop finds the sessions still running.
  const std::string no_wait = absl::StrReplaceAll(text, {{"steps { stop_workload {} }\n", ""}});
  RunReport r = RunOne(no_wait, 1);
  ASSERT_FALSE(r.violations.empty());
  EXPECT_TRUE(absl::StrContains(r.violations[0].message, "pg_ctl stop -m SMART"))
      << r.violations[0].message;
}

TEST(ScenarioStepsTest, StopWorkloadReportsSessionsThatCannotEnd) {
  // Commits wait for a synchronous standby that is gone, so no session
  // finishes its transactions: stop_workload used to wait out its bound
  // silently.
  std::string text = StreamingPairScenario("pg-15");
  const std::string primary_settings = R"(settings { name: "max_wal_senders" value: "5" })";
  text.replace(
      text.find(primary_settings), primary_settings.size(),
      primary_settings + R"( settings { name: "synchronous_standby_names" value: "'*'" })");
  text += R"(
steps { stop { node: "standby" mode: IMMEDIATE } }
steps { stop_workload {} }
)";
  RunReport r = RunOne(text, 1);
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].invariant, LIVENESS);
  EXPECT_TRUE(absl::StartsWith(r.violations[0].message, "stop_workload began at "))
      << r.violations[0].message;
  EXPECT_TRUE(absl::StrContains(r.violations[0].message,
                                "; the workload's 2 session(s) had not all ended "))
      << r.violations[0].message;
  EXPECT_TRUE(absl::StrContains(r.violations[0].message, " (bound 120s) ("))
      << r.violations[0].message;
}

TEST(ScenarioStepsTest, TimeLimitEndsARunWhoseStepsGoPastIt) {
  // The loader refuses delays that add up to the limit, so it is the steps'
  // own time that goes past it here: stop_workload waits for 1,500
  // transactions 50 ms apart, some 75 s.
  std::string text = StreamingPairScenario("pg-15");
  const std::string workload = "think_ms: 5 row_bytes: 100 }";
  text.replace(text.find(workload), workload.size(),
               "think_ms: 50 row_bytes: 100 transactions: 1500 }");
  const std::string steps = R"(
steps { stop_workload {} }
steps { stop { node: "primary" mode: FAST } }
)";
  RunReport limited = RunOne(text + "time_limit_s: 60\n" + steps, 1);
  ASSERT_EQ(limited.violations.size(), 1u);
  EXPECT_EQ(limited.violations[0].invariant, LIVENESS);
  EXPECT_TRUE(absl::StartsWith(limited.violations[0].message,
                               "the run reached its time limit of 60s (time_limit_s) at "))
      << limited.violations[0].message;
  EXPECT_TRUE(absl::EndsWith(limited.violations[0].message, "s, before step 6"))
      << limited.violations[0].message;
  // The default (600 s) leaves the same steps alone.
  RunReport unlimited = RunOne(text + steps, 1);
  EXPECT_TRUE(unlimited.violations.empty()) << unlimited.violations[0].message;
}

TEST(ScenarioStepsTest, ToleratedOutcomesBelongToTheRowWithTheRunsSwitches) {
  // Two rows of pg-15: the bug's (e0b581acd2=off) tolerates LIVENESS, the
  // fix's does not. A smart stop that cannot wait for the sessions' 1,000
  // transactions gives every run a LIVENESS violation.
  std::string text = StreamingPairScenario("pg-15");
  const std::string workload = "row_bytes: 100 }";
  text.replace(text.find(workload), workload.size(), "row_bytes: 100 transactions: 1000 }");
  auto s = ParseScenario(text + R"(
steps { stop { node: "primary" mode: SMART timeout_s: 1 } }
expect { profile: "pg-15" switches: "e0b581acd2=off" tolerated: LIVENESS }
expect { profile: "pg-15" }
)",
                         "t.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  RunOptions fixed;
  auto a = RunScenario(*s, 1, fixed);
  ASSERT_TRUE(a.ok() && a->violations.size() == 1);
  EXPECT_FALSE(a->violations[0].tolerated);
  RunOptions bug;
  bug.switches = "e0b581acd2=off";
  auto b = RunScenario(*s, 1, bug);
  ASSERT_TRUE(b.ok() && b->violations.size() == 1);
  EXPECT_TRUE(b->violations[0].tolerated);
}

}  // namespace
}  // namespace replsim::scenarios
