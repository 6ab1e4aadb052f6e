// A fast or smart stop that comes while a 15 server is in crash recovery
// after a crash of one of its processes (restart_after_crash) never
// completes, as in PostgreSQL 15: pmdie moves PM_STARTUP to
// PM_STOP_BACKENDS, which SIGTERMs the startup process (it exits with code
// 1, and the reaper goes to PM_WAIT_BACKENDS), but FatalError is still set
// (crash recovery sends no PMSIGNAL_RECOVERY_STARTED; only archive recovery
// does), so PM_WAIT_BACKENDS waits for the checkpointer to exit, and since
// 15 (7ff23c6d27, "Run checkpointer and bgwriter in crash recovery") the
// checkpointer runs during crash recovery and is never told to. Checked on
// Debian's PostgreSQL 15.18: kill -9 of a backend, SIGSTOP of the startup
// process of the crash recovery, pg_ctl stop -m fast, SIGCONT: the startup
// process exits, the postmaster and its checkpointer stay, and pg_ctl stop
// gives up ("server does not shut down"); only -m immediate ends it.
// 9.3 starts no checkpointer before PMSIGNAL_RECOVERY_STARTED, so there the
// same stop ends the server ("abnormal database system shutdown", exit 1).
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenarios/harness/harness.h"
#include "scenarios/harness/real_processes.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "sim/os/stalls.h"

namespace replsim::scenarios {
namespace {

struct Outcome {
  bool postmaster_exited = false;
  int exit_code = -1;
  std::string last_pm_state;
  bool checkpointer_alive = false;
  bool startup_alive = false;
};

Outcome StopDuringCrashRecovery(const std::string& profile, Shutdown mode) {
  Harness t(1, profile);
  PgNode& p = t.Node("primary");
  p.entry_points() = RealEntryPoints();
  EXPECT_EQ(p.InitDb(), absl::OkStatus());
  p.Start();
  t.RunFor(os::Seconds(1));
  p.Workload({.sessions = 1, .transactions = 1000000, .think_time = os::Milliseconds(5)});
  t.RunFor(os::Milliseconds(300));
  // The first child the postmaster forks after the crash is the startup
  // process of the crash recovery: hold it (SIGSTOP) for 2 s, as on the
  // real server, so that the stop lands inside the recovery.
  bool armed = false;
  os::Pid startup = 0;
  t.set_trace_sink([&](const sim::TraceEvent& e) {
    if (!armed || startup != 0 || e.host != "primary" || e.process != "postmaster" ||
        e.kind != "fork") {
      return;
    }
    startup = static_cast<os::Pid>(e.Find("child")->i);
    t.world().queue().Schedule(t.world().now(), [&t, pid = startup] {
      sim::os_sim::StallProcess(t.cluster(), pid, os::Seconds(2));
    });
  });
  const os::Pid backend = t.cluster().FindByName("primary", "backend");
  EXPECT_NE(backend, 0);
  armed = true;
  t.cluster().SendSignal(backend, os::Signal::kSIGKILL);
  EXPECT_TRUE(t.RunUntil([&] { return startup != 0; }, os::Seconds(5))) << profile;
  t.RunFor(os::Milliseconds(500));
  EXPECT_EQ(t.cluster().FindByName("primary", "startup"), startup) << profile;
  p.ExpectLog("all server processes terminated; reinitializing");
  p.Stop(mode);
  t.RunFor(os::Seconds(60));
  Outcome o;
  o.postmaster_exited = !p.running();
  if (p.postmaster_exit().has_value()) o.exit_code = p.postmaster_exit()->code;
  const std::vector<std::string> states = p.PMStates();
  if (!states.empty()) o.last_pm_state = states.back();
  o.checkpointer_alive = t.cluster().FindByName("primary", "checkpointer") != 0;
  o.startup_alive = t.cluster().FindByName("primary", "startup") != 0;
  return o;
}

TEST(CrashRecoveryStopTest, Pg15WaitsForItsCheckpointerForever) {
  for (Shutdown mode : {Shutdown::kFast, Shutdown::kSmart}) {
    const Outcome o = StopDuringCrashRecovery("pg-15", mode);
    EXPECT_FALSE(o.postmaster_exited);
    EXPECT_EQ(o.last_pm_state, "PM_WAIT_BACKENDS");
    EXPECT_TRUE(o.checkpointer_alive);
    EXPECT_FALSE(o.startup_alive);  // it took the SIGTERM once continued
  }
}

TEST(CrashRecoveryStopTest, Pg93HasNoCheckpointerYetAndShutsDown) {
  const Outcome o = StopDuringCrashRecovery("pg-9.3.5", Shutdown::kFast);
  EXPECT_TRUE(o.postmaster_exited);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_FALSE(o.checkpointer_alive);
}

// The same as a scenario: the run's LIVENESS violation says that this is
// what PostgreSQL 15 does (`replsim fuzz` labels its signature so).
constexpr char kScenario[] = R"pb(
  name: "crash_recovery_stop"
  nodes { name: "primary" role: PRIMARY }
  workload { sessions: 2 think_ms: 5 transactions: 1000000 }
  steps { start { node: "primary" } }
  steps {
    delay_ms { min: 200 max: 200 }
    kill { node: "primary" process: "backend" signal: "SIGKILL" }
  }
  steps {
    delay_ms { min: 1 max: 1 }
    stall_process { node: "primary" process: "startup" duration_ms { min: 2000 max: 2000 } }
  }
  steps { stop { node: "primary" mode: FAST timeout_s: 10 } }
  invariants: [LIVENESS]
)pb";

TEST(CrashRecoveryStopTest, TheViolationSaysPostgreSQL15HangsSoToo) {
  for (const char* profile : {"pg-15", "pg-9.3.5"}) {
    absl::StatusOr<Scenario> s =
        ParseScenario(absl::StrCat(kScenario, "profile: \"", profile, "\""), "test");
    ASSERT_TRUE(s.ok()) << s.status();
    absl::StatusOr<RunReport> r = RunScenario(*s, 1, RunOptions());
    ASSERT_TRUE(r.ok()) << r.status();
    const Violation* v = r->first_violation();
    if (std::string(profile) == "pg-9.3.5") {
      EXPECT_EQ(v, nullptr) << v->message;
      continue;
    }
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->invariant, LIVENESS);
    EXPECT_TRUE(absl::StrContains(v->message, "still running on primary: postmaster (pid 2), "
                                              "checkpointer (pid "))
        << v->message;
    EXPECT_TRUE(absl::StrContains(v->message, "; PostgreSQL 15 hangs so too: a smart or fast "
                                              "stop during crash recovery"))
        << v->message;
  }
}

}  // namespace
}  // namespace replsim::scenarios
