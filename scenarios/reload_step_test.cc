// The loader's checks of the reload step (pg_ctl reload): parameters whose
// reload replsim does not model, bad values, a release without the
// parameter and an empty reload are refused with file:line:col and what was
// expected; the good form loads.
#include <string>

#include "gtest/gtest.h"
#include "scenarios/loader_test_cases.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

std::string With(const std::string& more) { return std::string(kGood) + more; }

TEST(ReloadStepTest, BadReloadsAreRefusedWithTheirPlace) {
  const BadCase kCases[] = {
      {With("steps { reload { node: \"p\" } }\n"),
       "t.textproto:6:9: reload: expected at least one setting"},
      {With("steps { reload { node: \"x\" settings { name: \"synchronous_commit\" value: \"on\" "
            "} } }\n"),
       "t.textproto:6:1: unknown node \"x\""},
      {With("steps { reload { node: \"p\" settings { name: \"wal_sender_timeout\" value: \"5s\" "
            "} } }\n"),
       "t.textproto:6:28: reload of \"wal_sender_timeout\" is not modelled; expected "
       "synchronous_standby_names or synchronous_commit (each process's reload point is "
       "modelled for them only)"},
      {With("steps { reload { node: \"p\" settings { name: \"synchronous_commit\" value: "
            "\"maybe\" } } }\n"),
       "t.textproto:6:28: invalid value for parameter \"synchronous_commit\": \"maybe\"\n"
       "HINT:  Available values: local, remote_write, remote_apply, on, off."},
      {With("steps { reload { node: \"p\" settings { name: \"synchronous_commit\" value: \"off\" "
            "} } }\n"),
       "t.textproto:6:28: synchronous_commit off and remote_apply are not modelled; expected "
       "local, remote_write or on"},
      {With("expect { profile: \"pg-9.0.3\" }\n"
            "steps { reload { node: \"p\" settings { name: \"synchronous_standby_names\" value: "
            "\"s\" } } }\n"),
       "t.textproto:7:28: pg-9.0.3: unrecognized configuration parameter "
       "\"synchronous_standby_names\" (PostgreSQL 9.1 and later)"},
  };
  ExpectRefused(kCases);
}

TEST(ReloadStepTest, GoodFormLoads) {
  const std::string text = With(
      "steps { reload { node: \"p\" settings { name: \"synchronous_standby_names\" value: "
      "\"'s1, s2'\" } settings { name: \"synchronous_commit\" value: \"remote_write\" } } }\n");
  auto s = ParseScenario(text, "t.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
}

}  // namespace
}  // namespace replsim::scenarios
