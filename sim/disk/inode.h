// File: sim/disk/inode.h
//
// One file's contents twice over: `data`, what reads see (the page cache), and
// `durable`, what survives a host crash (the platter). Writes change `data`
// and mark its 4 KiB pages dirty; Sync() copies dirty pages (and the size) to
// `durable`; LoseDirtyPages() is Linux after a failed writeback: the pages
// are marked clean, reads still see the new bytes, the platter never gets them.
// Crash() keeps `durable`, plus the 512-byte sectors of dirty pages that the
// caller's coin says were written back before power was lost (torn writes).
#ifndef REPLSIM_SIM_DISK_INODE_H_
#define REPLSIM_SIM_DISK_INODE_H_

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/container/btree_set.h"
#include "absl/functional/function_ref.h"

namespace replsim::sim::disk {

inline constexpr int64_t kPageSize = 4096;
inline constexpr int64_t kSectorSize = 512;

struct Inode {
  bool is_dir = false;
  int open_count = 0;
  std::string data;
  std::string durable;
  absl::btree_set<int64_t> dirty_pages;
  bool size_dirty = false;
  // Bytes of disk space the file holds beyond its data: what a zero-fill
  // (XLogFileInit's 16 MiB) allocated, kept as a count, not as bytes.
  int64_t allocated = 0;

  // The disk space the file takes.
  int64_t Footprint() const {
    return std::max<int64_t>(static_cast<int64_t>(data.size()), allocated);
  }

  void Write(int64_t offset, const char* bytes, size_t n);
  void Truncate(int64_t size);
  // Makes every dirty page and the size durable; returns the bytes written.
  int64_t Sync();
  void LoseDirtyPages() {
    dirty_pages.clear();
    size_dirty = false;
  }
  // Power loss: reads now see `durable`, except sectors for which
  // `persisted()` says true, which had reached the platter anyway. Returns the
  // number of dirty pages that were (at least partly) lost.
  int64_t Crash(absl::FunctionRef<bool()> persisted);
};

}  // namespace replsim::sim::disk

#endif  // REPLSIM_SIM_DISK_INODE_H_
