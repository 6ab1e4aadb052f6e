// Every bundled scenario, every expectation row, a few seeds each: rows
// expected to be clean have no violation, and every run ends (a livelock,
// like the startup process's page ping-pong that walsnd_shutdown_drops_tail
// once found, shows up as a LIVENESS violation of a clean row). The suite
// (`replsim suite`) sweeps the full default seed ranges.
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

const char* kBundled[] = {
    "clean_switchover",         "crash_failover",
    "receivexlog_slot_shutdown_hang",
    "shutdown_wait_never_completes", "smart_switchover",
    "switchover_rebuild",       "sync_commit_failover",
    "walrcv_exit_without_fsync", "walsnd_sends_unflushed_wal",
    "walsnd_shutdown_drops_tail", "walsnd_stop_ping_flood",
};

class BundledScenarioTest : public ::testing::TestWithParam<const char*> {};

TEST_P(BundledScenarioTest, CleanRowsAreCleanOnTheirFirstSeeds) {
  auto s = LoadScenarioFile(std::string("scenarios/") + GetParam() + ".textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  for (const Expectation& row : s->expect()) {
    if (row.violations_expected()) continue;
    RunOptions o;
    o.profile = row.profile().empty() ? s->profile() : row.profile();
    o.switches = absl::StrJoin(row.switches(), ",");
    for (uint64_t seed = 1; seed <= 8; ++seed) {
      auto r = RunScenario(*s, seed, o);
      ASSERT_TRUE(r.ok()) << r.status();
      const Violation* v = r->first_violation();
      EXPECT_EQ(v, nullptr) << GetParam() << " " << o.profile << " seed " << seed << ": "
                            << (v ? v->message : "");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, BundledScenarioTest, ::testing::ValuesIn(kBundled));

}  // namespace
}  // namespace replsim::scenarios
