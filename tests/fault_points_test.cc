// The fault points placed in protocol code (protocol/os/fault_points.h),
// each forced on alone over a streaming pair that catches up and stops: each
// fires, and PostgreSQL copes as it does on Linux. A short send completes
// by sending the rest, EINTR is retried, a short read is read again, a slow
// fsync and a late wake-up only take time, and a refused connect is retried
// by the startup process's next walreceiver. WAL_PREFIX checks that every
// byte still arrived in order.
#include "protocol/os/fault_points.h"

#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "tests/streaming_pair.h"

namespace replsim::scenarios {
namespace {

std::string Str(const sim::TraceEvent& e, std::string_view key) {
  const sim::TraceField* f = e.Find(key);
  return f == nullptr ? "" : f->s;
}

// The streaming pair with only `point` on (enabled in every seed, firing at
// a quarter of its uses), more WAL streamed, then a fast stop.
Scenario WithOnly(std::string_view point) {
  std::string text = StreamingPairScenario("pg-15") + R"(
steps { delay_ms { min: 300 max: 300 } wait_for_catch_up { node: "standby" timeout_s: 60 } }
steps { stop { node: "primary" mode: FAST timeout_s: 120 } }
invariants: WAL_PREFIX
invariants: NO_PANIC
invariants: LIVENESS
fault_points {
  enabled: true
)";
  absl::StrAppend(&text, "  on: \"", std::string(point), "\"\n");
  for (const os::FaultPointInfo& p : os::kAllFaultPoints) {
    if (p.name != point) absl::StrAppend(&text, "  off: \"", std::string(p.name), "\"\n");
  }
  text += "}\n";
  absl::StatusOr<Scenario> s = ParseScenario(text, "t.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario();
}

struct Seen {
  int fired = 0;         // of the point
  int others = 0;        // of any other point
  bool refused = false;  // a walreceiver's connect refused, then streaming again
};

Seen RunSeed(const Scenario& s, uint64_t seed, std::string_view point) {
  RunOptions o;
  o.keep_trace = true;
  absl::StatusOr<RunReport> r = RunScenario(s, seed, o);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return {};
  EXPECT_EQ(r->first_violation(), nullptr)
      << point << " seed " << seed << ": " << r->first_violation()->message;
  Seen seen;
  bool refused_log = false;
  for (const sim::TraceEvent& e : r->trace) {
    if (e.kind == "fault_point_fired") {
      (Str(e, "point") == point ? seen.fired : seen.others)++;
    }
    if (e.kind == "log" && e.host == "standby" && e.process == "walreceiver") {
      const std::string m = Str(e, "message");
      if (absl::StrContains(m, "could not connect to the primary server") &&
          absl::StrContains(m, "Connection refused")) {
        refused_log = true;
      }
      if (refused_log && absl::StrContains(m, "started streaming WAL")) seen.refused = true;
    }
  }
  return seen;
}

TEST(FaultPointsTest, EachPointFiresAndPostgresCopes) {
  for (const os::FaultPointInfo& p : os::kAllFaultPoints) {
    const Scenario s = WithOnly(p.name);
    Seen total;
    for (uint64_t seed = 1; seed <= 12; ++seed) {
      const Seen seen = RunSeed(s, seed, p.name);
      total.fired += seen.fired;
      total.others += seen.others;
      total.refused |= seen.refused;
    }
    EXPECT_GT(total.fired, 0) << p.name << " never fired";
    EXPECT_EQ(total.others, 0) << "points other than " << p.name << " fired";
    if (p.name == os::kLibpqConnectRefused) {
      // The walreceiver exits on "Connection refused"; the startup process
      // starts another, which streams.
      EXPECT_TRUE(total.refused) << "no refused connect followed by streaming";
    }
  }
}

TEST(FaultPointsTest, OffByDefaultAndNothingDrawn) {
  // Without fault_points, no point fires and no point's stream exists: the
  // run is the one it was before the points were placed.
  absl::StatusOr<Scenario> s =
      ParseScenario(StreamingPairScenario("pg-15") + "invariants: LIVENESS\n", "t.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  Scenario off = *s;
  off.mutable_fault_points()->set_enabled(false);
  RunOptions o;
  o.keep_trace = true;
  auto a = RunScenario(*s, 5, o);
  ASSERT_TRUE(a.ok());
  for (const sim::TraceEvent& e : a->trace) EXPECT_NE(e.kind, "fault_point_fired");
  Scenario on = *s;
  on.mutable_fault_points()->set_enabled(true);
  auto b = RunScenario(on, 5, o);
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->unseed, b->unseed) << "enabled points draw from their own streams";
}

}  // namespace
}  // namespace replsim::scenarios
