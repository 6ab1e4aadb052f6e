// File: protocol/wire/byte_io.h
//
// Big-endian (network order) building and reading of message bodies, modelled
// on PostgreSQL's src/backend/libpq/pqformat.c: ByteWriter is pq_sendbyte /
// pq_sendint16/32/64 / pq_sendstring / pq_sendbytes, ByteReader is pq_getmsgbyte
// / pq_getmsgint / pq_getmsgint64 / pq_getmsgstring / pq_getmsgbytes /
// pq_getmsgend, with the same error texts ("no data left in message",
// "insufficient data left in message", "invalid string in message",
// "invalid message format"), all SQLSTATE 08P01.
//
// Contracts: a ByteReader views bytes it does not own (they must outlive it),
// never reads past its span and never allocates more
// than the bytes it was given; a failed read leaves the cursor unchanged.
// ByteWriter CHECKs that a C string it is asked to send has no NUL inside
// (that would be a programmer error: the peer could not parse it).
#ifndef REPLSIM_PROTOCOL_WIRE_BYTE_IO_H_
#define REPLSIM_PROTOCOL_WIRE_BYTE_IO_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace replsim::wire {

class ByteWriter {
 public:
  ByteWriter() = default;
  // Appends to `out` (its bytes stay in front) instead of a fresh buffer.
  explicit ByteWriter(std::string out) : out_(std::move(out)) {}

  // Room for `n` more bytes: one allocation for a message of known size.
  void Reserve(size_t n) { out_.reserve(out_.size() + n); }

  void PutInt8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void PutInt16(uint16_t v) { PutBigEndian<2>(v); }
  void PutInt32(uint32_t v) { PutBigEndian<4>(v); }
  void PutInt64(uint64_t v) { PutBigEndian<8>(v); }
  // A NUL-terminated string (pq_sendstring). CHECKs `s` holds no NUL.
  void PutString(absl::string_view s);
  // Raw bytes, no terminator (pq_sendbytes).
  void PutBytes(absl::string_view s) { out_.append(s.data(), s.size()); }

  size_t size() const { return out_.size(); }
  const std::string& bytes() const { return out_; }
  std::string Release() { return std::move(out_); }

 private:
  template <size_t kWidth>
  void PutBigEndian(uint64_t v) {
    char bytes[kWidth];
    for (size_t i = 0; i < kWidth; ++i) {
      bytes[i] = static_cast<char>(v >> (8 * (kWidth - 1 - i)));
    }
    out_.append(bytes, kWidth);
  }

  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(absl::string_view data) : data_(data) {}

  absl::StatusOr<uint8_t> GetInt8();
  absl::StatusOr<uint16_t> GetInt16();
  absl::StatusOr<uint32_t> GetInt32();
  absl::StatusOr<uint64_t> GetInt64();
  // Up to (not including) the next NUL, which is consumed.
  absl::StatusOr<std::string> GetString();
  // Exactly `n` bytes.
  absl::StatusOr<std::string> GetBytes(size_t n);
  // Everything left (possibly nothing).
  std::string GetRest();
  // pq_getmsgend: OK only when every byte was consumed.
  absl::Status ExpectEnd() const;

  size_t remaining() const { return data_.size() - cursor_; }
  size_t cursor() const { return cursor_; }

 private:
  absl::StatusOr<uint64_t> GetBigEndian(size_t width);

  absl::string_view data_;
  size_t cursor_ = 0;
};

// Helpers that make a decoder read like PostgreSQL's: `ASSIGN_OR_RETURN`-style
// macros (Abseil 20220623 has none).
#define REPLSIM_WIRE_CONCAT_INNER(a, b) a##b
#define REPLSIM_WIRE_CONCAT(a, b) REPLSIM_WIRE_CONCAT_INNER(a, b)
#define WIRE_ASSIGN_OR_RETURN(lhs, expr)                                    \
  auto REPLSIM_WIRE_CONCAT(wire_or_, __LINE__) = (expr);                   \
  if (!REPLSIM_WIRE_CONCAT(wire_or_, __LINE__).ok())                        \
    return REPLSIM_WIRE_CONCAT(wire_or_, __LINE__).status();                \
  lhs = std::move(*REPLSIM_WIRE_CONCAT(wire_or_, __LINE__))
#define WIRE_RETURN_IF_ERROR(expr)            \
  do {                                        \
    absl::Status wire_status_ = (expr);       \
    if (!wire_status_.ok()) return wire_status_; \
  } while (0)

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_BYTE_IO_H_
