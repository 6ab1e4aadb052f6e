#include "protocol/wal/wal_buffer.h"

#include <algorithm>
#include <cstring>

namespace replsim::wal {

std::vector<uint8_t>& WalBuffer::MutablePage(XLogRecPtr page_ptr) {
  std::vector<uint8_t>& page = pages_[page_ptr];
  if (page.empty()) page.assign(kXLogBlcksz, 0);
  return page;
}

void WalBuffer::Write(XLogRecPtr lsn, absl::Span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    XLogRecPtr at = lsn + done;
    size_t n = std::min<size_t>(XLogPageBytesLeft(at), bytes.size() - done);
    std::vector<uint8_t>& page = MutablePage(XLogPageStart(at));
    std::memcpy(page.data() + XLogPageOffset(at), bytes.data() + done, n);
    done += n;
  }
}

void WalBuffer::WriteZeros(XLogRecPtr lsn, uint64_t len) {
  uint64_t done = 0;
  while (done < len) {
    XLogRecPtr at = lsn + done;
    uint64_t n = std::min<uint64_t>(XLogPageBytesLeft(at), len - done);
    if (n == kXLogBlcksz) {
      pages_[at].clear();  // whole page: a zero page
    } else {
      std::vector<uint8_t>& page = MutablePage(XLogPageStart(at));
      std::memset(page.data() + XLogPageOffset(at), 0, n);
    }
    done += n;
  }
}

bool WalBuffer::Read(XLogRecPtr lsn, absl::Span<uint8_t> out) const {
  size_t done = 0;
  while (done < out.size()) {
    XLogRecPtr at = lsn + done;
    size_t n = std::min<size_t>(XLogPageBytesLeft(at), out.size() - done);
    auto it = pages_.find(XLogPageStart(at));
    if (it == pages_.end()) return false;
    if (it->second.empty()) {
      std::memset(out.data() + done, 0, n);
    } else {
      std::memcpy(out.data() + done, it->second.data() + XLogPageOffset(at), n);
    }
    done += n;
  }
  return true;
}

bool WalBuffer::HasPage(XLogRecPtr page_ptr) const {
  return pages_.contains(XLogPageStart(page_ptr));
}

void WalBuffer::DiscardBefore(XLogRecPtr lsn) {
  pages_.erase(pages_.begin(), pages_.lower_bound(XLogPageStart(lsn)));
}

}  // namespace replsim::wal
