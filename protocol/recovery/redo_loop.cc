// PerformWalRecovery, ApplyWalRecord, checkTimeLineSwitch and
// CheckRecoveryConsistency (xlogrecovery.c, PG 15).
//
// Redo itself is the simulation's: heap inserts are counted
// (XLogCtl.replayed_inserts) and the largest row id kept for checkers;
// XLOG records switch timelines. Hot standby: replsim's WAL has no
// RUNNING_XACTS records, so the standby snapshot counts as ready from the
// start of redo (StartupXLOG: a shutdown checkpoint's snapshot is complete,
// and an online checkpoint's redo begins with the running-xacts record
// LogStandbySnapshot wrote before it) and at every checkpoint record
// replayed.
#include "absl/strings/str_format.h"
#include "protocol/os/check.h"
#include "protocol/postmaster/pmsignal.h"
#include "protocol/recovery/xlogrecovery.h"
#include "protocol/wal/rmgr.h"
#include "protocol/wal/xlog_records.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::recovery {

os::Task<> XLogRecovery::PerformWalRecovery() {
  node::XLogCtlData& x = shm_.XLogCtl;
  if (RedoStartLSN < CheckPointLoc) {
    x.lastReplayedReadRecPtr = wal::InvalidXLogRecPtr;
    x.lastReplayedEndRecPtr = RedoStartLSN;
    x.lastReplayedTLI = RedoStartTLI;
  } else {
    x.lastReplayedReadRecPtr = xlogreader_->ReadRecPtr();
    x.lastReplayedEndRecPtr = xlogreader_->EndRecPtr();
    x.lastReplayedTLI = CheckPointTLI;
  }
  x.replayEndRecPtr = x.lastReplayedEndRecPtr;
  x.replayEndTLI = x.lastReplayedTLI;
  // Let the postmaster start the checkpointer's restartpoints and, in 15,
  // allow the walreceiver to be launched.
  if (ArchiveRecoveryRequested) {
    postmaster::SendPostmasterSignal(os_, shm_, node::PMSignalReason::PMSIGNAL_RECOVERY_STARTED);
  }
  CheckRecoveryConsistency();

  TimeLineID replayTLI;
  const wal::WalRecord* record;
  if (RedoStartLSN < CheckPointLoc) {
    replayTLI = RedoStartTLI;
    BeginRead(RedoStartLSN);
    record = co_await ReadRecord(Elevel::PANIC, false, replayTLI);
  } else {
    // Redo starts after the checkpoint record itself.
    replayTLI = CheckPointTLI;
    record = co_await ReadRecord(Elevel::LOG, false, replayTLI);
  }
  if (record == nullptr) {
    Report(Elevel::LOG, "redo is not required");
    co_return;
  }
  Report(Elevel::LOG, absl::StrFormat("redo starts at %s",
                                      wal::LsnToString(xlogreader_->ReadRecPtr())));
  do {
    co_await HandleStartupProcInterrupts();
    co_await ApplyWalRecord(*record, &replayTLI);
    record = co_await ReadRecord(Elevel::LOG, false, replayTLI);
  } while (record != nullptr);
  Report(Elevel::LOG, absl::StrFormat("redo done at %s",
                                      wal::LsnToString(xlogreader_->ReadRecPtr())));
}

os::Task<> XLogRecovery::ApplyWalRecord(const wal::WalRecord& record,
                                        TimeLineID* replayTLI) {
  node::XLogCtlData& x = shm_.XLogCtl;
  bool switchedTLI = false;
  if (record.rmid() == wal::RM_XLOG_ID) {
    TimeLineID newReplayTLI = *replayTLI;
    TimeLineID prevReplayTLI = *replayTLI;
    if (record.info() == wal::XLOG_CHECKPOINT_SHUTDOWN) {
      absl::StatusOr<wal::CheckPoint> cp = wal::DecodeCheckPoint(record.main_data);
      if (!cp.ok()) co_await Panic(std::string(cp.status().message()));
      newReplayTLI = cp->ThisTimeLineID;
      prevReplayTLI = cp->PrevTimeLineID;
    } else if (record.info() == wal::XLOG_END_OF_RECOVERY) {
      absl::StatusOr<wal::xl_end_of_recovery> eor =
          wal::DecodeEndOfRecovery(record.main_data);
      if (!eor.ok()) co_await Panic(std::string(eor.status().message()));
      newReplayTLI = eor->ThisTimeLineID;
      prevReplayTLI = eor->PrevTimeLineID;
    }
    if (newReplayTLI != *replayTLI) {
      co_await checkTimeLineSwitch(xlogreader_->EndRecPtr(), newReplayTLI,
                                   prevReplayTLI, *replayTLI);
      switchedTLI = true;
      *replayTLI = newReplayTLI;  // xlogrecovery_redo
    }
    if (record.info() == wal::XLOG_CHECKPOINT_SHUTDOWN ||
        record.info() == wal::XLOG_CHECKPOINT_ONLINE) {
      standbySnapshotReady = true;
      // RecoveryRestartPoint: what a restartpoint may be made at, contents
      // included (pg_control takes its redo and timeline).
      absl::StatusOr<wal::CheckPoint> cp = wal::DecodeCheckPoint(record.main_data);
      if (!cp.ok()) co_await Panic(std::string(cp.status().message()));
      x.lastCheckPointRecPtr = xlogreader_->ReadRecPtr();
      x.lastCheckPointEndPtr = xlogreader_->EndRecPtr();
      x.lastCheckPoint = *cp;
    }
  }
  x.replayEndRecPtr = xlogreader_->EndRecPtr();
  x.replayEndTLI = *replayTLI;
  // rm_redo.
  if (record.rmid() == wal::RM_HEAP_ID &&
      (record.info() & wal::XLOG_HEAP_OPMASK) == wal::XLOG_HEAP_INSERT) {
    ++x.replayed_inserts;
    absl::StatusOr<wal::HeapInsert> ins = wal::DecodeHeapInsert(record);
    if (ins.ok()) {
      uint64_t row = 0;
      for (size_t i = 0; i < 8 && i < ins->tuple_data.size(); ++i) {
        row |= uint64_t{ins->tuple_data[i]} << (8 * i);
      }
      x.max_replayed_row = std::max(x.max_replayed_row, row);
    }
  }
  x.lastReplayedReadRecPtr = xlogreader_->ReadRecPtr();
  x.lastReplayedEndRecPtr = xlogreader_->EndRecPtr();
  x.lastReplayedTLI = *replayTLI;
  CheckRecoveryConsistency();
  // A cascading walsender must learn about the new timeline.
  if (switchedTLI) xlog::WalSndWakeup(shm_);
}

os::Task<> XLogRecovery::checkTimeLineSwitch(XLogRecPtr lsn, TimeLineID newTLI,
                                             TimeLineID prevTLI, TimeLineID replayTLI) {
  if (prevTLI != replayTLI) {
    co_await Panic(absl::StrFormat(
        "unexpected previous timeline ID %u (current timeline ID %u) in checkpoint record",
        prevTLI, replayTLI));
  }
  if (newTLI < replayTLI || !wal::tliInHistory(newTLI, expectedTLEs)) {
    co_await Panic(absl::StrFormat(
        "unexpected timeline ID %u (after %u) in checkpoint record", newTLI, replayTLI));
  }
  if (!wal::XLogRecPtrIsInvalid(minRecoveryPoint) && lsn < minRecoveryPoint &&
      newTLI > minRecoveryPointTLI) {
    co_await Panic(absl::StrFormat(
        "unexpected timeline ID %u in checkpoint record, before reaching minimum "
        "recovery point %s on timeline %u",
        newTLI, wal::LsnToString(minRecoveryPoint), minRecoveryPointTLI));
  }
}

void XLogRecovery::CheckRecoveryConsistency() {
  if (wal::XLogRecPtrIsInvalid(minRecoveryPoint)) return;
  const XLogRecPtr lastReplayedEndRecPtr = shm_.XLogCtl.lastReplayedEndRecPtr;
  if (!reachedConsistency && minRecoveryPoint <= lastReplayedEndRecPtr) {
    reachedConsistency = true;
    Report(Elevel::LOG, absl::StrFormat("consistent recovery state reached at %s",
                                        wal::LsnToString(lastReplayedEndRecPtr)));
  }
  // Allow read-only connections once consistent (hot standby).
  if (shm_.gucs.hot_standby && ArchiveRecoveryRequested && standbySnapshotReady &&
      !LocalHotStandbyActive && reachedConsistency) {
    shm_.XLogCtl.SharedHotStandbyActive = true;
    LocalHotStandbyActive = true;
    postmaster::SendPostmasterSignal(os_, shm_, node::PMSignalReason::PMSIGNAL_BEGIN_HOT_STANDBY);
  }
}

}  // namespace replsim::recovery
