// An EIO during initdb or another set-up step is a fault like any other
// (issue 17): the program fails as PostgreSQL's would (initdb and
// pg_basebackup report the error and exit non-zero; a server PANICs) and the
// run reports it, where the harness used to fail a CHECK and take replsim
// down with it.
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

std::string CleanSwitchoverText() {
  std::ifstream in("scenarios/clean_switchover.textproto");
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// clean_switchover with every fsync failing with EIO `per_million` times in
// a million.
Scenario WithFsyncEio(int per_million) {
  std::string text = CleanSwitchoverText();
  const std::string faults = "faults {\n";
  const size_t at = text.find(faults);
  EXPECT_NE(at, std::string::npos);
  text.insert(at + faults.size(), absl::StrCat("  fsync_eio_per_million { min: ", per_million,
                                               " max: ", per_million, " }\n"));
  auto s = ParseScenario(text, "clean_switchover with fsync EIO");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario();
}

std::string Last(const RunReport& r) {
  return r.violations.empty() ? "no violation" : r.violations.back().message;
}

TEST(SetupFaultsTest, InitdbFailingItsFsyncIsReportedAndNoStepIsPlayed) {
  const Scenario s = WithFsyncEio(1000000);
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    auto r = RunScenario(s, seed, RunOptions());
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->violations.size(), 1u) << seed << ": " << Last(*r);
    const Violation& v = r->violations[0];
    EXPECT_EQ(v.invariant, LIVENESS);
    EXPECT_FALSE(v.tolerated);
    // initdb's first fsync is of the first WAL segment, holding the
    // bootstrap checkpoint (clean_switchover's 9.3: in pg_xlog).
    EXPECT_TRUE(absl::StartsWith(v.message, "initdb of primary failed at ")) << v.message;
    EXPECT_TRUE(absl::EndsWith(v.message,
                               ": initdb: error: could not fsync file "
                               "\"/pgdata/pg_xlog/000000010000000000000001\": Input/output error "
                               "(initdb exited with exit code 1)"))
        << v.message;
    // The steps were not played: no server ever started.
    EXPECT_LT(r->end_time.nanos(), 1'000'000'000) << seed;
  }
}

TEST(SetupFaultsTest, ABaseBackupFailingItsFsyncIsReported) {
  std::string text = CleanSwitchoverText();
  const std::string backup = "steps { base_backup {";
  const size_t at = text.find(backup);
  ASSERT_NE(at, std::string::npos);
  text.insert(at, "steps { disk_fault { node: \"standby\" kind: FAIL_NEXT_FSYNC } }\n");
  auto s = ParseScenario(text, "clean_switchover with a failed fsync at the base backup");
  ASSERT_TRUE(s.ok()) << s.status();
  auto r = RunScenario(*s, 1, RunOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->violations.size(), 1u) << Last(*r);
  const Violation& v = r->violations[0];
  EXPECT_EQ(v.invariant, LIVENESS);
  EXPECT_TRUE(absl::StartsWith(v.message, "base_backup of standby from primary failed at "))
      << v.message;
  EXPECT_TRUE(absl::StrContains(v.message,
                                ": pg_basebackup: error: could not fsync file "
                                "\"/pgdata/pg_xlog/000000010000000000000001\": Input/output "
                                "error (pg_basebackup exited with exit code 1)"))
      << v.message;
}

TEST(SetupFaultsTest, ASweepUnderFsyncErrorsNeverCrashes) {
  // 2% of fsyncs fail. Every run ends with a report; the servers that meet
  // an EIO on a WAL fsync PANIC, as PostgreSQL's do.
  const Scenario s = WithFsyncEio(20000);
  for (const char* profile : {"pg-9.3beta2", "pg-15"}) {
    RunOptions o;
    o.profile = profile;
    int wal_fsync_panics = 0, set_up_failures = 0;
    for (uint64_t seed = 1; seed <= 60; ++seed) {
      auto r = RunScenario(s, seed, o);
      ASSERT_TRUE(r.ok()) << r.status();
      for (const Violation& v : r->violations) {
        wal_fsync_panics += v.invariant == NO_PANIC &&
                            absl::StrContains(v.message, "PANICked: could not fdatasync ");
        set_up_failures += absl::StartsWith(v.message, "initdb of ") ||
                           absl::StartsWith(v.message, "base_backup of ");
      }
    }
    EXPECT_GT(wal_fsync_panics, 10) << profile;
    EXPECT_GT(set_up_failures, 0) << profile;
  }
}

}  // namespace
}  // namespace replsim::scenarios
