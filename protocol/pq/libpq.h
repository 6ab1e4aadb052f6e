// File: protocol/pq/libpq.h
//
// The client side, as the walreceiver reaches a server through libpq
// (fe-connect.c, fe-exec.c, fe-protocol3.c, fe-misc.c of PostgreSQL 15). Only
// what replication needs: a connection (SSLRequest refused, then a
// StartupMessage), simple queries with their results, and COPY BOTH. The
// connection is libpq's asyncStatus machine: kIdle, kBusy (reading results),
// kReady (a result is complete), kCopyIn/kCopyOut/kCopyBoth.
//
// Behaviour that matters to the races:
// - Connect fails with the message of the client's libpq release: 14+
//   (52a10224e3, "Uniformly identify the target host in libpq connection
//   failure reports") names the server first ("connection to server at
//   \"h\", port p failed: FATAL:  the database system is shutting down",
//   "... failed: Connection refused\n\tIs the server running on that host
//   and accepting TCP/IP connections?"); before it only a failed connect()
//   names it ("could not connect to server: Connection refused\n\tIs the
//   server running on host \"h\" and accepting\n\tTCP/IP connections on
//   port p?") and a server's error is its text alone ("FATAL:  the database
//   system is shutting down"). The simulated network has no IP addresses,
//   so the "(address)" libpq adds after a host name is left out, as libpq
//   does when the host is an address.
// - GetCopyData is libpqrcv_receive's read: PQgetCopyData(async) on what is
//   buffered, then PQconsumeInput, then PQgetCopyData again. >0 a CopyData
//   payload, 0 nothing yet, -1 COPY ended: a CopyDone (kCopyBoth -> kCopyIn) or
//   any other message, left unread for GetResult (CommandComplete "COPY 0" at
//   shutdown, an ErrorResponse), -2 the read failed (ECONNRESET, EOF: "server
//   closed the connection unexpectedly") or the stream lost synchronisation.
// - Bytes that reached the client's kernel before a reset are still read
//   (Linux), so a walreceiver consumes WAL that arrived before an RST.
// - Writes follow libpq 15's write_failed rule: a failed send discards the
//   output and is reported only if reading then fails too (pqSendSome).
// - PutCopyEnd outside COPY fails with "no COPY in progress", as after a
//   shutdown's "COPY 0" (RW-13).
#ifndef REPLSIM_PROTOCOL_PQ_LIBPQ_H_
#define REPLSIM_PROTOCOL_PQ_LIBPQ_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/pq/message_note.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/result_sets.h"

namespace replsim::pq {

// A PGresult, reduced.
struct PgResult {
  enum class Status {
    kEmptyQuery,
    kCommandOk,
    kTuplesOk,
    kCopyOut,
    kCopyIn,
    kCopyBoth,
    kFatalError,
  };
  Status status = Status::kFatalError;
  wire::ResultSet rows;       // kTuplesOk
  std::string command_tag;    // kCommandOk / kTuplesOk
  std::string error_message;  // kFatalError: "FATAL:  ...\n" as libpq formats it
  std::string sqlstate;
};

// What a caller's waits inside libpq also watch: its latch, and what to do
// when the latch is set (libpqwalreceiver's ProcessWalRcvInterrupts, which
// may end the process). Without it libpq blocks on the socket alone.
struct Interrupts {
  os::Latch* latch = nullptr;
  absl::AnyInvocable<os::Task<>()> check;
};

class PgConn {
 public:
  // PQconnectdb over a conninfo string ("host=h port=p user=u dbname=d
  // replication=true application_name=a fallback_application_name=f";
  // values may be single-quoted). Sends SSLRequest (sslmode=prefer), then the
  // StartupMessage, and waits for ReadyForQuery. The error carries
  // PQerrorMessage without the trailing newline.
  // With `interrupts` (kept for the connection's life) every wait, the TCP
  // connect included, also wakes on the latch and runs the check, as
  // libpqrcv_connect's PQconnectPoll loop and libpqrcv_PQgetResult do.
  // `libpq_version_num` is the client's release (PG_VERSION_NUM): it
  // decides the error texts.
  static os::Task<absl::StatusOr<std::unique_ptr<PgConn>>> Connect(
      os::Os& os, std::string conninfo, int libpq_version_num, Interrupts* interrupts = nullptr);
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;
  ~PgConn();

  // PQexec: sends a Query and collects results until ReadyForQuery, or stops
  // at a Copy*Response. Returns the last result; kFatalError (with
  // error_message()) when the command could not be sent or the connection
  // broke.
  os::Task<PgResult> Exec(std::string query);
  // PQgetResult: the next result, or nullopt when the command is done.
  os::Task<std::optional<PgResult>> GetResult();

  // COPY. See the header comment for GetCopyData's values. Never blocks;
  // when it returns 0 wait for Socket() to become readable.
  int GetCopyData(std::string* out);
  // PQputCopyData + PQflush. False on failure (error_message() says why).
  os::Task<bool> PutCopyData(absl::string_view payload);
  // PQputCopyEnd (CopyDone) + PQflush. False if not in COPY or the flush fails.
  os::Task<bool> PutCopyEnd();

  // PQendcopy: ends COPY (sending CopyDone if still ours to send) and reads
  // the command's result; true if it is COMMAND_OK.
  os::Task<bool> EndCopy();

  // PQerrorMessage (with libpq's trailing newline).
  const std::string& error_message() const { return error_; }
  // PQstatus == CONNECTION_BAD.
  bool bad() const { return bad_; }
  // The server's ParameterStatus value, or "" (PQparameterStatus).
  std::string ParameterStatus(absl::string_view name) const;
  os::Fd Socket() const { return sock_; }
  // PQfinish: sends Terminate if the connection is good (without blocking) and
  // closes the socket. Also done by the destructor.
  void Finish();

 private:
  enum class Async { kIdle, kBusy, kReady, kCopyIn, kCopyOut, kCopyBoth };

  PgConn(os::Os& os, os::Fd sock);
  // WaitLatchOrSocket on the socket for `events`, and on the latch when
  // there are interrupts (then reset and checked).
  os::Task<int> WaitSocket(int events);
  os::Task<absl::Status> StartUp(const std::vector<std::pair<std::string, std::string>>& params,
                                 const std::string& where);

  // ---- I/O (libpq_io.cc) ----
  void PutMessage(char type, absl::string_view body);
  // Appends whole encoded messages (with `untyped`, a startup packet).
  void PutBytes(absl::string_view bytes, bool untyped = false);
  // pqReadData without blocking: 1 got bytes, 0 none available, -1 the
  // connection failed or ended (error_ set, connection bad).
  int ReadData();
  // pqFlush on a blocking connection: 0 ok, -1 failure.
  os::Task<int> Flush();
  // pqWait(forRead) + pqReadData.
  os::Task<int> WaitAndRead();
  // The next decoded frame without consuming it (nullptr: need more bytes);
  // a decoder error drops the connection (-2 / kFatalError).
  const wire::Frame* PeekFrame();
  void ConsumeFrame() { peeked_.reset(); }
  void SetBad(std::string message);

  // ---- Result parsing (libpq_exec.cc) ----
  // pqParseInput3 for kBusy: consumes frames until a state change.
  void ParseInput();
  PgResult ErrorResult() const;

  os::Os& os_;
  os::Fd sock_;
  Interrupts* interrupts_ = nullptr;
  std::string read_buffer_;  // ReadData's scratch space
  wire::FrameDecoder decoder_;
  std::optional<wire::Frame> peeked_;
  std::string out_;
  Async async_ = Async::kIdle;
  std::optional<PgResult> result_;
  std::vector<std::pair<std::string, std::string>> parameters_;
  std::string error_;
  bool bad_ = false;
  bool sync_lost_ = false;
  std::string deferred_read_error_;
  bool write_failed_ = false;
  bool closed_ = false;
  MessageStream sent_notes_;      // what this client puts, for the trace
  MessageStream received_notes_;  // what it reads
};

// The first libpq release whose failures name the server as "connection to
// server at ..." (52a10224e3, 14.0).
inline constexpr int kLibpqUniformHostVersion = 140000;

// connectFailureMessage: a failed connect() to host:port, without the
// trailing newline, as the release words it.
std::string ConnectFailureMessage(int libpq_version_num, const std::string& host, int port,
                                  os::Errno e);

// pqReadData's message for EOF or ECONNRESET ("server closed the connection
// unexpectedly\n\tThis probably means ...").
extern const char kServerClosedConnection[];

// libpq's text for an ErrorResponse at default verbosity:
// "SEVERITY:  message\nDETAIL:  ...\nHINT:  ...\n".
std::string FormatServerError(const std::string& body);

}  // namespace replsim::pq

#endif  // REPLSIM_PROTOCOL_PQ_LIBPQ_H_
