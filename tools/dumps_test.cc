// The dumps next to PostgreSQL's own tools: WalDumpLine against what
// PostgreSQL 15's pg_waldump printed for real WAL (the fixture) and, when
// Debian's postgresql-15 is installed, against pg_waldump run on a
// simulated node's segment; ControlDataText's labels against a real
// pg_controldata's; the dumps `run --logs` writes at clean_switchover's
// violation; and that dumping does not change the run.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "protocol/wal/segment.h"
#include "scenarios/harness/harness.h"
#include "scenarios/scenario_loader.h"
#include "tools/controldata_text.h"
#include "tools/run_outputs.h"
#include "tools/state_dumps.h"
#include "tools/waldump_text.h"

namespace replsim::tools {
namespace {

constexpr char kPgWaldump[] = "/usr/lib/postgresql/15/bin/pg_waldump";

std::string Slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

std::string TmpDir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d != nullptr ? d : "/tmp";
}

// Our listing of a segment's bytes from `start`: every record, then the
// reader's end of WAL.
std::vector<std::string> OurListing(const std::string& segment, wal::XLogSegNo segno,
                                    wal::TimeLineID tli, wal::XLogRecPtr start, int version) {
  uint64_t sysid = 0;
  std::memcpy(&sysid, segment.data() + 24, 8);  // the long page header's xlp_sysid
  scenarios::WalScan scan = scenarios::ScanWalSegments(
      [&](wal::XLogSegNo s) -> std::optional<std::string> {
        if (s == segno) return segment;
        return std::nullopt;
      },
      tli, sysid, start);
  std::vector<std::string> out;
  for (const scenarios::ScannedRecord& r : scan.records) {
    out.push_back(WalDumpLine(r.record, r.start, version));
  }
  if (!scan.records.empty()) {
    out.push_back(WalDumpErrorLine(scan.records.back().start, scan.stop_reason, version));
  }
  return out;
}

TEST(WalDumpTextTest, FixtureRecordsPrintAsPostgres15sPgWaldumpPrintedThem) {
  std::string wal = Slurp("protocol/wal/testdata/pg15_wal_0-3000000_to_0-300AB38.bin");
  ASSERT_EQ(wal.size(), 43832u);
  wal.resize(wal::kWalSegSize, '\0');
  const std::vector<std::string> ours = OurListing(wal, 3, 1, 0x3000028, 150000);
  const std::vector<std::string> real = Lines(Slurp("protocol/wal/testdata/pg15_wal.pg_waldump.txt"));
  ASSERT_EQ(ours.size(), real.size());
  int compared = 0;
  for (size_t i = 0; i < real.size(); ++i) {
    // Btree records are not replsim's: only their header part is compared.
    if (absl::StartsWith(real[i], "rmgr: Btree")) {
      EXPECT_EQ(ours[i].substr(0, ours[i].find("desc:")), real[i].substr(0, real[i].find("desc:")));
      continue;
    }
    EXPECT_EQ(ours[i], real[i]);
    ++compared;
  }
  EXPECT_EQ(compared, 309 - 151 + 1);  // 150 Heap, 3 COMMIT, 5 XLOG, the error line
}

TEST(WalDumpTextTest, NineThreeUsesPgXlogdumpsLayout) {
  std::string wal = Slurp("protocol/wal/testdata/pg15_wal_0-3000000_to_0-300AB38.bin");
  wal.resize(wal::kWalSegSize, '\0');
  const std::vector<std::string> ours = OurListing(wal, 3, 1, 0x3000028, 90300);
  ASSERT_GE(ours.size(), 2u);
  EXPECT_EQ(ours[ours.size() - 2],
            "rmgr: XLOG        len (rec/tot):     90/   114, tx:          0, lsn: 0/0300AAC0, "
            "prev 0/0300AA98, bkp: 0000, desc: checkpoint: redo 0/300AAC0; tli 1; prev tli 1; "
            "fpw true; xid 0/728; oid 16391; multi 1; offset 0; oldest xid 716 in DB 1; oldest "
            "multi 1 in DB 1; oldest running xid 0; shutdown");
  EXPECT_TRUE(absl::StartsWith(ours.back(), "pg_xlogdump: FATAL:  error in WAL record at 0/300AAC0: "));
  EXPECT_EQ(WalDumperName(90300), std::string("pg_xlogdump"));
}

// A pg-15 run's WAL, read by PostgreSQL's own pg_waldump.
TEST(WalDumpTextTest, SimulatedSegmentPrintsAsRealPgWaldumpPrintsIt) {
  if (access(kPgWaldump, X_OK) != 0) GTEST_SKIP() << kPgWaldump << " is not installed";
  absl::StatusOr<scenarios::Scenario> s =
      scenarios::LoadScenarioFile("scenarios/clean_switchover.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  std::string segment;
  scenarios::RunOptions o;
  o.profile = "pg-15";
  o.on_end = [&](const scenarios::Harness& h) {
    segment = h.FindNode("standby")->ReadFile("/pgdata/pg_wal/000000010000000000000001").value_or("");
  };
  ASSERT_TRUE(scenarios::RunScenario(*s, 1, o).ok());
  // replsim's segment files end where writing stopped; PostgreSQL's are
  // zero-filled 16 MiB files.
  ASSERT_GT(segment.size(), 0u);
  segment.resize(wal::kWalSegSize, '\0');
  const std::string dir = TmpDir() + "/pg_wal";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/000000010000000000000001", std::ios::binary) << segment;
  const std::string out = TmpDir() + "/pg_waldump.out";
  const std::string cmd = absl::StrCat(kPgWaldump, " -p ", dir, " 000000010000000000000001 > ",
                                       out, " 2>&1");
  std::system(cmd.c_str());
  const std::vector<std::string> real = Lines(Slurp(out));
  const std::vector<std::string> ours = OurListing(segment, 1, 1, 0x1000028, 150000);
  ASSERT_GT(real.size(), 10u) << Slurp(out);
  EXPECT_EQ(ours, real);
}

TEST(ControlDataTextTest, LabelsAndColumnsAreRealPgControldatas) {
  node::ControlFileData c;
  c.state = node::DBState::DB_IN_PRODUCTION;
  c.checkPoint = 0x300AAC0;
  c.checkPointCopy.redo = 0x300AAC0;
  c.checkPointCopy.ThisTimeLineID = 1;
  c.checkPointCopy.nextXid = 728;
  const std::vector<std::string> real = Lines(Slurp("tools/testdata/pg15.pg_controldata.txt"));
  size_t at = 0;
  for (const std::string& line : Lines(ControlDataText(c, 150000))) {
    const std::string label = line.substr(0, 38);
    while (at < real.size() && real[at].substr(0, 38) != label) ++at;
    ASSERT_LT(at, real.size()) << "not in pg_controldata's order or layout: " << line;
  }
  const std::string text = ControlDataText(c, 150000);
  EXPECT_TRUE(absl::StrContains(text, "Latest checkpoint location:           0/300AAC0\n"));
  EXPECT_TRUE(absl::StrContains(text, "Latest checkpoint's NextXID:          0:728\n"));
  EXPECT_TRUE(absl::StrContains(text, "Database cluster state:               in production\n"));
  const std::string old = ControlDataText(c, 90300);
  EXPECT_TRUE(absl::StrContains(old, "Latest checkpoint's NextXID:          0/728\n"));
  EXPECT_FALSE(absl::StrContains(old, "CommitTsXid"));
}

TEST(StateDumpsTest, LsnsInFindsEveryWalPosition) {
  EXPECT_EQ(LsnsIn("promoted at 0/10017C0 (timeline 2), checkpoint 0/10017C0..0/1001838: x/y"),
            (std::vector<wal::XLogRecPtr>{0x10017C0, 0x10017C0, 0x1001838}));
}

TEST(StateDumpsTest, DumpingDoesNotChangeTheRun) {
  absl::StatusOr<scenarios::Scenario> s =
      scenarios::LoadScenarioFile("scenarios/clean_switchover.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  scenarios::RunOptions plain;
  plain.profile = "pg-9.3beta2";
  absl::StatusOr<scenarios::RunReport> a = scenarios::RunScenario(*s, 7971, plain);
  StateDumps d({"primary", "standby"}, 150'000'000, {}, "test");
  scenarios::RunOptions dumped = plain;
  d.Attach(&dumped);
  absl::StatusOr<scenarios::RunReport> b = scenarios::RunScenario(*s, 7971, dumped);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(d.taken());
  EXPECT_EQ(a->fingerprint, b->fingerprint);
  EXPECT_EQ(a->unseed, b->unseed);
}

// `run --logs DIR` at clean_switchover's known failure: the primary's
// listing ends in its shutdown checkpoint, which the promoted standby's WAL
// does not have; the standby's pg_control is the promoted one's.
TEST(StateDumpsTest, RunWritesDumpsAtTheViolationBesideTheLogs) {
  const std::string dir = TmpDir() + "/logs7971";
  const std::string path = "scenarios/clean_switchover.textproto";
  absl::StatusOr<CommandLine> cl = ParseCommandLine(
      {"run", path, "--seed", "7971", "--profile", "pg-9.3beta2", "--logs", dir});
  ASSERT_TRUE(cl.ok()) << cl.status();
  absl::StatusOr<LoadedScenario> s = LoadScenarioForCli(path);
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<RunSetup> setup = SetupRun(s->scenario, "pg-9.3beta2", "");
  ASSERT_TRUE(setup.ok());
  auto outputs = RunOutputs::FromFlags(*cl, *s);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  setup->options.sink = (*outputs)->Wrap(nullptr);
  (*outputs)->AttachDumps(&setup->options);
  absl::StatusOr<scenarios::RunReport> r = scenarios::RunScenario(s->scenario, 7971, setup->options);
  ASSERT_TRUE(r.ok() && r->first_violation() != nullptr);
  ASSERT_TRUE((*outputs)->Finish(*s, *setup, *r).ok());

  const std::string primary = Slurp(dir + "/primary.pg_xlogdump");
  const std::string standby = Slurp(dir + "/standby.pg_xlogdump");
  EXPECT_TRUE(absl::StrContains(primary, "at the first violation: CLEAN_SWITCHOVER")) << primary;
  EXPECT_TRUE(absl::StrContains(
      primary, "lsn: 0/01001A18, prev 0/010019F0, bkp: 0000, desc: checkpoint: redo 0/1001A18;"))
      << primary;
  EXPECT_TRUE(absl::StrContains(primary, "error in WAL record at 0/1001A18: invalid record length "
                                         "at 0/1001A90"))
      << primary;
  EXPECT_FALSE(absl::StrContains(standby, "desc: checkpoint: redo 0/1001A18;")) << standby;
  EXPECT_TRUE(absl::StrContains(standby, "desc: end_of_recovery: tli 2; prev tli 1")) << standby;
  const std::string control = Slurp(dir + "/standby.pg_controldata");
  EXPECT_TRUE(absl::StrContains(control, "Database cluster state:               in production"))
      << control;
  EXPECT_TRUE(absl::StrContains(Slurp(dir + "/primary.pg_controldata"),
                                "Latest checkpoint location:           0/1001A18"));
}

}  // namespace
}  // namespace replsim::tools
