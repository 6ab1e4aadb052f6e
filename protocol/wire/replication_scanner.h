// File: protocol/wire/replication_scanner.h
//
// The lexer of walsender replication commands, following PostgreSQL's
// src/backend/replication/repl_scanner.l (flex: longest match wins, the
// earlier rule wins a tie, keywords are matched upper-case only — there is no
// case-insensitive option):
//
//   kPg15: keywords; UCONST = digits (strtoul, kept as uint32); RECPTR =
//          hex '/' hex (sscanf "%X/%X"); SCONST = '...' with '' for a quote;
//          IDENT = "..." or an identifier, down-cased, cut to 63 bytes;
//          whitespace [ \t\n\r\f]; any other byte is returned as itself.
//   kPg93: the 9.3 keyword set, no identifiers or "..."; ',' and ';' are
//          tokens; whitespace is [ \t\n]; any other byte is the error
//          "syntax error: unexpected character \"%s\"".
// Lexing errors ("unterminated quoted string") carry SQLSTATE 42601. Numbers
// wider than the C conversion behave as on glibc/LP64: strtoul saturates at
// 2^64-1 and the assignment keeps the low 32 bits.
//
// Tokens are produced one at a time (Next), as bison asks flex, so errors
// surface in the order PostgreSQL reports them.
#ifndef REPLSIM_PROTOCOL_WIRE_REPLICATION_SCANNER_H_
#define REPLSIM_PROTOCOL_WIRE_REPLICATION_SCANNER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "protocol/wire/dialect.h"

namespace replsim::wire {

// NAMEDATALEN - 1.
inline constexpr size_t kMaxIdentifierLength = 63;

struct ReplToken {
  enum class Kind { kEnd, kKeyword, kIdent, kSconst, kUconst, kRecptr, kChar };
  Kind kind = Kind::kEnd;
  std::string text;    // kKeyword: the keyword; kIdent/kSconst: the value;
                       // kChar: the byte
  uint64_t value = 0;  // kUconst (uint32 range) and kRecptr
  bool IsKeyword(absl::string_view k) const {
    return kind == Kind::kKeyword && text == k;
  }
  bool IsChar(char c) const {
    return kind == Kind::kChar && text.size() == 1 && text[0] == c;
  }
};

class ReplicationScanner {
 public:
  // `input` must outlive the scanner.
  ReplicationScanner(absl::string_view input, Dialect dialect)
      : input_(input), dialect_(dialect) {}

  absl::StatusOr<ReplToken> Next();

 private:
  size_t MatchKeyword(absl::string_view rest, std::string* keyword) const;
  absl::StatusOr<ReplToken> QuotedString(char quote);

  absl::string_view input_;
  Dialect dialect_;
  size_t pos_ = 0;
};

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_REPLICATION_SCANNER_H_
