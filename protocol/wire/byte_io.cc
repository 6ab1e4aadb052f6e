#include "protocol/wire/byte_io.h"

#include "protocol/os/check.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {

void ByteWriter::PutString(absl::string_view s) {
  CHECK(s.find('\0') == absl::string_view::npos)
      << "string sent on the wire contains a NUL";
  PutBytes(s);
  PutInt8(0);
}

absl::StatusOr<uint64_t> ByteReader::GetBigEndian(size_t width) {
  if (remaining() < width) {
    return WireError(sqlstate::kProtocolViolation,
                     "insufficient data left in message");
  }
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    v = (v << 8) | static_cast<uint8_t>(data_[cursor_ + i]);
  }
  cursor_ += width;
  return v;
}

absl::StatusOr<uint8_t> ByteReader::GetInt8() {
  if (remaining() == 0) {
    return WireError(sqlstate::kProtocolViolation, "no data left in message");
  }
  return static_cast<uint8_t>(data_[cursor_++]);
}

absl::StatusOr<uint16_t> ByteReader::GetInt16() {
  WIRE_ASSIGN_OR_RETURN(uint64_t v, GetBigEndian(2));
  return static_cast<uint16_t>(v);
}

absl::StatusOr<uint32_t> ByteReader::GetInt32() {
  WIRE_ASSIGN_OR_RETURN(uint64_t v, GetBigEndian(4));
  return static_cast<uint32_t>(v);
}

absl::StatusOr<uint64_t> ByteReader::GetInt64() { return GetBigEndian(8); }

absl::StatusOr<std::string> ByteReader::GetString() {
  size_t nul = data_.find('\0', cursor_);
  if (nul == absl::string_view::npos) {
    return WireError(sqlstate::kProtocolViolation,
                     "invalid string in message");
  }
  std::string s(data_.substr(cursor_, nul - cursor_));
  cursor_ = nul + 1;
  return s;
}

absl::StatusOr<std::string> ByteReader::GetBytes(size_t n) {
  if (remaining() < n) {
    return WireError(sqlstate::kProtocolViolation,
                     "insufficient data left in message");
  }
  std::string s(data_.substr(cursor_, n));
  cursor_ += n;
  return s;
}

std::string ByteReader::GetRest() {
  std::string s(data_.substr(cursor_));
  cursor_ = data_.size();
  return s;
}

absl::Status ByteReader::ExpectEnd() const {
  if (remaining() != 0) {
    return WireError(sqlstate::kProtocolViolation, "invalid message format");
  }
  return absl::OkStatus();
}

}  // namespace replsim::wire
