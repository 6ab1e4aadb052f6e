// walrcv_* over PgConn, following libpqwalreceiver.c of PostgreSQL 15.
#include "protocol/pq/libpqwalreceiver.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::pq {
namespace {

using S = PgResult::Status;

// pchomp(PQerrorMessage(conn)).
std::string Chomped(const PgConn& c) {
  std::string s = c.error_message();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

absl::Status Error(const PgConn& c, const char* format) {
  return absl::UnavailableError(absl::StrFormat(format, Chomped(c)));
}

}  // namespace

os::Task<absl::StatusOr<std::unique_ptr<WalReceiverConn>>> walrcv_connect(os::Os& os,
                                                                          std::string conninfo,
                                                                          std::string appname,
                                                                          int libpq_version_num,
                                                                          Interrupts* interrupts) {
  std::string full = absl::StrCat(conninfo, " dbname=replication replication=true",
                                  " fallback_application_name='", appname, "'");
  absl::StatusOr<std::unique_ptr<PgConn>> c =
      co_await PgConn::Connect(os, std::move(full), libpq_version_num, interrupts);
  if (!c.ok()) {
    co_return absl::UnavailableError(
        absl::StrCat("could not connect to the primary server: ", c.status().message()));
  }
  auto conn = std::make_unique<WalReceiverConn>();
  conn->streamConn = std::move(*c);
  co_return conn;
}

os::Task<absl::StatusOr<IdentifySystemReply>> walrcv_identify_system(WalReceiverConn& conn) {
  PgResult res = co_await conn.streamConn->Exec("IDENTIFY_SYSTEM");
  if (res.status != S::kTuplesOk) {
    co_return wire::WireError(
        wire::sqlstate::kProtocolViolation,
        absl::StrCat("could not receive database system identifier and timeline ID "
                     "from the primary server: ",
                     Chomped(*conn.streamConn)));
  }
  absl::StatusOr<wire::IdentifySystemResult> r = wire::ReadIdentifySystem(res.rows);
  if (!r.ok()) co_return r.status();
  IdentifySystemReply reply;
  reply.primary_sysid = *res.rows.rows[0].values[0];
  reply.system_id = r->system_id;
  reply.primary_tli = r->timeline;
  reply.xlogpos = r->xlogpos;
  co_return reply;
}

os::Task<absl::StatusOr<wire::TimelineHistoryResult>> walrcv_readtimelinehistoryfile(
    WalReceiverConn& conn, uint32_t tli) {
  PgResult res = co_await conn.streamConn->Exec(absl::StrCat("TIMELINE_HISTORY ", tli));
  if (res.status != S::kTuplesOk) {
    co_return wire::WireError(
        wire::sqlstate::kProtocolViolation,
        absl::StrCat("could not receive timeline history file from the primary server: ",
                     Chomped(*conn.streamConn)));
  }
  co_return wire::ReadTimelineHistory(res.rows);
}

os::Task<absl::StatusOr<bool>> walrcv_startstreaming(WalReceiverConn& conn,
                                                     wire::XLogRecPtr startpoint,
                                                     uint32_t tli) {
  std::string cmd = absl::StrCat("START_REPLICATION ", wire::FormatLsn(startpoint),
                                 " TIMELINE ", tli);
  PgResult res = co_await conn.streamConn->Exec(cmd);
  if (res.status == S::kCommandOk) co_return false;
  if (res.status != S::kCopyBoth) {
    co_return Error(*conn.streamConn, "could not start WAL streaming: %s");
  }
  co_return true;
}

os::Task<absl::StatusOr<int>> walrcv_receive(WalReceiverConn& conn, std::string* buffer,
                                             os::Fd* wait_fd) {
  PgConn& c = *conn.streamConn;
  int rawlen = c.GetCopyData(buffer);
  if (rawlen == 0) {
    *wait_fd = c.Socket();
    co_return 0;
  }
  if (rawlen == -1) {
    std::optional<PgResult> res = co_await c.GetResult();
    if (res.has_value() && res->status == S::kCommandOk) {
      // Verify that there are no more results.
      std::optional<PgResult> more = co_await c.GetResult();
      if (more.has_value()) {
        // The server closed the connection after CommandComplete: the
        // caller deals with it.
        if (c.bad()) co_return -1;
        co_return Error(c, "unexpected result after CommandComplete: %s");
      }
      co_return -1;
    }
    if (res.has_value() && res->status == S::kCopyIn) co_return -1;
    co_return Error(c, "could not receive data from WAL stream: %s");
  }
  if (rawlen < -1) co_return Error(c, "could not receive data from WAL stream: %s");
  co_return rawlen;
}

os::Task<absl::Status> walrcv_send(WalReceiverConn& conn, absl::string_view payload) {
  bool ok = co_await conn.streamConn->PutCopyData(payload);
  absl::Status status;
  if (!ok) status = Error(*conn.streamConn, "could not send data to WAL stream: %s");
  co_return status;
}

os::Task<absl::StatusOr<uint32_t>> walrcv_endstreaming(WalReceiverConn& conn) {
  PgConn& c = *conn.streamConn;
  const bool ended = co_await c.PutCopyEnd();
  if (!ended) {
    co_return Error(c, "could not send end-of-streaming message to primary: %s");
  }
  uint32_t next_tli = 0;
  std::optional<PgResult> res = co_await c.GetResult();
  if (res.has_value() && res->status == S::kTuplesOk) {
    absl::StatusOr<wire::EndOfTimelineResult> eot = wire::ReadEndOfTimeline(res->rows);
    if (!eot.ok()) co_return eot.status();
    next_tli = eot->next_tli;
    // The result set is followed by CommandComplete.
    res = co_await c.GetResult();
  } else if (res.has_value() && res->status == S::kCopyOut) {
    const bool copy_ended = co_await c.EndCopy();
    if (!copy_ended) {
      co_return Error(c, "error while shutting down streaming COPY: %s");
    }
    res = co_await c.GetResult();
  }
  if (!res.has_value() || res->status != S::kCommandOk) {
    co_return Error(c, "error reading result of streaming command: %s");
  }
  // Verify that there are no more results.
  std::optional<PgResult> more = co_await c.GetResult();
  if (more.has_value()) co_return Error(c, "unexpected result after CommandComplete: %s");
  co_return next_tli;
}

void walrcv_disconnect(WalReceiverConn& conn) {
  if (conn.streamConn != nullptr) conn.streamConn->Finish();
  conn.streamConn.reset();
}

}  // namespace replsim::pq
