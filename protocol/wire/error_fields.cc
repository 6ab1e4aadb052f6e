#include "protocol/wire/error_fields.h"

#include "absl/strings/str_cat.h"
#include "protocol/os/check.h"

namespace replsim::wire {

ErrorFields ErrorFields::Make(absl::string_view severity,
                              absl::string_view sqlstate,
                              absl::string_view message,
                              absl::string_view detail,
                              absl::string_view hint) {
  ErrorFields f;
  f.fields.emplace_back(kFieldSeverity, std::string(severity));
  f.fields.emplace_back(kFieldSeverityNonLocalized, std::string(severity));
  f.fields.emplace_back(kFieldSqlState, std::string(sqlstate));
  f.fields.emplace_back(kFieldMessage, std::string(message));
  if (!detail.empty()) f.fields.emplace_back(kFieldDetail, std::string(detail));
  if (!hint.empty()) f.fields.emplace_back(kFieldHint, std::string(hint));
  return f;
}

ErrorFields& ErrorFields::WithLocation(absl::string_view file, int line,
                                       absl::string_view routine) {
  fields.emplace_back(kFieldSourceFile, std::string(file));
  fields.emplace_back(kFieldSourceLine, absl::StrCat(line));
  fields.emplace_back(kFieldSourceFunction, std::string(routine));
  return *this;
}

std::optional<std::string> ErrorFields::Get(char code) const {
  for (const auto& [c, v] : fields) {
    if (c == code) return v;
  }
  return std::nullopt;
}

void EncodeErrorFields(const ErrorFields& f, ByteWriter& w) {
  for (const auto& [code, value] : f.fields) {
    CHECK_NE(code, '\0') << "error field code 0 is the terminator";
    w.PutInt8(static_cast<uint8_t>(code));
    w.PutString(value);
  }
  w.PutInt8(0);
}

absl::StatusOr<ErrorFields> DecodeErrorFields(ByteReader& r) {
  ErrorFields f;
  while (true) {
    WIRE_ASSIGN_OR_RETURN(uint8_t code, r.GetInt8());
    if (code == 0) break;
    WIRE_ASSIGN_OR_RETURN(std::string value, r.GetString());
    f.fields.emplace_back(static_cast<char>(code), std::move(value));
  }
  WIRE_RETURN_IF_ERROR(r.ExpectEnd());
  return f;
}

}  // namespace replsim::wire
