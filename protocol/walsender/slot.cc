#include "protocol/walsender/slot.h"

#include <vector>

#include "absl/strings/str_format.h"
#include "protocol/os/check.h"
#include "protocol/replslot/slot_disk.h"
#include "protocol/wire/backend_messages.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::walsender {
namespace {

// ERRCODE_INVALID_NAME and ERRCODE_NAME_TOO_LONG (not in wire::sqlstate).
constexpr char kInvalidName[] = "42602";
constexpr char kNameTooLong[] = "42622";

// ReplicationSlotsShmemInit, on first use.
std::vector<node::ReplicationSlot>& Slots(node::NodeShmem& shm) {
  std::vector<node::ReplicationSlot>& slots = shm.ReplicationSlotCtl.replication_slots;
  const size_t want = static_cast<size_t>(shm.gucs.max_replication_slots);
  if (slots.size() < want) slots.resize(want);
  return slots;
}

// A slot being written to disk counts as taken for creation (PostgreSQL's
// second creator waits for ReplicationSlotAllocationLock, then finds the
// name in use), but not for acquisition (it is not in_use yet).
int FindSlot(const std::vector<node::ReplicationSlot>& slots, const std::string& name) {
  for (size_t i = 0; i < slots.size(); ++i) {
    if (slots[i].in_use && slots[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

node::ReplicationSlot& SlotAt(node::NodeShmem& shm, int index) {
  std::vector<node::ReplicationSlot>& slots = shm.ReplicationSlotCtl.replication_slots;
  CHECK(index >= 0 && static_cast<size_t>(index) < slots.size()) << "no slot " << index;
  return slots[static_cast<size_t>(index)];
}

}  // namespace

absl::Status ReplicationSlotValidateName(const std::string& name) {
  if (name.empty()) {
    return wire::WireError(kInvalidName,
                           absl::StrFormat("replication slot name \"%s\" is too short", name));
  }
  if (name.size() >= kNameDataLen) {
    return wire::WireError(kNameTooLong,
                           absl::StrFormat("replication slot name \"%s\" is too long", name));
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return wire::WireError(
          kInvalidName,
          absl::StrFormat("replication slot name \"%s\" contains invalid character", name),
          "Replication slot names may only contain lower case letters, numbers, and the "
          "underscore character.");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ReplicationSlotReserve(node::NodeShmem& shm, const std::string& name) {
  if (absl::Status s = ReplicationSlotValidateName(name); !s.ok()) return s;
  std::vector<node::ReplicationSlot>& slots = Slots(shm);
  int free_slot = -1;
  for (size_t i = 0; i < slots.size(); ++i) {
    const bool taken = slots[i].in_use || slots[i].creating;
    if (taken && slots[i].name == name) {
      return wire::WireError(wire::sqlstate::kDuplicateObject,
                             absl::StrFormat("replication slot \"%s\" already exists", name));
    }
    if (!taken && free_slot < 0) free_slot = static_cast<int>(i);
  }
  if (free_slot < 0) {
    return wire::WireError(wire::sqlstate::kConfigurationLimitExceeded,
                           "all replication slots are in use",
                           "Free one or increase max_replication_slots.");
  }
  node::ReplicationSlot& s = slots[static_cast<size_t>(free_slot)];
  s = node::ReplicationSlot();
  s.name = name;
  s.creating = true;
  return free_slot;
}

void ReplicationSlotCreated(node::NodeShmem& shm, int index, os::Pid pid) {
  node::ReplicationSlot& s = SlotAt(shm, index);
  CHECK(s.creating) << "slot " << index << " was not being created";
  s.creating = false;
  s.dirty = false;  // CreateSlotOnDisk wrote it
  s.in_use = true;
  s.active_pid = pid;
}

void ReplicationSlotAbandon(node::NodeShmem& shm, int index) {
  node::ReplicationSlot& s = SlotAt(shm, index);
  CHECK(s.creating) << "slot " << index << " was not being created";
  s = node::ReplicationSlot();
}

absl::StatusOr<int> ReplicationSlotAcquire(node::NodeShmem& shm, const std::string& name,
                                           os::Pid pid) {
  if (absl::Status s = ReplicationSlotValidateName(name); !s.ok()) return s;
  std::vector<node::ReplicationSlot>& slots = Slots(shm);
  const int index = FindSlot(slots, name);
  if (index < 0) {
    return wire::WireError(wire::sqlstate::kUndefinedObject,
                           absl::StrFormat("replication slot \"%s\" does not exist", name));
  }
  node::ReplicationSlot& s = slots[static_cast<size_t>(index)];
  if (s.active_pid != 0) {
    // From 10 on (at the latest; no 9.5/9.6 profile) the error names the holder.
    return wire::WireError(
        wire::sqlstate::kObjectInUse,
        shm.behavior.server_version_num >= 100000
            ? absl::StrFormat("replication slot \"%s\" is active for PID %d", name, s.active_pid)
            : absl::StrFormat("replication slot \"%s\" is already active", name));
  }
  s.active_pid = pid;
  return index;
}

void ReplicationSlotDropped(node::NodeShmem& shm, int index, os::Pid pid) {
  node::ReplicationSlot& s = SlotAt(shm, index);
  CHECK(s.in_use && s.active_pid == pid) << "dropping slot " << index << " not held by " << pid;
  s = node::ReplicationSlot();
}

void ReplicationSlotRelease(node::NodeShmem& shm, int index, os::Pid pid) {
  node::ReplicationSlot& s = SlotAt(shm, index);
  CHECK(s.in_use && s.active_pid == pid) << "releasing slot " << index << " not held by " << pid;
  s.active_pid = 0;
}

void PhysicalConfirmReceivedLocation(node::NodeShmem& shm, int index, wal::XLogRecPtr flush) {
  if (flush == 0) return;  // only a valid flush position moves it
  node::ReplicationSlot& s = SlotAt(shm, index);
  if (s.restart_lsn == flush) return;
  s.restart_lsn = flush;
  // The next checkpoint writes it (CheckPointReplicationSlots). No WAL is
  // retained by it here.
  replslot::ReplicationSlotMarkDirty(s);
}

wire::ResultSet BuildCreateReplicationSlotResult(const std::string& slot_name,
                                                 wal::XLogRecPtr consistent_point,
                                                 int server_version_num) {
  wire::ResultSet rs;
  for (const char* column : {"slot_name", "consistent_point", "snapshot_name", "output_plugin"}) {
    wire::RowDescription::Field f;
    f.name = column;
    f.type_oid = wire::kTextOid;
    f.type_size = -1;
    f.type_modifier = server_version_num >= 100000 ? -1 : 0;
    rs.description.fields.push_back(f);
  }
  wire::DataRow row;
  row.values = {slot_name, wal::LsnToString(consistent_point), std::nullopt, std::nullopt};
  rs.rows.push_back(std::move(row));
  return rs;
}

}  // namespace replsim::walsender
