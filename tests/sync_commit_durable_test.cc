// SYNC_COMMIT_DURABLE holds a promoted standby to what it confirmed: a
// commit acknowledged after the synchronous standby's confirmation must be
// on that standby when it is promoted. A commit is not promised to another
// standby, and with synchronous_commit remote_write a crash of the standby's
// host may lose it, as PostgreSQL documents (written, not flushed).
#include <string>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

constexpr char kTwoStandbys[] = R"(name: "t"
profile: "pg-15"
nodes {
  name: "primary" role: PRIMARY
  settings { name: "max_wal_senders" value: "5" }
  settings { name: "synchronous_standby_names" value: "walreceiver" }
}
nodes { name: "a" role: STANDBY upstream: "primary" }
nodes { name: "b" role: STANDBY upstream: "primary" }
workload { sessions: 4 think_ms: 2 }
steps { start { node: "primary" } }
steps { base_backup { node: "a" upstream: "primary" } }
steps { start { node: "a" } }
steps { wait_for_catch_up { node: "a" } }
steps { base_backup { node: "b" upstream: "primary" } }
steps { start { node: "b" } }
steps { wait_for_catch_up { node: "b" } }
steps { partition { a: "primary" b: "b" one_way: true duration_ms { min: 10000 max: 10000 } } }
steps { delay_ms { min: 20 max: 100 } stop { node: "primary" mode: IMMEDIATE } }
steps { promote { node: "PROMOTED" } }
invariants: SYNC_COMMIT_DURABLE
)";

constexpr char kStandbyHostCrash[] = R"(name: "t"
profile: "pg-15"
nodes {
  name: "primary" role: PRIMARY
  settings { name: "max_wal_senders" value: "5" }
  settings { name: "synchronous_standby_names" value: "walreceiver" }
  settings { name: "synchronous_commit" value: "MODE" }
}
nodes { name: "a" role: STANDBY upstream: "primary" }
workload { sessions: 4 think_ms: 1 }
steps { start { node: "primary" } }
steps { base_backup { node: "a" upstream: "primary" } }
steps { start { node: "a" } }
steps { wait_for_catch_up { node: "a" } }
steps { delay_ms { min: 20 max: 100 } crash { node: "a" restart_after_ms: 100 } }
steps { stop { node: "primary" mode: IMMEDIATE } }
steps { delay_ms { min: 200 max: 200 } start { node: "a" } }
steps { promote { node: "a" } }
invariants: SYNC_COMMIT_DURABLE
)";

int Failing(const std::string& text, uint64_t seeds) {
  auto s = ParseScenario(text, "t.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
  int failing = 0;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    auto r = RunScenario(*s, seed, RunOptions());
    EXPECT_TRUE(r.ok()) << r.status();
    if (r->first_violation() == nullptr) continue;
    EXPECT_EQ(r->first_violation()->invariant, SYNC_COMMIT_DURABLE);
    ++failing;
  }
  return failing;
}

TEST(SyncCommitDurableTest, ACommitIsPromisedOnlyToTheStandbyThatConfirmedIt) {
  // "a" connected first, so it is the synchronous standby; "b" stops
  // receiving WAL before the primary dies, and lacks commits "a" confirmed.
  // Promoting "b" breaks no promise (the checker used to flag every seed).
  EXPECT_EQ(Failing(absl::StrReplaceAll(kTwoStandbys, {{"PROMOTED", "b"}}), 10), 0);
  EXPECT_EQ(Failing(absl::StrReplaceAll(kTwoStandbys, {{"PROMOTED", "a"}}), 10), 0);
}

TEST(SyncCommitDurableTest, RemoteWriteLosesConfirmedCommitsToAStandbyHostCrash) {
  // remote_write acknowledges what the standby wrote, before its fsync: a
  // power loss there can take commits its clients saw succeed.
  EXPECT_GT(Failing(absl::StrReplaceAll(kStandbyHostCrash, {{"MODE", "remote_write"}}), 20), 0);
  // 'on' waits for the standby's flush: nothing confirmed is lost.
  EXPECT_EQ(Failing(absl::StrReplaceAll(kStandbyHostCrash, {{"MODE", "on"}}), 20), 0);
}

}  // namespace
}  // namespace replsim::scenarios
