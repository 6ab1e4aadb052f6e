// A walreceiver waiting inside libpq (connecting, or for its startup
// response) ends promptly on SIGTERM, as PostgreSQL's does: libpqrcv's
// waits watch the latch in 15, EnableWalRcvImmediateExit covers them in
// 9.x. The case: the primary's connections are reset, the walreceiver
// reconnects at once, the primary's host dies mid-handshake (no RST, so
// only TCP's retransmission timeout would end the wait), and the standby
// is promoted: the startup process SIGTERMs the walreceiver and waits for
// it. Promotion must not wait out TCP.
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "tests/streaming_pair.h"

namespace replsim::scenarios {
namespace {

constexpr char kSteps[] = R"(
steps { delay_ms { min: 0 max: 50 } drop_connections { node: "primary" } }
steps { delay_ms { min: 0 max: 3 } crash { node: "primary" } }
steps { delay_ms { min: 0 max: 300 } promote { node: "standby" } }
invariants: LIVENESS
invariants: WAL_PREFIX
)";

TEST(WalreceiverInterruptTest, PromotionEndsAWalreceiverStuckInItsHandshake) {
  auto s = ParseScenario(StreamingPairScenario("pg-15") + kSteps, "t.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  for (const char* profile : {"pg-15", "pg-9.3.0"}) {
    int interrupted = 0;
    for (uint64_t seed = 1; seed <= 30; ++seed) {
      RunOptions o;
      o.profile = profile;
      o.keep_trace = true;
      auto r = RunScenario(*s, seed, o);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_TRUE(r->violations.empty())
          << profile << " seed " << seed << ": " << r->violations[0].message;
      EXPECT_LT(r->end_time.nanos(), 5'000'000'000) << profile << " seed " << seed;
      for (const sim::TraceEvent& e : r->trace) {
        const sim::TraceField* m = e.Find("message");
        if (e.host == "standby" && e.process == "walreceiver" && m != nullptr &&
            absl::StrContains(m->s, "terminating walreceiver process due to administrator")) {
          ++interrupted;
          break;
        }
      }
    }
    EXPECT_GT(interrupted, 10) << profile;
  }
}

}  // namespace
}  // namespace replsim::scenarios
