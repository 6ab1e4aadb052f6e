// SIGQUIT, the postmaster's "die now", as each release answers it
// (protocol/node/quickdie.h): every process exits with code 2 at once, which
// the postmaster counts as a crash. A backend first says why: 9.x logs
// "terminating connection because of crash of another server process"
// whatever the reason; 14 and later tell the client only, and log only a
// SIGQUIT that no postmaster sent.
#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocol/os/signal.h"
#include "scenarios/harness/harness.h"
#include "scenarios/harness/real_processes.h"

namespace replsim::scenarios {
namespace {

constexpr char kCrashText[] = "terminating connection because of crash of another server process";
constexpr char kUnexpectedText[] = "terminating connection because of unexpected SIGQUIT signal";

struct Exit {
  std::string host;
  std::string process;
  int64_t pid = 0;
  int64_t code = 0;
  int64_t signal = 0;
};

// A primary with two write sessions going, and every process exit recorded.
class QuickDieTest : public ::testing::Test {
 protected:
  void StartPrimary(const std::string& profile) {
    t_ = std::make_unique<Harness>(3, profile);
    t_->set_trace_sink([this](const sim::TraceEvent& e) {
      if (e.kind == "process_start" && e.host == "primary" && e.process == "backend") {
        backends_.push_back(e.Find("pid")->i);
      }
      if (e.kind != "process_exit") return;
      Exit x{e.host, e.process, e.Find("pid")->i};
      if (const sim::TraceField* f = e.Find("code")) x.code = f->i;
      if (const sim::TraceField* f = e.Find("signal")) x.signal = f->i;
      exits_.push_back(x);
    });
    PgNode& p = t_->Node("primary");
    p.entry_points() = RealEntryPoints();
    p.config().gucs.max_wal_senders = 5;  // 9.3's default is 0
    EXPECT_EQ(p.InitDb(), absl::OkStatus());
    p.Start();
    t_->RunFor(os::Milliseconds(500));
    p.ExpectLog("database system is ready to accept connections");
    p.Workload({.sessions = 2, .transactions = 100000, .think_time = os::Milliseconds(5),
                .interval = os::Milliseconds(1)});
    t_->RunFor(os::Seconds(1));
    ASSERT_EQ(backends_.size(), 2u);
  }
  int CountLogs(const std::string& level, const std::string& text) const {
    int n = 0;
    for (const LogLine& l : t_->Node("primary").Logs()) {
      if (l.level == level && l.message == text) ++n;
    }
    return n;
  }
  const Exit* ExitOf(int64_t pid) const {
    for (const Exit& x : exits_) {
      if (x.pid == pid) return &x;
    }
    return nullptr;
  }

  std::unique_ptr<Harness> t_;
  std::vector<int64_t> backends_;
  std::vector<Exit> exits_;
};

TEST_F(QuickDieTest, ImmediateShutdownEndsEveryChildWithExitCode2) {
  for (const std::string profile : {"pg-9.3.5", "pg-15"}) {
    SCOPED_TRACE(profile);
    StartPrimary(profile);
    PgNode& p = t_->Node("primary");
    p.Stop(Shutdown::kImmediate);
    ASSERT_TRUE(t_->RunUntilExited(p, os::Seconds(60)));
    int children = 0;
    for (const Exit& x : exits_) {
      if (x.process != "backend" && x.process != "checkpointer") continue;
      ++children;
      EXPECT_EQ(x.code, 2) << x.process << " " << x.pid;
      EXPECT_EQ(x.signal, 0) << "an exit, not a death by SIGQUIT: " << x.process;
    }
    EXPECT_EQ(children, 3);
    // 9.x logs quickdie's WARNING from each backend; 15 tells only the client.
    EXPECT_EQ(CountLogs("WARNING", kCrashText), profile == "pg-15" ? 0 : 2);
    EXPECT_EQ(CountLogs("WARNING", kUnexpectedText), 0);
    backends_.clear();
    exits_.clear();
  }
}

// The streaming processes too: the primary's walsender (a backend known as
// "walsender" once its startup packet asks for replication; quickdie
// in 9.x, SignalHandlerForCrashExit from 14) and the standby's startup
// process, walreceiver and checkpointer. Both nodes are stopped -m immediate
// at the same instant, before either can notice the other going.
TEST_F(QuickDieTest, ImmediateStopOfAStreamingPairEndsEveryChildWithExitCode2) {
  for (const std::string profile : {"pg-9.3.5", "pg-15"}) {
    SCOPED_TRACE(profile);
    StartPrimary(profile);
    PgNode& p = t_->Node("primary");
    PgNode& s = t_->Node("standby");
    s.entry_points() = RealEntryPoints();
    EXPECT_EQ(s.BaseBackupFrom(p), absl::OkStatus());
    EXPECT_EQ(s.ConfigureStandby(p), absl::OkStatus());
    s.Start();
    t_->RunFor(os::Seconds(2));
    s.ExpectLog("started streaming WAL from primary");
    ASSERT_EQ(backends_.size(), 3u) << "two sessions and the walsender";
    const size_t before = exits_.size();
    p.Stop(Shutdown::kImmediate);
    s.Stop(Shutdown::kImmediate);
    ASSERT_TRUE(t_->RunUntilExited(p, os::Seconds(60)));
    ASSERT_TRUE(t_->RunUntilExited(s, os::Seconds(60)));
    std::vector<std::string> ended;
    for (size_t i = before; i < exits_.size(); ++i) {
      const Exit& x = exits_[i];
      if (x.process == "postmaster" || x.process == "initdb" || x.process == "client" ||
          x.process == "pg_ctl" || x.process == "pg_basebackup") {
        continue;
      }
      ended.push_back(x.host + " " + x.process);
      EXPECT_EQ(x.code, 2) << x.host << " " << x.process << " " << x.pid;
      EXPECT_EQ(x.signal, 0) << x.host << " " << x.process;
    }
    std::sort(ended.begin(), ended.end());
    EXPECT_EQ(ended,
              (std::vector<std::string>{
                  "primary backend", "primary backend", "primary checkpointer", "primary walsender",
                  "standby checkpointer", "standby startup", "standby walreceiver"}));
    // 9.x: both sessions and the walsender log quickdie's WARNING.
    EXPECT_EQ(CountLogs("WARNING", kCrashText), profile == "pg-15" ? 0 : 3);
    backends_.clear();
    exits_.clear();
  }
}

TEST_F(QuickDieTest, ASIGQUITByHandIsACrashOfThatBackend) {
  for (const std::string profile : {"pg-9.3.5", "pg-15"}) {
    SCOPED_TRACE(profile);
    StartPrimary(profile);
    const os::Pid victim = static_cast<os::Pid>(backends_[0]);
    ASSERT_EQ(t_->cluster().SendSignal(victim, os::Signal::kSIGQUIT), os::Errno::kOk);
    t_->RunFor(os::Seconds(2));
    ASSERT_NE(ExitOf(victim), nullptr);
    EXPECT_EQ(ExitOf(victim)->code, 2);
    PgNode& p = t_->Node("primary");
    p.ExpectLog("server process (PID " + std::to_string(victim) + ") exited with exit code 2");
    p.ExpectLog("terminating any other active server processes");
    p.ExpectLog("all server processes terminated; reinitializing");
    // The other backend was SIGQUIT by the postmaster, for the crash.
    ASSERT_NE(ExitOf(backends_[1]), nullptr);
    EXPECT_EQ(ExitOf(backends_[1])->code, 2);
    if (profile == "pg-15") {
      EXPECT_EQ(CountLogs("WARNING", kUnexpectedText), 1);
      EXPECT_EQ(CountLogs("WARNING", kCrashText), 0);
    } else {
      EXPECT_EQ(CountLogs("WARNING", kUnexpectedText), 0);
      EXPECT_EQ(CountLogs("WARNING", kCrashText), 2);
    }
    backends_.clear();
    exits_.clear();
  }
}

}  // namespace
}  // namespace replsim::scenarios
