// Faults a scenario can now ask for, end to end: a failed fsync on the
// standby PANICs its walreceiver with the release's text and the standby
// recovers and catches up; a middlebox reset of the primary's connections
// makes the walreceiver reconnect; the per-seed fsync-failure and torn-sector
// probabilities reach the disks.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "tests/streaming_pair.h"

namespace replsim::scenarios {
namespace {


Scenario Parse(const std::string& profile, const std::string& more) {
  const std::string text = StreamingPairScenario(profile) +
                           "invariants: WAL_PREFIX\ninvariants: LIVENESS\n" + more;
  auto s = ParseScenario(text, "t.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *s : Scenario();
}

std::vector<std::string> Logs(const RunReport& r, const std::string& host,
                              const std::string& level) {
  std::vector<std::string> out;
  for (const sim::TraceEvent& e : r.trace) {
    if (e.kind != "log" || e.host != host) continue;
    const sim::TraceField* k = e.Find("kind");
    const sim::TraceField* m = e.Find("message");
    if (k != nullptr && k->s == level && m != nullptr) out.push_back(e.process + ": " + m->s);
  }
  return out;
}

int Count(const RunReport& r, const std::string& kind) {
  int n = 0;
  for (const sim::TraceEvent& e : r.trace) n += e.kind == kind;
  return n;
}

RunReport RunWithTrace(const Scenario& s, uint64_t seed) {
  RunOptions o;
  o.keep_trace = true;
  auto r = RunScenario(s, seed, o);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : RunReport();
}

TEST(DiskFaultsTest, AFailedFsyncOnTheStandbyPanicsItsWalreceiverAndItRecovers) {
  const std::string steps =
      "steps { delay_ms { min: 10 max: 10 } disk_fault { node: \"standby\" kind: "
      "FAIL_NEXT_FSYNC } }\n"
      "steps { delay_ms { min: 200 max: 200 } wait_for_catch_up { node: \"standby\" "
      "timeout_s: 60 } }\n";
  for (const auto& [profile, text] :
       {std::pair<std::string, std::string>{
            "pg-15", "walreceiver: could not fdatasync file \"000000010000000000000001\": "
                     "Input/output error"},
        {"pg-9.3.0", "walreceiver: could not fdatasync log file 000000010000000000000001: "
                     "Input/output error"}}) {
    RunReport r = RunWithTrace(Parse(profile, steps), 1);
    EXPECT_EQ(Logs(r, "standby", "PANIC"), std::vector<std::string>{text}) << profile;
    EXPECT_EQ(Count(r, "fault_fsync_eio"), 1) << profile;
    std::vector<std::string> log = Logs(r, "standby", "LOG");
    bool reinit = false;
    for (const std::string& l : log) reinit |= absl::StrContains(l, "reinitializing");
    EXPECT_TRUE(reinit) << profile << ": the postmaster restarts after the PANIC";
    bool aborted = false;
    for (const std::string& l : log) {
      aborted |= absl::StrContains(l, "WAL receiver process (PID ") &&
                 absl::StrContains(l, ") was terminated by signal 6: Aborted");
    }
    EXPECT_TRUE(aborted) << profile << ": a PANIC ends the process with abort()";
    EXPECT_TRUE(r.violations.empty()) << profile << ": " << r.violations[0].message;
  }
}

TEST(DiskFaultsTest, DroppedConnectionsMakeTheWalreceiverReconnect) {
  RunReport r = RunWithTrace(Parse("pg-15",
                          "steps { delay_ms { min: 10 max: 10 } drop_connections { node: "
                          "\"primary\" } }\n"
                          "steps { delay_ms { min: 100 max: 100 } wait_for_catch_up { node: "
                          "\"standby\" timeout_s: 60 } }\n"),
                    1);
  EXPECT_GE(Count(r, "fault_drop_connection"), 1);
  int started = 0;
  for (const std::string& l : Logs(r, "standby", "LOG")) {
    started += absl::StrContains(l, "started streaming WAL");
  }
  EXPECT_EQ(started, 2) << "streamed, was reset, streamed again";
  EXPECT_FALSE(Logs(r, "standby", "FATAL").empty());
  EXPECT_TRUE(r.violations.empty()) << r.violations[0].message;
}

TEST(DiskFaultsTest, AFullDiskFailsANewSegmentNotWritesIntoOne) {
  // The standby's disk fills while it streams: its walreceiver keeps
  // writing into the segment it has (its 16 MiB were taken when it was
  // made), but promotion needs the new timeline's first segment, and
  // XLogFileCopy's zero-fill fails: the startup process exits FATAL and the
  // postmaster shuts down. With the space freed first, promotion completes.
  const std::string steps =
      "steps { disk_fault { node: \"standby\" kind: FILL } }\n"
      "steps { delay_ms { min: 50 max: 50 } stop { node: \"primary\" mode: FAST } }\n"
      "steps { promote { node: \"standby\" } }\n";
  // The message names the release's WAL directory (pg_xlog before 10).
  for (const auto& [profile, dir] : {std::pair<std::string, std::string>{"pg-15", "pg_wal"},
                                     {"pg-9.3.0", "pg_xlog"}}) {
    RunReport r = RunWithTrace(Parse(profile, steps), 1);
    EXPECT_TRUE(Logs(r, "standby", "PANIC").empty()) << Logs(r, "standby", "PANIC")[0];
    std::vector<std::string> fatal = Logs(r, "standby", "FATAL");
    bool zero_fill = false;
    for (const std::string& l : fatal) {
      zero_fill |=
          absl::StartsWith(l, "startup: could not write to file \"" + dir + "/xlogtemp.") &&
          absl::EndsWith(l, "\": No space left on device");
    }
    EXPECT_TRUE(zero_fill) << profile << ": " << (fatal.empty() ? "no FATAL" : fatal[0]);
    bool shut_down = false;
    for (const std::string& l : Logs(r, "standby", "LOG")) {
      shut_down |= absl::StrContains(l, "shutting down due to startup process failure");
    }
    EXPECT_TRUE(shut_down) << profile;
    ASSERT_FALSE(r.violations.empty()) << profile;
    // The liveness failure says when the standby went down, and why.
    EXPECT_TRUE(absl::StartsWith(r.violations[0].message, "promote of standby failed at "))
        << r.violations[0].message;
    EXPECT_TRUE(absl::StrContains(r.violations[0].message,
                                  "): standby's postmaster exited with exit code 1; last error "
                                  "of standby: FATAL: could not write to file \"" +
                                      dir + "/xlogtemp."))
        << r.violations[0].message;
  }

  // Space freed before the promotion: it completes.
  RunReport healed = RunWithTrace(
      Parse("pg-15",
            "steps { disk_fault { node: \"standby\" kind: FILL } }\n"
            "steps { delay_ms { min: 50 max: 50 } disk_fault { node: \"standby\" kind: FREE } }\n"
            "steps { stop { node: \"primary\" mode: FAST } }\n"
            "steps { promote { node: \"standby\" } }\n"),
      1);
  EXPECT_TRUE(healed.violations.empty()) << healed.violations[0].message;
  EXPECT_EQ(Count(healed, "fault_disk_freed"), 1);
}

TEST(DiskFaultsTest, PerSeedProbabilitiesReachTheDisks) {
  // 2 % of fsyncs fail: some of a seed's several hundred do.
  const Scenario eio =
      Parse("pg-15", "faults { fsync_eio_per_million { min: 20000 max: 20000 } }\n");
  const Scenario none = Parse("pg-15", "");
  int failed_fsyncs = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    failed_fsyncs += Count(RunWithTrace(eio, seed), "fault_fsync_eio");
    EXPECT_EQ(Count(RunWithTrace(none, seed), "fault_fsync_eio"), 0);
  }
  EXPECT_GT(failed_fsyncs, 0);

  // At a host crash, dirty sectors persist with the drawn percentage.
  const std::string crash =
      "steps { crash { node: \"standby\" restart_after_ms: 100 } }\n";
  auto lost = [&](const std::string& faults) {
    int64_t pages = 0;
    RunReport r = RunWithTrace(Parse("pg-15", crash + faults), 3);
    for (const sim::TraceEvent& e : r.trace) {
      if (e.kind != "disk_crash" || e.host != "standby") continue;
      if (const sim::TraceField* f = e.Find("lost_dirty_pages")) pages += f->i;
    }
    return pages;
  };
  EXPECT_GT(lost(""), 0) << "nothing survives that was not fsynced";
  EXPECT_EQ(lost("faults { crash_sector_persist_percent { min: 100 max: 100 } }\n"), 0)
      << "every dirty sector reached the platter";
}

}  // namespace
}  // namespace replsim::scenarios
