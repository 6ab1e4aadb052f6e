// A walreceiver waiting inside libpq (connecting, or for its startup
// response) ends promptly on SIGTERM, as PostgreSQL's does: libpqrcv's
// waits watch the latch in 15, EnableWalRcvImmediateExit covers them in
// 9.x. The case: the primary's connections are reset, the walreceiver
// reconnects at once, the primary's host dies mid-handshake (no RST, so
// only TCP's retransmission timeout would end the wait), and the standby
// is promoted: the startup process SIGTERMs the walreceiver and waits for
// it. Promotion must not wait out TCP.
#include <string>
#include <string_view>

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

bool Logged(const RunReport& r, absl::string_view process, absl::string_view text) {
  for (const sim::TraceEvent& e : r.trace) {
    const sim::TraceField* m = e.Find("message");
    if (e.host == "standby" && e.process == process && m != nullptr &&
        absl::StrContains(m->s, text)) {
      return true;
    }
  }
  return false;
}

// 9.3.0 runs with a4d1ce095b here: without it some interleavings lose the
// walreceiver start request before the promotion (the next test), which is
// 9.3.0's own delay, not the walreceiver's wait.
TEST(WalreceiverInterruptTest, PromotionEndsAWalreceiverStuckInItsHandshake) {
  auto s = ParseScenario(StreamingPairScenario("pg-15") + kSteps, "t.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  for (const char* profile : {"pg-15", "pg-9.3.0"}) {
    int interrupted = 0;
    for (uint64_t seed = 1; seed <= 30; ++seed) {
      RunOptions o;
      o.profile = profile;
      o.switches = "a4d1ce095b=on";
      o.keep_trace = true;
      auto r = RunScenario(*s, seed, o);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_TRUE(r->violations.empty())
          << profile << " seed " << seed << ": " << r->violations[0].message;
      EXPECT_LT(r->end_time.nanos(), 5'000'000'000) << profile << " seed " << seed;
      if (Logged(*r, "walreceiver", "terminating walreceiver process due to administrator")) {
        ++interrupted;
      }
    }
    EXPECT_GT(interrupted, 10) << profile;
  }
}

// Before a4d1ce095b the postmaster dropped a PMSIGNAL_START_WALRECEIVER that
// arrived while the old walreceiver's SIGCHLD was still unhandled. Here the
// walreceiver dies when the primary resets its connection and the startup
// process asks for a new one at once, so in some interleavings the request
// is lost: no walreceiver runs, the startup process waits for streamed WAL
// until the promotion, then out the 5 s retry interval. With the fix no
// request is lost and every promotion is prompt.
TEST(WalreceiverInterruptTest, Pre2017PostmasterDropsAStartRequestBeforeTheSigchld) {
  auto s = ParseScenario(StreamingPairScenario("pg-9.3.0") + kSteps, "t.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  for (const char* fix : {"a4d1ce095b=off", "a4d1ce095b=on"}) {
    int late = 0;
    for (uint64_t seed = 1; seed <= 30; ++seed) {
      RunOptions o;
      o.switches = fix;
      o.keep_trace = true;
      auto r = RunScenario(*s, seed, o);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_TRUE(r->violations.empty()) << fix << " seed " << seed;
      if (r->end_time.nanos() >= 5'000'000'000) {
        ++late;
        // Late only because no walreceiver was there to interrupt.
        EXPECT_FALSE(Logged(*r, "walreceiver", "terminating walreceiver process"))
            << fix << " seed " << seed;
      }
    }
    if (std::string_view(fix) == "a4d1ce095b=off") {
      EXPECT_GT(late, 0) << fix;
    } else {
      EXPECT_EQ(late, 0) << fix;
    }
  }
}

}  // namespace
}  // namespace replsim::scenarios
