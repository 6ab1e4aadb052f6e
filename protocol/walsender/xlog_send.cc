// XLogSendPhysical (XLogSend in 9.3) and the positions it reads: how far the
// walsender may send (GetFlushRecPtr on a primary, GetStandbyFlushRecPtr on a
// cascading standby, the switchpoint on a historic timeline), how it reads
// WAL from pg_wal (the switch segment of a historic timeline comes from the
// next timeline's file) and how sentPtr advances.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/walsender/walsender_private.h"
#include "protocol/wal/segment.h"
#include "protocol/wire/copy_data.h"
#include "protocol/wire/result_sets.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::walsender {

bool WalSender::RecoveryInProgress() const { return shm_->XLogCtl.SharedRecoveryInProgress; }

// GetFlushRecPtr: LogwrtResult.Flush, the WAL fsync'd locally.
XLogRecPtr WalSender::GetFlushRecPtr() const { return shm_->XLogCtl.pos.LogwrtResult.Flush; }

// What has been replayed, or what the walreceiver has flushed if that is
// further on the same timeline. *tli gets the replay timeline.
XLogRecPtr WalSender::GetStandbyFlushRecPtr(TimeLineID* tli) const {
  const XLogRecPtr receivePtr = shm_->WalRcv.receivedUpto;
  const TimeLineID receiveTLI = shm_->WalRcv.receivedTLI;
  const XLogRecPtr replayPtr = shm_->XLogCtl.lastReplayedEndRecPtr;
  const TimeLineID replayTLI = shm_->XLogCtl.lastReplayedTLI;
  *tli = replayTLI;
  return (receiveTLI == replayTLI && receivePtr > replayPtr) ? receivePtr : replayPtr;
}

std::string WalSender::HistoryFilePath(TimeLineID tli) const {
  return absl::StrCat(xlog::XLogDir(*shm_), "/", wire::TimelineHistoryFileName(tli));
}

os::Task<os::Result<std::string>> WalSender::ReadWholeFile(const std::string& path) {
  os::Result<os::Fd> fd = os_.Open(path, os::kOpenRead);
  if (!fd.ok()) co_return fd.error();
  os::Result<os::FileStat> st = os_.Stat(path);
  std::string content(st.ok() ? st->size : 0, '\0');
  os::Result<size_t> n = co_await os_.PRead(
      *fd, absl::MakeSpan(reinterpret_cast<uint8_t*>(content.data()), content.size()), 0);
  os_.Close(*fd);
  if (!n.ok()) co_return n.error();
  content.resize(*n);
  co_return content;
}

// readTimeLineHistory: timeline 1, or a timeline without a file, is a
// history of itself alone.
os::Task<absl::StatusOr<wal::TimeLineHistory>> WalSender::ReadTimeLineHistory(TimeLineID tli) {
  if (tli == 1) co_return wal::HistoryWithoutFile(tli);
  const std::string path = HistoryFilePath(tli);
  os::Result<std::string> content = co_await ReadWholeFile(path);
  if (!content.ok() && content.error() == os::Errno::kENOENT) {
    co_return wal::HistoryWithoutFile(tli);
  }
  if (!content.ok()) {
    co_return absl::InternalError(
        absl::StrFormat("could not read file \"%s\": %s", path,
                        std::string(os::StrError(content.error()))));
  }
  co_return wal::ParseTimeLineHistory(tli, *content);
}

// XLogRead: [startptr, startptr + nbytes) of sendTimeLine, segment by
// segment; on a historic timeline the segment holding the switchpoint is
// read from the next timeline's file (its copy of the old timeline's part).
os::Task<MaybeError> WalSender::XLogRead(XLogRecPtr startptr, uint64_t nbytes,
                                         std::string* out) {
  out->assign(nbytes, '\0');
  uint64_t done = 0;
  while (done < nbytes) {
    const XLogRecPtr p = startptr + done;
    const wal::XLogSegNo segno = wal::XLByteToSeg(p);
    const uint64_t off = wal::XLogSegmentOffset(p);
    const uint64_t n = std::min<uint64_t>(nbytes - done, wal::kWalSegSize - off);
    TimeLineID curFileTimeLine = sendTimeLine_;
    if (sendTimeLineIsHistoric_ && segno == wal::XLByteToSeg(sendTimeLineValidUpto_)) {
      curFileTimeLine = sendTimeLineNextTLI_;
    }
    os::Errno e = co_await xlog::XLogRead(
        os_, shm_->data_dir, shm_->behavior.server_version_num, curFileTimeLine, p,
        absl::MakeSpan(reinterpret_cast<uint8_t*>(out->data()) + done, n));
    if (e == os::Errno::kENOENT) {
      co_return ElogError{wire::sqlstate::kUndefinedFile,
                          absl::StrFormat("requested WAL segment %s has already been removed",
                                          wal::XLogFileName(curFileTimeLine, segno))};
    }
    if (e != os::Errno::kOk) {
      co_return ElogError{wire::sqlstate::kIoError,
                          absl::StrFormat("could not read from log segment %s, offset %u, "
                                          "length %u: %s",
                                          wal::XLogFileName(curFileTimeLine, segno), off, n,
                                          std::string(os::StrError(e)))};
    }
    done += n;
  }
  // CheckXLogRemoved: the segment the read began in may have been removed
  // or recycled while it was being read.
  if (const wal::XLogSegNo first = wal::XLByteToSeg(startptr);
      first <= shm_->XLogCtl.lastRemovedSegNo) {
    co_return ElogError{wire::sqlstate::kUndefinedFile,
                        absl::StrFormat("requested WAL segment %s has already been removed",
                                        wal::XLogFileName(sendTimeLine_, first))};
  }
  // A cascading walsender re-reads if the startup process replaced the
  // file meanwhile (WalSndRqstFileReload); every read here opens afresh.
  if (am_cascading_walsender_) MyWalSnd().needreload = false;
  co_return std::nullopt;
}

os::Task<MaybeError> WalSender::XLogSendPhysical() {
  if (got_STOPPING_) WalSndSetState(node::WalSndState::WALSNDSTATE_STOPPING);
  if (streamingDoneSending_) {
    WalSndCaughtUp_ = true;
    co_return std::nullopt;
  }

  XLogRecPtr SendRqstPtr;
  if (sendTimeLineIsHistoric_) {
    SendRqstPtr = sendTimeLineValidUpto_;
  } else if (am_cascading_walsender_) {
    // The limit is read before the promotion check (RW-16): what was valid
    // when read may still be sent even if the timeline became historic.
    TimeLineID SendRqstTLI = 0;
    SendRqstPtr = GetStandbyFlushRecPtr(&SendRqstTLI);
    bool becameHistoric = false;
    if (!RecoveryInProgress()) {
      SendRqstTLI = InsertTimeLine();
      am_cascading_walsender_ = false;
      becameHistoric = true;
    } else if (sendTimeLine_ != SendRqstTLI) {
      becameHistoric = true;
    }
    if (becameHistoric) {
      absl::StatusOr<wal::TimeLineHistory> history = co_await ReadTimeLineHistory(SendRqstTLI);
      absl::StatusOr<XLogRecPtr> sp =
          history.ok() ? wal::tliSwitchPoint(sendTimeLine_, *history, &sendTimeLineNextTLI_)
                       : absl::StatusOr<XLogRecPtr>(history.status());
      if (!sp.ok()) {
        co_return ElogError{wire::sqlstate::kInternalError, std::string(sp.status().message())};
      }
      sendTimeLineValidUpto_ = *sp;
      sendTimeLineIsHistoric_ = true;
      SendRqstPtr = sendTimeLineValidUpto_;
    }
  } else if (shm_->behavior.walsnd_send_only_flushed) {
    SendRqstPtr = GetFlushRecPtr();
  } else {
    // Before 07e8b6aabc: GetWriteRecPtr, WAL that may not survive a crash.
    SendRqstPtr = shm_->XLogCtl.pos.LogwrtResult.Write;
  }

  // End of a historic timeline (sentPtr may be past the switchpoint by part
  // of a record; the downstream standby cannot replay it either).
  if (sendTimeLineIsHistoric_ && sendTimeLineValidUpto_ <= sentPtr_) {
    conn_->PutMessage('c', "");
    streamingDoneSending_ = true;
    WalSndCaughtUp_ = true;
    os_.Log("DEBUG1", absl::StrFormat("walsender reached end of timeline at %s (sent up to %s)",
                                      wal::LsnToString(sendTimeLineValidUpto_),
                                      wal::LsnToString(sentPtr_)));
    co_return std::nullopt;
  }
  if (SendRqstPtr <= sentPtr_) {
    WalSndCaughtUp_ = true;
    co_return std::nullopt;
  }

  // At most MAX_SEND_SIZE, cut at a page boundary unless it is the end.
  const XLogRecPtr startptr = sentPtr_;
  XLogRecPtr endptr = startptr + kMaxSendSize;
  if (SendRqstPtr <= endptr) {
    endptr = SendRqstPtr;
    WalSndCaughtUp_ = !sendTimeLineIsHistoric_;
  } else {
    endptr -= endptr % wal::kXLogBlcksz;
    WalSndCaughtUp_ = false;
  }

  wire::XLogData msg;
  msg.data_start = startptr;
  msg.wal_end = SendRqstPtr;
  MaybeError e = co_await XLogRead(startptr, endptr - startptr, &msg.wal);
  if (e.has_value()) co_return e;
  msg.send_time = GetCurrentTimestamp();  // filled last, as late as possible
  conn_->PutMessage('d', wire::EncodeCopyPayload(msg));

  sentPtr_ = endptr;
  MyWalSnd().sentPtr = sentPtr_;
  co_return std::nullopt;
}

}  // namespace replsim::walsender
