// The outcome record's parsing of server logs, its normalisation, and the
// refusals of `replsim real` (no PostgreSQL needed).
#include "tools/outcome.h"

#include <cstdio>
#include <fstream>

#include "gtest/gtest.h"
#include "scenarios/scenario_loader.h"
#include "tools/real_check.h"

namespace replsim::tools {
namespace {

// Lines as PostgreSQL 15 wrote them in a real run (log_line_prefix
// '%m [%p] %b: '), an old primary restarted as a standby of a standby
// promoted before its shutdown checkpoint.
constexpr char kRefusedLog[] =
    "2026-12-06 05:20:01.100 UTC [100] postmaster: LOG:  listening on IPv4 address "
    "\"127.0.0.1\", port 40001\n"
    "2026-12-06 05:20:01.200 UTC [100] postmaster: LOG:  database system is ready to accept "
    "connections\n"
    "2026-12-06 05:20:02.000 UTC [100] postmaster: LOG:  received fast shutdown request\n"
    "2026-12-06 05:20:02.100 UTC [100] postmaster: LOG:  database system is shut down\n"
    "2026-12-06 05:20:03.000 UTC [200] postmaster: LOG:  listening on IPv4 address "
    "\"127.0.0.1\", port 40001\n"
    "2026-12-06 05:20:03.010 UTC [202] startup: LOG:  entering standby mode\n"
    "2026-12-06 05:20:03.050 UTC [205] walreceiver: FATAL:  could not connect to the primary "
    "server: connection to server at \"127.0.0.1\", port 40002 failed: Connection refused\n"
    "\tIs the server running on that host and accepting TCP/IP connections?\n"
    "2026-12-06 05:20:03.100 UTC [206] walreceiver: LOG:  started streaming WAL from primary "
    "at 0/3000000 on timeline 1\n"
    "2026-12-06 05:20:03.200 UTC [202] startup: LOG:  new timeline 2 forked off current "
    "database system timeline 1 before current recovery point 0/30000A0\n";

TEST(ParseServerLog, TimelineRefusalAndLifecycleOfTheLastStart) {
  const LogFacts f = ParseServerLog(kRefusedLog);
  EXPECT_TRUE(f.started);
  EXPECT_FALSE(f.stopped);  // the second start is running
  EXPECT_TRUE(f.in_recovery);
  EXPECT_EQ(f.timeline, 1);
  EXPECT_EQ(f.last_refusal,
            "LOG:  new timeline 2 forked off current database system timeline 1 before current "
            "recovery point 0/30000A0");
}

TEST(ParseServerLog, MultiLineFatalAndCleanShutdown) {
  // The log up to the walreceiver's second attempt, then a shutdown.
  const std::string full = kRefusedLog;
  const std::string log = full.substr(0, full.rfind('\n', full.find("[206]")) + 1) +
                          "2026-12-06 05:20:04.000 UTC [200] postmaster: LOG:  database system "
                          "is shut down\n";
  const LogFacts f = ParseServerLog(log);
  EXPECT_TRUE(f.stopped);
  EXPECT_FALSE(f.immediate);
  EXPECT_EQ(NormaliseMessage(f.last_refusal),
            "FATAL:  could not connect to the primary server: connection to server at HOST, "
            "port N failed: Connection refused  Is the server running on that host and "
            "accepting TCP/IP connections?");
}

TEST(SetRejoin, RefusalAndWhereTheRecoveryPointIsAfterTheFork) {
  const std::string log = std::string(kRefusedLog) +
                          "2026-12-06 05:20:03.150 UTC [206] walreceiver: DETAIL:  End of WAL "
                          "reached on timeline 1 at 0/2FFFF00.\n" + kRefusedLog;
  NodeOutcome n;
  SetRejoin(ParseServerLog(log), /*rejoined=*/false, &n);
  EXPECT_EQ(n.refusal_class,
            "LOG:  new timeline 2 forked off current database system timeline 1 before current "
            "recovery point X/X");
  EXPECT_EQ(n.fork_relation, "recovery point past the fork, in a later segment");
  NodeOutcome from_history;
  SetRejoin(ParseServerLog(log), /*rejoined=*/false, &from_history, /*fork=*/0x3000000);
  EXPECT_EQ(from_history.fork_relation, "recovery point past the fork, same segment");
  NodeOutcome ok;
  SetRejoin(ParseServerLog(log), /*rejoined=*/true, &ok);
  EXPECT_EQ(ok.refusal_class, "");
  EXPECT_EQ(ok.fork_relation, "");
}

TEST(ParseServerLog, TheStartupProcessRefusalOutranksLaterWalreceiverFatals) {
  const std::string log =
      std::string(kRefusedLog) +
      "2026-12-06 05:20:08.100 UTC [207] walreceiver: FATAL:  could not start WAL streaming: "
      "ERROR:  requested starting point 0/4000000 on timeline 1 is not in this server's "
      "history\n"
      "\tDETAIL:  This server's history forked from timeline 1 at 0/3397170.\n";
  const LogFacts f = ParseServerLog(log);
  EXPECT_TRUE(f.timeline_refused);
  EXPECT_EQ(f.end_of_wal, "0/3397170");
  EXPECT_EQ(f.last_refusal,
            "LOG:  new timeline 2 forked off current database system timeline 1 before current "
            "recovery point 0/30000A0");
}

TEST(NormaliseMessage, LsnsHostsPortsPids) {
  EXPECT_EQ(NormaliseMessage("requested starting point 0/3000000 on timeline 1 is ahead of "
                             "the WAL flush position of this server 0/2FFFF18 (PID 123)"),
            "requested starting point X/X on timeline 1 is ahead of the WAL flush position of "
            "this server X/X (PID N)");
}

TEST(CleanStopsBeforePromotion, OnlyCleanStopsOfThePromotedNodesUpstream) {
  absl::StatusOr<scenarios::Scenario> s = scenarios::ParseScenario(
      R"(name: "x" profile: "pg-15"
         nodes { name: "p" role: PRIMARY }
         nodes { name: "s" role: STANDBY upstream: "p" }
         steps { start { node: "p" } }
         steps { base_backup { node: "s" upstream: "p" } }
         steps { start { node: "s" } }
         steps { stop { node: "p" mode: FAST } }
         steps { promote { node: "s" } }
         steps { restart_as_standby { node: "p" upstream: "s" } }
         steps { wait_for_catch_up { node: "p" } }
         invariants: LIVENESS)",
      "x.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(CleanStopsBeforePromotion(*s), (std::map<std::string, std::string>{{"p", "s"}}));
  EXPECT_EQ(CatchUpNodes(*s), (std::set<std::string>{"p"}));
  s->mutable_steps(3)->mutable_stop()->set_mode(scenarios::StopNode::IMMEDIATE);
  EXPECT_TRUE(CleanStopsBeforePromotion(*s).empty());
}

TEST(CheckRealScenario, RefusesAPartitionAtItsLineAndColumn) {
  const std::string path = ::testing::TempDir() + "/partition.textproto";
  std::ofstream(path) << "name: \"x\"\nprofile: \"pg-15\"\n"
                         "nodes { name: \"p\" role: PRIMARY }\n"
                         "nodes { name: \"s\" role: STANDBY upstream: \"p\" }\n"
                         "steps { start { node: \"p\" } }\n"
                         "  steps { partition { a: \"p\" b: \"s\" } }\n"
                         "invariants: LIVENESS\n";
  const absl::Status st = real::CheckRealScenario(path, "partition.textproto");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message().substr(0, st.message().find(" cannot")),
            "partition.textproto:6:3: step 2");
}

TEST(CheckRealScenario, AcceptsEveryDifferentialScenario) {
  for (const char* name :
       {"fast_stop_switchover", "smart_stop_switchover", "immediate_stop_failover",
        "detached_standby_quiet", "detached_standby_writes", "detached_standby_next_segment",
        "promote_while_primary_runs", "second_standby_follows", "walreceiver_killed",
        "walsender_killed", "sync_standby_stopped"}) {
    const std::string path = std::string("scenarios/differential/") + name + ".textproto";
    EXPECT_TRUE(real::CheckRealScenario(path, path).ok()) << path;
    EXPECT_TRUE(scenarios::LoadScenarioFile(path).ok()) << path;
  }
}

}  // namespace
}  // namespace replsim::tools
