// File: protocol/receivexlog/receivexlog.h
//
// pg_receivexlog, the second kind of WAL receiver: a standalone client
// program (not a server process) that streams WAL from a server into segment
// files of a directory. Follows PostgreSQL 9.3's src/bin/pg_basebackup/
// pg_receivexlog.c (StreamLog, FindStreamingStart, stop_streaming, the
// reconnect loop) and receivelog.c (ReceiveXlogStream, HandleCopyStream,
// sendFeedback, open_walfile, close_walfile).
//
// Behaviour that matters to the races (bugs-to-reproduce.md §5):
// - Every status update ('r') carries write = the position received and,
//   with report_flush false (9.3), flush = apply = InvalidXLogRecPtr (0). A
//   9.3.0 walsender (985bd7d497 without 5c6d9fc4b2) waits at shutdown for
//   sentPtr == flush, which never holds for this client.
// - Updates go out every status_interval (-s; 0 disables them) and whenever a
//   keepalive asks for a reply (even with -s 0), so the client keeps a
//   walsender's wal_sender_timeout from ever firing while it runs.
// - WAL is written to "<segment>.partial" (pre-padded with zeros to the
//   segment size), fsynced and renamed to "<segment>" when complete; the only
//   other fsync is at the close when the stream ends, and (flush_on_reply_
//   request, f66c20b317, 9.4.0) when a keepalive asks for a reply.
// - 9.4's --slot (slot_name): START_REPLICATION SLOT "name" ..., and the
//   status updates report flush = the last position fsynced, which starts at
//   the stream's start (a segment start) and otherwise moves only at a
//   segment switch. Before f66c20b317 the client answers a reply request
//   without fsyncing, so a 9.4 walsender waiting at shutdown for
//   sentPtr == flush waits forever while the client keeps answering.
// - Start: the next segment after the highest complete one in the directory,
//   the start of the highest .partial one, or (empty directory) the server's
//   current xlogpos from IDENTIFY_SYSTEM; always rounded down to a segment
//   start. ReceiveXlogOptions::startpos overrides the directory scan.
// - When the server ends the stream (CommandComplete at shutdown: "replication
//   stream was terminated before stop point"; an error; a dropped connection)
//   it logs PostgreSQL's text and "disconnected", then exits 1 (-n), or with
//   `loop` waits 5 s and reconnects. SIGINT ends it with exit 0.
// Log lines are pg_receivexlog's stderr texts without the "pg_receivexlog: "
// prefix: kind "LOG" for progress, "ERROR" for the failures.
//
// Deviations: the server version and integer_datetimes checks are left out
// (the client streams from 9.3 and 15 alike), IDENTIFY_SYSTEM accepts 3 or
// more fields (15 sends 4), and the zero padding is one write, not 8 KiB ones.
#ifndef REPLSIM_PROTOCOL_RECEIVEXLOG_RECEIVEXLOG_H_
#define REPLSIM_PROTOCOL_RECEIVEXLOG_RECEIVEXLOG_H_

#include <optional>
#include <string>

#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/os/time.h"
#include "protocol/wire/lsn.h"

namespace replsim::receivexlog {

struct ReceiveXlogOptions {
  // -h/-p (dbname=replication replication=true are added, as GetConnection
  // does, with fallback_application_name=pg_receivexlog).
  std::string conninfo = "host=primary port=5432";
  // -D: must exist.
  std::string directory = "/archive";
  // Where to start (rounded down to a segment start); nullopt = scan the
  // directory, else the server's current position.
  std::optional<wire::XLogRecPtr> startpos;
  // -s: standby_message_timeout; zero disables periodic status updates.
  os::Duration status_interval = os::Seconds(10);
  // False: flush = InvalidXLogRecPtr, as 9.3's sendFeedback. True: flush = the
  // last position fsynced (a segment end), as 9.4's --slot client reports.
  // A slot_name implies it (9.4: reportFlushPosition is true exactly when a
  // slot is used).
  bool report_flush = false;
  // --slot (9.4): stream through this physical replication slot.
  std::optional<std::string> slot_name;
  // --create-slot (9.5): first run "CREATE_REPLICATION_SLOT name PHYSICAL" on
  // a connection of its own, then stream as a second invocation would (9.5's
  // --create-slot exits after creating; in 9.4 the operator created the slot
  // with pg_create_physical_replication_slot()). Needs slot_name.
  bool create_slot = false;
  // f66c20b317 (Behavior::receivexlog_flush_on_reply_request): on a
  // keepalive asking for a reply, fsync the open segment and report flush =
  // the position received, when a flush is reported and lags it.
  bool flush_on_reply_request = true;
  // -v: log "starting log streaming at", "finished segment at", ...
  bool verbose = true;
  // False = -n: exit on the first disconnection.
  bool loop = false;
  // The client's release (PG_VERSION_NUM): its name (ProgramName) and its
  // libpq's error texts. The behaviour modelled is 9.3's and 9.4's.
  int server_version_num = 90400;
};

// The program's name in the release with this PG_VERSION_NUM:
// pg_receivexlog, pg_receivewal from 10 (85c11324ca, "Rename user-facing
// tools with "xlog" in the name to say "wal"").
const char* ProgramName(int server_version_num);

// The program's main(); run it as a root process on its own host.
os::Task<> ReceiveXlogMain(os::Os& os, ReceiveXlogOptions options);

}  // namespace replsim::receivexlog

#endif  // REPLSIM_PROTOCOL_RECEIVEXLOG_RECEIVEXLOG_H_
