#include "protocol/wal/lsn.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace replsim::wal {
namespace {

constexpr size_t kMaxLsnComponent = 8;

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

uint32_t HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Length of the leading run of hex digits (strspn over the hex alphabet).
size_t HexRun(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && IsHexDigit(s[n])) ++n;
  return n;
}

uint32_t HexToU32(std::string_view digits) {
  uint32_t v = 0;
  for (char c : digits) v = (v << 4) | HexValue(c);
  return v;
}

absl::Status SyntaxError(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid input syntax for type pg_lsn: \"", std::string(text), "\" (",
      std::string(why), ")"));
}

}  // namespace

std::string LsnToString(XLogRecPtr p) {
  return absl::StrFormat("%X/%X", static_cast<uint32_t>(p >> 32),
                         static_cast<uint32_t>(p));
}

absl::StatusOr<XLogRecPtr> ParseLsn(std::string_view text) {
  size_t len1 = HexRun(text);
  if (len1 < 1 || len1 > kMaxLsnComponent) {
    return SyntaxError(text, "high part must be 1 to 8 hex digits");
  }
  if (len1 >= text.size() || text[len1] != '/') {
    return SyntaxError(text, "expected '/' after the high part");
  }
  std::string_view rest = text.substr(len1 + 1);
  size_t len2 = HexRun(rest);
  if (len2 < 1 || len2 > kMaxLsnComponent) {
    return SyntaxError(text, "low part must be 1 to 8 hex digits");
  }
  if (len2 != rest.size()) {
    return SyntaxError(text, "trailing characters after the low part");
  }
  uint64_t hi = HexToU32(text.substr(0, len1));
  uint64_t lo = HexToU32(rest);
  return (hi << 32) | lo;
}

}  // namespace replsim::wal
