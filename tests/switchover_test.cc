// The whole cast on the simulated network: a primary streams to a standby
// made from its base backup; the primary stops (fast); the standby is
// promoted; the old primary comes back as a standby of the new one. Under a
// profile with 985bd7d497 the old primary follows timeline 2.
#include <string>

#include "gtest/gtest.h"
#include "scenarios/harness/harness.h"
#include "scenarios/harness/real_processes.h"

namespace replsim::scenarios {
namespace {

TEST(SwitchoverTest, StreamsThenSwitchesOverCleanlyOnPg15) {
  Harness t(1, "pg-15");
  PgNode& p = t.Node("primary");
  PgNode& s = t.Node("standby");
  p.entry_points() = RealEntryPoints();
  s.entry_points() = RealEntryPoints();
  EXPECT_EQ(p.InitDb(), absl::OkStatus());
  p.Start();
  t.RunFor(os::Seconds(2));
  p.ExpectLog("database system is ready to accept connections");
  EXPECT_EQ(s.BaseBackupFrom(p), absl::OkStatus());
  EXPECT_EQ(s.ConfigureStandby(p), absl::OkStatus());
  s.Start();
  p.Workload({.sessions = 2, .transactions = 20});
  t.RunFor(os::Seconds(5));
  s.ExpectLog("started streaming WAL from primary");
  EXPECT_EQ(t.ledger().acked.size(), 40u) << "sessions refused: " << t.ledger().sessions_refused;
  p.Stop(Shutdown::kFast);
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(60)));
  const node::ControlFileData pc = p.ControlFile();
  EXPECT_EQ(pc.state, node::DBState::DB_SHUTDOWNED);
  t.RunFor(os::Seconds(1));
  EXPECT_EQ(s.Promote(), absl::OkStatus());
  ASSERT_TRUE(t.RunUntil([&] { return s.HasLog("database system is ready to accept connections") &&
                                      s.ControlFile().state == node::DBState::DB_IN_PRODUCTION; },
                         os::Seconds(30)));
  s.ExpectLog("selected new timeline ID: 2");
  EXPECT_EQ(p.ConfigureStandby(s), absl::OkStatus());
  p.Start();
  t.RunFor(os::Seconds(10));
  for (const LogLine& l : p.Logs()) {
    if (l.level != "DEBUG1" && l.level != "DEBUG3") {
      std::printf("%.6f %s %s %s\n", l.time.nanos() / 1e9, l.process.c_str(), l.level.c_str(),
                  l.message.c_str());
    }
  }
  EXPECT_FALSE(p.HasLog("forked off current database system timeline"));
  p.ExpectLog("new target timeline is 2");
}

}  // namespace
}  // namespace replsim::scenarios
