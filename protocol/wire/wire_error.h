// File: protocol/wire/wire_error.h
//
// How protocol/wire reports bad input: an absl::Status whose message is
// PostgreSQL's own error text (e.g. "invalid message length") and which carries
// the SQLSTATE PostgreSQL would report with it, so a modelled process can turn
// the status straight into an ErrorResponse. Decoders never crash on bad bytes;
// they return one of these.
//
//   absl::Status s = WireError(sqlstate::kProtocolViolation,
//                              "invalid message length");
//   SqlStateOf(s)  // "08P01"
#ifndef REPLSIM_PROTOCOL_WIRE_WIRE_ERROR_H_
#define REPLSIM_PROTOCOL_WIRE_WIRE_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace replsim::wire {

// An InvalidArgument status with `message` and `sqlstate` (and the errhint
// PostgreSQL adds, if any) attached.
absl::Status WireError(absl::string_view sqlstate, absl::string_view message,
                       absl::string_view hint = "");

// The SQLSTATE attached by WireError, or "" when there is none (including OK).
std::string SqlStateOf(const absl::Status& status);
// The hint attached by WireError, or "".
std::string HintOf(const absl::Status& status);

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_WIRE_ERROR_H_
