// Node logs: PostgreSQL's server log lines, per node, with '%m [%p] %b: '.
#include "tools/node_logs.h"

#include "gtest/gtest.h"

namespace replsim::tools {
namespace {

TEST(NodeLogsTest, LinesHavePostgresPrefixAndBackendTypeAndLeaveOutDebug) {
  sim::Trace t(true);
  auto log = [&](int64_t ns, const char* host, const char* process, int pid, const char* level,
                 const char* message) {
    t.Emit(os::Instant::FromNanos(ns), host, process, "log", sim::Severity::kInfo, pid)
        .Str("kind", level).Str("message", message);
  };
  const char* terminating = "terminating connection due to administrator command";
  log(142640612, "primary", "checkpointer", 4, "LOG", "database system is shut down");
  log(142640700, "primary", "backend", 14, "DEBUG1", "walsender exiting at shutdown");
  t.Emit(os::Instant::FromNanos(150000000), "primary", "backend", "msg_received",
         sim::Severity::kInfo, 15)
      .Str("msg", "Query").Str("text", "START_REPLICATION 0/1000000 TIMELINE 1");
  log(90123004000000, "primary", "backend", 15, "FATAL", terminating);
  log(90123004000000, "primary", "backend", 16, "FATAL", terminating);
  log(5, "standby", "startup", 11, "LOG", "entering standby mode");
  NodeLogs logs;
  for (const auto& e : t.events()) logs.Add(e);
  EXPECT_EQ(logs.LogOf("primary"),
            "2000-01-01 00:00:00.142 UTC [4] checkpointer: LOG:  database system is shut down\n"
            "2000-01-02 01:02:03.004 UTC [15] walsender: FATAL:  terminating connection due to "
            "administrator command\n"
            "2000-01-02 01:02:03.004 UTC [16] client backend: FATAL:  terminating connection due "
            "to administrator command\n");
  EXPECT_EQ(logs.LogOf("standby"),
            "2000-01-01 00:00:00.000 UTC [11] startup: LOG:  entering standby mode\n");
}

// elog.c writes a message of several lines (a remote server's ERROR with its
// DETAIL, in a walreceiver's FATAL) with a tab after each newline, so that
// every line that does not begin a message begins with a tab.
TEST(NodeLogsTest, LinesAfterTheFirstOfAMessageBeginWithATab) {
  sim::Trace t(true);
  t.Emit(os::Instant::FromNanos(0), "old", "walreceiver", "log", sim::Severity::kInfo, 7)
      .Str("kind", "FATAL")
      .Str("message",
           "could not start WAL streaming: ERROR:  requested starting point 0/4000000 on "
           "timeline 1 is not in this server's history\nDETAIL:  This server's history forked "
           "from timeline 1 at 0/33BAA38.");
  NodeLogs logs;
  for (const auto& e : t.events()) logs.Add(e);
  EXPECT_EQ(logs.LogOf("old"),
            "2000-01-01 00:00:00.000 UTC [7] walreceiver: FATAL:  could not start WAL streaming: "
            "ERROR:  requested starting point 0/4000000 on timeline 1 is not in this server's "
            "history\n\tDETAIL:  This server's history forked from timeline 1 at 0/33BAA38.\n");
}

}  // namespace
}  // namespace replsim::tools
