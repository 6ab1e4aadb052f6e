// File: sim/net/byte_queue.h
//
// A FIFO of bytes (a kernel socket buffer): append at the back, take from the
// front. Storage is one string with a read offset, compacted when the consumed
// prefix outgrows the live bytes, so streaming megabytes stays linear.
#ifndef REPLSIM_SIM_NET_BYTE_QUEUE_H_
#define REPLSIM_SIM_NET_BYTE_QUEUE_H_

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/types/span.h"

namespace replsim::sim::net {

class ByteQueue {
 public:
  size_t size() const { return buf_.size() - head_; }
  bool empty() const { return size() == 0; }

  void Append(absl::Span<const uint8_t> data) {
    buf_.append(reinterpret_cast<const char*>(data.data()), data.size());
  }
  void Append(const std::string& data) { buf_.append(data); }

  // Removes up to `n` bytes from the front into `out` (appended).
  size_t Take(size_t n, std::string* out) {
    n = std::min(n, size());
    out->append(buf_, head_, n);
    Consume(n);
    return n;
  }
  // Copies up to out.size() bytes from the front into `out` and removes them.
  size_t Take(absl::Span<uint8_t> out) {
    size_t n = std::min(out.size(), size());
    std::copy_n(buf_.data() + head_, n, reinterpret_cast<char*>(out.data()));
    Consume(n);
    return n;
  }
  void Clear() {
    buf_.clear();
    buf_.shrink_to_fit();
    head_ = 0;
  }

 private:
  void Consume(size_t n) {
    head_ += n;
    if (head_ == buf_.size()) {
      buf_.clear();
      head_ = 0;
    } else if (head_ > 4096 && head_ > buf_.size() / 2) {
      buf_.erase(0, head_);
      head_ = 0;
    }
  }

  std::string buf_;
  size_t head_ = 0;
};

}  // namespace replsim::sim::net

#endif  // REPLSIM_SIM_NET_BYTE_QUEUE_H_
