// Start-up packet reading and the backend's first messages.
#include "protocol/pq/backend_startup.h"

#include <variant>

#include "protocol/wire/backend_messages.h"
#include "protocol/wire/error_fields.h"
#include "protocol/wire/message.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::pq {

os::Task<absl::StatusOr<wire::StartupPacket>> ReadStartupPacket(PqComm& comm) {
  bool ssl_done = false;
  for (;;) {
    wire::Frame frame;
    std::string error;
    ReadStatus st = co_await comm.ReadMessage(&frame, &error);
    if (st == ReadStatus::kEof) {
      // ProcessStartupPacket: EOF before any byte is not even logged.
      co_return wire::WireError(wire::sqlstate::kProtocolViolation,
                                "incomplete startup packet");
    }
    if (st != ReadStatus::kMessage) {
      co_return wire::WireError(wire::sqlstate::kProtocolViolation, error);
    }
    absl::StatusOr<wire::StartupPacket> packet = wire::DecodeStartupPacket(frame.body);
    if (!packet.ok()) co_return packet.status();
    bool negotiation = std::holds_alternative<wire::SslRequest>(*packet) ||
                       std::holds_alternative<wire::GssEncRequest>(*packet);
    if (!negotiation) co_return packet;
    if (ssl_done) {
      // The second request fails the protocol check in PostgreSQL.
      co_return wire::WireError(wire::sqlstate::kProtocolViolation,
                                "unsupported frontend protocol 1234.5679: server "
                                "supports 3.0 to 3.0");
    }
    ssl_done = true;
    comm.PutRaw(absl::string_view(&wire::kSslRefused, 1));
    const os::Errno flushed = co_await comm.Flush();
    if (flushed != os::Errno::kOk) {
      co_return wire::WireError(wire::sqlstate::kConnectionFailure,
                                "failed to send SSL negotiation response");
    }
  }
}

std::vector<std::pair<std::string, std::string>> DefaultParameterStatus(
    absl::string_view application_name, absl::string_view server_version,
    bool in_hot_standby) {
  return {
      {"application_name", std::string(application_name)},
      {"client_encoding", "SQL_ASCII"},
      {"DateStyle", "ISO, MDY"},
      {"default_transaction_read_only", "off"},
      {"in_hot_standby", in_hot_standby ? "on" : "off"},
      {"integer_datetimes", "on"},
      {"IntervalStyle", "postgres"},
      {"is_superuser", "on"},
      {"server_encoding", "SQL_ASCII"},
      {"server_version", std::string(server_version)},
      {"session_authorization", "postgres"},
      {"standard_conforming_strings", "on"},
      {"TimeZone", "Etc/UTC"},
  };
}

os::Task<os::Errno> SendStartupResponse(PqComm& comm, const StartupResponse& response) {
  comm.PutRaw(wire::Encode(wire::AuthenticationRequest{}));
  for (const auto& [name, value] : response.parameters) {
    comm.PutRaw(wire::Encode(wire::ParameterStatus{name, value}));
  }
  comm.PutRaw(wire::Encode(wire::BackendKeyData{response.backend_pid, response.cancel_key}));
  comm.PutRaw(wire::Encode(wire::ReadyForQuery{wire::ReadyForQuery::kIdle}));
  co_return co_await comm.Flush();
}

os::Task<os::Errno> SendErrorResponse(PqComm& comm, absl::string_view severity,
                                      absl::string_view sqlstate,
                                      absl::string_view message,
                                      absl::string_view detail,
                                      absl::string_view hint) {
  comm.PutRaw(wire::Encode(
      wire::ErrorResponse{wire::ErrorFields::Make(severity, sqlstate, message, detail, hint)}));
  co_return co_await comm.Flush();
}

}  // namespace replsim::pq
