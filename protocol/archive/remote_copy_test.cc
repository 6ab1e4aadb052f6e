// archive_command's simulated copy: a file reaches the archive host's disk
// over the network; scp's copy is lost by a crash of the archive host,
// rsync --fsync's is not; an injected failure, a missing file and a down
// host give exit status 1; an unknown command 127.
#include "protocol/archive/remote_copy.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocol/archive/archive_server.h"
#include "sim/os/cluster.h"

namespace replsim::archive {
namespace {

using sim::os_sim::Cluster;

struct Fixture {
  sim::World world{1, true};
  Cluster cluster{world};
  ArchiveServerConfig server;
  Fixture() {
    cluster.AddHost("primary");
    cluster.AddHost("archive");
    server.directories = {"/wal"};
  }
  void StartServer() {
    ArchiveServerConfig c = server;
    cluster.Spawn("archive", "archive_server",
                  [c](os::Os& os) -> os::Task<> { co_await ArchiveServerMain(os, c); });
  }
  void Run() { world.Run({.until = world.now() + os::Seconds(30)}); }
  // Runs `command` on the primary after writing /pgdata/f; its exit status.
  int Copy(const std::string& command, const std::string& content = "WAL bytes") {
    std::optional<int> rc;
    cluster.Spawn("primary", "archiver", [&](os::Os& os) -> os::Task<> {
      os.MakeDir("/pgdata");
      os::Result<os::Fd> fd = os.Open("/pgdata/f", os::kOpenReadWrite | os::kOpenCreate);
      std::vector<uint8_t> b(content.begin(), content.end());
      (void)co_await os.PWrite(*fd, b, 0);
      os.Close(*fd);
      rc = co_await RunCopyCommand(os, command, "/pgdata");
    });
    Run();
    return rc.value_or(-1);
  }
  std::optional<std::string> ArchiveFile(const std::string& path) {
    std::optional<std::string> out;
    cluster.Spawn("archive", "cat", [&](os::Os& os) -> os::Task<> {
      os::Result<os::Fd> fd = os.Open(path, os::kOpenRead);
      if (!fd.ok()) co_return;
      std::vector<uint8_t> b(4096);
      os::Result<size_t> r = co_await os.PRead(*fd, absl::MakeSpan(b), 0);
      os.Close(*fd);
      out = std::string(b.begin(), b.begin() + *r);
    });
    Run();
    return out;
  }
};

TEST(RemoteCopyTest, ScpCopyArrivesButACrashOfTheArchiveHostLosesIt) {
  Fixture f;
  f.StartServer();
  f.Run();
  EXPECT_EQ(f.Copy("scp f archive:/wal/f"), 0);
  EXPECT_EQ(f.ArchiveFile("/wal/f"), "WAL bytes");
  f.cluster.CrashHost("archive");
  f.cluster.RestartHost("archive");
  EXPECT_EQ(f.ArchiveFile("/wal/f"), std::nullopt);
}

TEST(RemoteCopyTest, RsyncFsyncCopySurvivesTheCrashOnlyWhenTheRenameIsDurableToo) {
  Fixture f;
  f.StartServer();
  f.Run();
  EXPECT_EQ(f.Copy("rsync --fsync /pgdata/f archive:/wal/f"), 0);
  EXPECT_EQ(f.ArchiveFile("/wal/f"), "WAL bytes");
  // The data was fsynced, the rename into /wal never was (rsync does not
  // fsync the directory): after a crash the name is gone.
  f.cluster.CrashHost("archive");
  f.cluster.RestartHost("archive");
  EXPECT_EQ(f.ArchiveFile("/wal/f"), std::nullopt);
}

TEST(RemoteCopyTest, FailuresAreExitStatusOne) {
  Fixture f;
  f.server.faults->fail_puts = 1;
  f.StartServer();
  f.Run();
  EXPECT_EQ(f.Copy("scp f archive:/wal/f"), 1);       // injected
  EXPECT_EQ(f.Copy("scp f archive:/wal/f"), 0);       // the next one goes through
  EXPECT_EQ(f.Copy("scp archive:/wal/none f"), 1);    // no such file
  EXPECT_EQ(f.Copy("scp f archive:/nodir/f"), 1);     // no such directory
  EXPECT_EQ(f.Copy("cp f /mnt/f"), 127);              // not a command the model runs
  f.cluster.CrashHost("archive");
  EXPECT_EQ(f.Copy("scp -o ConnectTimeout=2 f archive:/wal/f"), 1);
}

TEST(RemoteCopyTest, RestoreDirectionWritesTheLocalFile) {
  Fixture f;
  f.StartServer();
  f.Run();
  ASSERT_EQ(f.Copy("scp f archive:/wal/seg", "segment"), 0);
  std::optional<std::string> got;
  f.cluster.Spawn("primary", "startup", [&](os::Os& os) -> os::Task<> {
    const int rc = co_await RunCopyCommand(
        os, SubstituteCommand("scp archive:/wal/%f %p", "pg_wal/RECOVERYXLOG", "seg"), "/pgdata");
    EXPECT_EQ(rc, 0);
    os::Result<os::Fd> fd = os.Open("/pgdata/pg_wal/RECOVERYXLOG", os::kOpenRead);
    if (!fd.ok()) co_return;
    std::vector<uint8_t> b(64);
    os::Result<size_t> r = co_await os.PRead(*fd, absl::MakeSpan(b), 0);
    got = std::string(b.begin(), b.begin() + *r);
  });
  f.cluster.Spawn("primary", "mkdir", [](os::Os& os) -> os::Task<> {
    os.MakeDir("/pgdata/pg_wal");
    co_return;
  });
  f.Run();
  EXPECT_EQ(got, "segment");
}

TEST(RemoteCopyTest, ParseRefusesWhatItCannotRun) {
  EXPECT_FALSE(ParseCopyCommand("scp a b").ok());
  EXPECT_FALSE(ParseCopyCommand("scp h:/a h:/b").ok());
  EXPECT_FALSE(ParseCopyCommand("rsync -z a h:/b").ok());
  absl::StatusOr<CopyCommand> c = ParseCopyCommand("rsync --fsync pg_wal/x archive:/wal/x");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->fsync);
  EXPECT_TRUE(c->to_archive);
  EXPECT_EQ(c->host, "archive");
  EXPECT_EQ(c->remote_path, "/wal/x");
  EXPECT_EQ(SubstituteCommand("scp %p h:/w/%f %% %x", "pg_wal/1", "1"), "scp pg_wal/1 h:/w/1 % %x");
}

}  // namespace
}  // namespace replsim::archive
