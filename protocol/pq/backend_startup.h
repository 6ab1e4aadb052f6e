// File: protocol/pq/backend_startup.h
//
// The server's side of connection start-up and of error reports, over a
// PqComm: what postmaster.c's ProcessStartupPacket reads, what a backend
// sends once it accepts the connection (auth.c sendAuthRequest, guc.c
// BeginReportingGUCOptions, postgres.c's BackendKeyData and first
// ReadyForQuery), and elog.c's send_message_to_frontend.
//
// Contracts:
// - ReadStartupPacket answers an SSLRequest/GSSENCRequest with 'N' (flushed at
//   once) and reads the next packet, as ProcessStartupPacket(ssl_done) does;
//   a second SSLRequest or bytes sent after SSLRequest before the answer are
//   errors with PostgreSQL's texts. It returns a StartupMessage or a
//   CancelRequest; validation errors are the wire decoder's (08P01 etc.).
// - SendStartupResponse queues AuthenticationOk, the ParameterStatus list,
//   BackendKeyData and ReadyForQuery('I') and flushes them (blocking, as
//   pq_flush).
// - SendErrorResponse queues an ErrorResponse (elog.c's field order) and
//   flushes it at once, as send_message_to_frontend does: a FATAL reaches the
//   client's kernel before the process exits, unless the socket fails.
#ifndef REPLSIM_PROTOCOL_PQ_BACKEND_STARTUP_H_
#define REPLSIM_PROTOCOL_PQ_BACKEND_STARTUP_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "protocol/os/errno.h"
#include "protocol/os/task.h"
#include "protocol/pq/pqcomm.h"
#include "protocol/wire/startup_packet.h"

namespace replsim::pq {

// Reads packets until a StartupMessage or CancelRequest.
os::Task<absl::StatusOr<wire::StartupPacket>> ReadStartupPacket(PqComm& comm);

struct StartupResponse {
  // In the order sent (PostgreSQL 15 sends GUC_REPORT variables sorted by
  // name); see DefaultParameterStatus.
  std::vector<std::pair<std::string, std::string>> parameters;
  uint32_t backend_pid = 0;
  uint32_t cancel_key = 0;
};

// The ParameterStatus list a PostgreSQL 15 server reports to a replication
// connection (as in the fixture), with application_name, server_version and
// in_hot_standby filled in.
std::vector<std::pair<std::string, std::string>> DefaultParameterStatus(
    absl::string_view application_name, absl::string_view server_version,
    bool in_hot_standby);

os::Task<os::Errno> SendStartupResponse(PqComm& comm, const StartupResponse& response);

// ErrorResponse with S/V = severity, C, M (and D, H when non-empty), flushed.
os::Task<os::Errno> SendErrorResponse(PqComm& comm, absl::string_view severity,
                                      absl::string_view sqlstate,
                                      absl::string_view message,
                                      absl::string_view detail = "",
                                      absl::string_view hint = "");

}  // namespace replsim::pq

#endif  // REPLSIM_PROTOCOL_PQ_BACKEND_STARTUP_H_
