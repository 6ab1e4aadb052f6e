#include "protocol/replslot/slot_disk.h"

#include <cstring>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/wal/crc32c.h"

namespace replsim::replslot {
namespace {

// ReplicationSlotOnDisk's layout (see the header).
constexpr size_t kNotChecksummed = 8;   // magic, checksum
constexpr size_t kConstantSize = 16;    // ... version, length
constexpr uint32_t kV2Size = kReplicationSlotOnDiskSize - kConstantSize;  // 184
constexpr size_t kNameOff = 16;
constexpr size_t kNameDataLen = 64;
constexpr size_t kRestartLsnOff = 96;

void PutU32(std::string& b, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[off + i] = static_cast<char>(v >> (8 * i));
}
void PutU64(std::string& b, size_t off, uint64_t v) {
  for (int i = 0; i < 8; ++i) b[off + i] = static_cast<char>(v >> (8 * i));
}
uint64_t GetLE(std::string_view b, size_t off, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t{static_cast<unsigned char>(b[off + i])} << (8 * i);
  return v;
}

uint32_t StateChecksum(std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  return wal::Crc32cFin(wal::Crc32cComp(
      wal::Crc32cInit(),
      absl::MakeConstSpan(p + kNotChecksummed, kReplicationSlotOnDiskSize - kNotChecksummed)));
}

std::string FileError(const char* what, const std::string& path, os::Errno e) {
  return absl::StrFormat("could not %s \"%s\": %s", what, path, std::string(os::StrError(e)));
}

// fsync_fname(path, false): open, fsync, close.
os::Task<os::Errno> FsyncFile(os::Os& os, const std::string& path) {
  os::Result<os::Fd> fd = os.Open(path, os::kOpenReadWrite);
  if (!fd.ok()) co_return fd.error();
  const os::Errno e = co_await os.Fsync(*fd);
  os.Close(*fd);
  co_return e;
}

// rmtree: the files of a slot directory, then the directory.
os::Task<bool> RemoveSlotDir(os::Os& os, const std::string& dir) {
  os::Result<std::vector<std::string>> names = os.ListDir(dir);
  if (names.ok()) {
    for (const std::string& n : *names) (void)os.Unlink(absl::StrCat(dir, "/", n));
  }
  co_return os.RemoveDir(dir) == os::Errno::kOk;
}

// SaveSlotToPath(slot, dir, elevel): only a dirty slot is written.
os::Task<absl::Status> SaveSlotToPath(os::Os& os, const std::string& data_dir,
                                      node::ReplicationSlot& slot, const std::string& dir) {
  if (!slot.dirty) co_return absl::OkStatus();
  slot.just_dirtied = false;
  const std::string tmppath = absl::StrCat(dir, "/state.tmp");
  const std::string path = absl::StrCat(dir, "/state");
  os::Result<os::Fd> fd = os.Open(tmppath, os::kOpenReadWrite | os::kOpenCreate | os::kOpenExclusive);
  if (!fd.ok()) co_return absl::InternalError(FileError("create file", tmppath, fd.error()));
  const std::string bytes = EncodeReplicationSlotOnDisk(slot);  // the copy written
  os::Result<size_t> w = co_await os.PWrite(
      *fd, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
  if (!w.ok() || *w != bytes.size()) {
    os.Close(*fd);
    co_return absl::InternalError(
        FileError("write to file", tmppath, w.ok() ? os::Errno::kENOSPC : w.error()));
  }
  const os::Errno synced = co_await os.Fsync(*fd);
  os.Close(*fd);
  if (synced != os::Errno::kOk) co_return absl::InternalError(FileError("fsync file", tmppath, synced));
  if (const os::Errno e = os.Rename(tmppath, path); e != os::Errno::kOk) {
    co_return absl::InternalError(absl::StrFormat("could not rename file \"%s\" to \"%s\": %s",
                                                  tmppath, path, std::string(os::StrError(e))));
  }
  // A critical section in PostgreSQL: a failure here is a PANIC there.
  (void)co_await FsyncFile(os, path);
  (void)co_await os.FsyncDir(dir);
  (void)co_await os.FsyncDir(ReplSlotDir(data_dir));
  // Clean unless dirtied again while the I/O above waited.
  if (!slot.just_dirtied) slot.dirty = false;
  co_return absl::OkStatus();
}

}  // namespace

void ReplicationSlotMarkDirty(node::ReplicationSlot& slot) {
  slot.just_dirtied = true;
  slot.dirty = true;
}

std::string ReplSlotDir(const std::string& data_dir) { return absl::StrCat(data_dir, "/pg_replslot"); }

std::string EncodeReplicationSlotOnDisk(const node::ReplicationSlot& slot) {
  std::string b(kReplicationSlotOnDiskSize, '\0');
  PutU32(b, 0, kSlotMagic);
  PutU32(b, 8, kSlotVersion);
  PutU32(b, 12, kV2Size);
  std::memcpy(b.data() + kNameOff, slot.name.data(), std::min(slot.name.size(), kNameDataLen - 1));
  PutU64(b, kRestartLsnOff, slot.restart_lsn);
  PutU32(b, 4, StateChecksum(b));
  return b;
}

absl::StatusOr<node::ReplicationSlot> DecodeReplicationSlotOnDisk(std::string_view path,
                                                                  std::string_view bytes) {
  if (bytes.size() < kConstantSize) {
    return absl::DataLossError(absl::StrFormat("could not read file \"%s\": read %d of %d", path,
                                               bytes.size(), kConstantSize));
  }
  const uint32_t magic = GetLE(bytes, 0, 4);
  if (magic != kSlotMagic) {
    return absl::DataLossError(absl::StrFormat(
        "replication slot file \"%s\" has wrong magic number: %u instead of %u", path, magic,
        kSlotMagic));
  }
  const uint32_t version = GetLE(bytes, 8, 4);
  if (version != kSlotVersion) {
    return absl::DataLossError(
        absl::StrFormat("replication slot file \"%s\" has unsupported version %u", path, version));
  }
  const uint32_t length = GetLE(bytes, 12, 4);
  if (length != kV2Size) {
    return absl::DataLossError(
        absl::StrFormat("replication slot file \"%s\" has corrupted length %u", path, length));
  }
  if (bytes.size() < kReplicationSlotOnDiskSize) {
    return absl::DataLossError(absl::StrFormat("could not read file \"%s\": read %d of %d", path,
                                               bytes.size() - kConstantSize, length));
  }
  const uint32_t stored = GetLE(bytes, 4, 4);
  const uint32_t computed = StateChecksum(bytes);
  if (stored != computed) {
    return absl::DataLossError(
        absl::StrFormat("checksum mismatch for replication slot file \"%s\": is %u, should be %u",
                        path, computed, stored));
  }
  node::ReplicationSlot slot;
  const std::string_view name = bytes.substr(kNameOff, kNameDataLen);
  slot.name = std::string(name.substr(0, name.find('\0')));
  slot.restart_lsn = GetLE(bytes, kRestartLsnOff, 8);
  return slot;
}

os::Task<absl::Status> CreateSlotOnDisk(os::Os& os, const std::string& data_dir,
                                        node::ReplicationSlot& slot) {
  const std::string base = ReplSlotDir(data_dir);
  // replsim's initdb makes no pg_replslot (9.4's did): the first slot does.
  if (!os.Stat(base).ok()) {
    (void)os.MakeDir(base);
    (void)co_await os.FsyncDir(data_dir);
  }
  const std::string path = absl::StrCat(base, "/", slot.name);
  const std::string tmppath = absl::StrCat(path, ".tmp");
  // A previous attempt may have left the temporary directory behind.
  if (os::Result<os::FileStat> st = os.Stat(tmppath); st.ok() && st->is_dir) {
    (void)co_await RemoveSlotDir(os, tmppath);
  }
  if (const os::Errno e = os.MakeDir(tmppath); e != os::Errno::kOk) {
    co_return absl::InternalError(FileError("create directory", tmppath, e));
  }
  (void)co_await os.FsyncDir(tmppath);
  slot.dirty = true;  // signal that we really need to write
  absl::Status saved = co_await SaveSlotToPath(os, data_dir, slot, tmppath);
  if (!saved.ok()) co_return saved;
  if (const os::Errno e = os.Rename(tmppath, path); e != os::Errno::kOk) {
    co_return absl::InternalError(absl::StrFormat("could not rename file \"%s\" to \"%s\": %s",
                                                  tmppath, path, std::string(os::StrError(e))));
  }
  (void)co_await os.FsyncDir(path);
  (void)co_await os.FsyncDir(base);
  co_return absl::OkStatus();
}

os::Task<absl::Status> DropSlotOnDisk(os::Os& os, const std::string& data_dir,
                                      const std::string& name) {
  const std::string base = ReplSlotDir(data_dir);
  const std::string path = absl::StrCat(base, "/", name);
  const std::string tmppath = absl::StrCat(path, ".tmp");
  if (const os::Errno e = os.Rename(path, tmppath); e != os::Errno::kOk) {
    co_return absl::InternalError(absl::StrFormat("could not rename file \"%s\" to \"%s\": %s",
                                                  path, tmppath, std::string(os::StrError(e))));
  }
  (void)co_await os.FsyncDir(tmppath);
  (void)co_await os.FsyncDir(base);
  const bool removed = co_await RemoveSlotDir(os, tmppath);
  if (!removed) os.Log("WARNING", absl::StrFormat("could not remove directory \"%s\"", tmppath));
  co_return absl::OkStatus();
}

os::Task<> CheckPointReplicationSlots(os::Os& os, node::NodeShmem& shm) {
  std::vector<node::ReplicationSlot>& slots = shm.ReplicationSlotCtl.replication_slots;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (!slots[i].in_use) continue;
    const std::string dir = absl::StrCat(ReplSlotDir(shm.data_dir), "/", slots[i].name);
    absl::Status s = co_await SaveSlotToPath(os, shm.data_dir, slots[i], dir);
    if (!s.ok()) os.Log("LOG", std::string(s.message()));
  }
}

os::Task<std::optional<SlotStartupError>> StartupReplicationSlots(os::Os& os,
                                                                  node::NodeShmem& shm) {
  os.Log("DEBUG1", "starting up replication slots");
  const std::string base = ReplSlotDir(shm.data_dir);
  os::Result<std::vector<std::string>> names = os.ListDir(base);
  if (!names.ok()) co_return std::nullopt;  // no pg_replslot: no slots
  std::vector<node::ReplicationSlot>& slots = shm.ReplicationSlotCtl.replication_slots;
  if (slots.size() < static_cast<size_t>(shm.gucs.max_replication_slots)) {
    slots.resize(static_cast<size_t>(shm.gucs.max_replication_slots));
  }
  for (const std::string& name : *names) {
    const std::string slotdir = absl::StrCat(base, "/", name);
    os::Result<os::FileStat> st = os.Stat(slotdir);
    if (!st.ok() || !st->is_dir) continue;  // only directories are ours
    if (absl::EndsWith(name, ".tmp")) {  // crashed while creating or dropping
      const bool removed = co_await RemoveSlotDir(os, slotdir);
      if (removed) {
        (void)co_await os.FsyncDir(base);
      } else {
        os.Log("WARNING", absl::StrFormat("could not remove directory \"%s\"", slotdir));
      }
      continue;
    }
    // RestoreSlotFromDisk.
    (void)os.Unlink(absl::StrCat(slotdir, "/state.tmp"));
    const std::string path = absl::StrCat(slotdir, "/state");
    os.Log("DEBUG1", absl::StrFormat("restoring replication slot from \"%s\"", path));
    os::Result<os::Fd> fd = os.Open(path, os::kOpenReadWrite);
    if (!fd.ok()) co_return SlotStartupError{"PANIC", FileError("open file", path, fd.error()), ""};
    const os::Errno synced = co_await os.Fsync(*fd);
    if (synced != os::Errno::kOk) {
      os.Close(*fd);
      co_return SlotStartupError{"PANIC", FileError("fsync file", path, synced), ""};
    }
    (void)co_await os.FsyncDir(slotdir);
    std::string bytes(kReplicationSlotOnDiskSize, '\0');
    os::Result<size_t> n = co_await os.PRead(
        *fd, absl::MakeSpan(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size()), 0);
    os.Close(*fd);
    if (!n.ok()) co_return SlotStartupError{"PANIC", FileError("read file", path, n.error()), ""};
    bytes.resize(*n);
    absl::StatusOr<node::ReplicationSlot> restored = DecodeReplicationSlotOnDisk(path, bytes);
    if (!restored.ok()) {
      co_return SlotStartupError{"PANIC", std::string(restored.status().message()), ""};
    }
    bool placed = false;
    for (node::ReplicationSlot& s : slots) {
      if (s.in_use) continue;
      s = *restored;
      s.in_use = true;
      s.active_pid = 0;
      placed = true;
      break;
    }
    if (!placed) {
      co_return SlotStartupError{"FATAL", "too many replication slots active before shutdown",
                                 "Increase max_replication_slots and try again."};
    }
  }
  co_return std::nullopt;
}

}  // namespace replsim::replslot
