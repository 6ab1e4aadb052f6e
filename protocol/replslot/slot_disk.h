// File: protocol/replslot/slot_disk.h
//
// Replication slots on disk, as slot.c has kept them since 9.4: every slot is
// a directory pg_replslot/<name> holding one file, "state". The functions are
// slot.c's:
// - CreateSlotOnDisk: fill pg_replslot/<name>.tmp, rename it into place, and
//   fsync the slot's directory and pg_replslot.
// - SaveSlotToPath: write state.tmp, fsync it, rename it to state, and fsync
//   the file and the directories. It writes only a dirty slot.
// - CheckPointReplicationSlots: SaveSlotToPath for every slot, at every
//   checkpoint and restartpoint.
// - StartupReplicationSlots: remove leftover *.tmp directories and restore
//   every slot (RestoreSlotFromDisk) before recovery starts.
//
// The state file is 15's ReplicationSlotOnDisk, 200 bytes, byte for byte
// (replslot_disk_test compares it with a file a real PostgreSQL 15 wrote):
//
//   offset  0 magic 0x1051CA1 | 4 CRC-32C of bytes 8..199 | 8 version 2 |
//          12 length 184 | 16 name[64] | 80 database | 84 persistency |
//          88 xmin | 92 catalog_xmin | 96 restart_lsn | 104 invalidated_at |
//         112 confirmed_flush | 120 two_phase_at | 128 two_phase (+7 pad) |
//         136 plugin[64]
//
// 9.4 wrote an earlier, shorter version of the same structure. replsim
// writes 15's for every release; nothing reads the bytes but replsim itself.
//
// What a crash keeps: a slot exists after a crash if and only if the sync of
// pg_replslot after its directory's rename reached the platter. Its
// restart_lsn is the one written by the last SaveSlotToPath (at creation, or
// at a checkpoint), not the last one its client confirmed: confirmations
// only mark the slot dirty.
#ifndef REPLSIM_PROTOCOL_REPLSLOT_SLOT_DISK_H_
#define REPLSIM_PROTOCOL_REPLSLOT_SLOT_DISK_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::replslot {

inline constexpr uint32_t kSlotMagic = 0x1051CA1;
inline constexpr uint32_t kSlotVersion = 2;           // 15's SLOT_VERSION
inline constexpr size_t kReplicationSlotOnDiskSize = 200;

// "<data_dir>/pg_replslot".
std::string ReplSlotDir(const std::string& data_dir);

// The state file of `slot`: its name and restart_lsn; the rest of a
// physical, persistent slot is zero.
std::string EncodeReplicationSlotOnDisk(const node::ReplicationSlot& slot);

// Checks and reads a state file the way RestoreSlotFromDisk does. On failure
// the error carries RestoreSlotFromDisk's message ("replication slot file
// \"%s\" has wrong magic number: ...", "checksum mismatch for replication slot
// file ...").
absl::StatusOr<node::ReplicationSlot> DecodeReplicationSlotOnDisk(std::string_view path,
                                                                  std::string_view bytes);

// ReplicationSlotMarkDirty: the next checkpoint writes the slot, even if a
// save is writing an older copy of it right now.
void ReplicationSlotMarkDirty(node::ReplicationSlot& slot);

// CreateSlotOnDisk for a slot not yet in use. The error carries the text of
// the ereport(ERROR) that stopped it.
os::Task<absl::Status> CreateSlotOnDisk(os::Os& os, const std::string& data_dir,
                                        node::ReplicationSlot& slot);

// ReplicationSlotDropAcquired's disk part: rename pg_replslot/<name> to
// <name>.tmp and fsync both directories (from then on a crash does not bring
// the slot back), then remove the .tmp directory (a failure there is only a
// WARNING: StartupReplicationSlots removes it later). The error carries the
// text of the ereport(ERROR) of a failed rename.
os::Task<absl::Status> DropSlotOnDisk(os::Os& os, const std::string& data_dir,
                                      const std::string& name);

// CheckPointGuts' CheckPointReplicationSlots. Failures are LOG lines; the
// checkpoint goes on.
os::Task<> CheckPointReplicationSlots(os::Os& os, node::NodeShmem& shm);

// What stopped StartupReplicationSlots: an ereport of `elevel` (PANIC for a
// damaged state file, FATAL for "too many replication slots active before
// shutdown") with its message and hint.
struct SlotStartupError {
  const char* elevel;
  std::string message;
  std::string hint;
};

// StartupReplicationSlots: loads every slot under pg_replslot into
// shm.ReplicationSlotCtl (inactive). A data directory without pg_replslot
// holds no slots.
os::Task<std::optional<SlotStartupError>> StartupReplicationSlots(os::Os& os,
                                                                  node::NodeShmem& shm);

}  // namespace replsim::replslot

#endif  // REPLSIM_PROTOCOL_REPLSLOT_SLOT_DISK_H_
