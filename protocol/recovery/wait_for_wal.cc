// WaitForWALToBecomeAvailable and its helpers (xlogrecovery.c, PG 15): the
// ARCHIVE -> PG_WAL -> STREAM source cycle of a standby (RW-12, RW-13,
// RW-15, RW-17).
#include "absl/strings/str_format.h"
#include "protocol/os/check.h"
#include "protocol/os/trace_marks.h"
#include "protocol/recovery/timeline_files.h"
#include "protocol/recovery/walreceiverfuncs.h"
#include "protocol/recovery/xlogrecovery.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::recovery {

// The 5 s wait for streamed WAL (WAIT_EVENT_RECOVERY_WAL_STREAM).
inline constexpr os::Duration kStreamWait = os::Seconds(5);

os::Task<XLogRecovery::XLogPageReadResult> XLogRecovery::WaitForWALToBecomeAvailable(
    XLogRecPtr RecPtr, bool randAccess, bool fetching_ckpt, XLogRecPtr tliRecPtr,
    TimeLineID replayTLI, XLogRecPtr replayLSN) {
  if (!InArchiveRecovery) {
    currentSource_ = XLogSource::XLOG_FROM_PG_WAL;
  } else if (currentSource_ == XLogSource::XLOG_FROM_ANY ||
             (!StandbyMode && currentSource_ == XLogSource::XLOG_FROM_STREAM)) {
    lastSourceFailed_ = false;
    currentSource_ = XLogSource::XLOG_FROM_ARCHIVE;
  }
  for (;;) {
    const XLogSource oldSource = currentSource_;
    bool startWalReceiver = false;
    if (lastSourceFailed_) {
      switch (currentSource_) {
        case XLogSource::XLOG_FROM_ARCHIVE:
        case XLogSource::XLOG_FROM_PG_WAL:
          // Promotion is noticed here, before streaming is (re)tried.
          if (StandbyMode && CheckForStandbyTrigger()) {
            co_await XLogShutdownWalRcv();
            co_return XLogPageReadResult::XLREAD_FAIL;
          }
          if (!StandbyMode) co_return XLogPageReadResult::XLREAD_FAIL;
          currentSource_ = XLogSource::XLOG_FROM_STREAM;
          startWalReceiver = true;
          break;
        case XLogSource::XLOG_FROM_STREAM: {
          // A WAITING walreceiver (end of its timeline) is left alone.
          if (WalRcvStreaming(os_, shm_)) co_await XLogShutdownWalRcv();
          if (recoveryTargetTimeLineGoal ==
              RecoveryTargetTimeLineGoal::RECOVERY_TARGET_TIMELINE_LATEST) {
            const bool awaited_1 = co_await rescanLatestTimeLine(replayTLI, replayLSN);
            if (awaited_1) {
              currentSource_ = XLogSource::XLOG_FROM_ARCHIVE;
              break;
            }
          }
          // Do not hammer the sources: at most one round per
          // wal_retrieve_retry_interval.
          os::Instant now = os_.Monotonic();
          const os::Duration retry = shm_.gucs.wal_retrieve_retry_interval;
          if (last_fail_time_.has_value() && now - *last_fail_time_ < retry) {
            const os::Duration wait_time = retry - (now - *last_fail_time_);
            Report(Elevel::LOG, absl::StrFormat("waiting for WAL to become available at %s",
                                                wal::LsnToString(RecPtr)));
            co_await os_.WaitLatchOrSocket(
                shm_.XLogCtl.recoveryWakeupLatch.get(),
                os::WL_LATCH_SET | os::WL_TIMEOUT | os::WL_EXIT_ON_PM_DEATH,
                os::kNoFd, wait_time);
            shm_.XLogCtl.recoveryWakeupLatch->Reset();
            now = os_.Monotonic();
            co_await HandleStartupProcInterrupts();
          }
          last_fail_time_ = now;
          currentSource_ = XLogSource::XLOG_FROM_ARCHIVE;
          break;
        }
        case XLogSource::XLOG_FROM_ANY:
          CHECK(false) << "unexpected WAL source";
      }
    } else if (currentSource_ == XLogSource::XLOG_FROM_PG_WAL) {
      // Crash recovery found pg_wal's end; archive recovery tries the
      // archive first.
      if (InArchiveRecovery) currentSource_ = XLogSource::XLOG_FROM_ARCHIVE;
    }
    if (currentSource_ != oldSource) {
      Report(Elevel::DEBUG2,
             absl::StrFormat("switched WAL source from %s to %s after %s",
                             XLogSourceName(oldSource, shm_.behavior.server_version_num),
                             XLogSourceName(currentSource_, shm_.behavior.server_version_num),
                             lastSourceFailed_ ? "failure" : "success"));
    }
    lastSourceFailed_ = false;

    switch (currentSource_) {
      case XLogSource::XLOG_FROM_ARCHIVE:
      case XLogSource::XLOG_FROM_PG_WAL: {
        // Close any old file; the pages read so far stay, as the reader's
        // buffer keeps the part of a record read before (a record crossing
        // into this segment needs the last one's page again).
        readFileOpen_ = false;
        if (randAccess) curFileTLI_ = 0;
        // The archive leg tries the archive, then pg_wal, per timeline.
        const bool awaited_2 = co_await XLogFileReadAnyTLI(readSegNo_, currentSource_ == XLogSource::XLOG_FROM_ARCHIVE ? XLogSource::XLOG_FROM_ANY : currentSource_);
        if (awaited_2) {
          co_return XLogPageReadResult::XLREAD_SUCCESS;
        }
        lastSourceFailed_ = true;
        break;
      }
      case XLogSource::XLOG_FROM_STREAM: {
        if (startWalReceiver && !shm_.gucs.primary_conninfo.empty()) {
          XLogRecPtr ptr;
          TimeLineID tli;
          if (fetching_ckpt) {
            ptr = RedoStartLSN;
            tli = RedoStartTLI;
          } else {
            // Stream the failing record's segment, on its timeline.
            ptr = RecPtr;
            absl::StatusOr<TimeLineID> t = wal::tliOfPointInHistory(tliRecPtr, expectedTLEs);
            if (!t.ok()) co_await Fatal(std::string(t.status().message()));
            tli = *t;
            if (curFileTLI_ > 0 && tli < curFileTLI_) {
              co_await Fatal(absl::StrFormat(
                  "according to history file, WAL location %s belongs to timeline "
                  "%u, but previous recovered WAL file came from timeline %u",
                  wal::LsnToString(tliRecPtr), tli, curFileTLI_));
            }
          }
          curFileTLI_ = tli;
          RequestXLogStreaming(os_, shm_, tli, ptr, shm_.gucs.primary_conninfo);
          flushedUpto_ = 0;
        }
        if (!WalRcvStreaming(os_, shm_)) {
          lastSourceFailed_ = true;
          break;
        }
        // Only WAL the walreceiver has fsynced, on the timeline we want.
        bool havedata = false;
        if (RecPtr < flushedUpto_) {
          havedata = true;
        } else {
          WalRcvFlush f = GetWalRcvFlushRecPtr(shm_);
          flushedUpto_ = f.flushedUpto;
          receiveTLI_ = f.receiveTLI;
          havedata = RecPtr < flushedUpto_ && receiveTLI_ == curFileTLI_;
        }
        if (havedata) {
          if (!readFileOpen_) {
            readFileOpen_ = co_await XLogFileRead(readSegNo_, receiveTLI_,
                                                  XLogSource::XLOG_FROM_STREAM);
            if (!readFileOpen_) {
              co_await Panic(absl::StrFormat("could not open file \"%s\": ENOENT",
                                             xlog::XLogFilePath(shm_, receiveTLI_, readSegNo_)));
            }
          } else {
            readSource_ = XLogSource::XLOG_FROM_STREAM;
          }
          co_return XLogPageReadResult::XLREAD_SUCCESS;
        }
        // Promotion is noticed here too, at most 5 s late (RW-12).
        if (CheckForStandbyTrigger()) {
          lastSourceFailed_ = true;
          break;
        }
        if (shm_.WalRcv.pid != 0) shm_.WalRcv.force_reply = true;  // WalRcvForceReply
        if (shm_.WalRcv.latch != nullptr) shm_.WalRcv.latch->Set();
        co_await os_.WaitLatchOrSocket(
            shm_.XLogCtl.recoveryWakeupLatch.get(),
            os::WL_LATCH_SET | os::WL_TIMEOUT | os::WL_EXIT_ON_PM_DEATH, os::kNoFd,
            kStreamWait);
        shm_.XLogCtl.recoveryWakeupLatch->Reset();
        break;
      }
      case XLogSource::XLOG_FROM_ANY:
        CHECK(false) << "unexpected WAL source";
    }
    co_await HandleStartupProcInterrupts();
  }
}

os::Task<bool> XLogRecovery::XLogFileRead(wal::XLogSegNo segno, TimeLineID tli,
                                          XLogSource source) {
  const std::string path = xlog::XLogFilePath(shm_, tli, segno);
  os::Result<os::FileStat> st = os_.Stat(path);
  if (!st.ok()) {
    if (st.error() != os::Errno::kENOENT) {
      co_await Panic(absl::StrFormat("could not open file \"%s\": %s", path,
                                     std::string(os::ErrnoName(st.error()))));
    }
    co_return false;
  }
  curFileTLI_ = tli;
  readSource_ = source;
  readFileOpen_ = true;
  co_return true;
}

os::Task<bool> XLogRecovery::XLogFileReadAnyTLI(wal::XLogSegNo segno,
                                                XLogSource source) {
  // Newest timeline first, never older than the last file's.
  for (const wal::TimeLineHistoryEntry& hent : expectedTLEs) {
    if (hent.tli < curFileTLI_) break;
    if (!wal::XLogRecPtrIsInvalid(hent.begin) && segno < wal::XLByteToSeg(hent.begin)) {
      continue;
    }
    if (source == XLogSource::XLOG_FROM_ANY || source == XLogSource::XLOG_FROM_ARCHIVE) {
      const bool restored =
          co_await RestoreArchivedFile(wal::XLogFileName(hent.tli, segno), "RECOVERYXLOG");
      if (restored) {
        curFileTLI_ = hent.tli;
        readSource_ = XLogSource::XLOG_FROM_ARCHIVE;
        readFileOpen_ = true;
        co_return true;
      }
    }
    if (source == XLogSource::XLOG_FROM_ANY || source == XLogSource::XLOG_FROM_PG_WAL) {
      const bool awaited_3 = co_await XLogFileRead(segno, hent.tli, XLogSource::XLOG_FROM_PG_WAL);
      if (awaited_3) {
        co_return true;
      }
    }
  }
  Report(Elevel::DEBUG2, absl::StrFormat("could not open file \"%s\": ENOENT",
                                         xlog::XLogFilePath(shm_, recoveryTargetTLI, segno)));
  co_return false;
}

os::Task<bool> XLogRecovery::rescanLatestTimeLine(TimeLineID replayTLI,
                                                  XLogRecPtr replayLSN) {
  co_await RestoreNewerHistoryFiles(recoveryTargetTLI);
  absl::StatusOr<TimeLineID> newtarget = co_await findNewestTimeLine(
      os_, shm_.data_dir, shm_.behavior.server_version_num, recoveryTargetTLI);
  if (!newtarget.ok()) co_await Fatal(std::string(newtarget.status().message()));
  if (*newtarget == recoveryTargetTLI) co_return false;  // nothing new
  absl::StatusOr<wal::TimeLineHistory> newExpectedTLEs = co_await readTimeLineHistory(
      os_, shm_.data_dir, shm_.behavior.server_version_num, *newtarget);
  if (!newExpectedTLEs.ok()) co_await Fatal(std::string(newExpectedTLEs.status().message()));
  // Not a child of the current target, or forked before where replay is.
  absl::Status st = wal::CheckNewTimeLine(*newtarget, *newExpectedTLEs,
                                          recoveryTargetTLI, replayTLI, replayLSN);
  if (!st.ok()) {
    Report(Elevel::LOG, std::string(st.message()));
    co_return false;
  }
  recoveryTargetTLI = *newtarget;
  shm_.XLogCtl.RecoveryTargetTLI = recoveryTargetTLI;
  expectedTLEs = *std::move(newExpectedTLEs);
  // restoreTimeLineHistoryFiles: RestoreNewerHistoryFiles kept them.
  Report(Elevel::LOG, absl::StrFormat("new target timeline is %u", recoveryTargetTLI));
  co_return true;
}

bool XLogRecovery::CheckForStandbyTrigger() {
  if (LocalPromoteIsTriggered) return true;
  const std::string promote = shm_.data_dir + "/" + node::kPromoteSignal;
  if (signals_.promote_signaled && os_.Stat(promote).ok()) {
    Report(Elevel::LOG, "received promote request");
    os_.Mark(os::kMarkPromoteRequested);
    os_.Unlink(promote);  // RemovePromoteSignalFiles
    signals_.promote_signaled = false;
    shm_.XLogCtl.SharedPromoteIsTriggered = true;
    LocalPromoteIsTriggered = true;
    return true;
  }
  const std::string& trigger = shm_.gucs.promote_trigger_file;
  if (trigger.empty()) return false;
  if (os_.Stat(trigger).ok()) {
    Report(Elevel::LOG, absl::StrFormat("promote trigger file found: %s", trigger));
    os_.Mark(os::kMarkPromoteRequested);
    os_.Unlink(trigger);
    shm_.XLogCtl.SharedPromoteIsTriggered = true;
    LocalPromoteIsTriggered = true;
    return true;
  }
  return false;
}

}  // namespace replsim::recovery
