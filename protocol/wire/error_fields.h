// File: protocol/wire/error_fields.h
//
// ErrorResponse ('E') and NoticeResponse ('N'): a list of (field code, string)
// pairs ended by a zero byte. Codes as PostgreSQL 15 defines them
// (postgres_ext.h PG_DIAG_*) and sends them (elog.c send_message_to_frontend,
// in this order): S severity (localized), V severity (never localized), C
// SQLSTATE, M message, D detail, H hint, W context, s schema, t table,
// c column, d data type, n constraint, P position, p internal position,
// q internal query, F source file, L source line, R routine.
//
// ErrorFields keeps the fields in wire order, so decode-then-encode gives back
// the same bytes. ErrorFields::Make builds what a modelled PostgreSQL process
// sends, in elog.c's order.
//
//   ErrorResponse e{ErrorFields::Make("FATAL", sqlstate::kAdminShutdown,
//       "terminating connection due to administrator command")};
//   std::string body = EncodeBody(e);
#ifndef REPLSIM_PROTOCOL_WIRE_ERROR_FIELDS_H_
#define REPLSIM_PROTOCOL_WIRE_ERROR_FIELDS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "protocol/wire/byte_io.h"

namespace replsim::wire {

inline constexpr char kFieldSeverity = 'S';
inline constexpr char kFieldSeverityNonLocalized = 'V';
inline constexpr char kFieldSqlState = 'C';
inline constexpr char kFieldMessage = 'M';
inline constexpr char kFieldDetail = 'D';
inline constexpr char kFieldHint = 'H';
inline constexpr char kFieldContext = 'W';
inline constexpr char kFieldPosition = 'P';
inline constexpr char kFieldSourceFile = 'F';
inline constexpr char kFieldSourceLine = 'L';
inline constexpr char kFieldSourceFunction = 'R';

struct ErrorFields {
  std::vector<std::pair<char, std::string>> fields;

  // S and V = severity ("ERROR", "FATAL", "PANIC", "WARNING", "NOTICE",
  // "LOG"...), C, M, then D and H when non-empty.
  static ErrorFields Make(absl::string_view severity,
                          absl::string_view sqlstate,
                          absl::string_view message,
                          absl::string_view detail = "",
                          absl::string_view hint = "");
  // Adds F, L, R (the PostgreSQL source location), as elog.c sends them last.
  ErrorFields& WithLocation(absl::string_view file, int line,
                            absl::string_view routine);

  // The first value of field `code`.
  std::optional<std::string> Get(char code) const;
  std::string severity() const { return Get(kFieldSeverity).value_or(""); }
  std::string sqlstate() const { return Get(kFieldSqlState).value_or(""); }
  std::string message() const { return Get(kFieldMessage).value_or(""); }

  bool operator==(const ErrorFields&) const = default;
};

struct ErrorResponse {
  static constexpr char kType = 'E';
  ErrorFields fields;
  bool operator==(const ErrorResponse&) const = default;
};

struct NoticeResponse {
  static constexpr char kType = 'N';
  ErrorFields fields;
  bool operator==(const NoticeResponse&) const = default;
};

// Each field: code byte, NUL-terminated value; then a zero byte. CHECKs that
// no code is zero.
void EncodeErrorFields(const ErrorFields& f, ByteWriter& w);
// Fields until the zero byte, which must be the last byte of the body.
absl::StatusOr<ErrorFields> DecodeErrorFields(ByteReader& r);

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_ERROR_FIELDS_H_
