#include "protocol/wire/framing.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "protocol/os/check.h"
#include "protocol/wire/byte_io.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

absl::Status ProtocolViolation(absl::string_view message) {
  return WireError(sqlstate::kProtocolViolation, message);
}

// libpq's VALID_LONG_MESSAGE_TYPE.
bool LibpqMayBeLong(char type) {
  return type == 'T' || type == 'D' || type == 'd' || type == 'V' ||
         type == 'E' || type == 'N' || type == 'A';
}

// The code opening a startup packet body (at least 4 bytes, checked above).
uint32_t PeekCode(absl::string_view body) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(body[i]);
  return v;
}

}  // namespace

void AppendTypedFrame(std::string* out, char type, absl::string_view body) {
  CHECK_LE(body.size(), static_cast<size_t>(kLargeMessageLimit) - 4);
  ByteWriter w(std::move(*out));
  w.Reserve(5 + body.size());
  w.PutInt8(static_cast<uint8_t>(type));
  w.PutInt32(static_cast<uint32_t>(body.size() + 4));
  w.PutBytes(body);
  *out = w.Release();
}

std::string EncodeTypedFrame(char type, absl::string_view body) {
  std::string out;
  AppendTypedFrame(&out, type, body);
  return out;
}

std::string EncodeStartupFrame(absl::string_view body) {
  CHECK_LE(body.size(), static_cast<size_t>(kMaxStartupPacketLength));
  ByteWriter w;
  w.PutInt32(static_cast<uint32_t>(body.size() + 4));
  w.PutBytes(body);
  return w.Release();
}

std::string EncodeFrame(const Frame& frame) {
  switch (frame.kind) {
    case Frame::Kind::kTyped:
      return EncodeTypedFrame(frame.type, frame.body);
    case Frame::Kind::kStartupPacket:
      return EncodeStartupFrame(frame.body);
    case Frame::Kind::kSslResponse:
      return std::string(1, frame.type);
  }
  CHECK(false) << "unknown frame kind";
  return "";
}

std::optional<int32_t> FrontendMessageLengthLimit(char type) {
  switch (type) {
    case 'Q':  // simple query
    case 'F':  // fastpath function call
    case 'B':  // bind
    case 'P':  // parse
    case 'd':  // copy data
      return kLargeMessageLimit;
    case 'X':  // terminate
    case 'C':  // close
    case 'D':  // describe
    case 'E':  // execute
    case 'H':  // flush
    case 'S':  // sync
    case 'c':  // copy done
    case 'f':  // copy fail
      return kSmallMessageLimit;
    default:
      return std::nullopt;
  }
}

FrameDecoder FrameDecoder::ForServer() { return FrameDecoder(Mode::kStartup); }

FrameDecoder FrameDecoder::ForClient(bool ssl_requested) {
  return FrameDecoder(ssl_requested ? Mode::kSslResponse : Mode::kClientTyped);
}

void FrameDecoder::Feed(absl::string_view bytes) {
  if (!error_.ok()) return;  // the stream is dead; keep nothing
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  buffer_.append(bytes.data(), bytes.size());
}

absl::Status FrameDecoder::Fail(absl::Status status) {
  error_ = status;
  buffer_.clear();
  start_ = 0;
  return status;
}

uint32_t FrameDecoder::PeekInt32(size_t offset) const {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) {
    v = (v << 8) | static_cast<uint8_t>(buffer_[start_ + offset + i]);
  }
  return v;
}

void FrameDecoder::Consume(size_t n) {
  start_ += n;
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
}

absl::StatusOr<std::optional<Frame>> FrameDecoder::Next() {
  if (!error_.ok()) return error_;
  switch (mode_) {
    case Mode::kStartup:
      return NextStartup();
    case Mode::kSslResponse: {
      if (buffered_bytes() < 1) return std::optional<Frame>();
      char answer = buffer_[start_];
      if (answer != 'N' && answer != 'S') {
        return Fail(ProtocolViolation(absl::StrFormat(
            "received invalid response to SSL negotiation: %c", answer)));
      }
      Consume(1);
      mode_ = Mode::kClientTyped;
      return std::optional<Frame>(
          Frame{Frame::Kind::kSslResponse, answer, std::string()});
    }
    case Mode::kServerTyped:
    case Mode::kClientTyped:
      return NextTyped();
  }
  return Fail(absl::InternalError("unknown decoder mode"));
}

absl::StatusOr<std::optional<Frame>> FrameDecoder::NextStartup() {
  if (buffered_bytes() < 4) return std::optional<Frame>();
  // ProcessStartupPacket: len counts itself; the rest must hold at least the
  // 4-byte code and at most MAX_STARTUP_PACKET_LENGTH bytes.
  uint32_t len = PeekInt32(0);
  int64_t body_len = static_cast<int64_t>(len) - 4;
  int64_t limit = std::min<int64_t>(kMaxStartupPacketLength, max_length_ - 4);
  if (len > 0x7fffffffu || body_len < 4 || body_len > limit) {
    return Fail(ProtocolViolation("invalid length of startup packet"));
  }
  if (buffered_bytes() < len) return std::optional<Frame>();
  Frame frame{Frame::Kind::kStartupPacket, 0,
              buffer_.substr(start_ + 4, static_cast<size_t>(body_len))};
  Consume(len);
  uint32_t code = PeekCode(frame.body);
  if (code != kSslRequestCode && code != kGssEncRequestCode) {
    mode_ = Mode::kServerTyped;
  }
  return std::optional<Frame>(std::move(frame));
}

absl::StatusOr<std::optional<Frame>> FrameDecoder::NextTyped() {
  if (buffered_bytes() < 1) return std::optional<Frame>();
  char type = buffer_[start_];
  int64_t limit = max_length_;
  if (mode_ == Mode::kServerTyped) {
    std::optional<int32_t> type_limit = FrontendMessageLengthLimit(type);
    if (!type_limit.has_value()) {
      return Fail(ProtocolViolation(absl::StrFormat(
          "invalid frontend message type %d", static_cast<uint8_t>(type))));
    }
    limit = std::min<int64_t>(limit, *type_limit);
  }
  if (buffered_bytes() < 5) return std::optional<Frame>();
  int64_t len = static_cast<int32_t>(PeekInt32(1));
  if (mode_ == Mode::kServerTyped) {
    if (len < 4 || len > limit) {
      return Fail(ProtocolViolation("invalid message length"));
    }
  } else {
    bool too_long = len > limit ||
                    (len > kLibpqShortMessageLimit && !LibpqMayBeLong(type));
    if (len < 4 || too_long) {
      return Fail(ProtocolViolation(absl::StrFormat(
          "lost synchronization with server: got message type \"%c\", "
          "length %d",
          type, len)));
    }
  }
  if (buffered_bytes() < static_cast<size_t>(len) + 1) {
    return std::optional<Frame>();
  }
  Frame frame{Frame::Kind::kTyped, type,
              buffer_.substr(start_ + 5, static_cast<size_t>(len) - 4)};
  Consume(static_cast<size_t>(len) + 1);
  return std::optional<Frame>(std::move(frame));
}

absl::Status FrameDecoder::AtEof() const {
  if (!error_.ok()) return error_;
  size_t n = buffered_bytes();
  if (n == 0) return absl::OkStatus();
  switch (mode_) {
    case Mode::kStartup:
      return ProtocolViolation("incomplete startup packet");
    case Mode::kServerTyped:
      return ProtocolViolation(n < 5 ? "unexpected EOF within message length word"
                                     : "incomplete message from client");
    case Mode::kSslResponse:
    case Mode::kClientTyped:
      return ProtocolViolation("server closed the connection unexpectedly");
  }
  return absl::InternalError("unknown decoder mode");
}

}  // namespace replsim::wire
