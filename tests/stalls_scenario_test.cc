// The stall and clock steps in whole runs of PostgreSQL's processes:
// - a walreceiver stopped with SIGSTOP: its primary's walsender blocks
//   behind a closed window (zero-window probes from the primary) until
//   SIGCONT, then the standby's replies flow again and it catches up;
// - a primary's VM frozen for longer than wal_sender_timeout: on resume its
//   walsender finds no reply newer than the timeout (the standby's were
//   lost while the host was frozen) and exits, as PostgreSQL's
//   WalSndCheckTimeOut does on a resumed guest; a shorter pause does not;
// - a forward step of the primary's wall clock: wal_sender_timeout is
//   measured with GetCurrentTimestamp(), so the walsender exits at once;
// - per-host clock offset and drift drawn from the fault model.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

constexpr char kTimeoutLog[] = "terminating walsender process due to replication timeout";

// A primary and a streaming standby under a write workload; STEP is
// replaced by the step (or steps) under test, played once the standby has
// caught up, and SETTING by extra settings of the primary.
constexpr char kTemplate[] = R"pb(
  name: "stalls"
  profile: "pg-15"
  nodes {
    name: "primary"
    role: PRIMARY
    settings { name: "max_wal_senders" value: "5" }
    SETTING
  }
  nodes {
    name: "standby"
    role: STANDBY
    upstream: "primary"
    settings { name: "wal_receiver_status_interval" value: "1s" }
  }
  WORKLOAD
  steps { start { node: "primary" } }
  steps { base_backup { node: "standby" upstream: "primary" } }
  steps { start { node: "standby" } }
  steps { wait_for_catch_up { node: "standby" timeout_s: 60 } }
  STEP
  steps { delay_ms { min: 8000 max: 8000 } wait_for_catch_up { node: "standby" timeout_s: 60 } }
  faults {
    socket_send_buffer_bytes: 65536
    socket_receive_buffer_bytes: 65536
    bandwidth_bytes_per_ms { min: 100000 max: 100000 }
    FAULT
  }
  invariants: WAL_PREFIX
  invariants: NO_PANIC
  invariants: LIVENESS
)pb";

struct StallRun {
  RunReport report;
  // When the step under test ran (the first event of kind `marker`).
  os::Instant marked;
};

constexpr char kBusy[] = "workload { sessions: 4 think_ms: 2 row_bytes: 2000 transactions: 4000 }";

StallRun RunWith(const std::string& step, const std::string& setting = "",
                 const std::string& fault = "", uint64_t seed = 1,
                 const std::string& marker = "", const char* profile = "pg-15",
                 const std::string& workload = kBusy) {
  const std::string text = absl::StrReplaceAll(
      kTemplate,
      {{"STEP", step}, {"SETTING", setting}, {"FAULT", fault}, {"WORKLOAD", workload}});
  absl::StatusOr<Scenario> s = ParseScenario(text, "stalls.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
  RunOptions o;
  o.profile = profile;
  o.keep_trace = true;
  absl::StatusOr<RunReport> r = RunScenario(*s, seed, o);
  EXPECT_TRUE(r.ok()) << r.status();
  StallRun run{*r, os::Instant()};
  for (const sim::TraceEvent& e : run.report.trace) {
    const sim::TraceField* sig = e.Find("signal");
    const bool stop = marker == "SIGSTOP" && e.kind == "signal_sent" && sig != nullptr &&
                      sig->s == "SIGSTOP";
    if (!marker.empty() && (e.kind == marker || stop)) {
      run.marked = e.time;
      break;
    }
  }
  return run;
}

int Count(const RunReport& r, const std::string& host, const std::string& kind,
          os::Instant from, os::Instant to) {
  int n = 0;
  for (const sim::TraceEvent& e : r.trace) {
    n += e.host == host && e.kind == kind && e.time >= from && e.time < to;
  }
  return n;
}

// The first log line of `host` containing `text` at or after `from`.
std::optional<os::Instant> FirstLog(const RunReport& r, const std::string& host,
                                    const std::string& text, os::Instant from) {
  for (const sim::TraceEvent& e : r.trace) {
    if (e.host != host || e.kind != "log" || e.time < from) continue;
    const sim::TraceField* m = e.Find("message");
    if (m != nullptr && m->s.find(text) != std::string::npos) return e.time;
  }
  return std::nullopt;
}

TEST(StallsScenarioTest, WalsenderBlocksWhileItsWalreceiverIsStoppedAndResumesAfter) {
  const StallRun stalled = RunWith(
      R"pb(steps { stall_process { node: "standby" process: "walreceiver"
                                   duration_ms { min: 3000 max: 3000 } } })pb",
      "", "", 1, "SIGSTOP");
  EXPECT_TRUE(stalled.report.violations.empty()) << stalled.report.violations[0].message;
  const os::Instant stop = stalled.marked;
  const os::Instant cont = stop + os::Seconds(3);
  // The primary's data waits behind the standby's closed window.
  EXPECT_GT(Count(stalled.report, "primary", "tcp_zero_window_probe", stop, cont), 0);
  // Nothing the stopped walreceiver would send arrives meanwhile...
  EXPECT_EQ(Count(stalled.report, "standby", "msg_sent", stop + os::Milliseconds(1), cont), 0);
  // ...and after SIGCONT its status updates reach the walsender again.
  EXPECT_GT(Count(stalled.report, "primary", "msg_received", cont, cont + os::Seconds(1)), 0);

  // The same run without the stall never closes the window.
  const StallRun plain = RunWith("", "", "", 1);
  EXPECT_TRUE(plain.report.violations.empty());
  EXPECT_EQ(Count(plain.report, "primary", "tcp_zero_window_probe", os::Instant(),
                  plain.report.end_time),
            0);
}

TEST(StallsScenarioTest, PausedPrimaryWalsenderTimesOutOnResume) {
  for (const char* profile : {"pg-15", "pg-9.3.0"}) {
    const StallRun paused = RunWith(
        R"pb(steps { pause_host { node: "primary" duration_ms { min: 5000 max: 5000 } } })pb",
        R"pb(settings { name: "wal_sender_timeout" value: "2s" })pb", "", 1, "host_pause",
        profile);
    const os::Instant resume = paused.marked + os::Seconds(5);
    const std::optional<os::Instant> t = FirstLog(paused.report, "primary", kTimeoutLog,
                                                  paused.marked);
    ASSERT_TRUE(t.has_value()) << profile;
    EXPECT_GE(*t, resume) << profile;
    EXPECT_LT(*t, resume + os::Milliseconds(100)) << profile;  // at once
    // The standby reconnects and catches up: the last step passed.
    EXPECT_TRUE(paused.report.violations.empty()) << profile;

    // A pause shorter than the timeout: the standby's next reply comes in time.
    const StallRun short_pause = RunWith(
        R"pb(steps { pause_host { node: "primary" duration_ms { min: 500 max: 500 } } })pb",
        R"pb(settings { name: "wal_sender_timeout" value: "2s" })pb", "", 1, "host_pause",
        profile);
    EXPECT_FALSE(FirstLog(short_pause.report, "primary", kTimeoutLog, os::Instant()).has_value())
        << profile;
  }
}

// wal_sender_timeout is measured with GetCurrentTimestamp(). 9.3's
// WalSndLoop checks it right after its latch wait, before reading the reply
// that woke it: a forward step ends the walsender at its next wake-up. 15's
// reads replies first (ProcessRepliesIfAny sets last_reply_timestamp from
// the stepped clock), so a standby that keeps replying keeps it alive.
TEST(StallsScenarioTest, ForwardClockStepExpiresWalSenderTimeoutIn93Only) {
  // Two seconds in: the walsender is streaming (with no workload the first
  // catch-up is at once).
  constexpr char kForward[] = R"pb(steps {
                                     delay_ms { min: 2000 max: 2000 }
                                     clock_step { node: "primary" step_ms: 3600000 }
                                   })pb";
  const StallRun old = RunWith(kForward, "", "", 1, "clock_step", "pg-9.3.0", "");
  const std::optional<os::Instant> t = FirstLog(old.report, "primary", kTimeoutLog, old.marked);
  ASSERT_TRUE(t.has_value());
  EXPECT_LT(*t, old.marked + os::Milliseconds(1100));  // the standby replies every 1 s
  const StallRun v15 = RunWith(kForward, "", "", 1, "clock_step", "pg-15", "");
  EXPECT_FALSE(FirstLog(v15.report, "primary", kTimeoutLog, os::Instant()).has_value());
  EXPECT_TRUE(v15.report.violations.empty());
  // A step back ends nothing in either: the next reply resets the timeout.
  for (const char* profile : {"pg-9.3.0", "pg-15"}) {
    const StallRun back = RunWith(
        R"pb(steps {
               delay_ms { min: 2000 max: 2000 }
               clock_step { node: "primary" step_ms: -3600000 }
             })pb",
        "", "", 1, "",
        profile, "");
    EXPECT_FALSE(FirstLog(back.report, "primary", kTimeoutLog, os::Instant()).has_value())
        << profile;
    EXPECT_TRUE(back.report.violations.empty()) << profile;
  }
}

TEST(StallsScenarioTest, ClockOffsetAndDriftAreDrawnPerSeedAndHost) {
  auto clocks = [](uint64_t seed) {
    const StallRun r = RunWith("", "",
                          R"pb(clock_offset_ms { min: -5000 max: 5000 }
                               clock_drift_ppm { min: -200 max: 200 })pb",
                          seed);
    std::vector<std::pair<int64_t, int64_t>> out;
    for (const sim::TraceEvent& e : r.report.trace) {
      if (e.kind != "clock") continue;
      out.emplace_back(e.Find("offset_us")->i, e.Find("drift_ppm")->i);
    }
    return out;
  };
  const auto a = clocks(1);
  ASSERT_EQ(a.size(), 2u);  // primary and standby
  EXPECT_NE(a[0], a[1]);
  for (const auto& [offset_us, ppm] : a) {
    EXPECT_LE(std::abs(offset_us), 5'000'000);
    EXPECT_LE(std::abs(ppm), 200);
  }
  EXPECT_EQ(clocks(1), a);
  EXPECT_NE(clocks(2), a);
  // Unset, nothing is drawn and no clock is set.
  const StallRun plain = RunWith("");
  EXPECT_EQ(Count(plain.report, "primary", "clock", os::Instant(), plain.report.end_time), 0);
}

}  // namespace
}  // namespace replsim::scenarios
