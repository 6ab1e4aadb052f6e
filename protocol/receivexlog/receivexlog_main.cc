// pg_receivexlog's main, StreamLog and stop_streaming (pg_receivexlog.c of
// 9.3), and --create-slot (9.5's, streamutil.c's CreateReplicationSlot).
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/os/check.h"
#include "protocol/receivexlog/receivexlog.h"
#include "protocol/receivexlog/receivexlog_process.h"
#include "protocol/wal/segment.h"

namespace replsim::receivexlog {
namespace {

using S = pq::PgResult::Status;

// RECONNECT_SLEEP_TIME.
constexpr int kReconnectSleepSeconds = 5;

}  // namespace

const char* ProgramName(int server_version_num) {
  return server_version_num >= 100000 ? "pg_receivewal" : "pg_receivexlog";
}

os::Task<> ReceiveXlogMain(os::Os& os, ReceiveXlogOptions options) {
  ReceiveXlog program(os, std::move(options));
  co_await program.Main();
}

ReceiveXlog::ReceiveXlog(os::Os& os, ReceiveXlogOptions options)
    : os_(os), options_(std::move(options)) {}

os::Task<> ReceiveXlog::Main() {
  // sigint_handler: just remember; the stream loop notices.
  os_.SetSignalHandler(os::Signal::kSIGINT, [this] {
    time_to_abort_ = true;
    os_.MyLatch().Set();
  });
  if (options_.create_slot) {
    const bool created = co_await CreateReplicationSlot();
    if (!created) {
      co_await os_.Exit(1);
      co_return;
    }
  }
  for (;;) {
    co_await StreamLog();
    if (time_to_abort_) {
      // Ctrl-C is not an error.
      co_await os_.Exit(0);
      co_return;
    }
    if (!options_.loop) {
      Error("disconnected");
      co_await os_.Exit(1);
      co_return;
    }
    Log(absl::StrFormat("disconnected; waiting %d seconds to try again", kReconnectSleepSeconds));
    (void)co_await os_.Sleep(os::Seconds(kReconnectSleepSeconds));
  }
}

os::Task<> ReceiveXlog::disconnect_and_exit(int code) {
  if (conn_ != nullptr) conn_->Finish();
  conn_.reset();
  co_await os_.Exit(code);
}

os::Task<std::unique_ptr<pq::PgConn>> ReceiveXlog::GetConnection() {
  // replication=true, dbname=replication.
  std::string conninfo = absl::StrCat(options_.conninfo,
                                      " dbname=replication replication=true"
                                      " fallback_application_name=",
                                      ProgramName(options_.server_version_num));
  absl::StatusOr<std::unique_ptr<pq::PgConn>> c =
      co_await pq::PgConn::Connect(os_, std::move(conninfo), options_.server_version_num);
  if (!c.ok()) {
    Error(absl::StrCat("could not connect to server: ", c.status().message()));
    co_return nullptr;
  }
  co_return std::move(*c);
}

os::Task<bool> ReceiveXlog::CreateReplicationSlot() {
  CHECK(options_.slot_name.has_value()) << "--create-slot needs --slot";
  const std::string& slot = *options_.slot_name;
  if (options_.verbose) Log(absl::StrFormat("creating replication slot \"%s\"", slot));
  std::unique_ptr<pq::PgConn> conn = co_await GetConnection();
  if (conn == nullptr) co_return false;
  std::string query = absl::StrFormat("CREATE_REPLICATION_SLOT \"%s\" PHYSICAL", slot);
  pq::PgResult res = co_await conn->Exec(query);
  bool ok = true;
  if (res.status != S::kTuplesOk) {
    Error(absl::StrFormat("could not send replication command \"%s\": %s", query,
                          res.error_message));
    ok = false;
  } else if (res.rows.rows.size() != 1 || res.rows.description.fields.size() != 4) {
    Error(absl::StrFormat(
        "could not create replication slot \"%s\": got %d rows and %d fields, expected %d "
        "rows and %d fields",
        slot, res.rows.rows.size(), res.rows.description.fields.size(), 1, 4));
    ok = false;
  }
  conn->Finish();
  co_return ok;
}

os::Task<> ReceiveXlog::StreamLog() {
  conn_ = co_await GetConnection();
  if (conn_ == nullptr) co_return;

  // IDENTIFY_SYSTEM: the server's timeline and current position.
  std::string identify = "IDENTIFY_SYSTEM";
  pq::PgResult res = co_await conn_->Exec(identify);
  if (res.status != S::kTuplesOk) {
    Error(absl::StrFormat("could not send replication command \"%s\": %s", identify,
                          res.error_message));
    co_return co_await disconnect_and_exit(1);
  }
  if (res.rows.rows.size() != 1 || res.rows.description.fields.size() < 3 ||
      res.rows.rows[0].values.size() < 3 || !res.rows.rows[0].values[1].has_value() ||
      !res.rows.rows[0].values[2].has_value()) {
    Error(absl::StrFormat(
        "could not identify system: got %d rows and %d fields, expected %d rows and %d or "
        "more fields",
        res.rows.rows.size(), res.rows.description.fields.size(), 1, 3));
    co_return co_await disconnect_and_exit(1);
  }
  uint32_t servertli = 0;
  (void)absl::SimpleAtoi(*res.rows.rows[0].values[1], &servertli);  // atoi
  const std::string& pos_text = *res.rows.rows[0].values[2];
  const std::optional<XLogRecPtr> serverpos = wire::ParseLsn(pos_text);
  if (!serverpos.has_value()) {
    Error(absl::StrFormat("could not parse transaction log location \"%s\"", pos_text));
    co_return co_await disconnect_and_exit(1);
  }

  // Where to start: the option, what the directory holds, or the server's
  // current position.
  TimeLineID starttli = servertli;
  XLogRecPtr startpos = wire::kInvalidXLogRecPtr;
  if (options_.startpos.has_value()) {
    startpos = *options_.startpos;
  } else {
    std::optional<XLogRecPtr> found = FindStreamingStart(&starttli);
    if (!found.has_value()) co_return co_await disconnect_and_exit(1);
    startpos = *found;
  }
  if (startpos == wire::kInvalidXLogRecPtr) {
    startpos = *serverpos;
    starttli = servertli;
  }
  // Always start streaming at the beginning of a segment.
  startpos -= wal::XLogSegmentOffset(startpos);
  if (options_.verbose) {
    Log(absl::StrFormat("starting log streaming at %s (timeline %u)", wire::FormatLsn(startpos),
                        starttli));
  }
  (void)co_await ReceiveXlogStream(startpos, starttli);
  conn_->Finish();
  conn_.reset();
}

bool ReceiveXlog::stop_streaming(XLogRecPtr xlogpos, TimeLineID timeline,
                                 bool segment_finished) {
  // Called once at the end of each segment.
  if (options_.verbose && segment_finished) {
    Log(absl::StrFormat("finished segment at %s (timeline %u)", wire::FormatLsn(xlogpos),
                        timeline));
  }
  // Reports the previous position: after a switch xlogpos is the new
  // timeline's segment start.
  if (prevtimeline_ != 0 && prevtimeline_ != timeline) {
    Log(absl::StrFormat("switched to timeline %u at %s", timeline, wire::FormatLsn(prevpos_)));
  }
  prevtimeline_ = timeline;
  prevpos_ = xlogpos;
  if (time_to_abort_) {
    Log("received interrupt signal, exiting");
    return true;
  }
  return false;
}

}  // namespace replsim::receivexlog
