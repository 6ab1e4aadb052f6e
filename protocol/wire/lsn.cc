#include "protocol/wire/lsn.h"

#include "absl/strings/str_format.h"

namespace replsim::wire {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<uint32_t> ParseHex32(absl::string_view s) {
  if (s.empty() || s.size() > 8) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    int d = HexValue(c);
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  return v;
}

}  // namespace

std::string FormatLsn(XLogRecPtr lsn) {
  return absl::StrFormat("%X/%X", static_cast<uint32_t>(lsn >> 32),
                         static_cast<uint32_t>(lsn));
}

std::optional<XLogRecPtr> ParseLsn(absl::string_view text) {
  size_t slash = text.find('/');
  if (slash == absl::string_view::npos) return std::nullopt;
  std::optional<uint32_t> hi = ParseHex32(text.substr(0, slash));
  std::optional<uint32_t> lo = ParseHex32(text.substr(slash + 1));
  if (!hi.has_value() || !lo.has_value()) return std::nullopt;
  return (static_cast<XLogRecPtr>(*hi) << 32) | *lo;
}

}  // namespace replsim::wire
