// A kill -HUP, -USR1, -USR2 or -INT of a backend is handled, never fatal, in
// the whole life of the process. A child inherits the postmaster's BlockSig
// from fork, so while it reads its startup packet these signals stay pending
// (BackendInitialize unblocks only SIGTERM, SIGQUIT and SIGALRM) until
// PostgresMain has installed its handlers (node/signal_mask.h); from then on
// SignalHandlerForConfigReload and procsignal_sigusr1_handler take SIGHUP
// and SIGUSR1, and SIGUSR2 is ignored. Before, the model's connection child
// and its sessions' backends died of these signals, and the postmaster took
// that for a crash and restarted the server.
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenarios/harness/harness.h"
#include "scenarios/harness/real_processes.h"

namespace replsim::scenarios {
namespace {

constexpr os::Signal kHarmless[] = {os::Signal::kSIGHUP, os::Signal::kSIGUSR1,
                                    os::Signal::kSIGUSR2, os::Signal::kSIGINT};

void StartPrimary(Harness& t, PgNode& p) {
  p.entry_points() = RealEntryPoints();
  ASSERT_EQ(p.InitDb(), absl::OkStatus());
  p.Start();
  t.RunFor(os::Seconds(1));
  p.ExpectLog("database system is ready to accept connections");
}

void ExpectNoCrash(const PgNode& p, const std::string& profile) {
  EXPECT_FALSE(p.HasLog("terminating any other active server processes")) << profile;
  EXPECT_FALSE(p.HasLog("was terminated by signal")) << profile;
}

void SignalsWhileReadingTheStartupPacket(const std::string& profile, os::Signal sig) {
  Harness t(1, profile);
  PgNode& p = t.Node("primary");
  StartPrimary(t, p);
  // A client that connects and never sends its startup packet.
  t.cluster().Spawn("primary", "client", [](os::Os& os) -> os::Task<> {
    os::Result<os::Fd> fd = co_await os.Connect("primary", 5432);
    EXPECT_TRUE(fd.ok());
    co_await os.Sleep(os::Seconds(600));
  });
  t.RunFor(os::Milliseconds(50));
  const os::Pid child = t.cluster().FindByName("primary", "backend");
  ASSERT_NE(child, 0);
  EXPECT_EQ(t.cluster().SendSignal(child, sig), os::Errno::kOk);
  t.RunFor(os::Milliseconds(200));
  const std::string what = absl::StrCat(profile, " ", std::string(os::SignalName(sig)));
  EXPECT_EQ(t.cluster().FindByName("primary", "backend"), child) << what;
  ExpectNoCrash(p, what);
  // SIGTERM still ends it at once with exit code 1, and the stop is clean.
  p.Stop(Shutdown::kFast);
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(60)));
  EXPECT_EQ(p.postmaster_exit()->code, 0) << what;
  p.ExpectLog("exited with exit code 1");
}

TEST(ChildStartSignalsTest, ABackendReadingItsStartupPacketKeepsTheSignalPending) {
  for (os::Signal sig : kHarmless) {
    SignalsWhileReadingTheStartupPacket("pg-15", sig);
    SignalsWhileReadingTheStartupPacket("pg-9.3.5", sig);
  }
}

void SignalsToASessionBackend(const std::string& profile) {
  Harness t(1, profile);
  PgNode& p = t.Node("primary");
  StartPrimary(t, p);
  p.Workload({.sessions = 1, .transactions = 40, .think_time = os::Milliseconds(20)});
  t.RunFor(os::Milliseconds(150));
  const os::Pid backend = t.cluster().FindByName("primary", "backend");
  ASSERT_NE(backend, 0);
  for (os::Signal sig : {os::Signal::kSIGHUP, os::Signal::kSIGUSR1, os::Signal::kSIGUSR2}) {
    EXPECT_EQ(t.cluster().SendSignal(backend, sig), os::Errno::kOk);
    t.RunFor(os::Milliseconds(30));
  }
  t.RunFor(os::Seconds(2));
  ExpectNoCrash(p, profile);
  // The session ran all its transactions and left normally.
  EXPECT_EQ(t.cluster().FindByName("primary", "backend"), 0) << profile;
  EXPECT_EQ(t.ledger().sessions_ended, 1) << profile;
  p.ExpectLog("exited with exit code 0");
}

TEST(ChildStartSignalsTest, ASessionBackendHandlesHupUsr1AndUsr2) {
  SignalsToASessionBackend("pg-15");
  SignalsToASessionBackend("pg-9.3.5");
}

}  // namespace
}  // namespace replsim::scenarios
