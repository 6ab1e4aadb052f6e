// Streaming WAL into the directory (receivelog.c of 9.3, with 9.4's --slot
// and f66c20b317): ReceiveXlogStream, HandleCopyStream, the keepalive and
// sendFeedback.
#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/receivexlog/receivexlog_process.h"
#include "protocol/wal/segment.h"
#include "protocol/wire/copy_data.h"
#include "protocol/wire/replication_command.h"
#include "protocol/wire/result_sets.h"

namespace replsim::receivexlog {
namespace {

using S = pq::PgResult::Status;

constexpr size_t kXLogDataHeaderSize = 1 + 8 + 8 + 8;  // 'w', dataStart, walEnd, sendTime

}  // namespace

TimestampTz ReceiveXlog::localGetCurrentTimestamp() const {
  return wire::UnixMicrosToTimestampTz(os_.WallClockMicros());
}

os::Task<bool> ReceiveXlog::SendCopyEnd() {
  const bool ended = co_await conn_->PutCopyEnd();
  if (!ended) Error(absl::StrCat("could not send copy-end packet: ", conn_->error_message()));
  co_return ended;
}

os::Task<bool> ReceiveXlog::ReceiveXlogStream(XLogRecPtr startpos, TimeLineID timeline) {
  // The caller chose a sane start; nothing before it is ours to flush.
  lastFlushPosition_ = startpos;
  for (;;) {
    // Fetch the timeline's history file unless we have it already.
    if (!existsTimeLineHistoryFile(timeline)) {
      std::string query = absl::StrCat("TIMELINE_HISTORY ", timeline);
      pq::PgResult res = co_await conn_->Exec(query);
      if (res.status != S::kTuplesOk) {
        // FIXME in 9.3 too: the server's error text is all we report.
        Error(absl::StrFormat("could not send replication command \"%s\": %s",
                              "TIMELINE_HISTORY", res.error_message));
        co_return false;
      }
      absl::StatusOr<wire::TimelineHistoryResult> h = wire::ReadTimelineHistory(res.rows);
      if (!h.ok()) {
        Error(absl::StrFormat(
            "unexpected response to TIMELINE_HISTORY command: got %d rows and %d fields, "
            "expected %d rows and %d fields",
            res.rows.rows.size(), res.rows.description.fields.size(), 1, 2));
        co_return false;
      }
      const bool written = co_await writeTimeLineHistoryFile(h->filename, h->content);
      if (!written) co_return false;
    }

    // Maybe the callback wants us to stop before we start.
    if (stop_streaming(startpos, timeline, false)) co_return true;

    // 9.4: "START_REPLICATION SLOT \"name\" %X/%X TIMELINE %u" with --slot.
    std::string query = wire::FormatStartReplication(options_.slot_name, startpos, timeline);
    pq::PgResult res = co_await conn_->Exec(query);
    if (res.status != S::kCopyBoth) {
      Error(absl::StrFormat("could not send replication command \"%s\": %s",
                            "START_REPLICATION", res.error_message));
      co_return false;
    }

    CopyStreamEnd end = co_await HandleCopyStream(startpos, timeline);
    if (!end.res.has_value()) break;

    // Streaming finished: either the end of this timeline (a result set
    // naming the next one, then CommandComplete) or a controlled shutdown
    // of the server (CommandComplete alone).
    if (end.res->status == S::kTuplesOk) {
      absl::StatusOr<wire::EndOfTimelineResult> eot = wire::ReadEndOfTimeline(end.res->rows);
      if (!eot.ok()) {
        Error(absl::StrFormat(
            "unexpected result set after end-of-timeline: got %d rows and %d fields, "
            "expected %d rows and %d fields",
            end.res->rows.rows.size(), end.res->rows.description.fields.size(), 1, 2));
        break;
      }
      const TimeLineID newtimeline = eot->next_tli;
      XLogRecPtr next = eot->next_tli_startpos;
      if (newtimeline <= timeline) {
        Error(absl::StrFormat("server reported unexpected next timeline %u, following timeline %u",
                              newtimeline, timeline));
        break;
      }
      if (next > end.stoppos) {
        Error(absl::StrFormat(
            "server stopped streaming timeline %u at %s, but reported next timeline %u to "
            "begin at %s",
            timeline, wire::FormatLsn(end.stoppos), newtimeline, wire::FormatLsn(next)));
        break;
      }
      std::optional<pq::PgResult> fin = co_await conn_->GetResult();
      if (!fin.has_value() || fin->status != S::kCommandOk) {
        Error(absl::StrCat("unexpected termination of replication stream: ",
                           fin.has_value() ? fin->error_message : conn_->error_message()));
        break;
      }
      // Start the next timeline at the beginning of a segment.
      timeline = newtimeline;
      startpos = next - wal::XLogSegmentOffset(next);
      continue;
    }
    if (end.res->status == S::kCommandOk) {
      // A controlled shutdown: fine only if the callback wanted to stop here.
      if (stop_streaming(end.stoppos, timeline, false)) co_return true;
      Error("replication stream was terminated before stop point");
      break;
    }
    Error(absl::StrCat("unexpected termination of replication stream: ", end.res->error_message));
    break;
  }
  // error:
  if (walfile_ != os::kNoFd) {
    const os::Errno cl = os_.Close(walfile_);
    if (cl != os::Errno::kOk) {
      Error(absl::StrFormat("could not close file \"%s\": %s", current_walfile_name_,
                            os::ErrnoName(cl)));
    }
  }
  walfile_ = os::kNoFd;
  co_return false;
}

os::Task<CopyStreamEnd> ReceiveXlog::HandleCopyStream(XLogRecPtr startpos, TimeLineID timeline) {
  CopyStreamEnd end;
  const int64_t timeout_ms = options_.status_interval.millis();
  TimestampTz last_status = -1;
  XLogRecPtr blockpos = startpos;
  bool still_sending = true;
  for (;;) {
    // Should we stop streaming here?
    if (still_sending && stop_streaming(blockpos, timeline, false)) {
      const bool closed = co_await close_walfile(blockpos);
      if (!closed) co_return end;
      const bool ended = co_await SendCopyEnd();
      if (!ended) co_return end;
      still_sending = false;
    }

    // Potentially send a status message to the server.
    TimestampTz now = localGetCurrentTimestamp();
    if (still_sending && timeout_ms > 0 && now - last_status >= timeout_ms * 1000) {
      const bool sent = co_await sendFeedback(blockpos, now, false);
      if (!sent) co_return end;
      last_status = now;
    }

    std::string copybuf;
    const int r = conn_->GetCopyData(&copybuf);
    if (r == 0) {
      // Nothing yet: wait for data, but not past the next status message
      // (its deadline less 1 ms, and at least 1 s).
      int events = os::WL_LATCH_SET | os::WL_SOCKET_READABLE;
      os::Duration timeout;
      if (timeout_ms > 0 && still_sending) {
        const TimestampTz targettime = last_status + (timeout_ms - 1) * 1000;
        const int64_t diff_us = std::max<int64_t>(0, targettime - now);
        timeout = diff_us < 1000000 ? os::Microseconds(1000000 + diff_us % 1000000)
                                    : os::Microseconds(diff_us);
        events |= os::WL_TIMEOUT;
      }
      // select(): a signal or a timeout just goes round the loop again.
      const int rc = co_await os_.WaitLatchOrSocket(&os_.MyLatch(), events, conn_->Socket(),
                                                    timeout);
      if (rc & os::WL_LATCH_SET) os_.MyLatch().Reset();
      continue;
    }
    if (r == -1) break;
    if (r == -2) {
      Error(absl::StrCat("could not read COPY data: ", conn_->error_message()));
      co_return end;
    }

    if (copybuf[0] == 'k') {
      const bool ok = co_await ProcessKeepalive(copybuf, blockpos, still_sending, &last_status);
      if (!ok) co_return end;
    } else if (copybuf[0] == 'w') {
      const bool ok = co_await ProcessXLogData(copybuf, timeline, &blockpos, &still_sending);
      if (!ok) co_return end;
    } else {
      Error(absl::StrFormat("unrecognized streaming header: \"%c\"", copybuf[0]));
      co_return end;
    }
  }

  // The server ended its side of COPY. Unless it was an error, close ours.
  end.res = co_await conn_->GetResult();
  if (still_sending) {
    const bool closed = co_await close_walfile(blockpos);
    if (!closed) {
      end.res.reset();
      co_return end;
    }
    if (end.res.has_value() && end.res->status == S::kCopyIn) {
      const bool ended = co_await SendCopyEnd();
      if (!ended) {
        end.res.reset();
        co_return end;
      }
      end.res = co_await conn_->GetResult();
    }
  }
  if (!end.res.has_value()) {
    // PQgetResult returned NULL: report it as libpq's error.
    pq::PgResult gone;
    gone.error_message = conn_->error_message();
    end.res = std::move(gone);
  }
  end.stoppos = blockpos;
  co_return end;
}

os::Task<bool> ReceiveXlog::ProcessXLogData(const std::string& copybuf, TimeLineID timeline,
                                            XLogRecPtr* blockpos, bool* still_sending) {
  // Once we've decided to stop, ignore further XLogData.
  if (!*still_sending) co_return true;
  if (copybuf.size() < kXLogDataHeaderSize + 1) {
    Error(absl::StrFormat("streaming header too small: %d", copybuf.size()));
    co_return false;
  }
  // Only dataStart matters; walEnd and sendTime are ignored.
  XLogRecPtr datastart = 0;
  for (int i = 1; i <= 8; ++i) datastart = (datastart << 8) | static_cast<uint8_t>(copybuf[i]);
  *blockpos = datastart;
  uint32_t xlogoff = wal::XLogSegmentOffset(*blockpos);

  // The stream must go on where we are.
  if (walfile_ == os::kNoFd) {
    if (xlogoff != 0) {
      Error(absl::StrFormat("received transaction log record for offset %u with no file open",
                            xlogoff));
      co_return false;
    }
  } else if (walfile_pos_ != xlogoff) {
    Error(absl::StrFormat("got WAL data offset %08x, expected %08x", xlogoff, walfile_pos_));
    co_return false;
  }

  size_t bytes_left = copybuf.size() - kXLogDataHeaderSize;
  size_t bytes_written = 0;
  while (bytes_left > 0) {
    // Write only up to the segment's end.
    const size_t bytes_to_write =
        std::min<size_t>(bytes_left, wal::kWalSegSize - static_cast<size_t>(xlogoff));
    if (walfile_ == os::kNoFd) {
      const bool opened = co_await open_walfile(*blockpos, timeline);
      if (!opened) co_return false;
    }
    const absl::Span<const uint8_t> chunk(
        reinterpret_cast<const uint8_t*>(copybuf.data()) + kXLogDataHeaderSize + bytes_written,
        bytes_to_write);
    os::Result<size_t> w = co_await os_.PWrite(walfile_, chunk, walfile_pos_);
    if (!w.ok() || *w != bytes_to_write) {
      Error(absl::StrFormat("could not write %u bytes to WAL file \"%s\": %s", bytes_to_write,
                            current_walfile_name_,
                            os::ErrnoName(w.ok() ? os::Errno::kENOSPC : w.error())));
      co_return false;
    }
    walfile_pos_ += static_cast<int64_t>(bytes_to_write);
    bytes_written += bytes_to_write;
    bytes_left -= bytes_to_write;
    *blockpos += bytes_to_write;
    xlogoff += static_cast<uint32_t>(bytes_to_write);

    // End of a segment: fsync, rename, and ask whether to go on.
    if (wal::XLogSegmentOffset(*blockpos) == 0) {
      const bool closed = co_await close_walfile(*blockpos);
      if (!closed) co_return false;
      xlogoff = 0;
      if (*still_sending && stop_streaming(*blockpos, timeline, true)) {
        const bool ended = co_await SendCopyEnd();
        if (!ended) co_return false;
        *still_sending = false;
        co_return true;  // ignore the rest of this XLogData
      }
    }
  }
  co_return true;
}

}  // namespace replsim::receivexlog
