// pg_ctl -W (StopNode.no_wait, PromoteNode.no_wait): the step returns at
// once and the next one runs while the shutdown or promotion is in
// progress. A second stop escalates a shutdown in progress as pg_ctl users
// do (postmaster.c pmdie); a stop that completes after the steps went on is
// still recorded for CLEAN_SWITCHOVER, with what happened meanwhile.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

// One primary whose two clients would run for many minutes: a smart stop
// waits for them.
constexpr char kBusyPrimary[] = R"pb(
  name: "escalate"
  profile: "pg-15"
  nodes { name: "primary" role: PRIMARY }
  workload { sessions: 2 think_ms: 5 transactions: 1000000 }
  steps { start { node: "primary" } }
  invariants: [NO_PANIC, LIVENESS]
)pb";

constexpr char kSwitchover[] = R"pb(
  name: "promote_during_stop"
  profile: "pg-15"
  nodes {
    name: "primary"
    role: PRIMARY
    settings { name: "max_wal_senders" value: "5" }
  }
  nodes {
    name: "standby"
    role: STANDBY
    upstream: "primary"
    settings { name: "recovery_target_timeline" value: "latest" }
  }
  workload { sessions: 2 think_ms: 1 row_bytes: 100 }
  steps { start { node: "primary" } }
  steps { base_backup { node: "standby" upstream: "primary" } }
  steps { start { node: "standby" } }
  steps { wait_for_catch_up { node: "standby" timeout_s: 60 } }
  faults { bandwidth_bytes_per_ms { min: 1000 max: 2000 } }
  invariants: [CLEAN_SWITCHOVER, WAL_PREFIX, NO_PANIC, LIVENESS]
)pb";

Scenario With(const char* base, const std::string& steps) {
  absl::StatusOr<Scenario> s = ParseScenario(absl::StrCat(base, steps), "test");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario();
}

RunReport Play(const Scenario& s, uint64_t seed) {
  RunOptions o;
  o.keep_trace = true;
  absl::StatusOr<RunReport> r = RunScenario(s, seed, o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : RunReport();
}

// When `node`'s postmaster logged a line containing `needle`, or -1.
double LoggedAt(const RunReport& r, const std::string& node, const std::string& needle) {
  for (const sim::TraceEvent& e : r.trace) {
    if (e.host != node || e.process != "postmaster" || e.kind != "log") continue;
    const sim::TraceField* m = e.Find("message");
    if (m != nullptr && absl::StrContains(m->s, needle)) return e.time.nanos() / 1e9;
  }
  return -1;
}

TEST(NoWaitTest, ASmartStopWaitingOnClientsIsEscalatedToFast) {
  // Alone, the smart stop waits for the clients, past its bound.
  const RunReport smart = Play(
      With(kBusyPrimary,
           "steps { delay_ms { min: 200 max: 200 } stop { node: \"primary\" mode: SMART "
           "timeout_s: 5 } }"),
      1);
  ASSERT_NE(smart.first_violation(), nullptr);
  EXPECT_EQ(smart.first_violation()->invariant, LIVENESS);
  EXPECT_TRUE(absl::StrContains(smart.first_violation()->message, "pg_ctl stop -m SMART"))
      << smart.first_violation()->message;

  // pg_ctl stop -W -m smart, then pg_ctl stop -m fast half a second later:
  // the postmaster turns the smart shutdown into a fast one, which ends the
  // clients' sessions, and the second pg_ctl sees it exit.
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const RunReport r = Play(
        With(kBusyPrimary,
             "steps { delay_ms { min: 200 max: 200 } stop { node: \"primary\" mode: SMART "
             "no_wait: true } }"
             "steps { delay_ms { min: 500 max: 500 } stop { node: \"primary\" mode: FAST "
             "timeout_s: 5 } }"),
        seed);
    EXPECT_EQ(r.first_violation(), nullptr) << r.first_violation()->message;
    const double smart_at = LoggedAt(r, "primary", "received smart shutdown request");
    const double fast_at = LoggedAt(r, "primary", "received fast shutdown request");
    const double down_at = LoggedAt(r, "primary", "database system is shut down");
    ASSERT_GT(smart_at, 0) << "seed " << seed;
    EXPECT_GE(fast_at, smart_at + 0.4) << "seed " << seed;  // less pg_ctl's CPU time
    EXPECT_GT(down_at, fast_at) << "seed " << seed;
    EXPECT_LT(down_at, fast_at + 1.0) << "seed " << seed;
  }
}

TEST(NoWaitTest, APromotionDuringAFastStopOfThePrimaryIsOutsideCleanSwitchover) {
  // pg_ctl stop -W -m fast of the primary, and at once pg_ctl promote of its
  // standby: the promotion ends the standby's streaming while the primary's
  // walsender still has its shutdown checkpoint to send. The stop completes
  // during the promotion and is recorded, with the promotion as the reason it
  // is no clean switchover.
  const Scenario s = With(kSwitchover,
                          "steps { delay_ms { min: 100 max: 300 } stop { node: \"primary\" "
                          "mode: FAST no_wait: true } }"
                          "steps { promote { node: \"standby\" } }");
  int missed = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const RunReport r = Play(s, seed);
    const double fast_at = LoggedAt(r, "primary", "received fast shutdown request");
    const double down_at = LoggedAt(r, "primary", "database system is shut down");
    const double promoted_at = LoggedAt(r, "standby", "database system is ready to accept connections");
    ASSERT_GT(fast_at, 0) << "seed " << seed;
    ASSERT_GT(promoted_at, 0) << "seed " << seed;
    EXPECT_GT(down_at, fast_at) << "seed " << seed;
    const Violation* v = r.first_violation();
    if (v == nullptr) continue;
    ++missed;
    EXPECT_EQ(v->invariant, CLEAN_SWITCHOVER) << v->message;
    EXPECT_TRUE(absl::StrContains(v->message, "standby's promotion began at")) << v->message;
    EXPECT_TRUE(absl::StrContains(v->message, "before primary's shutdown had completed"))
        << v->message;
  }
  EXPECT_GT(missed, 0) << "the promotion never raced the shutdown";

  // The same switchover with pg_ctl stop waiting for the shutdown: clean.
  const Scenario waited = With(kSwitchover,
                               "steps { delay_ms { min: 100 max: 300 } stop { node: \"primary\" "
                               "mode: FAST } }"
                               "steps { promote { node: \"standby\" } }");
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const RunReport r = Play(waited, seed);
    EXPECT_EQ(r.first_violation(), nullptr) << r.first_violation()->message;
  }
}

// Failover, not switchover: the standby is promoted first, the old primary
// stopped after it and restarted as a standby of the promoted one. Its WAL
// past the fork (the workload kept writing) makes the rejoin fail, which is
// PostgreSQL behaving as designed, and the violation says why.
TEST(NoWaitTest, AStopAfterThePromotionIsOutsideCleanSwitchover) {
  const Scenario s = With(kSwitchover,
                          "steps { promote { node: \"standby\" } }"
                          "steps { delay_ms { min: 200 max: 400 } stop { node: \"primary\" "
                          "mode: FAST } }"
                          "steps { restart_as_standby { node: \"primary\" upstream: "
                          "\"standby\" } }"
                          "steps { wait_for_catch_up { node: \"primary\" timeout_s: 20 } }");
  int refused = 0;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const RunReport r = Play(s, seed);
    for (const Violation& v : r.violations) {
      if (v.invariant != CLEAN_SWITCHOVER) continue;
      ++refused;
      EXPECT_TRUE(absl::StrContains(v.message, "outside CLEAN_SWITCHOVER's precondition, since "
                                               "when the stop began, standby was already a "
                                               "primary"))
          << v.message;
    }
  }
  EXPECT_GT(refused, 0) << "the old primary always rejoined";
}

// A restart of the standby while its primary shuts down (both pg_ctl stop
// -W): the restarted standby cannot connect to a primary that is shutting
// down, so it misses the shutdown checkpoint, and the old primary cannot
// rejoin after the promotion. PostgreSQL as designed: the violation says
// which stop put the switchover outside CLEAN_SWITCHOVER's precondition,
// whether the standby's stop began after the primary's or just before it.
TEST(NoWaitTest, ARestartOfTheStandbyDuringTheStopIsOutsideCleanSwitchover) {
  const std::string tail =
      "steps { start { node: \"standby\" } }"
      "steps { promote { node: \"standby\" } }"
      "steps { restart_as_standby { node: \"primary\" upstream: \"standby\" } }"
      "steps { wait_for_catch_up { node: \"primary\" timeout_s: 20 } }";
  const struct {
    const char* steps;
    const char* why;
  } orders[] = {
      {"steps { stop { node: \"primary\" mode: FAST no_wait: true } }"
       "steps { delay_ms { min: 1 max: 20 } stop { node: \"standby\" mode: FAST no_wait: true } }",
       "since a pg_ctl stop -m FAST -W of standby at "},
      {"steps { stop { node: \"standby\" mode: FAST no_wait: true } }"
       "steps { stop { node: \"primary\" mode: FAST no_wait: true } }",
       "since when the stop began, standby's own shutdown (pg_ctl stop -m FAST at "},
  };
  for (const auto& order : orders) {
    const Scenario s = With(kSwitchover, absl::StrCat(order.steps, tail));
    int refused = 0;
    for (uint64_t seed = 1; seed <= 5; ++seed) {
      const RunReport r = Play(s, seed);
      for (const Violation& v : r.violations) {
        if (v.invariant != CLEAN_SWITCHOVER) continue;
        ++refused;
        EXPECT_TRUE(absl::StrContains(v.message, "; outside CLEAN_SWITCHOVER's precondition, ") &&
                    absl::StrContains(v.message, order.why))
            << "seed " << seed << ": " << v.message;
      }
    }
    EXPECT_GT(refused, 0) << order.why << ": the old primary always rejoined";
  }
}

TEST(NoWaitTest, APromoteAfterAStopNeedsAStartUnlessBothAreNoWait) {
  absl::StatusOr<Scenario> waiting = ParseScenario(
      absl::StrCat(kSwitchover,
                   "steps { stop { node: \"standby\" mode: FAST } }\n"
                   "steps { promote { node: \"standby\" no_wait: true } }"),
      "test");
  ASSERT_FALSE(waiting.ok());
  EXPECT_TRUE(absl::StartsWith(waiting.status().message(), "test:"))
      << waiting.status().message();
  EXPECT_TRUE(absl::StrContains(waiting.status().message(), "was stopped at step 5"))
      << waiting.status().message();
  // pg_ctl promote -W racing pg_ctl stop -W of the same standby is allowed.
  absl::StatusOr<Scenario> racing = ParseScenario(
      absl::StrCat(kSwitchover,
                   "steps { stop { node: \"standby\" mode: FAST no_wait: true } }\n"
                   "steps { promote { node: \"standby\" no_wait: true } }"),
      "test");
  EXPECT_TRUE(racing.ok()) << racing.status();
  const RunReport r = Play(*racing, 1);
  EXPECT_EQ(r.first_violation(), nullptr) << r.first_violation()->message;
}

}  // namespace
}  // namespace replsim::scenarios
