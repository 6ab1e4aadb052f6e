// Inputs that used to load and then quietly disable what the scenario tests
// (issue 17): enum numbers no invariant or role has, a link with no
// bandwidth, counts that overflow an int, node names that are no host
// names, waits longer than the run's time limit. Each is refused with
// file:line:col and what was expected.
#include <string>

#include "gtest/gtest.h"
#include "scenarios/loader_test_cases.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

std::string Pair(const std::string& more) { return std::string(kGood) + more; }

constexpr char kInvariants[] =
    "expected one of CLEAN_SWITCHOVER, WAL_PREFIX, SYNC_COMMIT_DURABLE, LIVENESS, NO_PANIC, "
    "REPLAY_NOT_PAST_DURABLE, ONE_PING_OUTSTANDING, ARCHIVE_PREFIX";
constexpr char kHostName[] =
    "expected a host name: 1 to 63 letters, digits and hyphens, not beginning or ending with "
    "a hyphen (RFC 1123)";

TEST(ScenarioLimitsTest, InputsThatWouldQuietlyDisableTheTestAreRefused) {
  const std::string s_streams =
      "steps { base_backup { node: \"s\" upstream: \"p\" } }\nsteps { start { node: \"s\" } }\n";
  const BadCase kCases[] = {
      // Enum numbers nothing checks for (proto3 keeps them).
      {Pair("invariants: 99\n"), "t.textproto:6:1: invariants: 99 is not a known value; " +
                                     std::string(kInvariants)},
      {Pair("invariants: WAL_PREFIX\ninvariants: -1\n"),
       "t.textproto:7:1: invariants: -1 is not a known value; " + std::string(kInvariants)},
      // A list has one location: the field's.
      {Pair("invariants: [WAL_PREFIX, 99]\n"),
       "t.textproto:6:1: invariants: 99 is not a known value; " + std::string(kInvariants)},
      {Pair("invariants: NO_PANIC\nexpect { tolerated: [LIVENESS, INVARIANT_UNSPECIFIED] }\n"),
       "t.textproto:7:10: tolerated: INVARIANT_UNSPECIFIED names no invariant; " +
           std::string(kInvariants)},
      {Pair("expect { tolerated: 99 }\n"),
       "t.textproto:6:10: tolerated: 99 is not a known value; " + std::string(kInvariants)},
      {Pair("expect { tolerated: INVARIANT_UNSPECIFIED }\n"),
       "t.textproto:6:10: tolerated: INVARIANT_UNSPECIFIED names no invariant; " +
           std::string(kInvariants)},
      {Pair("nodes { name: \"r\" role: 9 upstream: \"p\" }\n"),
       "t.textproto:6:19: role: 9 is not a known value; expected one of PRIMARY, STANDBY, "
       "RECEIVEXLOG"},
      {Pair("steps { stop { node: \"p\" mode: 5 } }\n"),
       "t.textproto:6:26: mode: 5 is not a known value; expected one of SMART, FAST, IMMEDIATE"},
      // Zero bandwidth was taken as unset (the default links); zero latency too.
      {Pair("faults { bandwidth_bytes_per_ms { min: 0 max: 0 } }\n"),
       "t.textproto:6:10: bandwidth_bytes_per_ms: min 0 carries nothing; expected min at least "
       "1 (without bandwidth_bytes_per_ms: 50000..1000000)"},
      {Pair("faults { bandwidth_bytes_per_ms { } }\n"),
       "t.textproto:6:10: bandwidth_bytes_per_ms: min 0 carries nothing; expected min at least "
       "1 (without bandwidth_bytes_per_ms: 50000..1000000)"},
      {Pair("faults { latency_us { min: 0 max: 0 } }\n"),
       "t.textproto:6:10: latency_us: max 0 would be read as unset (50..2000); expected max "
       "at least 1, or no latency_us"},
      {Pair("faults { disk_latency_us { } }\n"),
       "t.textproto:6:10: disk_latency_us: max 0 would be read as unset (500..5000); expected "
       "max at least 1, or no disk_latency_us"},
      // The scheduler's settings (sim/cpu.h, sim/tie_break.h).
      {Pair("scheduler { resume_us { } }\n"),
       "t.textproto:6:13: resume_us: max 0 would be read as unset (5..50); expected max at "
       "least 1, or no resume_us"},
      {Pair("scheduler { depth: 2 }\n"), "t.textproto:6:13: depth: only for mode: PCT"},
      {Pair("scheduler { mode: PCT depth: 11 }\n"),
       "t.textproto:6:23: depth 11: expected 1..10 (0: 3)"},
      {Pair("scheduler { cores: 65 }\n"), "t.textproto:6:13: cores 65: expected 1..64 (0: 2)"},
      {Pair("scheduler { mode: 7 }\n"),
       "t.textproto:6:13: mode: 7 is not a known value; expected one of FIFO, RANDOM, PCT"},
      // Counts that overflow an int (2^31 transactions ran none).
      {Pair("workload { sessions: 1 transactions: 2147483648 }\n"),
       "t.textproto:6:24: transactions 2147483648: expected at most 2147483647"},
      {Pair("workload { sessions: 1 transactions: 4294967295 }\n"),
       "t.textproto:6:24: transactions 4294967295: expected at most 2147483647"},
      {Pair("workload { sessions: 262144 }\n"),
       "t.textproto:6:12: sessions 262144: expected at most 262143 (PostgreSQL's "
       "MAX_BACKENDS, 9.6 and later)"},
      {Pair("workload { sessions: 4294967295 }\n"),
       "t.textproto:6:12: sessions 4294967295: expected at most 262143 (PostgreSQL's "
       "MAX_BACKENDS, 9.6 and later)"},
      // A node name is the host name in every connection string.
      {Pair("nodes { name: \"a b\" role: STANDBY upstream: \"p\" }\n"),
       "t.textproto:6:9: node name \"a b\": " + std::string(kHostName)},
      {Pair("nodes { name: \"-a\" role: STANDBY upstream: \"p\" }\n"),
       "t.textproto:6:9: node name \"-a\": " + std::string(kHostName)},
      {Pair("nodes { name: \"a-\" role: STANDBY upstream: \"p\" }\n"),
       "t.textproto:6:9: node name \"a-\": " + std::string(kHostName)},
      {Pair("nodes { name: \"a_b\" role: STANDBY upstream: \"p\" }\n"),
       "t.textproto:6:9: node name \"a_b\": " + std::string(kHostName)},
      {Pair("nodes { name: \"a.b\" role: STANDBY upstream: \"p\" }\n"),
       "t.textproto:6:9: node name \"a.b\": " + std::string(kHostName)},
      {Pair("nodes { name: \"" + std::string(64, 'a') + "\" role: STANDBY upstream: \"p\" }\n"),
       "t.textproto:6:9: node name \"" + std::string(64, 'a') + "\": " + std::string(kHostName)},
      // Waits longer than the run may last.
      {Pair("steps { stop { node: \"p\" mode: FAST timeout_s: 601 } }\n"),
       "t.textproto:6:37: timeout_s 601 is longer than the run's time limit of 600 s "
       "(time_limit_s); expected at most 600"},
      {Pair("time_limit_s: 30\nsteps { stop { node: \"p\" mode: FAST timeout_s: 31 } }\n"),
       "t.textproto:7:37: timeout_s 31 is longer than the run's time limit of 30 s "
       "(time_limit_s); expected at most 30"},
      {Pair(s_streams + "steps { wait_for_catch_up { node: \"s\" timeout_s: 601 } }\n"),
       "t.textproto:8:39: timeout_s 601 is longer than the run's time limit of 600 s "
       "(time_limit_s); expected at most 600"},
      {Pair("workload { sessions: 1 think_ms: 600001 }\n"),
       "t.textproto:6:24: think_ms 600001 is longer than the run's time limit of 600 s "
       "(time_limit_s); expected at most 600000"},
      {Pair("steps { partition { a: \"p\" b: \"s\" duration_ms { min: 1 max: 600001 } } }\n"),
       "t.textproto:6:35: duration_ms max 600001 is longer than the run's time limit of 600 s "
       "(time_limit_s); expected at most 600000"},
      {Pair("time_limit_s: 10\n"
            "steps { delay_ms { min: 0 max: 6000 } stop { node: \"p\" mode: FAST } }\n"
            "steps { delay_ms { max: 4000 } start { node: \"p\" } }\n"),
       "t.textproto:8:9: delay_ms: the delays add up to as much as 10000 ms by this step, which "
       "reaches the time limit of 10 s (time_limit_s); expected less than 10000 ms in all"},
      {Pair("steps { delay_ms { min: 600000 max: 600000 } stop { node: \"p\" mode: FAST } }\n"),
       "t.textproto:6:9: delay_ms: the delays add up to as much as 600000 ms by this step, "
       "which reaches the time limit of 600 s (time_limit_s); expected less than 600000 ms in "
       "all"},
      {Pair("time_limit_s: 10\n"
            "steps { delay_ms { max: 1000 } crash { node: \"s\" restart_after_ms: 9000 } }\n"),
       "t.textproto:7:50: restart_after_ms: the delays add up to as much as 10000 ms by this "
       "step, which reaches the time limit of 10 s (time_limit_s); expected less than 10000 ms "
       "in all"},
  };
  ExpectRefused(kCases);
}

TEST(ScenarioLimitsTest, InputsAtTheLimitsLoad) {
  const std::string kGoodCases[] = {
      Pair("nodes { name: \"node-1\" role: STANDBY upstream: \"p\" }\n"
           "nodes { name: \"" + std::string(63, 'Z') + "\" role: STANDBY upstream: \"p\" }\n"
           "nodes { name: \"9\" role: STANDBY upstream: \"p\" }\n"),
      Pair("faults { bandwidth_bytes_per_ms { min: 1 max: 1 } latency_us { max: 1 } }\n"),
      Pair("workload { sessions: 262143 transactions: 2147483647 think_ms: 600000 }\n"),
      Pair("time_limit_s: 10\n"
           "steps { delay_ms { max: 5000 } stop { node: \"p\" mode: FAST timeout_s: 10 } }\n"
           "steps { delay_ms { max: 1000 } crash { node: \"s\" restart_after_ms: 3999 } }\n"
           "steps { partition { a: \"p\" b: \"s\" duration_ms { max: 10000 } } }\n"),
      Pair("invariants: WAL_PREFIX\nexpect { tolerated: LIVENESS }\n"),
  };
  for (const std::string& text : kGoodCases) {
    auto s = ParseScenario(text, "t.textproto");
    EXPECT_TRUE(s.ok()) << text << "\n" << s.status();
  }
}

}  // namespace
}  // namespace replsim::scenarios
