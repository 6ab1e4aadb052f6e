// File: protocol/walsender/slot.h
//
// Physical replication slots as 9.4 introduced them (replication/slot.c:
// ReplicationSlotValidateName, ReplicationSlotCreate, ReplicationSlotAcquire,
// ReplicationSlotRelease, ReplicationSlotDropAcquired; walsender.c: PhysicalConfirmReceivedLocation and the
// CREATE_REPLICATION_SLOT result set), over the slot table in node shared
// memory (node::ReplicationSlotCtlData, max_replication_slots entries).
//
//   absl::StatusOr<int> s = ReplicationSlotReserve(shm, "archiver");
//   ... co_await replslot::CreateSlotOnDisk(...) ...
//   ReplicationSlotCreated(shm, *s, pid);           // in use, acquired
//   ReplicationSlotRelease(shm, *s, pid);           // START_REPLICATION re-acquires
//   s = ReplicationSlotAcquire(shm, "archiver", pid);
//   PhysicalConfirmReceivedLocation(shm, *s, flush);  // restart_lsn = flush, dirty
//
// Contracts:
// - Errors are WireError statuses with 9.4's text and SQLSTATE:
//   "replication slot \"%s\" does not exist" (42704), "replication slot \"%s\"
//   is already active" (55006; 15: "is active for PID %d"),
//   "replication slot \"%s\" already exists" (42710), "all replication slots
//   are in use" (53400), and the name checks ("is too short" / "is too
//   long" / "contains invalid character": only [a-z0-9_], under NAMEDATALEN).
//   With max_replication_slots = 0 there is no table: creation finds no free
//   entry ("all replication slots are in use")
//   and acquisition finds no slot ("does not exist"), as 9.4's walsender does;
//   9.4 raised "replication slots can only be used if max_replication_slots >
//   0" only from the SQL functions (CheckSlotRequirements), which replsim
//   does not model.
// - The table is sized lazily to max_replication_slots on first use (the
//   postmaster's ReplicationSlotsShmemInit), as the WalSnd array is.
// - A slot index is valid for the shared memory's lifetime; releasing a slot
//   the process does not hold is a programmer error (CHECK).
//
// What a crash keeps: what protocol/replslot/slot_disk.h wrote. A slot exists
// once CreateSlotOnDisk returned; its restart_lsn as of the last checkpoint.
// The HINTs go with the errors ("Free one or increase max_replication_slots.",
// and the allowed characters for a bad name). Deviations: no logical slots,
// no WAIT for DROP_REPLICATION_SLOT, no WAL retention by restart_lsn.
#ifndef REPLSIM_PROTOCOL_WALSENDER_SLOT_H_
#define REPLSIM_PROTOCOL_WALSENDER_SLOT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/wal/lsn.h"
#include "protocol/wire/result_sets.h"

namespace replsim::walsender {

// NAMEDATALEN: slot names are at most 63 bytes.
inline constexpr size_t kNameDataLen = 64;

absl::Status ReplicationSlotValidateName(const std::string& name);

// ReplicationSlotCreate, in three steps around the disk I/O: Reserve checks
// the name and the limit and takes a free entry for `name` (restart_lsn
// invalid); CreateSlotOnDisk writes it; Created marks it in use and acquired
// by `pid`, or Abandon frees the entry if the write failed.
absl::StatusOr<int> ReplicationSlotReserve(node::NodeShmem& shm, const std::string& name);
void ReplicationSlotCreated(node::NodeShmem& shm, int index, os::Pid pid);
void ReplicationSlotAbandon(node::NodeShmem& shm, int index);

// Marks the named slot acquired by `pid`; returns its index.
absl::StatusOr<int> ReplicationSlotAcquire(node::NodeShmem& shm, const std::string& name,
                                           os::Pid pid);

// ReplicationSlotDropAcquired's shared-memory part: slot `index`, held by
// `pid` and already renamed away on disk, is free again.
void ReplicationSlotDropped(node::NodeShmem& shm, int index, os::Pid pid);

// Marks slot `index`, held by `pid`, inactive again.
void ReplicationSlotRelease(node::NodeShmem& shm, int index, os::Pid pid);

// ProcessStandbyReplyMessage's call for a physical slot: restart_lsn follows
// the flush position the client reported (ignored when it is invalid).
void PhysicalConfirmReceivedLocation(node::NodeShmem& shm, int index, wal::XLogRecPtr flush);

// CREATE_REPLICATION_SLOT's answer: slot_name, consistent_point (%X/%X of
// confirmed_flush, 0/0 for a physical slot), snapshot_name and output_plugin
// (NULL for a physical slot), all text. 9.4 builds the RowDescription by hand
// with typmod 0; 10+ with TupleDescInitBuiltinEntry (typmod -1).
wire::ResultSet BuildCreateReplicationSlotResult(const std::string& slot_name,
                                                 wal::XLogRecPtr consistent_point,
                                                 int server_version_num);

}  // namespace replsim::walsender

#endif  // REPLSIM_PROTOCOL_WALSENDER_SLOT_H_
