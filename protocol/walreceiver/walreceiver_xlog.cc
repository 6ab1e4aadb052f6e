// XLogWalRcvWrite, XLogWalRcvFlush and XLogWalRcvClose (walreceiver.c of
// PostgreSQL 15): received WAL goes into the segment files of the streaming
// timeline with pwrite (page cache only), is fsynced after each receive
// batch and at each segment switch, and only then published to the startup
// process (receivedUpto) and to cascaded walsenders (RW-15).
#include <algorithm>
#include <string>

#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "protocol/os/check.h"
#include "protocol/wal/segment.h"
#include "protocol/xlog/xlogarchive.h"
#include "protocol/walreceiver/errno_text.h"
#include "protocol/walreceiver/walreceiver_process.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::walreceiver {

os::Task<> WalReceiverProcess::XLogWalRcvWrite(absl::string_view buf, XLogRecPtr recptr,
                                               TimeLineID tli) {
  CHECK_NE(tli, 0u);
  const auto* bytes = reinterpret_cast<const uint8_t*>(buf.data());
  size_t nbytes = buf.size();
  while (nbytes > 0) {
    // Close the current segment if it's completed.
    if (recvFileOpen_ && !wal::XLByteInSeg(recptr, recvSegNo_)) {
      co_await XLogWalRcvClose(recptr, tli);
    }
    if (!recvFileOpen_) {
      // XLogFileInit: create/use the segment file.
      recvSegNo_ = wal::XLByteToSeg(recptr);
      recvFileTLI_ = tli;
      recvFileOpen_ = true;
    }
    const uint32_t startoff = wal::XLogSegmentOffset(recptr);
    const size_t segbytes = std::min<size_t>(nbytes, wal::kWalSegSize - startoff);
    xlog::XLogIoFailure failure;
    const os::Errno e =
        co_await xlog::XLogWriteRaw(os_, s_.data_dir, s_.behavior.server_version_num, recvFileTLI_,
                                    recptr, absl::MakeConstSpan(bytes, segbytes), &failure,
                                    s_.behavior.xlog_durable_rename);
    if (e != os::Errno::kOk && failure.in_init()) {
      // XLogFileInit's ERROR, which a walreceiver raises as FATAL.
      co_return co_await Fatal(xlog::XLogIoFailureText(s_.behavior.server_version_num,
                                                       recvFileTLI_, failure, e));
    }
    if (e != os::Errno::kOk) {
      co_return co_await Panic(absl::StrFormat(
          "could not write to log segment %s at offset %u, length %lu: %s",
          wal::XLogFileName(recvFileTLI_, recvSegNo_), startoff,
          static_cast<unsigned long>(segbytes), FileErrorText(e)));
    }
    recptr += segbytes;
    nbytes -= segbytes;
    bytes += segbytes;
    LogstreamResult.Write = recptr;
  }
  // Update shared-memory status (15's writtenUpto).
  s_.WalRcv.writtenUpto = LogstreamResult.Write;
  // 15: close a segment written up to its end at once, rather than when the
  // next segment's first bytes arrive.
  if (s_.behavior.server_version_num >= 150000 && recvFileOpen_ &&
      !wal::XLByteInSeg(recptr, recvSegNo_)) {
    co_await XLogWalRcvClose(recptr, tli);
  }
}

os::Task<> WalReceiverProcess::XLogWalRcvFlush(bool dying, TimeLineID tli) {
  CHECK_NE(tli, 0u);
  if (LogstreamResult.Flush >= LogstreamResult.Write) co_return;
  // issue_xlog_fsync(recvFile): earlier segments were fsynced when closed,
  // so only the open one holds unsynced bytes.
  if (recvFileOpen_) {
    const XLogRecPtr seg_start = wal::XLogSegNoOffsetToRecPtr(recvSegNo_, 0);
    xlog::XLogIoFailure failure;
    const os::Errno e = co_await xlog::XLogFsyncRange(
        os_, s_.data_dir, s_.behavior.server_version_num, recvFileTLI_,
        std::max(LogstreamResult.Flush, seg_start), LogstreamResult.Write, &failure);
    if (e != os::Errno::kOk) {
      co_return co_await Panic(xlog::XLogIoFailureText(s_.behavior.server_version_num,
                                                       recvFileTLI_, failure, e));
    }
  }
  LogstreamResult.Flush = LogstreamResult.Write;

  // Update shared-memory status.
  node::WalRcvData& walrcv = s_.WalRcv;
  if (walrcv.receivedUpto < LogstreamResult.Flush) {
    walrcv.latestChunkStart = walrcv.receivedUpto;
    walrcv.receivedUpto = LogstreamResult.Flush;
    walrcv.receivedTLI = tli;
  }
  // Signal the startup process and cascaded walsenders that new WAL has
  // arrived (AllowCascadeReplication: hot_standby and max_wal_senders > 0).
  WakeupRecovery();
  if (s_.gucs.hot_standby && s_.gucs.max_wal_senders > 0) xlog::WalSndWakeup(s_);

  // Also let the primary know that we made some progress; not while dying.
  if (!dying) {
    co_await XLogWalRcvSendReply(false, false);
    co_await XLogWalRcvSendHSFeedback(false);
  }
}

os::Task<> WalReceiverProcess::XLogWalRcvClose(XLogRecPtr recptr, TimeLineID tli) {
  CHECK(recvFileOpen_ && !wal::XLByteInSeg(recptr, recvSegNo_));
  // fsync and close the current file before switching to the next one, so
  // it need not be reopened later; then mark it .done, or .ready with
  // archive_mode = always (only with archiving on: see xlogarchive.h).
  co_await XLogWalRcvFlush(false, tli);
  recvFileOpen_ = false;
  if (xlog::XLogArchivingActive(s_)) {
    xlog::XLogArchiveReceived(os_, s_, wal::XLogFileName(recvFileTLI_, recvSegNo_));
  }
}

}  // namespace replsim::walreceiver
