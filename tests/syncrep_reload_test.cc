// pg_ctl reload end to end: synchronous_standby_names set by a reload
// reaches the postmaster (which logs the change), the walsender (which then
// becomes the synchronous standby) and the checkpointer (whose publication
// makes commits wait, so the standby's replies release them), under the
// release that has each process's reload point as 15 has it and as 9.3
// has it.
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

Scenario ReloadScenario(std::string_view profile) {
  const std::string text = "name: \"t\"\nprofile: \"" + std::string(profile) + "\"\n" + R"(
nodes {
  name: "primary"
  role: PRIMARY
  settings { name: "max_wal_senders" value: "5" }
  settings { name: "synchronous_commit" value: "on" }
}
nodes {
  name: "standby"
  role: STANDBY
  upstream: "primary"
  settings { name: "wal_receiver_status_interval" value: "1s" }
}
workload { sessions: 2 think_ms: 5 }
steps { start { node: "primary" } }
steps { base_backup { node: "standby" upstream: "primary" } }
steps { start { node: "standby" } }
steps { wait_for_catch_up { node: "standby" timeout_s: 60 } }
steps {
  delay_ms { min: 100 max: 100 }
  reload { node: "primary" settings { name: "synchronous_standby_names" value: "walreceiver" } }
}
steps { delay_ms { min: 500 max: 500 } wait_for_catch_up { node: "standby" timeout_s: 60 } }
invariants: SYNC_COMMIT_DURABLE
invariants: LIVENESS
)";
  absl::StatusOr<Scenario> s = ParseScenario(text, "t.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario();
}

TEST(SyncRepReloadTest, TheReloadReachesEveryProcess) {
  for (const char* profile : {"pg-15", "pg-9.3.5"}) {
    const Scenario s = ReloadScenario(profile);
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      RunOptions o;
      o.keep_trace = true;
      absl::StatusOr<RunReport> r = RunScenario(s, seed, o);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->first_violation(), nullptr) << profile << " seed " << seed;
      bool reloaded = false, changed = false, sync_after = false, sync_before = false;
      for (const sim::TraceEvent& e : r->trace) {
        if (e.kind != "log" || e.host != "primary") continue;
        const sim::TraceField* f = e.Find("message");
        const std::string m = f == nullptr ? "" : f->s;
        reloaded |= m == "received SIGHUP, reloading configuration files";
        changed |= m == "parameter \"synchronous_standby_names\" changed to \"walreceiver\"";
        if (absl::StrContains(m, "synchronous standby with priority 1")) {
          (reloaded ? sync_after : sync_before) = true;
        }
      }
      EXPECT_TRUE(reloaded && changed) << profile << " seed " << seed;
      EXPECT_FALSE(sync_before) << profile << ": no names before the reload";
      EXPECT_TRUE(sync_after) << profile << " seed " << seed
                              << ": the walsender took the names and released waiters";
    }
  }
}

}  // namespace
}  // namespace replsim::scenarios
