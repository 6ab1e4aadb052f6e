// File: sim/os/fd_table.h
//
// A process's file descriptor table: descriptor -> open socket or file. Like
// POSIX, Add() hands out the lowest free descriptor (from 3: 0-2 are the
// standard streams, never open here). A process holds a few descriptors and
// opens and closes WAL files constantly, so the table is a vector indexed by
// descriptor, kept without allocating once it has grown.
#ifndef REPLSIM_SIM_OS_FD_TABLE_H_
#define REPLSIM_SIM_OS_FD_TABLE_H_

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "protocol/os/os.h"

namespace replsim::sim::os_sim {

struct FdEntry {
  bool socket = false;
  uint64_t id = 0;  // SocketId or InodeId
};

class FdTable {
 public:
  // The entry of an open descriptor, else null.
  const FdEntry* Find(os::Fd fd) const {
    if (fd < kFirst || fd - kFirst >= static_cast<os::Fd>(slots_.size())) return nullptr;
    const std::optional<FdEntry>& s = slots_[fd - kFirst];
    return s.has_value() ? &*s : nullptr;
  }
  // Opens `e` at the lowest free descriptor.
  os::Fd Add(FdEntry e) {
    size_t i = 0;
    while (i < slots_.size() && slots_[i].has_value()) ++i;
    Put(static_cast<os::Fd>(i) + kFirst, e);
    return static_cast<os::Fd>(i) + kFirst;
  }
  // Opens `e` at `fd`, which must be free (a descriptor passed to a child).
  void Put(os::Fd fd, FdEntry e) {
    const size_t i = fd - kFirst;
    if (i >= slots_.size()) slots_.resize(i + 1);
    slots_[i] = e;
  }
  // Closes `fd`; its entry, or nullopt if it was not open.
  std::optional<FdEntry> Take(os::Fd fd) {
    if (Find(fd) == nullptr) return std::nullopt;
    return std::exchange(slots_[fd - kFirst], std::nullopt);
  }
  // The lowest open descriptor, or kNoFd.
  os::Fd Lowest() const {
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].has_value()) return static_cast<os::Fd>(i) + kFirst;
    }
    return os::kNoFd;
  }

 private:
  static constexpr os::Fd kFirst = 3;
  std::vector<std::optional<FdEntry>> slots_;  // [fd - kFirst]
};

}  // namespace replsim::sim::os_sim

#endif  // REPLSIM_SIM_OS_FD_TABLE_H_
