// Physical replication slots (9.4): the slot table's rules (create, acquire,
// release, names, limits, restart_lsn following the confirmed flush), and the
// walsender's CREATE_REPLICATION_SLOT / START_REPLICATION SLOT over the wire
// with PostgreSQL 9.4's texts.
#include "protocol/walsender/slot.h"

#include <string>

#include "gtest/gtest.h"
#include "protocol/replslot/slot_disk.h"
#include "protocol/walsender/walsender_test_util.h"
#include "protocol/wire/result_sets.h"
#include "protocol/wire/wire_error.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::walsender {
namespace {

constexpr os::Pid kPid = 100;
constexpr os::Pid kOtherPid = 200;

node::NodeShmem SlotShmem(int max_replication_slots) {
  node::NodeShmem shm;
  shm.behavior.server_version_num = 90400;
  shm.gucs = node::Gucs::Defaults(90400);
  shm.gucs.max_replication_slots = max_replication_slots;
  return shm;
}

std::string Message(const absl::Status& s) { return std::string(s.message()); }

// The table's part of ReplicationSlotCreate (no disk): reserve, created.
absl::StatusOr<int> ReplicationSlotCreate(node::NodeShmem& shm, const std::string& name,
                                          os::Pid pid) {
  absl::StatusOr<int> i = ReplicationSlotReserve(shm, name);
  if (i.ok()) ReplicationSlotCreated(shm, *i, pid);
  return i;
}

TEST(SlotTableTest, CreateAcquireRelease) {
  node::NodeShmem shm = SlotShmem(2);
  absl::StatusOr<int> a = ReplicationSlotCreate(shm, "archiver_1", kPid);
  ASSERT_TRUE(a.ok()) << a.status();
  const node::ReplicationSlot& s = shm.ReplicationSlotCtl.replication_slots[*a];
  EXPECT_TRUE(s.in_use);
  EXPECT_EQ(s.active_pid, kPid);  // created acquired
  EXPECT_EQ(s.restart_lsn, 0u);   // 9.4: nothing reserved until a flush is confirmed

  // Held: nobody else gets it.
  absl::StatusOr<int> busy = ReplicationSlotAcquire(shm, "archiver_1", kOtherPid);
  EXPECT_EQ(Message(busy.status()), "replication slot \"archiver_1\" is already active");
  EXPECT_EQ(wire::SqlStateOf(busy.status()), "55006");

  ReplicationSlotRelease(shm, *a, kPid);
  EXPECT_EQ(s.active_pid, 0);
  absl::StatusOr<int> again = ReplicationSlotAcquire(shm, "archiver_1", kOtherPid);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *a);
  EXPECT_EQ(s.active_pid, kOtherPid);

  absl::StatusOr<int> none = ReplicationSlotAcquire(shm, "nope", kPid);
  EXPECT_EQ(Message(none.status()), "replication slot \"nope\" does not exist");
  EXPECT_EQ(wire::SqlStateOf(none.status()), "42704");
}

TEST(SlotTableTest, NamesAndLimits) {
  node::NodeShmem shm = SlotShmem(1);
  EXPECT_EQ(Message(ReplicationSlotCreate(shm, "", kPid).status()),
            "replication slot name \"\" is too short");
  EXPECT_EQ(Message(ReplicationSlotCreate(shm, "Bad-Name", kPid).status()),
            "replication slot name \"Bad-Name\" contains invalid character");
  EXPECT_EQ(Message(ReplicationSlotCreate(shm, std::string(64, 'a'), kPid).status()),
            "replication slot name \"" + std::string(64, 'a') + "\" is too long");
  EXPECT_TRUE(ReplicationSlotCreate(shm, std::string(63, 'a'), kPid).ok());
  absl::StatusOr<int> dup = ReplicationSlotCreate(shm, std::string(63, 'a'), kOtherPid);
  EXPECT_EQ(wire::SqlStateOf(dup.status()), "42710");
  absl::StatusOr<int> full = ReplicationSlotCreate(shm, "second", kOtherPid);
  EXPECT_EQ(Message(full.status()), "all replication slots are in use");
  EXPECT_EQ(wire::HintOf(full.status()), "Free one or increase max_replication_slots.");
  EXPECT_EQ(wire::SqlStateOf(full.status()), "53400");
}

TEST(SlotTableTest, MaxReplicationSlotsZeroHasNoSlots) {
  // 9.4's default: no table, so nothing can be created or acquired.
  node::NodeShmem shm = SlotShmem(0);
  EXPECT_EQ(Message(ReplicationSlotCreate(shm, "s", kPid).status()),
            "all replication slots are in use");
  EXPECT_EQ(Message(ReplicationSlotAcquire(shm, "s", kPid).status()),
            "replication slot \"s\" does not exist");
  EXPECT_TRUE(shm.ReplicationSlotCtl.replication_slots.empty());
}

TEST(SlotTableTest, RestartLsnFollowsTheConfirmedFlush) {
  node::NodeShmem shm = SlotShmem(1);
  const int i = *ReplicationSlotCreate(shm, "s", kPid);
  const node::ReplicationSlot& s = shm.ReplicationSlotCtl.replication_slots[i];
  PhysicalConfirmReceivedLocation(shm, i, 0x2000000);
  EXPECT_EQ(s.restart_lsn, 0x2000000u);
  PhysicalConfirmReceivedLocation(shm, i, 0);  // an invalid flush moves nothing
  EXPECT_EQ(s.restart_lsn, 0x2000000u);
  PhysicalConfirmReceivedLocation(shm, i, 0x3000000);
  EXPECT_EQ(s.restart_lsn, 0x3000000u);
  ReplicationSlotRelease(shm, i, kPid);
  EXPECT_EQ(s.restart_lsn, 0x3000000u);  // kept while inactive
}

// The DataRow of the first 4-column result set the client received.
std::optional<wire::DataRow> SlotRow(const ClientResult& r) {
  bool in_slot_result = false;
  for (const wire::BackendMessage& m : r.messages) {
    if (auto* d = std::get_if<wire::RowDescription>(&m)) {
      in_slot_result = d->fields.size() == 4 && d->fields[0].name == "slot_name" &&
                       d->fields[1].name == "consistent_point" &&
                       d->fields[2].name == "snapshot_name" &&
                       d->fields[3].name == "output_plugin";
    }
    if (auto* row = std::get_if<wire::DataRow>(&m); row != nullptr && in_slot_result) return *row;
  }
  return std::nullopt;
}

TEST(WalSenderSlotTest, CreateThenStreamFromTheSlotAndReleaseAtExit) {
  WalSenderWorld w(1, Profile("pg-9.4.0"));
  w.shm->gucs.max_replication_slots = 2;
  w.client.commands = {"CREATE_REPLICATION_SLOT archiver PHYSICAL",
                       "START_REPLICATION SLOT \"archiver\" 0/2000000 TIMELINE 1"};
  os::Pid held_by = 0;
  XLogRecPtr restart_lsn = 0, standby_flush = 0;
  w.primary_script = [&](os::Os& os, WalSenderWorld& w) -> os::Task<> {
    co_await SleepFully(os, os::Seconds(2));
    held_by = w.shm->ReplicationSlotCtl.replication_slots[0].active_pid;
    restart_lsn = w.shm->ReplicationSlotCtl.replication_slots[0].restart_lsn;
    standby_flush = w.shm->WalSndCtl.walsnds[0].flush;
    (void)os.Kill(w.walsender_pid, os::Signal::kSIGTERM);
  };
  w.Run(os::Seconds(4));
  ASSERT_EQ(w.result.errors.size(), 1u);  // only the SIGTERM's FATAL
  EXPECT_EQ(w.result.errors[0], "terminating connection due to administrator command");
  const std::optional<wire::DataRow> row = SlotRow(w.result);
  ASSERT_TRUE(row.has_value());
  ASSERT_EQ(row->values.size(), 4u);
  EXPECT_EQ(row->values[0], "archiver");
  EXPECT_EQ(row->values[1], "0/0");  // a physical slot's confirmed_flush
  EXPECT_FALSE(row->values[2].has_value());
  EXPECT_FALSE(row->values[3].has_value());
  EXPECT_TRUE(w.result.got_copy_both);
  EXPECT_FALSE(w.result.xlog_data.empty());
  EXPECT_EQ(held_by, w.walsender_pid);  // acquired while streaming
  // The standby's replies moved the slot (PhysicalConfirmReceivedLocation).
  EXPECT_GT(standby_flush, 0u);
  EXPECT_EQ(restart_lsn, standby_flush);
  ASSERT_TRUE(w.walsender_exit.has_value());
  const node::ReplicationSlot& s = w.shm->ReplicationSlotCtl.replication_slots[0];
  EXPECT_TRUE(s.in_use);
  EXPECT_EQ(s.active_pid, 0);  // released when the walsender exited
}

// CREATE_REPLICATION_SLOT writes pg_replslot/<name>/state before it answers
// (CreateSlotOnDisk): the slot would survive a crash from then on.
TEST(WalSenderSlotTest, CreateWritesTheSlotToDisk) {
  WalSenderWorld w(5, Profile("pg-15"));
  w.client.commands = {"CREATE_REPLICATION_SLOT archiver PHYSICAL"};
  w.Run(os::Seconds(2));
  ASSERT_TRUE(w.result.errors.empty()) << w.result.errors[0];
  std::string state;
  w.cluster.Spawn("primary", "reader", [&](os::Os& os) -> os::Task<> {
    const std::string path = w.shm->data_dir + "/pg_replslot/archiver/state";
    os::Result<os::Fd> fd = os.Open(path, os::kOpenRead);
    if (!fd.ok()) co_return;
    state.resize(replslot::kReplicationSlotOnDiskSize);
    os::Result<size_t> n = co_await os.PRead(
        *fd, absl::MakeSpan(reinterpret_cast<uint8_t*>(state.data()), state.size()), 0);
    os.Close(*fd);
    if (n.ok()) state.resize(*n);
  });
  w.Run(os::Seconds(3));
  absl::StatusOr<node::ReplicationSlot> on_disk =
      replslot::DecodeReplicationSlotOnDisk("state", state);
  ASSERT_TRUE(on_disk.ok()) << on_disk.status();
  EXPECT_EQ(on_disk->name, "archiver");
  EXPECT_EQ(on_disk->restart_lsn, 0u);
}

// DROP_REPLICATION_SLOT: the slot's directory is gone and its entry free;
// a missing slot and one held by another walsender are errors.
TEST(WalSenderSlotTest, DropRemovesTheSlotFromDiskAndTable) {
  WalSenderWorld w(6, Profile("pg-15"));
  w.prepare = [](os::Os& os, WalSenderWorld& w) -> os::Task<> {
    (void)ReplicationSlotCreate(*w.shm, "busy", 4242);
    co_return;
  };
  w.client.commands = {"CREATE_REPLICATION_SLOT archiver PHYSICAL",
                       "DROP_REPLICATION_SLOT archiver", "DROP_REPLICATION_SLOT archiver",
                       "DROP_REPLICATION_SLOT busy"};
  w.Run(os::Seconds(2));
  ASSERT_EQ(w.result.errors.size(), 2u);
  EXPECT_EQ(w.result.errors[0], "replication slot \"archiver\" does not exist");
  EXPECT_EQ(w.result.errors[1], "replication slot \"busy\" is active for PID 4242");  // 15
  bool dir_gone = false;
  w.cluster.Spawn("primary", "reader", [&](os::Os& os) -> os::Task<> {
    dir_gone = !os.Stat(w.shm->data_dir + "/pg_replslot/archiver").ok() &&
               !os.Stat(w.shm->data_dir + "/pg_replslot/archiver.tmp").ok();
    co_return;
  });
  w.Run(os::Seconds(3));
  EXPECT_TRUE(dir_gone);
  int in_use = 0;
  for (const node::ReplicationSlot& s : w.shm->ReplicationSlotCtl.replication_slots) {
    in_use += s.in_use ? 1 : 0;
  }
  EXPECT_EQ(in_use, 1);  // "busy" only
}

// While one CREATE_REPLICATION_SLOT writes the slot, a second one for the
// same name fails as it would after waiting for the allocation lock, and the
// slot cannot be acquired yet.
TEST(SlotTableTest, ASlotBeingWrittenIsTakenButNotThere) {
  node::NodeShmem shm = SlotShmem(2);
  absl::StatusOr<int> first = ReplicationSlotReserve(shm, "s");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Message(ReplicationSlotReserve(shm, "s").status()),
            "replication slot \"s\" already exists");
  EXPECT_EQ(Message(ReplicationSlotAcquire(shm, "s", kOtherPid).status()),
            "replication slot \"s\" does not exist");
  ReplicationSlotAbandon(shm, *first);  // the write failed: nothing left
  EXPECT_TRUE(ReplicationSlotReserve(shm, "s").ok());
}

TEST(WalSenderSlotTest, StartReplicationSlotErrors) {
  WalSenderWorld w(2, Profile("pg-9.4.0"));
  w.shm->gucs.max_replication_slots = 2;
  w.prepare = [](os::Os& os, WalSenderWorld& w) -> os::Task<> {
    const XLogRecPtr end = InsertWal(*w.shm, 8 * 2048);
    (void)co_await xlog::XLogFlush(os, *w.shm, end);
    // Another walsender streams from "busy".
    (void)ReplicationSlotCreate(*w.shm, "busy", 4242);
  };
  w.client.commands = {"START_REPLICATION SLOT \"nope\" 0/2000000 TIMELINE 1",
                       "START_REPLICATION SLOT \"busy\" 0/2000000 TIMELINE 1",
                       "IDENTIFY_SYSTEM"};
  w.Run(os::Seconds(2));
  ASSERT_EQ(w.result.errors.size(), 2u);
  EXPECT_EQ(w.result.errors[0], "replication slot \"nope\" does not exist");
  EXPECT_EQ(w.result.errors[1], "replication slot \"busy\" is already active");
  EXPECT_FALSE(w.result.got_copy_both);
  EXPECT_EQ(w.result.command_tags.back(), "IDENTIFY_SYSTEM");  // the session goes on
  EXPECT_EQ(w.shm->ReplicationSlotCtl.replication_slots[0].active_pid, 4242);
}

TEST(WalSenderSlotTest, MaxReplicationSlotsZero) {
  WalSenderWorld w(3, Profile("pg-9.4.0"));
  ASSERT_EQ(w.shm->gucs.max_replication_slots, 0);  // 9.4's default
  w.client.commands = {"CREATE_REPLICATION_SLOT archiver PHYSICAL",
                       "START_REPLICATION SLOT \"archiver\" 0/2000000 TIMELINE 1"};
  w.Run(os::Seconds(2));
  ASSERT_EQ(w.result.errors.size(), 2u);
  EXPECT_EQ(w.result.errors[0], "all replication slots are in use");
  EXPECT_TRUE(w.WalSenderLogged("HINT: Free one or increase max_replication_slots."));
  EXPECT_EQ(w.result.errors[1], "replication slot \"archiver\" does not exist");
}

TEST(WalSenderSlotTest, NineThreeHasNoSlotCommands) {
  WalSenderWorld w(4, Profile("pg-9.3.5"));
  w.shm->gucs.max_replication_slots = 2;
  w.client.commands = {"CREATE_REPLICATION_SLOT archiver PHYSICAL", "IDENTIFY_SYSTEM"};
  w.Run(os::Seconds(2));
  ASSERT_EQ(w.result.errors.size(), 1u);
  EXPECT_EQ(w.result.errors[0].rfind("syntax error", 0), 0u) << w.result.errors[0];
  EXPECT_TRUE(w.shm->ReplicationSlotCtl.replication_slots.empty());
}

}  // namespace
}  // namespace replsim::walsender
