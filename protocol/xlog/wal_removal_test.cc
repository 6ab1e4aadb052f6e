// Which WAL segments a checkpoint removes or recycles, under 9.3's rules
// (the previous checkpoint's redo; room of 2 x checkpoint_segments + 1 past
// the end of WAL) and 15's (its own redo; room up to min_wal_size past the
// redo), and what wal_keep_* and a replication slot hold back.
#include "protocol/xlog/wal_removal.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocol/node/behavior.h"
#include "protocol/xlog/xlog_io.h"
#include "sim/os/cluster.h"

namespace replsim::xlog {
namespace {

constexpr wal::XLogRecPtr kSeg = wal::kWalSegSize;

struct Fixture {
  sim::World world{1};
  sim::os_sim::Cluster cluster{world};
  node::NodeShmem shm;
  explicit Fixture(const char* profile) {
    cluster.AddHost("h");
    shm.data_dir = "/pgdata";
    shm.behavior = *node::Behavior::ForProfile(profile);
    shm.gucs = node::Gucs::Defaults(shm.behavior.server_version_num);
  }
  // Segments 1..last of timeline 1 exist; runs the checkpoint's removal
  // step and returns what the WAL directory holds afterwards.
  std::vector<std::string> AfterCheckpoint(int last, wal::XLogRecPtr prior_redo,
                                           wal::XLogRecPtr redo, wal::XLogRecPtr endptr) {
    std::vector<std::string> left;
    cluster.Spawn("h", "checkpointer", [&](os::Os& os) -> os::Task<> {
      os.MakeDir("/pgdata");
      os.MakeDir(XLogDir(shm));
      for (int s = 1; s <= last; ++s) {
        os::Result<os::Fd> fd =
            os.Open(XLogFilePath(shm, 1, s), os::kOpenCreate | os::kOpenReadWrite);
        os.Close(*fd);
      }
      co_await RemoveWalAfterCheckpoint(os, shm, prior_redo, redo, endptr, 1, /*shutdown=*/true);
      left = *os.ListDir(XLogDir(shm));
    });
    world.Run({.until = world.now() + os::Seconds(10)});
    return left;
  }
};

using Names = std::vector<std::string>;

TEST(WalRemovalTest, NineThreeKeepsTheWalOfThePreviousCheckpoint) {
  Fixture f("pg-9.3.5");
  // Checkpoints with redo in segment 3 (previous: segment 2); WAL ends in
  // segment 4. Segment 1 goes, recycled as the first free number from
  // segment 4 on: 5.
  EXPECT_EQ(f.AfterCheckpoint(4, 2 * kSeg + 100, 3 * kSeg + 100, 4 * kSeg + 200),
            (Names{"000000010000000000000002", "000000010000000000000003",
                   "000000010000000000000004", "000000010000000000000005"}));
  EXPECT_EQ(f.shm.XLogCtl.lastRemovedSegNo, 1u);
}

TEST(WalRemovalTest, FifteenKeepsOnlyItsOwnCheckpointsWal) {
  Fixture f("pg-15");
  // The same checkpoint under 15: segments 1 and 2 go, recycled as 5 and 6
  // (room up to redo segment + min_wal_size's 5 segments - 1 = 7).
  EXPECT_EQ(f.AfterCheckpoint(4, 2 * kSeg + 100, 3 * kSeg + 100, 4 * kSeg + 200),
            (Names{"000000010000000000000003", "000000010000000000000004",
                   "000000010000000000000005", "000000010000000000000006"}));
  EXPECT_EQ(f.shm.XLogCtl.lastRemovedSegNo, 2u);
}

TEST(WalRemovalTest, RecyclingStopsWhereItsRoomEnds) {
  Fixture f("pg-9.3.5");
  ASSERT_TRUE(f.shm.gucs.Set("checkpoint_segments", "1").ok());  // room: 3 past the end
  // Segments 1..6 exist, the previous redo is in 6, WAL ends in 6: 1..5 go.
  // 1, 2 and 3 become 7, 8 and 9 (the room is spent on each step and on
  // passing 6, which exists); 4 finds 9 taken with no room left, and it and
  // 5 are unlinked.
  EXPECT_EQ(f.AfterCheckpoint(6, 6 * kSeg + 100, 6 * kSeg + 300, 6 * kSeg + 400),
            (Names{"000000010000000000000006", "000000010000000000000007",
                   "000000010000000000000008", "000000010000000000000009"}));
  EXPECT_EQ(f.shm.XLogCtl.lastRemovedSegNo, 5u);
}

TEST(WalRemovalTest, WalKeepAndSlotsHoldSegmentsBack) {
  Fixture keep("pg-15");
  ASSERT_TRUE(keep.shm.gucs.Set("wal_keep_size", "48MB").ok());  // 3 segments
  // Redo in 5, WAL ends in 5: without the setting 1..4 would go.
  EXPECT_EQ(keep.AfterCheckpoint(5, 4 * kSeg, 5 * kSeg + 100, 5 * kSeg + 200).size(), 5u);
  EXPECT_EQ(keep.shm.XLogCtl.lastRemovedSegNo, 1u);  // only 1: 2..4 are kept

  Fixture slot("pg-15");
  node::ReplicationSlot& s = slot.shm.ReplicationSlotCtl.replication_slots.emplace_back();
  s.in_use = true;
  s.restart_lsn = 3 * kSeg + 500;  // its client still needs segment 3
  slot.AfterCheckpoint(5, 4 * kSeg, 5 * kSeg + 100, 5 * kSeg + 200);
  EXPECT_EQ(slot.shm.XLogCtl.lastRemovedSegNo, 2u);
}

TEST(WalRemovalTest, CheckpointsAreAskedForByWalVolume) {
  Fixture old("pg-9.3.5");  // checkpoint_segments 3
  old.shm.ControlFile.checkPointCopy.redo = 2 * kSeg + 100;
  EXPECT_FALSE(XLogCheckpointNeeded(old.shm, 3));
  EXPECT_TRUE(XLogCheckpointNeeded(old.shm, 4));
  // A checkpoint under way counts from its own redo, not pg_control's.
  old.shm.XLogCtl.RedoRecPtr = 3 * kSeg + 100;
  EXPECT_FALSE(XLogCheckpointNeeded(old.shm, 4));
  EXPECT_TRUE(XLogCheckpointNeeded(old.shm, 5));
  Fixture now("pg-15");  // max_wal_size 1GB: 64 / 1.9 = 33 segments
  EXPECT_EQ(CheckPointSegments(now.shm), 33);
  ASSERT_TRUE(now.shm.gucs.Set("max_wal_size", "64MB").ok());
  EXPECT_EQ(CheckPointSegments(now.shm), 2);
}

}  // namespace
}  // namespace replsim::xlog
