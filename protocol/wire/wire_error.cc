#include "protocol/wire/wire_error.h"


#include "absl/strings/cord.h"

namespace replsim::wire {
namespace {
constexpr char kSqlStatePayload[] = "replsim.wire/sqlstate";
constexpr char kHintPayload[] = "replsim.wire/hint";
}  // namespace

absl::Status WireError(absl::string_view sqlstate, absl::string_view message,
                       absl::string_view hint) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kSqlStatePayload, absl::Cord(sqlstate));
  if (!hint.empty()) status.SetPayload(kHintPayload, absl::Cord(hint));
  return status;
}

std::string HintOf(const absl::Status& status) {
  auto payload = status.GetPayload(kHintPayload);
  if (!payload.has_value()) return "";
  return std::string(*payload);
}

std::string SqlStateOf(const absl::Status& status) {
  auto payload = status.GetPayload(kSqlStatePayload);
  if (!payload.has_value()) return "";
  return std::string(*payload);
}

}  // namespace replsim::wire
