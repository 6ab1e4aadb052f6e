// A run speaks its release's words: under pg-9.3.0 the WAL lives in pg_xlog,
// a standby is made with recovery.conf (renamed recovery.done when it is
// promoted) and a walreceiver that cannot connect says what 9.3's libpq
// says; under pg-15 the WAL lives in pg_wal, a standby is made with
// standby.signal (removed at promotion) and libpq 15 names the server first.
// Either way the walsender is known as "walsender", the name the `kill`
// step uses.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenarios/harness/harness.h"
#include "scenarios/harness/real_processes.h"

namespace replsim::scenarios {
namespace {

struct Release {
  const char* profile;
  const char* wal_dir;  // and not the other one
  const char* other_dir;
  const char* refused;  // the walreceiver's FATAL with nobody listening
};

const Release kReleases[] = {
    {"pg-9.3.0", "pg_xlog", "pg_wal",
     "could not connect to the primary server: could not connect to server: Connection "
     "refused\n\tIs the server running on host \"primary\" and accepting\n\tTCP/IP "
     "connections on port 5432?"},
    {"pg-15", "pg_wal", "pg_xlog",
     "could not connect to the primary server: connection to server at \"primary\", port "
     "5432 failed: Connection refused\n\tIs the server running on that host and accepting "
     "TCP/IP connections?"},
};

class ReleaseWordsTest : public ::testing::TestWithParam<Release> {};

node::Behavior ProfileOrDie(const char* profile) {
  absl::StatusOr<node::Behavior> b = node::Behavior::ForProfile(profile);
  CHECK(b.ok()) << b.status();
  return *b;
}

std::string LogsOf(PgNode& n) {
  std::string out;
  for (const LogLine& l : n.Logs()) {
    if (l.level == "DEBUG1" || l.level == "DEBUG2" || l.level == "DEBUG3") continue;
    absl::StrAppend(&out, n.name(), " ", l.process, " ", l.level, ": ", l.message, "\n");
  }
  return out;
}

TEST_P(ReleaseWordsTest, PathsFilesAndMessagesAreTheReleases) {
  const Release& r = GetParam();
  const bool v93 = std::string(r.profile) == "pg-9.3.0";
  Harness t(1, ProfileOrDie(r.profile), sim::os_sim::ClusterConfig(), /*keep_trace=*/true);
  PgNode& p = t.Node("primary");
  PgNode& s = t.Node("standby");
  p.entry_points() = RealEntryPoints();
  s.entry_points() = RealEntryPoints();
  p.config().gucs.max_wal_senders = 10;  // 9.3's default is 0
  p.InitDb();
  p.Start();
  t.RunFor(os::Seconds(2));
  s.BaseBackupFrom(p);
  s.ConfigureStandby(p);
  const std::string wal = std::string("/pgdata/") + r.wal_dir;
  EXPECT_TRUE(p.ReadFile(wal + "/000000010000000000000001").has_value());
  EXPECT_TRUE(s.ReadFile(wal + "/000000010000000000000001").has_value());
  EXPECT_FALSE(s.ReadFile(std::string("/pgdata/") + r.other_dir + "/000000010000000000000001"));
  std::optional<std::string> conf = s.ReadFile("/pgdata/recovery.conf");
  std::optional<std::string> signal = s.ReadFile("/pgdata/standby.signal");
  std::optional<std::string> auto_conf = s.ReadFile("/pgdata/postgresql.auto.conf");
  if (v93) {
    ASSERT_TRUE(conf.has_value());
    EXPECT_TRUE(absl::StrContains(*conf, "standby_mode = 'on'\n")) << *conf;
    EXPECT_TRUE(absl::StrContains(*conf, "primary_conninfo = 'host=primary port=5432'\n")) << *conf;
    EXPECT_FALSE(signal.has_value());
  } else {
    EXPECT_FALSE(conf.has_value());
    EXPECT_TRUE(signal.has_value());
    ASSERT_TRUE(auto_conf.has_value());
    EXPECT_TRUE(absl::StrContains(*auto_conf, "primary_conninfo = 'host=primary port=5432'"));
  }

  // The standby comes up while nobody listens on the primary.
  p.Stop(Shutdown::kFast);
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(60)));
  s.Start();
  ASSERT_TRUE(t.RunUntil([&] { return s.HasLog("could not connect"); }, os::Seconds(30)));
  bool refused_logged = false;
  for (const LogLine& l : s.Logs()) {
    if (l.process == "walreceiver" && l.level == "FATAL") {
      EXPECT_EQ(l.message, r.refused);
      refused_logged = true;
    }
  }
  EXPECT_TRUE(refused_logged);
  s.ExpectLog("entering standby mode");

  // Streaming, from a walsender known by that name.
  p.Start();
  ASSERT_TRUE(t.RunUntil([&] { return s.HasLog("started streaming WAL"); }, os::Seconds(60)))
      << LogsOf(s) << LogsOf(p);
  EXPECT_NE(t.cluster().FindByName("primary", "walsender"), 0);
  EXPECT_EQ(t.cluster().FindByName("primary", "backend"), 0);

  s.Promote();
  ASSERT_TRUE(t.RunUntil(
      [&] {
        return s.HasLog("database system is ready to accept connections") &&
               s.ControlFile().state == node::DBState::DB_IN_PRODUCTION;
      },
      os::Seconds(30)));
  EXPECT_FALSE(s.ReadFile("/pgdata/recovery.conf").has_value());
  EXPECT_FALSE(s.ReadFile("/pgdata/standby.signal").has_value());
  EXPECT_EQ(s.ReadFile("/pgdata/recovery.done").has_value(), v93);
  EXPECT_TRUE(s.ReadFile(wal + "/00000002.history").has_value());

  // The trace: files in the release's WAL directory only; the walsender's
  // events under its name.
  int in_wal_dir = 0, in_other = 0, walsender_events = 0;
  for (const sim::TraceEvent& e : t.world().trace().events()) {
    if (const sim::TraceField* f = e.Find("path")) {
      if (absl::StrContains(f->s, std::string("/") + r.wal_dir + "/")) ++in_wal_dir;
      if (absl::StrContains(f->s, std::string("/") + r.other_dir)) ++in_other;
    }
    if (e.host == "primary" && e.process == "walsender") ++walsender_events;
  }
  EXPECT_GT(in_wal_dir, 0);
  EXPECT_EQ(in_other, 0);
  EXPECT_GT(walsender_events, 0);
}

INSTANTIATE_TEST_SUITE_P(Releases, ReleaseWordsTest, ::testing::ValuesIn(kReleases),
                         [](const ::testing::TestParamInfo<Release>& i) {
                           return std::string(i.param.wal_dir);
                         });

}  // namespace
}  // namespace replsim::scenarios
