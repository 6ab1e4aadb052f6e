// What of the WAL directory a host crash keeps, with and without 1d4a0ab19a
// (Behavior::xlog_durable_rename): a recycled segment's new name and a new
// segment's name are durable only when InstallXLogFileSegment fsyncs the
// directory after the rename (durable_link_or_rename, 9.4.7 and 15).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocol/node/behavior.h"
#include "protocol/os/check.h"
#include "protocol/xlog/wal_removal.h"
#include "protocol/xlog/xlog_io.h"
#include "sim/os/cluster.h"

namespace replsim::xlog {
namespace {

constexpr wal::XLogRecPtr kSeg = wal::kWalSegSize;
using Names = std::vector<std::string>;

// Segments 1..4 of timeline 1 exist durably; a checkpoint's removal step
// runs with the end of WAL at `endptr` (`shutdown`: no preallocation); then
// the host loses power. Returns the WAL directory after the restart.
Names WalDirAfterCheckpointAndCrash(const char* profile, const char* overrides,
                                    wal::XLogRecPtr redo, wal::XLogRecPtr endptr, bool shutdown) {
  sim::World world{1};
  sim::os_sim::Cluster cluster{world};
  cluster.AddHost("h");
  node::NodeShmem shm;
  shm.data_dir = "/pgdata";
  shm.behavior = *node::Behavior::ForProfile(profile);
  CHECK(shm.behavior.ApplyOverrides(overrides).ok());
  shm.gucs = node::Gucs::Defaults(shm.behavior.server_version_num);
  cluster.Spawn("h", "checkpointer", [&](os::Os& os) -> os::Task<> {
    os.MakeDir("/pgdata");
    os.MakeDir(XLogDir(shm));
    for (int s = 1; s <= 4; ++s) {
      os::Result<os::Fd> fd = os.Open(XLogFilePath(shm, 1, s), os::kOpenCreate | os::kOpenReadWrite);
      os.Close(*fd);
    }
    co_await os.FsyncDir("/");
    co_await os.FsyncDir("/pgdata");
    co_await os.FsyncDir(XLogDir(shm));
    co_await RemoveWalAfterCheckpoint(os, shm, redo, redo, endptr, 1, shutdown);
  });
  world.Run({.until = world.now() + os::Seconds(10)});
  cluster.CrashHost("h");
  cluster.RestartHost("h");
  Names left;
  cluster.Spawn("h", "ls", [&](os::Os& os) -> os::Task<> {
    left = *os.ListDir(XLogDir(shm));
    co_return;
  });
  world.Run({.until = world.now() + os::Seconds(10)});
  return left;
}

TEST(WalDurabilityTest, ARecycledSegmentKeepsItsNewNameOnlyWithTheFix) {
  // 15's checkpoint with redo in segment 3 recycles 1 and 2 as 5 and 6.
  const wal::XLogRecPtr redo = 3 * kSeg + 100;
  const wal::XLogRecPtr end = 4 * kSeg + 200;
  EXPECT_EQ(WalDirAfterCheckpointAndCrash("pg-15", "", redo, end, true),
            (Names{"000000010000000000000003", "000000010000000000000004",
                   "000000010000000000000005", "000000010000000000000006"}));
  // Without it the renames are lost: 1 and 2 are back under their old
  // names, and WAL written into "5" and "6" would be found under neither.
  EXPECT_EQ(WalDirAfterCheckpointAndCrash("pg-15", "1d4a0ab19a=off", redo, end, true),
            (Names{"000000010000000000000001", "000000010000000000000002",
                   "000000010000000000000003", "000000010000000000000004"}));
}

TEST(WalDurabilityTest, ANewSegmentsNameSurvivesOnlyWithTheFix) {
  // WAL ends 3/4 into segment 4: PreallocXlogFiles creates segment 5
  // (XLogFileInit). The checkpoint removes nothing (redo in segment 1).
  const wal::XLogRecPtr redo = kSeg + 100;
  const wal::XLogRecPtr end = 4 * kSeg + kSeg / 4 * 3 + 8;
  const Names with_5 = {"000000010000000000000001", "000000010000000000000002",
                        "000000010000000000000003", "000000010000000000000004",
                        "000000010000000000000005"};
  const Names without_5(with_5.begin(), with_5.end() - 1);
  EXPECT_EQ(WalDirAfterCheckpointAndCrash("pg-9.4.7", "", redo, end, false), with_5);
  EXPECT_EQ(WalDirAfterCheckpointAndCrash("pg-9.4.0", "", redo, end, false), without_5)
      << "9.4.0 predates 1d4a0ab19a: nothing fsyncs pg_xlog after the rename";
  EXPECT_EQ(WalDirAfterCheckpointAndCrash("pg-9.4.0", "1d4a0ab19a=on", redo, end, false), with_5);
}

}  // namespace
}  // namespace replsim::xlog
