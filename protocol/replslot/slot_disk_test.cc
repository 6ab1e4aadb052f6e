// Slots on disk: the state file is PostgreSQL 15's byte for byte; a damaged
// one is refused with RestoreSlotFromDisk's messages; a created slot survives
// a crash, and so does the restart_lsn of the last checkpoint, but not a
// restart_lsn confirmed after it; a directory left half-created is removed.
#include "protocol/replslot/slot_disk.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "sim/os/cluster.h"

namespace replsim::replslot {
namespace {

std::string ReadTestFile(const std::string& name) {
  std::ifstream in("protocol/replslot/testdata/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

node::ReplicationSlot Slot(const std::string& name, wal::XLogRecPtr restart_lsn) {
  node::ReplicationSlot s;
  s.name = name;
  s.restart_lsn = restart_lsn;
  return s;
}

TEST(SlotDiskTest, StateFileIsPostgres15sByteForByte) {
  for (const auto& [file, slot] : {std::pair{"pg15_slot_s1_state.bin", Slot("s1", 0)},
                                   std::pair{"pg15_slot_s2_state.bin", Slot("s2", 0x1500718)}}) {
    const std::string real = ReadTestFile(file);
    ASSERT_EQ(real.size(), kReplicationSlotOnDiskSize) << file;
    EXPECT_TRUE(EncodeReplicationSlotOnDisk(slot) == real) << file;
    absl::StatusOr<node::ReplicationSlot> back = DecodeReplicationSlotOnDisk(file, real);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->name, slot.name);
    EXPECT_EQ(back->restart_lsn, slot.restart_lsn);
  }
}

TEST(SlotDiskTest, DamagedStateFilesAreRefusedAsRestoreSlotFromDiskDoes) {
  const std::string good = EncodeReplicationSlotOnDisk(Slot("s", 0x3000000));
  std::string bad_magic = good;
  bad_magic[0] = 0;
  std::string bad_version = good;
  bad_version[8] = 9;
  std::string bad_crc = good;
  bad_crc[100] ^= 1;  // a bit of restart_lsn
  EXPECT_EQ(DecodeReplicationSlotOnDisk("p", bad_magic).status().message(),
            "replication slot file \"p\" has wrong magic number: 17112064 instead of 17112225");
  EXPECT_EQ(DecodeReplicationSlotOnDisk("p", bad_version).status().message(),
            "replication slot file \"p\" has unsupported version 9");
  EXPECT_TRUE(absl::StartsWith(DecodeReplicationSlotOnDisk("p", bad_crc).status().message(),
                               "checksum mismatch for replication slot file \"p\": is "));
  EXPECT_EQ(DecodeReplicationSlotOnDisk("p", good.substr(0, 10)).status().message(),
            "could not read file \"p\": read 10 of 16");
}

os::Task<> MakeDataDir(os::Os& os) {
  os.MakeDir("/pgdata");
  co_await os.FsyncDir("/");
  co_await os.FsyncDir("/pgdata");
}

struct Fixture {
  sim::World world{1, true};
  sim::os_sim::Cluster cluster{world};
  node::NodeShmem shm;
  Fixture() {
    cluster.AddHost("h");
    shm.data_dir = "/pgdata";
    shm.gucs.max_replication_slots = 4;
  }
  void Spawn(std::function<os::Task<>(os::Os&)> body) {
    cluster.Spawn("h", "p", std::move(body));
    world.Run({.until = world.now() + os::Seconds(10)});
  }
  // A data directory holding one slot, created on disk and in use.
  void CreateInUse(const std::string& name, wal::XLogRecPtr restart_lsn) {
    Spawn([this, name, restart_lsn](os::Os& os) -> os::Task<> {
      co_await MakeDataDir(os);
      node::ReplicationSlot s = Slot(name, restart_lsn);
      const absl::Status st = co_await CreateSlotOnDisk(os, shm.data_dir, s);
      EXPECT_TRUE(st.ok()) << st;
      s.in_use = true;
      shm.ReplicationSlotCtl.replication_slots = {s};
    });
  }
  // A restart after a crash: fresh shared memory, the slots from disk.
  std::vector<node::ReplicationSlot> CrashAndRestore() {
    cluster.CrashHost("h");
    cluster.RestartHost("h");
    shm.ReplicationSlotCtl.replication_slots.clear();
    std::optional<SlotStartupError> err;
    Spawn([&](os::Os& os) -> os::Task<> { err = co_await StartupReplicationSlots(os, shm); });
    EXPECT_FALSE(err.has_value()) << err->message;
    std::vector<node::ReplicationSlot> in_use;
    for (const node::ReplicationSlot& s : shm.ReplicationSlotCtl.replication_slots) {
      if (s.in_use) in_use.push_back(s);
    }
    return in_use;
  }
};

TEST(SlotDiskTest, ACreatedSlotSurvivesACrashWithItsCheckpointedRestartLsn) {
  Fixture f;
  f.CreateInUse("archiver", 0);
  std::vector<node::ReplicationSlot> slots = f.CrashAndRestore();
  ASSERT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots[0].name, "archiver");
  EXPECT_EQ(slots[0].restart_lsn, 0u);
  EXPECT_EQ(slots[0].active_pid, 0);

  // A confirmation only dirties the slot: a crash before the next
  // checkpoint loses it, a checkpoint keeps it.
  node::ReplicationSlot& s = f.shm.ReplicationSlotCtl.replication_slots[0];
  s.restart_lsn = 0x3000000;
  s.dirty = true;
  slots = f.CrashAndRestore();
  ASSERT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots[0].restart_lsn, 0u);

  f.shm.ReplicationSlotCtl.replication_slots[0].restart_lsn = 0x3000000;
  f.shm.ReplicationSlotCtl.replication_slots[0].dirty = true;
  f.Spawn([&](os::Os& os) -> os::Task<> { co_await CheckPointReplicationSlots(os, f.shm); });
  EXPECT_FALSE(f.shm.ReplicationSlotCtl.replication_slots[0].dirty);
  slots = f.CrashAndRestore();
  ASSERT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots[0].restart_lsn, 0x3000000u);
}

TEST(SlotDiskTest, ADroppedSlotStaysDroppedAfterACrash) {
  Fixture f;
  f.CreateInUse("gone", 0);
  f.Spawn([&](os::Os& os) -> os::Task<> {
    const absl::Status dropped = co_await DropSlotOnDisk(os, f.shm.data_dir, "gone");
    EXPECT_TRUE(dropped.ok()) << dropped;
  });
  EXPECT_TRUE(f.CrashAndRestore().empty());
  absl::Status missing;
  f.Spawn([&](os::Os& os) -> os::Task<> {
    missing = co_await DropSlotOnDisk(os, f.shm.data_dir, "gone");
  });
  EXPECT_EQ(missing.message(),
            "could not rename file \"/pgdata/pg_replslot/gone\" to "
            "\"/pgdata/pg_replslot/gone.tmp\": No such file or directory");
}

// A confirmation arriving while a checkpoint writes the slot (the
// checkpoint's copy is older) leaves the slot dirty: the next checkpoint
// writes the new restart_lsn (SaveSlotToPath's just_dirtied).
TEST(SlotDiskTest, AConfirmationDuringASaveIsSavedByTheNextCheckpoint) {
  Fixture f;
  f.CreateInUse("archiver", 0x3000000);
  node::ReplicationSlot& slot = f.shm.ReplicationSlotCtl.replication_slots[0];
  ReplicationSlotMarkDirty(slot);
  slot.restart_lsn = 0x4000000;
  f.cluster.Spawn("h", "checkpointer", [&](os::Os& os) -> os::Task<> {
    co_await CheckPointReplicationSlots(os, f.shm);
  });
  f.cluster.Spawn("h", "walsender", [&](os::Os& os) -> os::Task<> {
    co_await os.Sleep(os::Microseconds(300));  // the save is still in its I/O
    slot.restart_lsn = 0x5000000;
    ReplicationSlotMarkDirty(slot);
  });
  f.world.Run({.until = f.world.now() + os::Seconds(10)});
  EXPECT_TRUE(slot.dirty);  // 0/5000000 is not on disk yet

  f.Spawn([&](os::Os& os) -> os::Task<> { co_await CheckPointReplicationSlots(os, f.shm); });
  EXPECT_FALSE(f.shm.ReplicationSlotCtl.replication_slots[0].dirty);
  std::vector<node::ReplicationSlot> slots = f.CrashAndRestore();
  ASSERT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots[0].restart_lsn, 0x5000000u);
}

TEST(SlotDiskTest, AHalfCreatedSlotIsRemovedAtStartup) {
  Fixture f;
  f.Spawn([&](os::Os& os) -> os::Task<> {
    co_await MakeDataDir(os);
    os.MakeDir("/pgdata/pg_replslot");
    os.MakeDir("/pgdata/pg_replslot/half.tmp");
    co_await os.FsyncDir("/pgdata");
    co_await os.FsyncDir("/pgdata/pg_replslot");
  });
  EXPECT_TRUE(f.CrashAndRestore().empty());
  bool gone = false;
  f.Spawn([&](os::Os& os) -> os::Task<> {
    gone = !os.Stat("/pgdata/pg_replslot/half.tmp").ok();
    co_return;
  });
  EXPECT_TRUE(gone);
}

TEST(SlotDiskTest, MoreSlotsOnDiskThanMaxReplicationSlotsIsFatal) {
  Fixture f;
  f.Spawn([&](os::Os& os) -> os::Task<> {
    co_await MakeDataDir(os);
    for (const char* name : {"a", "b"}) {
      node::ReplicationSlot s = Slot(name, 0);
      (void)co_await CreateSlotOnDisk(os, f.shm.data_dir, s);
    }
  });
  f.shm.gucs.max_replication_slots = 1;
  std::optional<SlotStartupError> err;
  f.Spawn([&](os::Os& os) -> os::Task<> { err = co_await StartupReplicationSlots(os, f.shm); });
  ASSERT_TRUE(err.has_value());
  EXPECT_STREQ(err->elevel, "FATAL");
  EXPECT_EQ(err->message, "too many replication slots active before shutdown");
  EXPECT_EQ(err->hint, "Increase max_replication_slots and try again.");
}

}  // namespace
}  // namespace replsim::replslot
