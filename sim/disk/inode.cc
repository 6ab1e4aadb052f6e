#include "sim/disk/inode.h"

#include <algorithm>

namespace replsim::sim::disk {

void Inode::Write(int64_t offset, const char* bytes, size_t n) {
  if (n == 0) return;
  int64_t end = offset + static_cast<int64_t>(n);
  if (end > static_cast<int64_t>(data.size())) {
    data.resize(end, '\0');
    size_dirty = true;
  }
  std::copy_n(bytes, n, data.begin() + offset);
  for (int64_t p = offset / kPageSize; p <= (end - 1) / kPageSize; ++p) {
    dirty_pages.insert(p);
  }
}

void Inode::Truncate(int64_t size) {
  data.resize(size, '\0');
  size_dirty = true;
  // Pages beyond the end no longer matter; a partial last page is dirty.
  dirty_pages.erase(dirty_pages.lower_bound((size + kPageSize - 1) / kPageSize),
                    dirty_pages.end());
  if (size % kPageSize != 0) dirty_pages.insert(size / kPageSize);
}

int64_t Inode::Sync() {
  int64_t written = 0;
  if (size_dirty || durable.size() < data.size()) durable.resize(data.size(), '\0');
  for (int64_t p : dirty_pages) {
    int64_t begin = p * kPageSize;
    int64_t end = std::min<int64_t>(begin + kPageSize, data.size());
    if (begin >= end) continue;
    std::copy(data.begin() + begin, data.begin() + end, durable.begin() + begin);
    written += end - begin;
  }
  if (size_dirty) durable.resize(data.size());
  LoseDirtyPages();
  return written;
}

int64_t Inode::Crash(absl::FunctionRef<bool()> persisted) {
  int64_t lost = 0;
  for (int64_t p : dirty_pages) {
    bool all = true;
    for (int64_t s = p * kPageSize;
         s < std::min<int64_t>((p + 1) * kPageSize, data.size()); s += kSectorSize) {
      if (!persisted()) {
        all = false;
        continue;
      }
      int64_t end = std::min<int64_t>(s + kSectorSize, data.size());
      if (static_cast<int64_t>(durable.size()) < end) durable.resize(end, '\0');
      std::copy(data.begin() + s, data.begin() + end, durable.begin() + s);
    }
    if (!all) ++lost;
  }
  data = durable;
  LoseDirtyPages();
  return lost;
}

}  // namespace replsim::sim::disk
