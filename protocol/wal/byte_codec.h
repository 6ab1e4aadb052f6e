// File: protocol/wal/byte_codec.h
//
// Little-endian field codecs for WAL structures. PostgreSQL writes its
// structs in native byte order; the bytes replsim reproduces come from
// x86-64, so every field is little-endian here regardless of the host.
//
// ByteWriter appends to a vector; ByteReader reads from a span and reports
// running past the end (never reads out of bounds): decoders check ok() once
// after a group of reads.
#ifndef REPLSIM_PROTOCOL_WAL_BYTE_CODEC_H_
#define REPLSIM_PROTOCOL_WAL_BYTE_CODEC_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace replsim::wal {

inline uint16_t LoadU16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
inline uint32_t LoadU32(const uint8_t* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) |
         (uint32_t{p[3]} << 24);
}
inline uint64_t LoadU64(const uint8_t* p) {
  return uint64_t{LoadU32(p)} | (uint64_t{LoadU32(p + 4)} << 32);
}
inline void StoreU16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
inline void StoreU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void StoreU64(uint8_t* p, uint64_t v) {
  StoreU32(p, static_cast<uint32_t>(v));
  StoreU32(p + 4, static_cast<uint32_t>(v >> 32));
}

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(v); }
  void U16(uint16_t v) { Fixed(v, 2); }
  void U32(uint32_t v) { Fixed(v, 4); }
  void U64(uint64_t v) { Fixed(v, 8); }
  void Zeros(size_t n) { out_->insert(out_->end(), n, 0); }
  void Bytes(absl::Span<const uint8_t> b) {
    out_->insert(out_->end(), b.begin(), b.end());
  }

 private:
  void Fixed(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_->push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t>* out_;
};

class ByteReader {
 public:
  explicit ByteReader(absl::Span<const uint8_t> in) : in_(in) {}
  bool ok() const { return ok_; }
  size_t remaining() const { return in_.size() - pos_; }
  size_t position() const { return pos_; }
  uint8_t U8() { return Take(1) ? in_[pos_ - 1] : 0; }
  uint16_t U16() { return Take(2) ? LoadU16(&in_[pos_ - 2]) : 0; }
  uint32_t U32() { return Take(4) ? LoadU32(&in_[pos_ - 4]) : 0; }
  uint64_t U64() { return Take(8) ? LoadU64(&in_[pos_ - 8]) : 0; }
  void Skip(size_t n) { Take(n); }
  // The next n bytes (empty and !ok() if fewer remain).
  absl::Span<const uint8_t> Bytes(size_t n) {
    if (!Take(n)) return {};
    return in_.subspan(pos_ - n, n);
  }

 private:
  bool Take(size_t n) {
    if (!ok_ || remaining() < n) {
      ok_ = false;
      return false;
    }
    pos_ += n;
    return true;
  }
  absl::Span<const uint8_t> in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace replsim::wal

#endif  // REPLSIM_PROTOCOL_WAL_BYTE_CODEC_H_
