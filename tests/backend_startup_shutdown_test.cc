// RW-6 from the postmaster's side: a fast shutdown that finds a replication
// connection still in its startup (the client connected, its startup packet
// not yet read) SIGTERMs it as a normal backend. PostgreSQL's
// startup_die/process_startup_packet_die ends it with exit code 1, a normal
// exit, so the shutdown goes on and writes its checkpoint. Had the backend
// died of the signal, the postmaster would take it for a crash and leave
// without a shutdown checkpoint.
#include <string>

#include "gtest/gtest.h"
#include "scenarios/harness/harness.h"
#include "scenarios/harness/real_processes.h"

namespace replsim::scenarios {
namespace {

void FastStopDuringAStartupPacket(const std::string& profile) {
  Harness t(1, profile);
  PgNode& p = t.Node("primary");
  p.entry_points() = RealEntryPoints();
  EXPECT_EQ(p.InitDb(), absl::OkStatus());
  p.Start();
  t.RunFor(os::Seconds(1));
  p.ExpectLog("database system is ready to accept connections");
  // A client that connects and never sends its startup packet.
  t.cluster().Spawn("primary", "client", [](os::Os& os) -> os::Task<> {
    os::Result<os::Fd> fd = co_await os.Connect("primary", 5432);
    EXPECT_TRUE(fd.ok());
    co_await os.Sleep(os::Seconds(600));
  });
  t.RunFor(os::Milliseconds(50));
  p.Stop(Shutdown::kFast);
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(60)));
  EXPECT_EQ(p.postmaster_exit()->code, 0) << profile;
  EXPECT_EQ(p.ControlFile().state, node::DBState::DB_SHUTDOWNED) << profile;
  EXPECT_FALSE(p.HasLog("terminating any other active server processes")) << profile;
  EXPECT_FALSE(p.HasLog("was terminated by signal 15")) << profile;
  p.ExpectLog("exited with exit code 1");
  p.ExpectLog("database system is shut down");
}

TEST(BackendStartupShutdownTest, FastStopEndsABackendReadingItsStartupPacketCleanly) {
  FastStopDuringAStartupPacket("pg-15");
  FastStopDuringAStartupPacket("pg-9.3.5");
}

}  // namespace
}  // namespace replsim::scenarios
