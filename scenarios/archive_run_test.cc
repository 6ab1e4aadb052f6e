// The bundled archive example runs clean under 15 and 9.3.5 (failed copies
// retried, a full archive waited out, the promoted standby's history file
// archived with its WAL), and ARCHIVE_PREFIX finds an archived segment
// whose bytes differ from a node's and WAL of a timeline without its
// history file.
#include "gtest/gtest.h"
#include "absl/strings/str_cat.h"
#include "scenarios/archive_scenario.h"
#include "scenarios/harness/harness.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

std::string Describe(const RunReport& r) {
  const Violation* v = r.first_violation();
  return v == nullptr ? "" : absl::StrCat(InvariantName(v->invariant), ": ", v->message);
}

TEST(ArchiveRunTest, ExampleRunsCleanUnderBothReleases) {
  absl::StatusOr<Scenario> s = LoadScenarioFile("scenarios/examples/archive.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  for (const char* profile : {"pg-15", "pg-9.3.5"}) {
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      RunOptions o;
      o.profile = profile;
      o.fingerprint = false;
      absl::StatusOr<RunReport> r = RunScenario(*s, seed, o);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->first_violation(), nullptr) << profile << " seed " << seed << ": " << Describe(*r);
    }
  }
}

// 7cbee7c0a1 (9.5): the promoted standby archives the old timeline's last,
// partial segment as <name>.partial; without the switch it does not.
TEST(ArchiveRunTest, PromotionArchivesThePartialSegmentFrom95On) {
  absl::StatusOr<Scenario> s = LoadScenarioFile("scenarios/examples/archive.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  for (const char* switches : {"", "7cbee7c0a1=off"}) {
    RunOptions o;
    o.profile = "pg-15";
    o.switches = switches;
    o.fingerprint = false;
    int partial_archived = 0;
    o.on_end = [&partial_archived](const Harness& h) {
      for (const LogLine& l : h.logs()) {
        partial_archived += l.host == "standby" && l.message.find("archived") == 0 &&
                            l.message.find(".partial\"") != std::string::npos;
      }
    };
    absl::StatusOr<RunReport> r = RunScenario(*s, 1, o);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->first_violation(), nullptr) << switches << ": " << Describe(*r);
    EXPECT_EQ(partial_archived, std::string(switches).empty() ? 1 : 0) << switches;
  }
}

// Writes `content` as `path` on `host`'s disk (fsynced).
void Put(Harness& t, const std::string& host, const std::string& path, std::string content) {
  t.cluster().Spawn(host, "cp", [path, content](os::Os& os) -> os::Task<> {
    os::Result<os::Fd> fd = os.Open(path, os::kOpenReadWrite | os::kOpenCreate | os::kOpenTruncate);
    std::vector<uint8_t> b(content.begin(), content.end());
    (void)co_await os.PWrite(*fd, b, 0);
    (void)co_await os.Fsync(*fd);
    os.Close(*fd);
  });
  t.RunFor(os::Seconds(1));
}

TEST(ArchiveRunTest, ArchivePrefixFindsADifferentPageAndAMissingHistoryFile) {
  Harness t(1, "pg-15");
  PgNode& p = t.Node("primary");
  ASSERT_EQ(p.InitDb(), absl::OkStatus());
  Scenario s;
  s.mutable_archive()->set_host("archive");
  s.add_nodes()->set_name("primary");
  ArchiveHost a(t, s);
  a.Start();
  t.RunFor(os::Seconds(1));
  const std::string seg1 = "000000010000000000000001";
  std::optional<std::string> local = p.ReadFile("/pgdata/pg_wal/" + seg1);
  ASSERT_TRUE(local.has_value());
  ASSERT_GT(local->size(), 100u);
  Put(t, "archive", "/wal/" + seg1, *local);
  EXPECT_TRUE(a.CheckArchivePrefix().empty());
  std::string torn = *local;
  torn[100] ^= 1;
  Put(t, "archive", "/wal/" + seg1, torn);
  std::vector<Violation> v = a.CheckArchivePrefix();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].message, "archived " + seg1 + " differs from primary's at offset 0: not a "
                          "byte prefix of the WAL of timeline 1");
  Put(t, "archive", "/wal/" + seg1, local->substr(0, 50));  // a prefix is fine
  EXPECT_TRUE(a.CheckArchivePrefix().empty());
  Put(t, "archive", "/wal/000000020000000000000001", "x");
  v = a.CheckArchivePrefix();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].message, "the archive has WAL of timeline 2 but not 00000002.history");
  Put(t, "archive", "/wal/00000002.history", "1\t0/1000000\tno recovery target specified\n");
  EXPECT_TRUE(a.CheckArchivePrefix().empty());
}

}  // namespace
}  // namespace replsim::scenarios
