// What pg_receivexlog tells the server while streaming (receivelog.c of 9.3
// and 9.4): the status update (sendFeedback) and the answer to a keepalive,
// with f66c20b317's fsync before answering a reply request.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/receivexlog/receivexlog_process.h"
#include "protocol/wire/copy_data.h"

namespace replsim::receivexlog {
namespace {

constexpr size_t kKeepaliveReplyOffset = 1 + 8 + 8;  // 'k', walEnd, sendTime

}  // namespace

os::Task<bool> ReceiveXlog::sendFeedback(XLogRecPtr blockpos, TimestampTz now,
                                         bool replyRequested) {
  wire::StandbyStatusUpdate r;
  r.write = blockpos;
  // 9.3 never reports a flush position; 9.4's --slot client reports the
  // last position close_walfile fsynced.
  r.flush = reportFlushPosition() ? lastFlushPosition_ : wire::kInvalidXLogRecPtr;
  r.apply = wire::kInvalidXLogRecPtr;
  r.send_time = now;
  r.reply_requested = replyRequested;
  const std::string payload = wire::EncodeCopyPayload(r);
  const bool sent = co_await conn_->PutCopyData(payload);
  if (!sent) {
    Error(absl::StrCat("could not send feedback packet: ", conn_->error_message()));
  }
  co_return sent;
}

os::Task<bool> ReceiveXlog::ProcessKeepalive(const std::string& copybuf, XLogRecPtr blockpos,
                                             bool still_sending, TimestampTz* last_status) {
  // Only replyRequested matters.
  if (copybuf.size() < kKeepaliveReplyOffset + 1) {
    Error(absl::StrFormat("streaming header too small: %d", copybuf.size()));
    co_return false;
  }
  const bool replyRequested = copybuf[kKeepaliveReplyOffset] != 0;
  if (!replyRequested || !still_sending) co_return true;
  XLogRecPtr walEnd = 0;  // the server's sentPtr
  for (int i = 1; i <= 8; ++i) walEnd = (walEnd << 8) | static_cast<uint8_t>(copybuf[i]);
  bool fsynced = false;
  // f66c20b317: a walsender waiting at shutdown asks for the reply it needs;
  // without this fsync the flush position it waits for would stay at the
  // segment's start.
  if (options_.flush_on_reply_request && reportFlushPosition() &&
      lastFlushPosition_ < blockpos && walfile_ != os::kNoFd) {
    const os::Errno fs = co_await os_.Fsync(walfile_);
    if (fs != os::Errno::kOk) {
      Error(absl::StrFormat("could not fsync file \"%s\": %s", current_walfile_name_,
                            os::ErrnoName(fs)));
      co_return false;
    }
    lastFlushPosition_ = blockpos;
    fsynced = true;
  }
  // Not a pg_receivexlog message: replsim's view of the exchange the
  // shutdown wait depends on (what the server has sent, what we report).
  os_.Log("DEBUG1", absl::StrFormat("reply requested at server WAL end %s: reporting write %s "
                                    "flush %s%s",
                                    wire::FormatLsn(walEnd), wire::FormatLsn(blockpos),
                                    wire::FormatLsn(reportFlushPosition() ? lastFlushPosition_
                                                                          : 0),
                                    fsynced ? " (fsynced)" : ""));
  const TimestampTz now = localGetCurrentTimestamp();
  const bool sent = co_await sendFeedback(blockpos, now, false);
  if (!sent) co_return false;
  *last_status = now;
  co_return true;
}

}  // namespace replsim::receivexlog
