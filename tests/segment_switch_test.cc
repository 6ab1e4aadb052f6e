// WAL across 16 MiB segment boundaries, end to end: enough writes that the
// primary fills two segments while its sessions commit concurrently, and a
// standby that streams, stores and replays through the boundaries.
// - One process at a time creates a segment (WALWriteLock): each segment
//   file is installed once. Without the lock every committing backend made
//   and renamed its own zero-filled copy over the one another had written.
// - The standby's startup process reads a record that crosses a boundary
//   (it used to re-read the two segments' pages in turn for ever).
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

constexpr char kScenario[] = R"(name: "t"
profile: "pg-15"
nodes { name: "primary" role: PRIMARY settings { name: "max_wal_senders" value: "5" } }
nodes { name: "standby" role: STANDBY upstream: "primary" }
workload { sessions: 8 think_ms: 1 row_bytes: 2000 transactions: 2500 }
steps { start { node: "primary" } }
steps { base_backup { node: "standby" upstream: "primary" } }
steps { start { node: "standby" } }
steps { wait_for_catch_up { node: "standby" } }
steps { stop_workload {} }
steps { wait_for_catch_up { node: "standby" } }
steps { stop { node: "primary" mode: FAST } }
steps { promote { node: "standby" } }
invariants: WAL_PREFIX
invariants: NO_PANIC
invariants: CLEAN_SWITCHOVER
)";

TEST(SegmentSwitchTest, WalCrossesSegmentsOnBothNodes) {
  auto s = ParseScenario(kScenario, "t.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  for (const char* profile : {"pg-15", "pg-9.3.0"}) {
    RunOptions o;
    o.profile = profile;
    o.keep_trace = true;
    auto r = RunScenario(*s, 1, o);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->violations.empty()) << profile << ": " << r->violations[0].message;
    int installs_2 = 0, installs_3 = 0, standby_installs_3 = 0;
    for (const sim::TraceEvent& e : r->trace) {
      if (e.kind != "disk_rename") continue;
      const sim::TraceField* to = e.Find("to");
      if (to == nullptr) continue;
      if (e.host == "primary") {
        installs_2 += absl::EndsWith(to->s, "/000000010000000000000002");
        installs_3 += absl::EndsWith(to->s, "/000000010000000000000003");
      } else {
        standby_installs_3 += absl::EndsWith(to->s, "/000000010000000000000003");
      }
    }
    EXPECT_EQ(installs_2, 1) << profile;
    EXPECT_EQ(installs_3, 1) << profile;
    EXPECT_EQ(standby_installs_3, 1) << profile << ": the standby stored the third segment";
  }
}

}  // namespace
}  // namespace replsim::scenarios
