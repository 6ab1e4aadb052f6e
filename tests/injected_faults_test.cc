// Faults at any moment (scenarios/fault_injector.h): a nemesis fault lands
// while a step is still in progress, a trigger fires at a named moment of
// PostgreSQL, the checkers say when an injected fault explains what they
// report, and a nemesis that never fires changes nothing a run does.
#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "protocol/os/trace_marks.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "tests/streaming_pair.h"

namespace replsim::scenarios {
namespace {

std::string Str(const sim::TraceEvent& e, std::string_view key) {
  const sim::TraceField* f = e.Find(key);
  return f == nullptr ? "" : f->s;
}

Scenario Parse(const std::string& text) {
  absl::StatusOr<Scenario> s = ParseScenario(text, "t.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario();
}

RunReport RunTraced(const Scenario& s, uint64_t seed) {
  RunOptions o;
  o.keep_trace = true;
  absl::StatusOr<RunReport> r = RunScenario(s, seed, o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : RunReport();
}

// A fast stop and switchover while a nemesis kills the standby's walreceiver
// every 100 ms or so.
std::string SwitchoverUnderNemesis() {
  return StreamingPairScenario("pg-15") + R"(
steps { delay_ms { min: 0 max: 50 } stop { node: "primary" mode: FAST timeout_s: 120 } }
steps { delay_ms { min: 0 max: 200 } promote { node: "standby" } }
nemesis {
  fault {
    op { kill { node: "any" process: "any" signal: "SIGKILL" } }
    nodes: "standby"
    processes: "walreceiver"
    mean_interval_ms: 100
  }
}
invariants: CLEAN_SWITCHOVER
invariants: LIVENESS
)";
}

TEST(InjectedFaultsTest, NemesisKillLandsWhileAFastStopIsInProgress) {
  const Scenario s = Parse(SwitchoverUnderNemesis());
  int during_stop = 0, fired = 0, explained_by_kill = 0;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    const RunReport r = RunTraced(s, seed);
    // The stop is in progress from the postmaster's SIGINT to its exit.
    os::Instant stop_began, stop_ended;
    bool began = false, ended = false;
    for (const sim::TraceEvent& e : r.trace) {
      if (e.host != "primary" || e.process != "postmaster") continue;
      if (!began && e.kind == "signal_delivered" && Str(e, "signal") == "SIGINT") {
        began = true;
        stop_began = e.time;
      }
      if (began && !ended && e.kind == "process_exit") {
        ended = true;
        stop_ended = e.time;
      }
    }
    bool struck = false;
    for (const sim::TraceEvent& e : r.trace) {
      if (e.kind != "nemesis_fault") continue;
      ++fired;
      EXPECT_TRUE(absl::StrContains(Str(e, "fault"), "kill -SIGKILL walreceiver"))
          << Str(e, "fault");
      struck |= began && ended && e.time > stop_began && e.time < stop_ended;
    }
    if (!struck) continue;
    ++during_stop;
    // Whatever a checker reports in such a seed names the injected fault.
    // (The precondition may have failed before the kill: the walreceiver an
    // earlier kill ended not yet back when the stop began.)
    for (const Violation& v : r.violations) {
      if (v.invariant == CLEAN_SWITCHOVER) {
        EXPECT_TRUE(absl::StrContains(v.message, "outside CLEAN_SWITCHOVER's precondition"))
            << v.message;
        explained_by_kill += absl::StrContains(
            v.message, "a fault struck during the shutdown (nemesis #1: kill -SIGKILL walreceiver");
      }
      if (v.invariant == LIVENESS) {
        EXPECT_TRUE(absl::StrContains(v.message, "a fault was injected")) << v.message;
      }
    }
  }
  EXPECT_GT(fired, 0);
  EXPECT_GT(during_stop, 0) << "no seed of 1..40 had a kill land during the fast stop";
  std::printf(
      "%d of 40 seeds had a kill during the fast stop; %d CLEAN_SWITCHOVER violations "
      "named it\n",
      during_stop, explained_by_kill);
}

TEST(InjectedFaultsTest, TriggerOnTheShutdownCheckpointFiresAPartition) {
  const Scenario s = Parse(StreamingPairScenario("pg-15") + R"(
steps { stop { node: "primary" mode: FAST timeout_s: 120 } }
triggers {
  on: "checkpointer.shutdown_checkpoint_start"
  node: "primary"
  op { partition { a: "here" b: "standby" duration_ms { min: 300 max: 300 } } }
  max_fires: 1
}
invariants: LIVENESS
)");
  for (uint64_t seed : {1, 2, 3}) {
    const RunReport r = RunTraced(s, seed);
    os::Instant mark, done, cut;
    int marks = 0, partitions = 0, faults = 0;
    for (const sim::TraceEvent& e : r.trace) {
      if (e.kind == "mark" && Str(e, "name") == os::kMarkShutdownCheckpointStart) {
        ++marks;
        mark = e.time;
        EXPECT_EQ(e.host, "primary");
        EXPECT_EQ(e.process, "checkpointer");
      }
      if (e.kind == "mark" && Str(e, "name") == os::kMarkShutdownCheckpointDone) done = e.time;
      if (e.kind == "nemesis_fault") {
        ++faults;
        EXPECT_EQ(e.time, mark) << "the trigger has no delay";
        EXPECT_EQ(Str(e, "fault"),
                  "trigger #1 (checkpointer.shutdown_checkpoint_start on primary): partition "
                  "primary <-> standby for 0.300s");
      }
      if (e.kind == "fault_plan" && Str(e, "step") == "partition") {
        ++partitions;
        cut = e.time;
      }
    }
    // The link is cut while the shutdown checkpoint is being written.
    EXPECT_GE(cut, mark) << "seed " << seed;
    EXPECT_LE(cut, done) << "seed " << seed;
    EXPECT_EQ(marks, 1) << "seed " << seed;
    EXPECT_EQ(faults, 1) << "seed " << seed;
    EXPECT_EQ(partitions, 1) << "seed " << seed;
    // The partition heals and the stop still completes.
    EXPECT_EQ(r.first_violation(), nullptr)
        << "seed " << seed << ": " << r.first_violation()->message;
  }
}

TEST(InjectedFaultsTest, AFaultThatCannotApplyIsSkippedAndTraced) {
  // The standby's walreceiver does not run before the standby starts: a kill
  // then is skipped, not an error.
  const Scenario s = Parse(StreamingPairScenario("pg-15") + R"(
nemesis {
  fault {
    op { kill { node: "standby" process: "walreceiver" signal: "SIGKILL" } }
    mean_interval_ms: 1
    max_fires: 3
  }
}
invariants: LIVENESS
)");
  const RunReport r = RunTraced(s, 1);
  int skipped = 0;
  for (const sim::TraceEvent& e : r.trace) {
    if (e.kind == "nemesis_skipped") {
      ++skipped;
      EXPECT_EQ(Str(e, "source"), "nemesis #1");
      EXPECT_EQ(Str(e, "why"), "kill: no walreceiver runs");
    }
    EXPECT_NE(e.kind, "nemesis_fault");
  }
  EXPECT_GT(skipped, 0);
  EXPECT_EQ(r.first_violation(), nullptr);
}

// Stalls are faults a nemesis can inject too: the standby's walreceiver is
// SIGSTOPped for a while, again and again, during a streaming run, and the
// standby still catches up once it is continued.
TEST(InjectedFaultsTest, ANemesisStallsTheWalreceiverAndStreamingRecovers) {
  const Scenario s = Parse(StreamingPairScenario("pg-15") + R"(
steps { delay_ms { min: 2000 max: 2000 } wait_for_catch_up { node: "standby" timeout_s: 60 } }
nemesis {
  fault {
    op { stall_process { node: "standby" process: "any" duration_ms { min: 100 max: 600 } } }
    processes: "walreceiver"
    mean_interval_ms: 300
    window_ms { min: 500 max: 1500 }
  }
  fault {
    op { pause_host { node: "any" duration_ms { min: 50 max: 200 } } }
    mean_interval_ms: 500
    window_ms { min: 500 max: 1500 }
    max_fires: 1
  }
}
invariants: WAL_PREFIX
invariants: LIVENESS
)");
  int stalls = 0, pauses = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const RunReport r = RunTraced(s, seed);
    for (const sim::TraceEvent& e : r.trace) {
      if (e.kind != "nemesis_fault") continue;
      stalls += absl::StrContains(Str(e, "fault"), "SIGSTOP walreceiver");
      pauses += absl::StrContains(Str(e, "fault"), "host paused for");
    }
    EXPECT_EQ(r.first_violation(), nullptr)
        << "seed " << seed << ": " << r.first_violation()->message;
  }
  EXPECT_GT(stalls, 0);
  EXPECT_GT(pauses, 0);
}

TEST(InjectedFaultsTest, ANemesisThatNeverFiresChangesNothingTheRunDoes) {
  // Its own stream: the run draws what it drew without it, so only the
  // unseed (which digests every stream) tells them apart.
  auto base = LoadScenarioFile("scenarios/clean_switchover.textproto");
  ASSERT_TRUE(base.ok()) << base.status();
  Scenario with = *base;
  NemesisFault* f = with.mutable_nemesis()->add_fault();
  f->mutable_op()->mutable_crash()->set_node("standby");
  f->mutable_op()->mutable_crash()->set_restart_after_ms(10);
  f->set_mean_interval_ms(1);
  f->mutable_window_ms()->set_min(3'000'000);  // long after the run
  for (uint64_t seed : {1, 7971}) {
    RunOptions o;
    o.profile = "pg-9.3beta2";
    auto a = RunScenario(*base, seed, o);
    auto b = RunScenario(with, seed, o);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->fingerprint, b->fingerprint) << "seed " << seed;
    EXPECT_NE(a->unseed, b->unseed) << "seed " << seed;
    EXPECT_EQ(a->violations.size(), b->violations.size()) << "seed " << seed;
  }
}

}  // namespace
}  // namespace replsim::scenarios
