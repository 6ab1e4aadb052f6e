#include "protocol/wire/wire_error.h"


#include "absl/strings/cord.h"

namespace replsim::wire {
namespace {
constexpr char kSqlStatePayload[] = "replsim.wire/sqlstate";
}  // namespace

absl::Status WireError(absl::string_view sqlstate, absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kSqlStatePayload, absl::Cord(sqlstate));
  return status;
}

std::string SqlStateOf(const absl::Status& status) {
  auto payload = status.GetPayload(kSqlStatePayload);
  if (!payload.has_value()) return "";
  return std::string(*payload);
}

}  // namespace replsim::wire
