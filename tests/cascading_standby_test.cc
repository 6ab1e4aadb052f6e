// A cascading standby (one that streams from another standby) needs its
// upstream to take connections during recovery, which a standby does only in
// hot standby (canAcceptConnections: PM_RECOVERY refuses, PM_HOT_STANDBY
// serves). hot_standby is off by default before 10, so a 9.3 cascade without
// it never gets past the startup packet: "the database system is starting
// up". 15 refuses the same way, with its own text, when hot_standby is
// turned off, and serves the cascade by default.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

Scenario Cascade(const std::string& profile, const std::string& hot_standby) {
  std::string upstream_setting;
  if (!hot_standby.empty()) {
    upstream_setting = "settings { name: \"hot_standby\" value: \"" + hot_standby + "\" }";
  }
  const std::string text = "name: \"t\"\nprofile: \"" + profile + "\"\n" +
                           R"(
nodes { name: "primary" role: PRIMARY settings { name: "max_wal_senders" value: "5" } }
nodes { name: "standby" role: STANDBY upstream: "primary"
        settings { name: "max_wal_senders" value: "5" } )" +
                           upstream_setting + R"( }
nodes { name: "standby2" role: STANDBY upstream: "standby" }
workload { sessions: 1 think_ms: 5 row_bytes: 100 }
steps { start { node: "primary" } }
steps { base_backup { node: "standby" upstream: "primary" } }
steps { start { node: "standby" } }
steps { wait_for_catch_up { node: "standby" timeout_s: 60 } }
steps { base_backup { node: "standby2" upstream: "standby" } }
steps { start { node: "standby2" } }
steps { wait_for_catch_up { node: "standby2" timeout_s: 20 } }
invariants: WAL_PREFIX
invariants: LIVENESS
)";
  auto s = ParseScenario(text, "t.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario();
}

struct Outcome {
  bool caught_up = true;
  std::vector<std::string> refusals;  // the upstream standby's FATALs
  bool streamed = false;              // standby2's walreceiver started streaming
};

Outcome RunCascade(const std::string& profile, const std::string& hot_standby,
                   const std::string& scheduler = "") {
  RunOptions o;
  o.keep_trace = true;
  o.scheduler = scheduler;
  auto r = RunScenario(Cascade(profile, hot_standby), 1, o);
  EXPECT_TRUE(r.ok()) << r.status();
  Outcome out;
  if (!r.ok()) return out;
  for (const Violation& v : r->violations) {
    out.caught_up &= !absl::StrContains(v.message, "wait_for_catch_up of standby2");
  }
  for (const sim::TraceEvent& e : r->trace) {
    if (e.kind != "log") continue;
    const sim::TraceField* k = e.Find("kind");
    const sim::TraceField* m = e.Find("message");
    if (k == nullptr || m == nullptr) continue;
    if (e.host == "standby" && e.process == "backend" && k->s == "FATAL") {
      if (out.refusals.empty() || out.refusals.back() != m->s) out.refusals.push_back(m->s);
    }
    if (e.host == "standby2" && e.process == "walreceiver" &&
        absl::StrContains(m->s, "started streaming WAL from primary")) {
      out.streamed = true;
    }
  }
  return out;
}

TEST(CascadingStandbyTest, A93StandbyWithoutHotStandbyRefusesItsCascade) {
  const Outcome off = RunCascade("pg-9.3.5", "");
  EXPECT_FALSE(off.caught_up);
  EXPECT_FALSE(off.streamed);
  EXPECT_EQ(off.refusals, std::vector<std::string>{"the database system is starting up"});

  const Outcome on = RunCascade("pg-9.3.5", "on");
  EXPECT_TRUE(on.caught_up);
  EXPECT_TRUE(on.streamed);
  EXPECT_TRUE(on.refusals.empty()) << on.refusals[0];
}

// With CPU time the base backup's checkpoint can have no other WAL between
// its redo point and its record. PostgreSQL always has one there, the
// RUNNING_XACTS record that makes the standby snapshot ready, so the
// standby serves its cascade as soon as it is consistent, not only after
// the next checkpoint.
TEST(CascadingStandbyTest, TheSnapshotIsReadyWhateverTheWalBetweenRedoAndCheckpoint) {
  const Outcome cpu = RunCascade("pg-15", "", "cpu_time=on");
  EXPECT_TRUE(cpu.caught_up);
  EXPECT_TRUE(cpu.streamed);
  EXPECT_TRUE(cpu.refusals.empty()) << cpu.refusals[0];
}

TEST(CascadingStandbyTest, A15StandbyServesItsCascadeUnlessHotStandbyIsOff) {
  const Outcome by_default = RunCascade("pg-15", "");
  EXPECT_TRUE(by_default.caught_up);
  EXPECT_TRUE(by_default.streamed);

  const Outcome off = RunCascade("pg-15", "off");
  EXPECT_FALSE(off.caught_up);
  EXPECT_FALSE(off.streamed);
  EXPECT_EQ(off.refusals,
            std::vector<std::string>{"the database system is not accepting connections"});
}

}  // namespace
}  // namespace replsim::scenarios
