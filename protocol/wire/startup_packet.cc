#include "protocol/wire/startup_packet.h"

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "protocol/wire/byte_io.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

// parse_bool_with_len (utils/adt/bool.c): `value` must be a non-empty prefix
// of the word, case-insensitively; "on"/"off" need at least two letters.
bool IsPrefixOf(absl::string_view value, absl::string_view word,
                size_t min_len) {
  return value.size() >= min_len && value.size() <= word.size() &&
         absl::EqualsIgnoreCase(value, word.substr(0, value.size()));
}

std::optional<bool> ParseBool(absl::string_view v) {
  if (v.empty()) return std::nullopt;
  switch (absl::ascii_tolower(static_cast<unsigned char>(v[0]))) {
    case 't':
      if (IsPrefixOf(v, "true", 1)) return true;
      break;
    case 'f':
      if (IsPrefixOf(v, "false", 1)) return false;
      break;
    case 'y':
      if (IsPrefixOf(v, "yes", 1)) return true;
      break;
    case 'n':
      if (IsPrefixOf(v, "no", 1)) return false;
      break;
    case 'o':
      if (IsPrefixOf(v, "on", 2)) return true;
      if (IsPrefixOf(v, "off", 2)) return false;
      break;
    case '1':
      if (v.size() == 1) return true;
      break;
    case '0':
      if (v.size() == 1) return false;
      break;
  }
  return std::nullopt;
}

absl::Status ProtocolViolation(absl::string_view message) {
  return WireError(sqlstate::kProtocolViolation, message);
}

absl::StatusOr<StartupPacket> DecodeStartupMessage(uint32_t proto,
                                                   absl::string_view body) {
  uint32_t major = proto >> 16;
  uint32_t minor = proto & 0xffff;
  if (major != 3) {
    return WireError(
        sqlstate::kFeatureNotSupported,
        absl::StrFormat("unsupported frontend protocol %u.%u: server supports "
                        "3.0 to 3.0",
                        major, minor));
  }
  // ProcessStartupPacket scans a copy with one extra NUL appended, so every
  // string starting inside the packet is terminated.
  std::string buf(body);
  buf.push_back('\0');
  const size_t len = body.size();
  StartupMessage msg;
  msg.protocol_version = proto;
  size_t offset = 4;
  while (offset < len) {
    const char* name = buf.data() + offset;
    if (*name == '\0') break;  // the packet terminator
    size_t value_offset = offset + std::strlen(name) + 1;
    if (value_offset >= len) break;  // missing value: complained about below
    const char* value = buf.data() + value_offset;
    if (std::strcmp(name, "replication") == 0) {
      absl::StatusOr<ReplicationMode> mode = ParseReplicationParameter(value);
      if (!mode.ok()) return mode.status();
    }
    msg.parameters.emplace_back(name, value);
    offset = value_offset + std::strlen(value) + 1;
  }
  if (offset + 1 != len) {
    return ProtocolViolation(
        "invalid startup packet layout: expected terminator as last byte");
  }
  if (!msg.Get("user").has_value() || msg.Get("user")->empty()) {
    return WireError(sqlstate::kInvalidAuthorizationSpecification,
                     "no PostgreSQL user name specified in startup packet");
  }
  return StartupPacket(std::move(msg));
}

}  // namespace

std::optional<std::string> StartupMessage::Get(absl::string_view name) const {
  std::optional<std::string> found;
  for (const auto& [n, v] : parameters) {
    if (n == name) found = v;
  }
  return found;
}

std::string EncodeStartupPacket(const StartupPacket& packet) {
  ByteWriter w;
  if (const auto* m = std::get_if<StartupMessage>(&packet)) {
    w.PutInt32(m->protocol_version);
    for (const auto& [name, value] : m->parameters) {
      w.PutString(name);
      w.PutString(value);
    }
    w.PutInt8(0);
  } else if (std::holds_alternative<SslRequest>(packet)) {
    w.PutInt32(kSslRequestCode);
  } else if (std::holds_alternative<GssEncRequest>(packet)) {
    w.PutInt32(kGssEncRequestCode);
  } else {
    const auto& c = std::get<CancelRequest>(packet);
    w.PutInt32(kCancelRequestCode);
    w.PutInt32(c.backend_pid);
    w.PutInt32(c.cancel_key);
  }
  return EncodeStartupFrame(w.bytes());
}

absl::StatusOr<StartupPacket> DecodeStartupPacket(absl::string_view body) {
  ByteReader r(body);
  absl::StatusOr<uint32_t> proto = r.GetInt32();
  if (!proto.ok()) return ProtocolViolation("invalid length of startup packet");
  switch (*proto) {
    case kCancelRequestCode: {
      if (body.size() != 12) {
        return ProtocolViolation("invalid length of startup packet");
      }
      CancelRequest c;
      c.backend_pid = *r.GetInt32();
      c.cancel_key = *r.GetInt32();
      return StartupPacket(c);
    }
    case kSslRequestCode:
      return StartupPacket(SslRequest{});
    case kGssEncRequestCode:
      return StartupPacket(GssEncRequest{});
    default:
      return DecodeStartupMessage(*proto, body);
  }
}

absl::StatusOr<ReplicationMode> ParseReplicationParameter(
    absl::string_view value) {
  if (value == "database") return ReplicationMode::kDatabase;
  std::optional<bool> b = ParseBool(value);
  if (!b.has_value()) {
    return WireError(
        sqlstate::kInvalidParameterValue,
        absl::StrFormat("invalid value for parameter \"%s\": \"%s\"",
                        "replication", value));
  }
  return *b ? ReplicationMode::kPhysical : ReplicationMode::kNone;
}

}  // namespace replsim::wire
