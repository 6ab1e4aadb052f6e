// The archiver with the simulated archive host: a finished segment gets a
// .ready, the archiver copies it to the archive host and renames it .done;
// a failing archive_command is retried (3 tries, then the next cycle 60 s
// later) and the segment stays in pg_wal until archived; a fast shutdown
// archives the segment the shutdown switch finished before the postmaster
// exits. In 15's and 9.3's forms.
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocol/archive/archive_server.h"
#include "protocol/wal/segment.h"
#include "scenarios/harness/fake_processes.h"
#include "scenarios/harness/harness.h"

namespace replsim::scenarios {
namespace {

struct ArchiveCase {
  const char* profile;
  const char* wal_dir;
};

class PgArchTest : public ::testing::TestWithParam<ArchiveCase> {
 protected:
  PgArchTest() : t_(1, GetParam().profile) {}

  void StartArchiveHost() {
    t_.cluster().AddHost("archive");
    archive::ArchiveServerConfig c;
    c.directories = {"/wal"};
    c.faults = faults_;
    t_.cluster().Spawn("archive", "archive_server",
                       [c](os::Os& os) -> os::Task<> { co_await archive::ArchiveServerMain(os, c); });
  }

  PgNode& StartPrimary(const std::string& checkpoint_timeout = "300s") {
    const std::string command = "scp %p archive:/wal/%f";
    StartArchiveHost();
    PgNode& p = t_.Node("primary");
    p.entry_points() = FakeEntryPoints();
    EXPECT_TRUE(p.config().gucs.Set("checkpoint_timeout", checkpoint_timeout).ok());
    EXPECT_TRUE(p.config().gucs.Set("archive_mode", "on").ok());
    EXPECT_TRUE(p.config().gucs.Set("archive_command", command).ok());
    EXPECT_EQ(p.InitDb(), absl::OkStatus());
    p.Start();
    EXPECT_TRUE(t_.RunUntil([&] { return p.HasLog("ready to accept connections"); },
                            os::Seconds(10)));
    return p;
  }

  std::string Status(const std::string& seg, const char* suffix) {
    return absl::StrCat("/pgdata/", GetParam().wal_dir, "/archive_status/", seg, suffix);
  }
  bool Has(const std::string& path) { return t_.Node("primary").ReadFile(path).has_value(); }
  std::optional<std::string> Archived(const std::string& name) {
    return ReadHostFile(t_.cluster(), "archive", "/wal/" + name);
  }
  std::string Segment(wal::XLogSegNo segno) { return wal::XLogFileName(1, segno); }
  std::string SegmentPath(wal::XLogSegNo segno) {
    return absl::StrCat("/pgdata/", GetParam().wal_dir, "/", Segment(segno));
  }

  Harness t_;
  std::shared_ptr<archive::ArchiveServerFaults> faults_ =
      std::make_shared<archive::ArchiveServerFaults>();
};

TEST_P(PgArchTest, FinishedSegmentGetsReadyThenDoneAndArrivesInTheArchive) {
  PgNode& p = StartPrimary();
  p.Workload({.sessions = 1, .transactions = 5});
  t_.RunFor(os::Seconds(1));
  // initdb's segment 1 is still being written: nothing to archive yet.
  EXPECT_FALSE(Has(Status(Segment(1), ".ready")));
  EXPECT_FALSE(Archived(Segment(1)).has_value());
  // A .ready appears when the switch finishes the segment (the archiver may
  // rename it at once: catch it as it happens).
  bool saw_ready = false;
  p.SwitchWal();
  t_.RunUntil([&] {
    saw_ready = saw_ready || Has(Status(Segment(1), ".ready"));
    return Has(Status(Segment(1), ".done"));
  }, os::Seconds(10));
  EXPECT_TRUE(saw_ready);
  EXPECT_TRUE(Has(Status(Segment(1), ".done")));
  EXPECT_FALSE(Has(Status(Segment(1), ".ready")));
  // The archived copy is the segment's bytes.
  std::optional<std::string> archived = Archived(Segment(1));
  ASSERT_TRUE(archived.has_value());
  std::optional<std::string> local = p.ReadFile(SegmentPath(1));
  ASSERT_TRUE(local.has_value());
  EXPECT_EQ(*archived, *local);
  EXPECT_FALSE(Archived(Segment(2)).has_value());
}

TEST_P(PgArchTest, FailedCommandIsRetriedThreeTimesThenLaterAndTheSegmentIsKept) {
  faults_->fail_puts = 4;  // the first cycle's three tries, and one more
  PgNode& p = StartPrimary();
  p.SwitchWal();
  t_.RunFor(os::Seconds(10));
  int failed = 0;
  for (const LogLine& l : p.Logs()) failed += l.message.find("archive command failed") == 0;
  EXPECT_EQ(failed, 3);
  p.ExpectLog("failed too many times, will try again later");
  EXPECT_TRUE(Has(Status(Segment(1), ".ready")));
  // More segments, each with a commit (a switch at a segment's start does
  // nothing).
  for (int i = 0; i < 3; ++i) {
    p.Workload({.sessions = 1, .transactions = 1});
    t_.RunFor(os::Seconds(1));
    p.SwitchWal();
    t_.RunFor(os::Seconds(1));
  }
  t_.cluster().SendSignal(p.postmaster_pid(), os::Signal::kSIGINT);  // fast stop: a checkpoint
  t_.RunUntilExited(p, os::Seconds(120));
  // The shutdown checkpoint removed what was archived, not segment 1: the
  // stop's last archiver cycle failed on it once more (the fourth failure)
  // and then archived it on its second try.
  EXPECT_EQ(faults_->fail_puts, 0);
  EXPECT_TRUE(Archived(Segment(1)).has_value());
  EXPECT_TRUE(Archived(Segment(4)).has_value());
}

TEST_P(PgArchTest, UnarchivedSegmentSurvivesCheckpointsUntilArchived) {
  faults_->fail_puts = 1000;  // the archive refuses every copy
  PgNode& p = StartPrimary("30s");
  for (int i = 0; i < 4; ++i) {
    p.Workload({.sessions = 1, .transactions = 1});
    t_.RunFor(os::Seconds(1));
    p.SwitchWal();
    t_.RunFor(os::Seconds(40));  // timed checkpoints between the switches
  }
  EXPECT_TRUE(p.HasLog("failed too many times"));
  for (wal::XLogSegNo s = 1; s <= 4; ++s) {
    EXPECT_TRUE(p.ReadFile(SegmentPath(s)).has_value()) << s;
    EXPECT_TRUE(Has(Status(Segment(s), ".ready"))) << s;
  }
  // The archive comes back: at the next cycle (within 60 s) everything is
  // archived, and the next checkpoint may remove it.
  faults_->fail_puts = 0;
  t_.RunFor(os::Seconds(61));
  for (wal::XLogSegNo s = 1; s <= 4; ++s) {
    EXPECT_TRUE(Archived(Segment(s)).has_value()) << s;
  }
  p.Workload({.sessions = 1, .transactions = 1});
  t_.RunFor(os::Seconds(1));
  p.SwitchWal();
  t_.RunFor(os::Seconds(40));
  EXPECT_FALSE(p.ReadFile(SegmentPath(1)).has_value()) << "archived, then removed";
  EXPECT_FALSE(Has(Status(Segment(1), ".done"))) << "its status file went with it";
}

TEST_P(PgArchTest, FastShutdownArchivesTheLastSegmentBeforeThePostmasterExits) {
  PgNode& p = StartPrimary();
  p.Workload({.sessions = 1, .transactions = 3});
  t_.RunFor(os::Seconds(1));
  p.Stop(Shutdown::kFast);
  ASSERT_TRUE(t_.RunUntilExited(p, os::Seconds(60)));
  // The shutdown switch finished segment 1; the archiver's last cycle (after
  // the shutdown checkpoint, in PM_SHUTDOWN_2) archived it.
  EXPECT_TRUE(Archived(Segment(1)).has_value());
  EXPECT_TRUE(Has(Status(Segment(1), ".done")));
  const std::vector<std::string> states = p.PMStates();
  EXPECT_NE(std::find(states.begin(), states.end(), "PM_SHUTDOWN_2"), states.end());
}

INSTANTIATE_TEST_SUITE_P(Releases, PgArchTest,
                         ::testing::Values(ArchiveCase{"pg-15", "pg_wal"},
                                           ArchiveCase{"pg-9.3.5", "pg_xlog"}),
                         [](const auto& info) {
                           return std::string(info.param.profile[3] == '1' ? "Pg15" : "Pg93");
                         });

}  // namespace
}  // namespace replsim::scenarios
