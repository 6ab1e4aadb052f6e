#include "protocol/wire/replication_scanner.h"

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

constexpr absl::string_view kKeywords15[] = {
    "BASE_BACKUP",       "IDENTIFY_SYSTEM",      "READ_REPLICATION_SLOT",
    "SHOW",              "TIMELINE",             "START_REPLICATION",
    "CREATE_REPLICATION_SLOT", "DROP_REPLICATION_SLOT", "TIMELINE_HISTORY",
    "PHYSICAL",          "RESERVE_WAL",          "LOGICAL",
    "SLOT",              "TEMPORARY",            "TWO_PHASE",
    "EXPORT_SNAPSHOT",   "NOEXPORT_SNAPSHOT",    "USE_SNAPSHOT",
    "WAIT"};
constexpr absl::string_view kKeywords93[] = {
    "BASE_BACKUP", "FAST",     "IDENTIFY_SYSTEM",   "LABEL",
    "NOWAIT",      "PROGRESS", "WAL",               "TIMELINE",
    "START_REPLICATION", "TIMELINE_HISTORY"};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); }
bool IsIdentStart(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return absl::ascii_isalpha(u) || c == '_' || u >= 0x80;
}
bool IsIdentCont(char c) { return IsIdentStart(c) || IsDigit(c) || c == '$'; }

size_t Span(absl::string_view s, size_t from, bool (*pred)(char)) {
  size_t i = from;
  while (i < s.size() && pred(s[i])) ++i;
  return i - from;
}

// strtoul (saturating at 2^64-1) stored into a uint32.
uint32_t ConvertToUint32(absl::string_view digits, int base) {
  uint64_t v = 0;
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  for (char c : digits) {
    int d = IsDigit(c) ? c - '0' : absl::ascii_tolower(c) - 'a' + 10;
    if (v > (max - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) {
      v = max;
      break;
    }
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  return static_cast<uint32_t>(v);
}

absl::Status SyntaxError(absl::string_view message) {
  return WireError(sqlstate::kSyntaxError, message);
}

}  // namespace

size_t ReplicationScanner::MatchKeyword(absl::string_view rest,
                                        std::string* keyword) const {
  size_t best = 0;
  auto consider = [&](absl::string_view k) {
    if (rest.substr(0, k.size()) == k && k.size() > best) {
      best = k.size();
      *keyword = std::string(k);
    }
  };
  if (dialect_ == Dialect::kPg93) {
    for (absl::string_view k : kKeywords93) consider(k);
  } else {
    for (absl::string_view k : kKeywords15) consider(k);
  }
  return best;
}

absl::StatusOr<ReplToken> ReplicationScanner::QuotedString(char quote) {
  std::string lit;
  ++pos_;  // the opening quote
  while (true) {
    size_t q = input_.find(quote, pos_);
    if (q == absl::string_view::npos) {
      pos_ = input_.size();
      return SyntaxError("unterminated quoted string");
    }
    absl::StrAppend(&lit, input_.substr(pos_, q - pos_));
    pos_ = q + 1;
    // '' inside '...' is a quote; "..." has no such rule in repl_scanner.l.
    if (quote == '\'' && pos_ < input_.size() && input_[pos_] == '\'') {
      lit.push_back('\'');
      ++pos_;
      continue;
    }
    break;
  }
  ReplToken t;
  if (quote == '\'') {
    t.kind = ReplToken::Kind::kSconst;
  } else {
    t.kind = ReplToken::Kind::kIdent;
    if (lit.size() > kMaxIdentifierLength) lit.resize(kMaxIdentifierLength);
  }
  t.text = std::move(lit);
  return t;
}

absl::StatusOr<ReplToken> ReplicationScanner::Next() {
  const bool pg93 = dialect_ == Dialect::kPg93;
  auto is_space = [pg93](char c) {
    return c == ' ' || c == '\t' || c == '\n' ||
           (!pg93 && (c == '\r' || c == '\f'));
  };
  while (pos_ < input_.size() && is_space(input_[pos_])) ++pos_;
  ReplToken t;
  if (pos_ >= input_.size()) return t;  // kEnd
  const absl::string_view rest = input_.substr(pos_);
  if (rest[0] == '\'' || (!pg93 && rest[0] == '"')) return QuotedString(rest[0]);

  std::string keyword;
  const size_t kw = MatchKeyword(rest, &keyword);
  const size_t digits = Span(rest, 0, IsDigit);
  size_t recptr = 0;
  if (size_t hi = Span(rest, 0, IsHex); hi > 0 && hi < rest.size() &&
                                          rest[hi] == '/') {
    size_t lo = Span(rest, hi + 1, IsHex);
    if (lo > 0) recptr = hi + 1 + lo;
  }
  const size_t ident =
      (!pg93 && IsIdentStart(rest[0])) ? 1 + Span(rest, 1, IsIdentCont) : 0;
  // A keyword only matches as a whole identifier when identifiers exist.
  const size_t kw_len = (!pg93 && kw != ident) ? 0 : kw;
  const size_t longest = std::max({kw_len, digits, recptr, ident});
  if (longest == 0) {
    ++pos_;
    if (pg93 && rest[0] != ',' && rest[0] != ';') {
      return SyntaxError(absl::StrFormat(
          "syntax error: unexpected character \"%s\"", rest.substr(0, 1)));
    }
    t.kind = ReplToken::Kind::kChar;
    t.text = std::string(1, rest[0]);
    return t;
  }
  pos_ += longest;
  const absl::string_view text = rest.substr(0, longest);
  if (longest == kw_len) {  // rule order: keywords first
    t.kind = ReplToken::Kind::kKeyword;
    t.text = keyword;
  } else if (longest == digits) {
    t.kind = ReplToken::Kind::kUconst;
    t.value = ConvertToUint32(text, 10);
  } else if (longest == recptr) {
    size_t slash = text.find('/');
    t.kind = ReplToken::Kind::kRecptr;
    t.value = (uint64_t{ConvertToUint32(text.substr(0, slash), 16)} << 32) |
              ConvertToUint32(text.substr(slash + 1), 16);
  } else {
    t.kind = ReplToken::Kind::kIdent;
    t.text = absl::AsciiStrToLower(text.substr(0, kMaxIdentifierLength));
  }
  return t;
}

}  // namespace replsim::wire
