// File: protocol/pq/libpq.h
//
// The client side, as the walreceiver reaches a server through libpq
// (fe-connect.c, fe-exec.c, fe-protocol3.c) and libpqwalreceiver.c. Only what
// replication needs: a replication=true connection, simple queries with their
// results, and COPY BOTH.
//
// Behaviour that matters to the races:
// - Connect fails with the server's ErrorResponse text ("the database system
//   is shutting down", "the database system is starting up") or the socket
//   error ("could not connect to server: Connection refused").
// - GetCopyData (PQgetCopyData async): >0 a CopyData payload, 0 nothing yet,
//   -1 the server ended COPY (CommandComplete "COPY 0" at shutdown, or
//   CopyDone at the end of a timeline), -2 an error (ECONNRESET, EOF without
//   CommandComplete, ErrorResponse).
// - Bytes that reached the client's kernel before a reset are still read
//   (Linux), so a walreceiver can consume WAL that arrived before an RST.
// - PutCopyEnd after the server has left COPY fails, as in 9.3's
//   walrcv_endstreaming after "COPY 0" (RW-13).
#ifndef REPLSIM_PROTOCOL_PQ_LIBPQ_H_
#define REPLSIM_PROTOCOL_PQ_LIBPQ_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/result_sets.h"

namespace replsim::pq {

// A PGresult, reduced.
struct PgResult {
  enum class Status { kTuplesOk, kCommandOk, kCopyBoth, kCopyOut, kCopyIn, kFatalError };
  Status status = Status::kFatalError;
  wire::ResultSet rows;          // kTuplesOk
  std::string command_tag;       // kCommandOk / kTuplesOk
  std::string error_message;     // kFatalError: "FATAL:  ..." as libpq formats it
  std::string sqlstate;
};

class PgConn {
 public:
  // PQconnectdb with host/port from a conninfo string ("host=h port=p ...");
  // sends a StartupMessage with replication=true and waits for
  // ReadyForQuery. An error status carries libpq's message.
  static os::Task<absl::StatusOr<std::unique_ptr<PgConn>>> Connect(
      os::Os& os, std::string conninfo, std::string application_name);

  // PQexec: sends a Query and collects results up to ReadyForQuery (or up to
  // CopyBothResponse for START_REPLICATION). Returns the last result.
  os::Task<PgResult> Exec(std::string query);

  // COPY BOTH.
  // Returns >0 (payload in *out), 0, -1 or -2 as PQgetCopyData(async=true).
  // When 0, the caller waits for Socket() to become readable.
  int GetCopyData(std::string* out);
  // PQputCopyData + PQflush. False on a send failure.
  os::Task<bool> PutCopyData(absl::string_view payload);
  // PQputCopyEnd (CopyDone) + flush. False if the connection is gone or not
  // in COPY.
  os::Task<bool> PutCopyEnd();
  // PQgetResult after COPY ended: the next result, or nullopt at the end.
  os::Task<std::optional<PgResult>> GetResult();

  // PQerrorMessage.
  const std::string& error_message() const { return error_; }
  os::Fd Socket() const { return sock_; }
  // PQfinish: sends Terminate if possible and closes.
  void Finish();
  ~PgConn();

 private:
  PgConn(os::Os& os, os::Fd sock);
  // Reads whatever the kernel has without blocking into the decoder.
  void PumpInput();
  os::Task<bool> ReadUntilFrame(wire::Frame* f);

  os::Os& os_;
  os::Fd sock_;
  wire::FrameDecoder decoder_;
  enum class State { kIdle, kCopyBoth, kCopyDoneReceived, kBusy, kBad } state_ = State::kIdle;
  std::string error_;
  bool input_eof_ = false;
  bool input_error_ = false;
};

}  // namespace replsim::pq

#endif  // REPLSIM_PROTOCOL_PQ_LIBPQ_H_
