// A standby makes restartpoints at the checkpoints it replays: once enough
// WAL has been replayed (checkpoint_segments 1 under 9.3, max_wal_size 32MB
// under 15) its checkpointer moves pg_control to the last replayed
// checkpoint ("recovery restart point at ...") and recycles or removes the
// segments before it; restarted, the standby replays from there, not from its base
// backup's checkpoint.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

constexpr char kScenario[] = R"(name: "t"
profile: "PROFILE"
nodes { name: "primary" role: PRIMARY settings { name: "max_wal_senders" value: "5" } SETTINGS }
nodes { name: "standby" role: STANDBY upstream: "primary" SETTINGS }
workload { sessions: 8 think_ms: 1 row_bytes: 2000 transactions: 3000 }
steps { start { node: "primary" } }
steps { base_backup { node: "standby" upstream: "primary" } }
steps { start { node: "standby" } }
steps { stop_workload {} }
steps { wait_for_catch_up { node: "standby" } }
steps { stop { node: "standby" mode: FAST } }
steps { start { node: "standby" } }
steps { wait_for_catch_up { node: "standby" } }
invariants: WAL_PREFIX
invariants: NO_PANIC
)";

void ExpectRestartpoints(const char* profile, const std::string& settings) {
  auto s =
      ParseScenario(absl::StrReplaceAll(kScenario, {{"PROFILE", profile}, {"SETTINGS", settings}}),
                    "t.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  RunOptions o;
  o.keep_trace = true;
  auto r = RunScenario(*s, 1, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->first_violation(), nullptr) << r->first_violation()->message;
  int restartpoints = 0, redo_starts = 0;
  bool recycled = false;
  std::string last_redo_start;
  for (const sim::TraceEvent& e : r->trace) {
    const sim::TraceField* m = e.Find("message");
    if (m == nullptr || e.host != "standby") continue;
    restartpoints += absl::StartsWith(m->s, "recovery restart point at 0/");
    recycled |= (absl::StartsWith(m->s, "recycled ") || absl::StartsWith(m->s, "removing ")) &&
                absl::EndsWith(m->s, "\"000000010000000000000001\"");
    if (absl::StartsWith(m->s, "redo starts at ")) {
      ++redo_starts;
      last_redo_start = m->s;
    }
  }
  EXPECT_GE(restartpoints, 2) << profile;
  EXPECT_TRUE(recycled) << profile;
  ASSERT_EQ(redo_starts, 2) << profile;
  // The restart replays from a restartpoint in segment 2 or later.
  EXPECT_FALSE(absl::StartsWith(last_redo_start, "redo starts at 0/10")) << last_redo_start;
}

TEST(RestartpointTest, NineThree) {
  ExpectRestartpoints("pg-9.3.0", R"(settings { name: "checkpoint_segments" value: "1" })");
}

TEST(RestartpointTest, Fifteen) {
  ExpectRestartpoints("pg-15", R"(settings { name: "max_wal_size" value: "32MB" })");
}

}  // namespace
}  // namespace replsim::scenarios
