// File: protocol/receivexlog/receivexlog_process.h
//
// The state of one pg_receivexlog run (the file-level statics of 9.3's
// pg_receivexlog.c and receivelog.c: conn, walfile, current_walfile_name,
// lastFlushPosition, time_to_abort, stop_streaming's prevtimeline/prevpos),
// and its functions under PostgreSQL's names. Internal to the package.
//
// Contracts: one object per process; every method runs inside that process.
// Methods returning bool follow receivelog.c: false means an error was
// already logged ("Error message written in ...").
#ifndef REPLSIM_PROTOCOL_RECEIVEXLOG_RECEIVEXLOG_PROCESS_H_
#define REPLSIM_PROTOCOL_RECEIVEXLOG_RECEIVEXLOG_PROCESS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/pq/libpq.h"
#include "protocol/receivexlog/receivexlog.h"
#include "protocol/wire/lsn.h"
#include "protocol/wire/pg_time.h"

namespace replsim::receivexlog {

using wire::TimestampTz;
using wire::XLogRecPtr;
using TimeLineID = uint32_t;

// What HandleCopyStream hands back: the stream's final result (nullopt after
// an error) and where it stopped.
struct CopyStreamEnd {
  std::optional<pq::PgResult> res;
  XLogRecPtr stoppos = 0;
};

class ReceiveXlog {
 public:
  ReceiveXlog(os::Os& os, ReceiveXlogOptions options);

  // main(): signal setup, the StreamLog loop, the exit.
  os::Task<> Main();

 private:
  // ---- pg_receivexlog.c (receivexlog_main.cc) ----
  os::Task<> StreamLog();
  // GetConnection: a replication connection, or nullptr (logged).
  os::Task<std::unique_ptr<pq::PgConn>> GetConnection();
  // --create-slot: CREATE_REPLICATION_SLOT on its own connection; false on
  // error (logged).
  os::Task<bool> CreateReplicationSlot();
  // Highest segment in the directory (its start, or the next segment's when
  // complete), InvalidXLogRecPtr when there is none, nullopt (logged) when the
  // directory cannot be read.
  std::optional<XLogRecPtr> FindStreamingStart(TimeLineID* tli);
  bool stop_streaming(XLogRecPtr xlogpos, TimeLineID timeline, bool segment_finished);
  os::Task<> disconnect_and_exit(int code);

  // ---- receivelog.c (receivelog.cc) ----
  os::Task<bool> ReceiveXlogStream(XLogRecPtr startpos, TimeLineID timeline);
  os::Task<CopyStreamEnd> HandleCopyStream(XLogRecPtr startpos, TimeLineID timeline);
  // One XLogData payload; false on error.
  os::Task<bool> ProcessXLogData(const std::string& copybuf, TimeLineID timeline,
                                 XLogRecPtr* blockpos, bool* still_sending);
  os::Task<bool> sendFeedback(XLogRecPtr blockpos, TimestampTz now, bool replyRequested);
  // A keepalive: answer a reply request (f66c20b317: fsync first); false on
  // error (logged).
  os::Task<bool> ProcessKeepalive(const std::string& copybuf, XLogRecPtr blockpos,
                                  bool still_sending, TimestampTz* last_status);
  bool reportFlushPosition() const {
    return options_.report_flush || options_.slot_name.has_value();
  }
  os::Task<bool> SendCopyEnd();
  TimestampTz localGetCurrentTimestamp() const;

  // ---- walfile.cc ----
  os::Task<bool> open_walfile(XLogRecPtr startpoint, TimeLineID timeline);
  os::Task<bool> close_walfile(XLogRecPtr pos);
  bool existsTimeLineHistoryFile(TimeLineID tli);
  os::Task<bool> writeTimeLineHistoryFile(const std::string& filename,
                                          const std::string& content);
  std::string Path(const std::string& name) const;

  void Log(const std::string& message) { os_.Log("LOG", message); }
  void Error(const std::string& message) { os_.Log("ERROR", message); }

  os::Os& os_;
  const ReceiveXlogOptions options_;
  std::unique_ptr<pq::PgConn> conn_;
  os::Fd walfile_ = os::kNoFd;
  int64_t walfile_pos_ = 0;  // lseek(walfile, 0, SEEK_CUR)
  std::string current_walfile_name_;
  XLogRecPtr lastFlushPosition_ = 0;
  bool time_to_abort_ = false;
  TimeLineID prevtimeline_ = 0;
  XLogRecPtr prevpos_ = 0;
};

}  // namespace replsim::receivexlog

#endif  // REPLSIM_PROTOCOL_RECEIVEXLOG_RECEIVEXLOG_PROCESS_H_
