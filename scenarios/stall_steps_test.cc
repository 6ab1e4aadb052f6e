// The loader's checks of the stall and clock steps (stall_process,
// pause_host, slow_disk, slow_reader, clock_step) and of the fault model's
// clock offset and drift: each bad value is refused with file:line:col and
// what was expected, and the good forms load.
#include <string>

#include "gtest/gtest.h"
#include "scenarios/loader_test_cases.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

std::string With(const std::string& more) { return std::string(kGood) + more; }

TEST(StallStepsTest, BadValuesAreRefusedWithTheirPlace) {
  const BadCase kCases[] = {
      {With("steps { stall_process { node: \"p\" process: \"walsender\" } }\n"),
       "t.textproto:6:9: duration_ms: max 0 would end the fault as it begins; expected max at "
       "least 1"},
      {With("steps { stall_process { node: \"p\" process: \"wal\" duration_ms { max: 5 } } }\n"),
       "t.textproto:6:35: stall_process: no process \"wal\" in PostgreSQL; expected one of "
       "postmaster, startup, checkpointer, walreceiver, walsender, backend"},
      {With("steps { stall_process { node: \"x\" process: \"walsender\" } }\n"),
       "t.textproto:6:1: unknown node \"x\""},
      {With("steps { pause_host { node: \"p\" duration_ms { min: 9 max: 5 } } }\n"),
       "t.textproto:6:32: duration_ms: min 9 is greater than max 5"},
      {With("steps { pause_host { node: \"p\" duration_ms { max: 700000 } } }\n"),
       "t.textproto:6:32: duration_ms max 700000 is longer than the run's time limit of 600 s "
       "(time_limit_s); expected at most 600000"},
      {With("steps { slow_disk { node: \"p\" factor: 1 duration_ms { max: 5 } } }\n"),
       "t.textproto:6:31: factor 1: expected 2..1000"},
      {With("steps { slow_reader { node: \"p\" process: \"walsender\" duration_ms { max: 5 } } "
            "}\n"),
       "t.textproto:6:9: read_bytes_per_ms: 0 would never read; expected at least 1"},
      {With("steps { clock_step { node: \"p\" } }\n"),
       "t.textproto:6:9: step_ms 0: expected a nonzero step of at most 604800000 ms (7 "
       "days) forward or back"},
      {With("steps { clock_step { node: \"p\" step_ms: -604800001 } }\n"),
       "t.textproto:6:32: step_ms -604800001: expected a nonzero step of at most 604800000 ms "
       "(7 days) forward or back"},
      {With("faults { clock_offset_ms { min: -604800001 max: 0 } }\n"),
       "t.textproto:6:10: clock_offset_ms: expected -604800000..604800000 ms (7 days), found "
       "-604800001..0"},
      {With("faults { clock_offset_ms { min: 5 max: -5 } }\n"),
       "t.textproto:6:10: clock_offset_ms: min 5 is greater than max -5"},
      {With("faults { clock_drift_ppm { min: -501 max: 0 } }\n"),
       "t.textproto:6:10: clock_drift_ppm: expected -500..500 ppm (ntpd's limit), found "
       "-501..0"},
  };
  ExpectRefused(kCases);
}

TEST(StallStepsTest, GoodFormsLoad) {
  const std::string text = With(R"(
steps { stall_process { node: "p" process: "checkpointer" duration_ms { min: 1 max: 5 } } }
steps { pause_host { node: "s" duration_ms { min: 100 max: 100 } } }
steps { slow_disk { node: "p" factor: 1000 duration_ms { max: 1 } } }
steps { slow_reader { node: "p" process: "postmaster" read_bytes_per_ms: 1
                      duration_ms { max: 1 } } }
steps { clock_step { node: "p" step_ms: -604800000 } }
faults { clock_offset_ms { min: -604800000 max: 604800000 }
         clock_drift_ppm { min: -500 max: 500 } }
)");
  auto s = ParseScenario(text, "t.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
}

}  // namespace
}  // namespace replsim::scenarios
