// File: sim/disk/disk.h
//
// One host's file system: a namespace of files and directories over inodes
// (inode.h), each with a volatile page cache and a durable image.
//
// Fault model (what this disk can do to PostgreSQL, and nothing more):
// - Durability: file data and size become durable only through Sync
//   (fsync/fdatasync: the same here). Create, rename, unlink and rmdir change
//   the cached namespace at once and become durable only when the parent
//   directory is synced (SyncDir). Sync of a file does not persist its name.
//   Renaming a directory moves its entries along (the namespace is kept as
//   full paths, the entries really belong to the directory's inode); once
//   the parent is synced its durable entries follow it too.
// - Crash (host power loss): the namespace and every file revert to their
//   durable state. Sectors (512 B) of dirty pages may have been written back
//   anyway, each with probability `crash_sector_persist`: so a crash can leave
//   a page torn, half old and half new. Nothing else is invented: no bit rot,
//   no lost durable data, no misdirected writes.
// - fsync EIO: with probability `fsync_eio` (or once after FailNextFsync) a
//   Sync fails with EIO; its dirty pages are then marked clean without
//   reaching the platter (Linux after a failed writeback): reads still see the
//   new bytes, a crash loses them, and the next Sync succeeds. The error is
//   reported once.
// - ENOSPC: a write (or Allocate) that would grow the disk past `capacity`
//   bytes fails with ENOSPC and writes nothing. Space a file has allocated is
//   reused by writes into it. Fill() sets the capacity to what is used now,
//   Free() gives the space back.
// - Latency: every operation takes a time drawn from the disk's stream
//   ("disk/<host>"); the caller (the process's Os) waits it out.
// Every fault that fires and every durability step is traced (process "disk").
#ifndef REPLSIM_SIM_DISK_DISK_H_
#define REPLSIM_SIM_DISK_DISK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/types/span.h"
#include "protocol/os/errno.h"
#include "protocol/os/os.h"
#include "sim/disk/inode.h"
#include "sim/distributions.h"
#include "sim/world.h"

namespace replsim::sim::disk {

using InodeId = uint64_t;

struct DiskConfig {
  int64_t capacity = int64_t{1} << 40;
  os::Duration io_min = os::Microseconds(10);
  os::Duration io_max = os::Microseconds(200);
  os::Duration sync_min = os::Microseconds(500);
  os::Duration sync_max = os::Milliseconds(5);
  Ratio fsync_eio{0, 1};
  Ratio crash_sector_persist{0, 1};
};

class Disk {
 public:
  Disk(World& world, std::string host, DiskConfig config = DiskConfig());

  // Opens (and with kOpenCreate creates) a file; the caller must Release it.
  os::Result<InodeId> Open(std::string_view path, int flags);
  void Release(InodeId id);
  os::Result<size_t> Read(InodeId id, int64_t offset, absl::Span<uint8_t> out);
  os::Result<size_t> Write(InodeId id, int64_t offset,
                           absl::Span<const uint8_t> data);
  os::Errno Sync(InodeId id);
  os::Errno SyncDir(std::string_view dir);
  os::Errno Truncate(InodeId id, int64_t size);
  // Takes `len` bytes of space for the file, as zero-filling it to that size
  // would, without changing what reads return (the zeros are not stored);
  // ENOSPC when they do not fit. The space survives a crash with the file.
  os::Errno Allocate(InodeId id, int64_t len);
  os::Result<int64_t> Size(InodeId id) const;
  os::Errno Rename(std::string_view from, std::string_view to);
  os::Errno Unlink(std::string_view path);
  os::Errno MakeDir(std::string_view path);
  // rmdir(2): an empty directory only (ENOTEMPTY otherwise).
  os::Errno RemoveDir(std::string_view path);
  os::Result<os::FileStat> Stat(std::string_view path) const;
  // Names (not paths) of the entries of `dir`, sorted.
  os::Result<std::vector<std::string>> List(std::string_view dir) const;

  // The host lost power: keep only what is durable (see the fault model).
  void Crash();
  void Fill();
  // Space is freed again: the capacity the disk had before Fill.
  void Free();
  void FailNextFsync() { fail_next_fsync_ = true; }
  void set_fsync_eio(Ratio r) { config_.fsync_eio = r; }
  void set_crash_sector_persist(Ratio r) { config_.crash_sector_persist = r; }

  // The time one operation takes: a read, a write (or space reserved), an
  // fsync. Writes and fsyncs take slow_factor() times their draw.
  os::Duration IoLatency() { return UniformDuration(rng(), config_.io_min, config_.io_max); }
  os::Duration WriteLatency() { return IoLatency() * slow_factor_; }
  os::Duration SyncLatency() {
    return UniformDuration(rng(), config_.sync_min, config_.sync_max) * slow_factor_;
  }
  // A slow disk (the scenario's slow_disk step): 1 is normal speed; traced.
  void SetSlowFactor(int64_t factor);
  int64_t slow_factor() const { return slow_factor_; }
  int64_t used() const { return used_; }
  // Faults that have struck so far (a failed fsync, ENOSPC), and whether a
  // failed fsync is armed (FailNextFsync): for checkers that must tell a
  // fault's consequences from a bug's.
  uint64_t faults_fired() const { return faults_fired_; }
  bool fsync_failure_armed() const { return fail_next_fsync_; }

 private:
  static std::string_view Parent(std::string_view path);
  bool DirExists(std::string_view dir) const;
  Inode* Get(InodeId id);
  const Inode& At(InodeId id) const;
  bool Live(InodeId id) const { return id >= 1 && id <= inodes_.size() && inodes_[id - 1]; }
  InodeId NewInode(std::unique_ptr<Inode> n);
  void MaybeFree(InodeId id);
  TraceBuilder Emit(std::string_view kind, Severity s = Severity::kInfo);

  World& world_;
  std::string host_;
  DiskConfig config_;
  // The World's stream_, looked up on first use and then kept (stable address).
  Rng& rng() {
    if (rng_ == nullptr) rng_ = &world_.Stream(stream_);
    return *rng_;
  }
  std::string stream_;
  Rng* rng_ = nullptr;
  int64_t used_ = 0;
  int64_t slow_factor_ = 1;
  bool fail_next_fsync_ = false;
  uint64_t faults_fired_ = 0;
  int64_t capacity_before_fill_ = -1;  // -1: not filled
  // Inode `id` is inodes_[id - 1], null once freed: ids count up and are
  // never reused.
  std::vector<std::unique_ptr<Inode>> inodes_;
  absl::btree_map<std::string, InodeId, std::less<>> names_;    // cached
  absl::btree_map<std::string, InodeId, std::less<>> durable_;  // on the platter
};

}  // namespace replsim::sim::disk

#endif  // REPLSIM_SIM_DISK_DISK_H_
