// The messages of the stream (walreceiver.c of PostgreSQL 15):
// XLogWalRcvProcessMsg for the primary's 'w' and 'k', ProcessWalSndrMessage,
// and the standby's 'r' (XLogWalRcvSendReply) and 'h'
// (XLogWalRcvSendHSFeedback).
#include <string>
#include <variant>

#include "protocol/walreceiver/walreceiver_process.h"
#include "protocol/wire/copy_data.h"
#include "protocol/wire/dialect.h"

namespace replsim::walreceiver {

os::Task<> WalReceiverProcess::XLogWalRcvProcessMsg(absl::string_view payload,
                                                    TimeLineID tli) {
  // libpq never hands out an empty CopyData; skip one as it would.
  if (payload.empty()) co_return;
  // The decoder checks what walreceiver.c checks ('w' >= 24 header bytes,
  // 'k' exactly 17, no other type) with its error texts.
  auto msg = wire::DecodeWalSenderMessage(payload);
  if (!msg.ok()) co_return co_await Fatal(std::string(msg.status().message()));
  if (auto* w = std::get_if<wire::XLogData>(&*msg)) {
    ProcessWalSndrMessage(w->wal_end, w->send_time);
    co_await XLogWalRcvWrite(w->wal, w->data_start, tli);
  } else {
    const auto& k = std::get<wire::PrimaryKeepalive>(*msg);
    ProcessWalSndrMessage(k.wal_end, k.send_time);
    // If the primary requested a reply, send one immediately.
    if (k.reply_requested) co_await XLogWalRcvSendReply(true, false);
  }
}

void WalReceiverProcess::ProcessWalSndrMessage(XLogRecPtr walEnd, TimestampTz sendTime) {
  node::WalRcvData& walrcv = s_.WalRcv;
  if (walrcv.latestWalEnd < walEnd) walrcv.latestWalEndTime = sendTime;
  walrcv.latestWalEnd = walEnd;
  walrcv.lastMsgSendTime = sendTime;
  walrcv.lastMsgReceiptTime = GetCurrentTimestamp();
}

os::Task<> WalReceiverProcess::XLogWalRcvSendReply(bool force, bool requestReply) {
  // A 9.0 standby reports nothing (status updates came with b186523fd9).
  if (!s_.behavior.walrcv_status_updates) co_return;
  const os::Duration interval = s_.gucs.wal_receiver_status_interval;
  // No status wanted by the user: do nothing unless forced.
  if (!force && interval <= os::Duration()) co_return;
  const TimestampTz now = GetCurrentTimestamp();
  // Unforced, nothing moved and the interval not elapsed: nothing to say.
  // (The apply position is not compared: it is checked only when something
  // else changed or the interval passed.)
  if (!force && replyWritePtr_ == LogstreamResult.Write &&
      replyFlushPtr_ == LogstreamResult.Flush &&
      now - replySendTime_ < interval.micros()) {
    co_return;
  }
  replySendTime_ = now;
  replyWritePtr_ = LogstreamResult.Write;
  replyFlushPtr_ = LogstreamResult.Flush;
  wire::StandbyStatusUpdate r;
  r.write = replyWritePtr_;
  r.flush = replyFlushPtr_;
  r.apply = s_.XLogCtl.lastReplayedEndRecPtr;  // GetXLogReplayRecPtr
  r.send_time = GetCurrentTimestamp();
  r.reply_requested = requestReply;
  co_await Send(wire::EncodeCopyPayload(r));
}

os::Task<> WalReceiverProcess::XLogWalRcvSendHSFeedback(bool immed) {
  const os::Duration interval = s_.gucs.wal_receiver_status_interval;
  const bool feedback = s_.gucs.hot_standby_feedback;
  // Nothing to report, and no xmin of ours left on the primary to clear.
  if ((interval <= os::Duration() || !feedback) && !primaryHasStandbyXmin_) co_return;
  const TimestampTz now = GetCurrentTimestamp();
  if (!immed) {
    // At most once per wal_receiver_status_interval.
    if (now - feedbackSendTime_ < interval.micros()) co_return;
    feedbackSendTime_ = now;
  }
  // Nothing to send before hot standby accepts connections.
  if (!s_.XLogCtl.SharedHotStandbyActive) co_return;
  // GetReplicationHorizons: the standby runs no transactions here, so its
  // horizon is the next xid recovery has seen (the last replayed
  // checkpoint's nextXid).
  const uint64_t next_full_xid = s_.ControlFile.checkPointCopy.nextXid;
  const uint32_t next_xid = static_cast<uint32_t>(next_full_xid);
  const uint32_t xmin = feedback ? next_xid : wal::InvalidTransactionId;
  uint32_t xmin_epoch = static_cast<uint32_t>(next_full_xid >> 32);
  if (next_xid < xmin) --xmin_epoch;
  wire::HotStandbyFeedback h;
  h.send_time = GetCurrentTimestamp();
  h.xmin = xmin;
  h.epoch = xmin_epoch;
  h.catalog_xmin = wal::InvalidTransactionId;
  h.catalog_epoch = xmin_epoch;
  const wire::Dialect dialect =
      s_.behavior.server_version_num >= 100000 ? wire::Dialect::kPg15 : wire::Dialect::kPg93;
  co_await Send(wire::EncodeCopyPayload(h, dialect));
  primaryHasStandbyXmin_ = xmin != wal::InvalidTransactionId;
}

os::Task<> WalReceiverProcess::Send(const std::string& payload) {
  absl::Status s = co_await pq::walrcv_send(*wrconn_, payload);
  if (!s.ok()) co_await Fatal(std::string(s.message()));
}

}  // namespace replsim::walreceiver
