// File: tests/streaming_pair.h
//
// The opening several end-to-end tests share: a primary under a small write
// workload streaming to a standby made from its base backup, caught up. A
// test appends its own steps, faults and invariants.
#ifndef REPLSIM_TESTS_STREAMING_PAIR_H_
#define REPLSIM_TESTS_STREAMING_PAIR_H_

#include <string>
#include <string_view>

namespace replsim::scenarios {

inline std::string StreamingPairScenario(std::string_view profile) {
  return "name: \"t\"\nprofile: \"" + std::string(profile) + "\"\n" + R"(
nodes { name: "primary" role: PRIMARY settings { name: "max_wal_senders" value: "5" } }
nodes { name: "standby" role: STANDBY upstream: "primary" }
workload { sessions: 2 think_ms: 5 row_bytes: 100 }
steps { start { node: "primary" } }
steps { base_backup { node: "standby" upstream: "primary" } }
steps { start { node: "standby" } }
steps { wait_for_catch_up { node: "standby" timeout_s: 60 } }
)";
}

}  // namespace replsim::scenarios

#endif  // REPLSIM_TESTS_STREAMING_PAIR_H_
