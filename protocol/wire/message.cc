#include "protocol/wire/message.h"

#include "absl/strings/str_format.h"
#include "protocol/os/check.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

// Decodes the alternative of Variant whose kType is `type`, if any.
template <class Variant, size_t I = 0>
std::optional<absl::StatusOr<Variant>> DecodeAlternative(
    char type, absl::string_view body) {
  if constexpr (I == std::variant_size_v<Variant>) {
    return std::nullopt;
  } else {
    using T = std::variant_alternative_t<I, Variant>;
    if (T::kType == type) {
      absl::StatusOr<T> m = Decode<T>(body);
      if (!m.ok()) return absl::StatusOr<Variant>(m.status());
      return absl::StatusOr<Variant>(Variant(std::move(*m)));
    }
    return DecodeAlternative<Variant, I + 1>(type, body);
  }
}

}  // namespace

std::string EncodeBackendMessage(const BackendMessage& m) {
  return std::visit([](const auto& v) { return Encode(v); }, m);
}

std::string EncodeFrontendMessage(const FrontendMessage& m) {
  return std::visit([](const auto& v) { return Encode(v); }, m);
}

char TypeOf(const BackendMessage& m) {
  return std::visit([](const auto& v) { return std::decay_t<decltype(v)>::kType; },
                    m);
}

char TypeOf(const FrontendMessage& m) {
  return std::visit([](const auto& v) { return std::decay_t<decltype(v)>::kType; },
                    m);
}

absl::StatusOr<BackendMessage> DecodeBackendMessage(const Frame& frame) {
  CHECK(frame.kind == Frame::Kind::kTyped);
  std::optional<absl::StatusOr<BackendMessage>> m =
      DecodeAlternative<BackendMessage>(frame.type, frame.body);
  if (m.has_value()) return *std::move(m);
  return WireError(
      sqlstate::kProtocolViolation,
      absl::StrFormat("unexpected response from server; first received "
                      "character was \"%c\"",
                      frame.type));
}

absl::StatusOr<FrontendMessage> DecodeFrontendMessage(const Frame& frame) {
  CHECK(frame.kind == Frame::Kind::kTyped);
  std::optional<absl::StatusOr<FrontendMessage>> m =
      DecodeAlternative<FrontendMessage>(frame.type, frame.body);
  if (m.has_value()) return *std::move(m);
  switch (frame.type) {
    case 'F':
      return WireError(sqlstate::kProtocolViolation,
                       "fastpath function calls not supported in a "
                       "replication connection");
    case 'P':
    case 'B':
    case 'E':
    case 'C':
    case 'D':
      return WireError(sqlstate::kProtocolViolation,
                       "extended query protocol not supported in a "
                       "replication connection");
    default:
      return WireError(sqlstate::kProtocolViolation,
                       absl::StrFormat("invalid frontend message type %d",
                                       static_cast<uint8_t>(frame.type)));
  }
}

}  // namespace replsim::wire
