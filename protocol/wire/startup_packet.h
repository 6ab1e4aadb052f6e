// File: protocol/wire/startup_packet.h
//
// The untyped packets a client sends before the first typed message:
// StartupMessage (protocol 3.0 and NUL-terminated name/value pairs, e.g.
// user, database, replication=true, application_name), SSLRequest,
// GSSENCRequest and CancelRequest; and the server's one-byte answer to
// SSLRequest ('N': no SSL, as replsim always answers).
//
// DecodeStartupPacket follows ProcessStartupPacket in PostgreSQL 15's
// postmaster.c: the same checks, in the same order, with the same texts —
// "invalid length of startup packet" (a CancelRequest that is not 12 bytes),
// "unsupported frontend protocol %u.%u: server supports 3.0 to 3.0",
// "invalid value for parameter \"replication\": \"%s\"", "invalid startup
// packet layout: expected terminator as last byte", "no PostgreSQL user name
// specified in startup packet". Like PostgreSQL it ignores bytes after the
// code of an SSLRequest/GSSENCRequest. Whether an SSLRequest is acceptable
// (PostgreSQL allows one per connection, a second one fails the protocol
// version check) is the caller's state, not the packet's.
//
//   std::string bytes = EncodeStartupPacket(StartupMessage{
//       kProtocolVersion3, {{"user", "postgres"}, {"replication", "true"}}});
#ifndef REPLSIM_PROTOCOL_WIRE_STARTUP_PACKET_H_
#define REPLSIM_PROTOCOL_WIRE_STARTUP_PACKET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "protocol/wire/framing.h"

namespace replsim::wire {

struct StartupMessage {
  uint32_t protocol_version = kProtocolVersion3;
  // In the order sent; names are case-sensitive, as in PostgreSQL.
  std::vector<std::pair<std::string, std::string>> parameters;

  // The last value given for `name`, as PostgreSQL keeps the last one.
  std::optional<std::string> Get(absl::string_view name) const;
  bool operator==(const StartupMessage&) const = default;
};

struct SslRequest {
  bool operator==(const SslRequest&) const = default;
};

struct GssEncRequest {
  bool operator==(const GssEncRequest&) const = default;
};

struct CancelRequest {
  uint32_t backend_pid = 0;
  uint32_t cancel_key = 0;
  bool operator==(const CancelRequest&) const = default;
};

using StartupPacket =
    std::variant<StartupMessage, SslRequest, GssEncRequest, CancelRequest>;

// The complete packet, length word included.
std::string EncodeStartupPacket(const StartupPacket& packet);

// `body` is Frame::body of a kStartupPacket frame (after the length word).
absl::StatusOr<StartupPacket> DecodeStartupPacket(absl::string_view body);

// What the "replication" startup parameter asks for (postmaster.c: "database"
// or a boolean as parse_bool reads it: true/false/yes/no and unambiguous
// prefixes, on/off, 1/0, any case).
enum class ReplicationMode { kNone, kPhysical, kDatabase };
absl::StatusOr<ReplicationMode> ParseReplicationParameter(
    absl::string_view value);

// The server's answer to SSLRequest / GSSENCRequest: 'N' refuses.
inline constexpr char kSslRefused = 'N';
inline constexpr char kSslAccepted = 'S';

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_STARTUP_PACKET_H_
