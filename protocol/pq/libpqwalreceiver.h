// File: protocol/pq/libpqwalreceiver.h
//
// The walreceiver's connection API, as libpqwalreceiver.c of PostgreSQL 15
// implements walrcv_connect & co over libpq, here over PgConn. The names are
// PostgreSQL's; every error is an absl::Status whose message is the text of
// the ERROR PostgreSQL raises (the walreceiver turns it into an ERROR/FATAL
// exit). Where PostgreSQL adds a DETAIL, the message is "text: detail" as the
// wire readers (result_sets.h) build it; SQLSTATE, when PostgreSQL sets one,
// is attached (wire::SqlStateOf).
//
// Contracts:
// - walrcv_connect: conninfo + " dbname=replication replication=true
//   fallback_application_name=<appname>"; error "could not connect to the
//   primary server: <libpq message>" (WalReceiverMain's text).
// - walrcv_startstreaming: true once COPY BOTH started, false when the server
//   answered COMMAND_OK (no more WAL on that timeline).
// - walrcv_receive never blocks: >0 bytes in *buffer, 0 nothing (*wait_fd is
//   the socket to wait on), -1 the server ended COPY: CommandComplete (COPY 0,
//   and then the connection may close: tolerated, as 15 does) or CopyDone.
// - walrcv_endstreaming after a shutdown's "COPY 0" fails with "could not send
//   end-of-streaming message to primary: no COPY in progress" (RW-13).
#ifndef REPLSIM_PROTOCOL_PQ_LIBPQWALRECEIVER_H_
#define REPLSIM_PROTOCOL_PQ_LIBPQWALRECEIVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/pq/libpq.h"
#include "protocol/wire/lsn.h"
#include "protocol/wire/result_sets.h"

namespace replsim::pq {

// WalReceiverConn.
struct WalReceiverConn {
  std::unique_ptr<PgConn> streamConn;
};

// With `interrupts`, every wait of the connection (connect included) also
// wakes on the walreceiver's latch and runs ProcessWalRcvInterrupts, so a
// SIGTERM ends it promptly wherever it waits: libpqrcv's latch-aware loops
// in 15, EnableWalRcvImmediateExit around libpq calls in 9.x.
// `libpq_version_num`: the release whose libpq texts the errors carry.
os::Task<absl::StatusOr<std::unique_ptr<WalReceiverConn>>> walrcv_connect(
    os::Os& os, std::string conninfo, std::string appname, int libpq_version_num,
    Interrupts* interrupts = nullptr);

struct IdentifySystemReply {
  std::string primary_sysid;  // as sent (decimal text)
  uint64_t system_id = 0;
  uint32_t primary_tli = 0;
  wire::XLogRecPtr xlogpos = 0;
};
os::Task<absl::StatusOr<IdentifySystemReply>> walrcv_identify_system(WalReceiverConn& conn);

os::Task<absl::StatusOr<wire::TimelineHistoryResult>> walrcv_readtimelinehistoryfile(
    WalReceiverConn& conn, uint32_t tli);

os::Task<absl::StatusOr<bool>> walrcv_startstreaming(WalReceiverConn& conn,
                                                     wire::XLogRecPtr startpoint,
                                                     uint32_t tli);

os::Task<absl::StatusOr<int>> walrcv_receive(WalReceiverConn& conn, std::string* buffer,
                                             os::Fd* wait_fd);

os::Task<absl::Status> walrcv_send(WalReceiverConn& conn, absl::string_view payload);

// The next timeline (0 when the server sent no result set).
os::Task<absl::StatusOr<uint32_t>> walrcv_endstreaming(WalReceiverConn& conn);

void walrcv_disconnect(WalReceiverConn& conn);

}  // namespace replsim::pq

#endif  // REPLSIM_PROTOCOL_PQ_LIBPQWALRECEIVER_H_
