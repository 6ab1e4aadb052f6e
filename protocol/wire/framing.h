// File: protocol/wire/framing.h
//
// Message framing of the PostgreSQL frontend/backend protocol v3, and an
// incremental decoder that turns bytes arriving in arbitrary pieces into whole
// messages.
//
// On the wire (all integers big-endian):
//   typed message:    Byte1 type, Int32 length (counts itself and the body,
//                     not the type byte), body.
//   startup packet:   Int32 length (counts itself), body starting with an
//                     Int32 code (StartupMessage protocol, SSLRequest,
//                     GSSENCRequest, CancelRequest). No type byte.
//   SSL answer:       one byte, 'N' (no SSL) or 'S', no length.
//
// The server-side decoder (what a postmaster/backend reads from a client)
// starts in startup mode, stays there after an SSLRequest/GSSENCRequest (the
// client sends its StartupMessage next) and reads typed messages after any
// other startup packet. Limits follow PostgreSQL 15: startup packets as
// ProcessStartupPacket (postmaster.c: "invalid length of startup packet"),
// typed messages as SocketBackend (postgres.c: "invalid frontend message type
// %d", 10000-byte PQ_SMALL_MESSAGE_LIMIT or PQ_LARGE_MESSAGE_LIMIT by type)
// and pq_getmessage (pqcomm.c: "invalid message length").
//
// The client-side decoder (what libpq reads from a server) optionally starts
// with the one-byte SSL answer, then reads typed messages; like libpq's
// pqParseInput3 it rejects a length below 4, or above 30000 for a type that
// may not be long ('T','D','d','V','E','N','A' may), with "lost
// synchronization with server: got message type \"%c\", length %d".
//
// Contracts: the decoder never allocates from a length word — it only holds
// bytes it was fed — and every error is sticky (the stream has lost
// synchronisation; PostgreSQL drops the connection). Errors carry SQLSTATE
// 08P01 (wire_error.h). Frames are values: nothing refers back into the buffer.
//
//   FrameDecoder d = FrameDecoder::ForServer();
//   d.Feed(bytes_from_socket);
//   while (true) {
//     absl::StatusOr<std::optional<Frame>> f = d.Next();
//     if (!f.ok()) { /* FATAL, close */ }
//     if (!f->has_value()) break;  // need more bytes
//     Handle(**f);
//   }
#ifndef REPLSIM_PROTOCOL_WIRE_FRAMING_H_
#define REPLSIM_PROTOCOL_WIRE_FRAMING_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace replsim::wire {

// PQ_SMALL_MESSAGE_LIMIT, PQ_LARGE_MESSAGE_LIMIT (MaxAllocSize - 1) and
// MAX_STARTUP_PACKET_LENGTH (libpq.h, memutils.h, pqcomm.h of PostgreSQL 15).
inline constexpr int32_t kSmallMessageLimit = 10000;
inline constexpr int32_t kLargeMessageLimit = 0x3fffffff - 1;
inline constexpr int32_t kMaxStartupPacketLength = 10000;
// libpq's threshold for types that may not be long (fe-protocol3.c).
inline constexpr int32_t kLibpqShortMessageLimit = 30000;

// The Int32 code opening a startup packet (pqcomm.h): PG_PROTOCOL(3,0) for a
// StartupMessage, PG_PROTOCOL(1234,5678..5680) for the special requests.
inline constexpr uint32_t kProtocolVersion3 = 3u << 16;               // 196608
inline constexpr uint32_t kCancelRequestCode = (1234u << 16) | 5678;  // 80877102
inline constexpr uint32_t kSslRequestCode = (1234u << 16) | 5679;     // 80877103
inline constexpr uint32_t kGssEncRequestCode = (1234u << 16) | 5680;  // 80877104

struct Frame {
  enum class Kind {
    kTyped,          // type + body
    kStartupPacket,  // body = the bytes after the length word
    kSslResponse,    // type = the answer byte, body empty
  };
  Kind kind = Kind::kTyped;
  char type = 0;
  std::string body;

  bool operator==(const Frame&) const = default;
};

// Type byte, Int32 length (= 4 + body size), body.
std::string EncodeTypedFrame(char type, absl::string_view body);
// The same frame, appended to `out` (a connection's send buffer).
void AppendTypedFrame(std::string* out, char type, absl::string_view body);
// Int32 length (= 4 + body size), body.
std::string EncodeStartupFrame(absl::string_view body);
// The bytes `frame` was decoded from.
std::string EncodeFrame(const Frame& frame);

// The largest length word (counting itself) PostgreSQL 15's SocketBackend
// accepts for a frontend message of `type`, or nullopt for a type it rejects
// ("invalid frontend message type %d").
std::optional<int32_t> FrontendMessageLengthLimit(char type);

class FrameDecoder {
 public:
  static FrameDecoder ForServer();
  // `ssl_requested`: the client sent an SSLRequest, so the server's first
  // byte is the single-byte answer.
  static FrameDecoder ForClient(bool ssl_requested);

  // Appends bytes as they arrived (any split: part of a message, several).
  void Feed(absl::string_view bytes);

  // The next whole message; nullopt when more bytes are needed; an error once
  // the stream is unusable (and from then on).
  absl::StatusOr<std::optional<Frame>> Next();

  // At end of stream: an error (PostgreSQL's text) when a partial message is
  // buffered, OK when the stream ended on a message boundary.
  absl::Status AtEof() const;

  // Bytes fed but not yet returned in a Frame. PostgreSQL checks this right
  // after an SSLRequest ("received unencrypted data after SSL request").
  size_t buffered_bytes() const { return buffer_.size() - start_; }

  // Lowers every length limit to `max_length` (counting the length word);
  // for tests and for callers with tighter bounds. Never raises a limit.
  void set_max_length(int32_t max_length) { max_length_ = max_length; }

 private:
  enum class Mode { kStartup, kSslResponse, kServerTyped, kClientTyped };
  explicit FrameDecoder(Mode mode) : mode_(mode) {}

  absl::StatusOr<std::optional<Frame>> NextStartup();
  absl::StatusOr<std::optional<Frame>> NextTyped();
  absl::Status Fail(absl::Status status);
  uint32_t PeekInt32(size_t offset) const;
  void Consume(size_t n);

  Mode mode_;
  std::string buffer_;
  size_t start_ = 0;  // first unconsumed byte of buffer_
  int32_t max_length_ = kLargeMessageLimit;
  absl::Status error_;
};

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_FRAMING_H_
