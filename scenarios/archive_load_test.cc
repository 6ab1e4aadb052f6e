// The loader's checks of the archive block and of what needs it: the
// archive host is a host of its own, archive_fault and ARCHIVE_PREFIX need
// an archive, switch_wal runs on a primary, archive_mode = always needs
// 9.5; the bundled example loads.
#include "gtest/gtest.h"
#include "scenarios/loader_test_cases.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

TEST(ArchiveLoadTest, RefusesWhatCannotRun) {
  const std::string g = kGood;
  const BadCase cases[] = {
      {g + "archive { host: \"p\" }\n",
       "t.textproto:6:11: archive host \"p\" is a node's host; expected a host of its own"},
      {g + "archive { host: \"-a\" }\n",
       "t.textproto:6:11: archive host \"-a\": expected a host name: 1 to 63 letters, digits "
       "and hyphens, not beginning or ending with a hyphen (RFC 1123)"},
      {g + "steps { archive_fault { kind: FAIL count: 1 } }\n",
       "t.textproto:6:1: archive_fault needs an archive block"},
      {g + "archive { host: \"a\" }\nsteps { archive_fault { kind: FAIL } }\n",
       "t.textproto: FAIL: expected count of at least 1"},
      {g + "archive { host: \"a\" }\nsteps { archive_fault { kind: DOWN } }\n",
       "t.textproto: expected duration_ms max of at least 1"},
      {g + "invariants: ARCHIVE_PREFIX\n",
       "t.textproto:6:1: ARCHIVE_PREFIX needs an archive block"},
      {g + "steps { switch_wal { node: \"s\" } }\n",
       "t.textproto:6:22: switch_wal: \"s\" has no data directory yet; expected a base_backup "
       "step for it first"},
      {std::string("name: \"t\"\nprofile: \"pg-9.3.5\"\nnodes { name: \"p\" role: PRIMARY "
                   "settings { name: \"archive_mode\" value: \"always\" } }\n"),
       "t.textproto:3:33: pg-9.3.5: parameter \"archive_mode\" requires a Boolean value "
       "(archive_mode = always is 9.5 and later)"},
  };
  ExpectRefused(cases);
}

TEST(ArchiveLoadTest, AcceptsTheSteps) {
  const std::string g = kGood;
  EXPECT_TRUE(ParseScenario(g + "archive { host: \"a\" }\n"
                                "steps { switch_wal { node: \"p\" } }\n"
                                "steps { archive_fault { kind: FULL duration_ms { max: 10 } } }\n"
                                "invariants: ARCHIVE_PREFIX\n",
                            "t.textproto")
                  .ok());
}

TEST(ArchiveLoadTest, TheExampleLoads) {
  absl::StatusOr<Scenario> s = LoadScenarioFile("scenarios/examples/archive.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
}

}  // namespace
}  // namespace replsim::scenarios
