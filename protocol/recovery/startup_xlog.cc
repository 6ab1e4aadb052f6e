// StartupXLOG (xlog.c, PG 15): recovery, then the switch to production.
#include "protocol/recovery/startup_xlog.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/node/recovery_conf.h"
#include "protocol/recovery/startup.h"
#include "protocol/recovery/sync_data_directory.h"
#include "protocol/recovery/timeline_files.h"
#include "protocol/replslot/slot_disk.h"
#include "protocol/wal/xlog_records.h"
#include "protocol/xlog/control_file.h"
#include "protocol/xlog/xlog_io.h"
#include "protocol/xlog/xlogarchive.h"

namespace replsim::recovery {
namespace {

// An end-of-recovery checkpoint. With a checkpointer: RequestCheckpoint
// (flags + SIGINT) and wait until it has completed one. Without one (a
// standalone startup process, as in a single-user server), CreateCheckPoint
// here: a CHECKPOINT_SHUTDOWN record at the insert position, flushed, and
// pg_control pointing at it.
os::Task<os::Errno> EndOfRecoveryCheckpoint(os::Os& os, node::NodeShmem& shm,
                                            XLogRecovery& rec) {
  node::CheckpointerShmemData& ckpt = shm.CheckpointerShmem;
  if (ckpt.checkpointer_pid != 0) {
    const int done_before = ckpt.ckpt_done;
    ckpt.ckpt_flags |= CHECKPOINT_END_OF_RECOVERY | CHECKPOINT_IMMEDIATE | CHECKPOINT_WAIT;
    if (os.Kill(ckpt.checkpointer_pid, os::Signal::kSIGINT) == os::Errno::kOk) {
      while (ckpt.ckpt_done == done_before && ckpt.checkpointer_pid != 0) {
        co_await rec.HandleStartupProcInterrupts();
        co_await os.Sleep(os::Milliseconds(100));
      }
      co_return os::Errno::kOk;
    }
  }
  wal::CheckPoint cp = shm.ControlFile.checkPointCopy;
  cp.redo = shm.XLogCtl.insert->NextRecordStart();
  cp.ThisTimeLineID = shm.XLogCtl.ThisTimeLineID;
  cp.PrevTimeLineID = shm.XLogCtl.PrevTimeLineID;
  cp.time = os.WallClockMicros() / 1000000;
  wal::XLogInsertResult r = xlog::XLogInsert(shm, wal::MakeCheckpointRecord(cp, true));
  os::Errno e = co_await xlog::XLogFlush(os, shm, r.EndRecPtr);
  if (e != os::Errno::kOk) co_return e;
  shm.ControlFile.checkPoint = r.ReadRecPtr;
  shm.ControlFile.checkPointCopy = cp;
  co_return co_await xlog::UpdateControlFile(os, shm);
}

}  // namespace

os::Task<> StartupXLOG(os::Os& os, node::NodeShmem& shm, StartupSignals& signals) {
  os::Result<node::ControlFileData> cf = co_await xlog::ReadControlFile(os, shm.data_dir);
  if (!cf.ok()) {
    os.Log("FATAL", cf.error() == os::Errno::kEIO
                        ? "incorrect checksum in control file"
                        : absl::StrFormat("could not open file \"%s\": %s",
                                          xlog::ControlFilePath(shm.data_dir),
                                          std::string(os::ErrnoName(cf.error()))));
    co_await os.Exit(1);
  }
  shm.ControlFile = *cf;
  // 2ce439f337: after a crash, everything recovery is about to read is
  // made durable first.
  co_await SyncDataDirectoryAfterCrash(os, shm);
  // The reader checks xlp_sysid against pg_control's.
  XLogRecovery rec(os, shm, signals);
  shm.XLogCtl.SharedRecoveryInProgress = true;

  bool wasShutdown = false;
  co_await rec.InitWalRecovery(&wasShutdown);
  // 9.4+: the slots, before anything could remove what they need.
  if (shm.behavior.server_version_num >= 90400) {
    std::optional<replslot::SlotStartupError> err =
        co_await replslot::StartupReplicationSlots(os, shm);
    if (err.has_value()) {
      os.Log(err->elevel, err->hint.empty() ? err->message
                                            : absl::StrCat(err->message, "\nHINT:  ", err->hint));
      if (std::string_view(err->elevel) == "PANIC") co_await os.Abort();
      co_await os.Exit(1);
    }
  }
  bool performedWalRecovery = false;
  if (rec.InRecovery) {
    // UpdateControlFile has logged its PANIC.
    const os::Errno failed = co_await xlog::UpdateControlFile(os, shm);
    if (failed != os::Errno::kOk) co_await os.Abort();
    // InitRecoveryTransactionEnvironment after a clean stop: the snapshot
    // is complete at once. After an online checkpoint it is complete as soon
    // as redo replays the RUNNING_XACTS record LogStandbySnapshot wrote
    // between the checkpoint's redo point and its record, which is the
    // first thing redo does; replsim writes no such record, so without this
    // a standby whose redo point is its checkpoint record (no other WAL in
    // between) would wait for the next checkpoint to allow connections.
    if (rec.ArchiveRecoveryRequested) rec.standbySnapshotReady = true;
    co_await rec.PerformWalRecovery();
    performedWalRecovery = true;
  }
  EndOfWalRecoveryInfo info = co_await rec.FinishWalRecovery();
  const XLogRecPtr EndOfLog = info.endOfLog;
  if (rec.InRecovery && rec.ArchiveRecoveryRequested &&
      EndOfLog < shm.ControlFile.minRecoveryPoint) {
    co_await rec.Fatal("WAL ends before consistent recovery point");
  }

  TimeLineID newTLI = info.lastRecTLI;
  if (rec.ArchiveRecoveryRequested) {
    absl::StatusOr<TimeLineID> newest = co_await findNewestTimeLine(
        os, shm.data_dir, shm.behavior.server_version_num, rec.recoveryTargetTLI);
    if (!newest.ok()) co_await rec.Fatal(std::string(newest.status().message()));
    newTLI = *newest + 1;
    os.Log("LOG", absl::StrFormat("selected new timeline ID: %u", newTLI));
    absl::Status copied =
        co_await XLogInitNewTimeline(os, shm, info.endOfLogTLI, EndOfLog, newTLI);
    // XLogFileCopy's ERROR is FATAL in the startup process; a failed fsync
    // is a PANIC (data_sync_elevel).
    if (absl::IsDataLoss(copied)) co_await rec.Panic(std::string(copied.message()));
    if (!copied.ok()) co_await rec.Fatal(std::string(copied.message()));
    // Out of the way, so that a crash does not enter archive recovery
    // again: before 12 (exitArchiveRecovery) recovery.conf becomes
    // recovery.done; from 12 the signal file is removed (durable_unlink).
    const std::string dir = shm.data_dir + "/";
    if (info.recovery_command_file_found) {
      os.Unlink(dir + node::kRecoveryCommandDone);
      const os::Errno e =
          os.Rename(dir + node::kRecoveryCommandFile, dir + node::kRecoveryCommandDone);
      if (e != os::Errno::kOk) {
        co_await rec.Fatal(absl::StrFormat("could not rename file \"%s\" to \"%s\": %s",
                                           node::kRecoveryCommandFile, node::kRecoveryCommandDone,
                                           os::StrError(e)));
      }
      // 1d4a0ab19a made this rename durable (durable_rename); before it a
      // host crash could bring recovery.conf back.
      if (shm.behavior.xlog_durable_rename) co_await os.FsyncDir(shm.data_dir);
    }
    const char* signal_file = info.standby_signal_file_found ? node::kStandbySignal
                              : info.recovery_signal_file_found ? node::kRecoverySignal
                                                                : nullptr;
    if (signal_file != nullptr) {
      os.Unlink(dir + signal_file);
      co_await os.FsyncDir(shm.data_dir);
    }
    absl::Status st = co_await writeTimeLineHistory(os, shm.data_dir, newTLI,
                                                    rec.recoveryTargetTLI, EndOfLog,
                                                    info.recoveryStopReason,
                                                    shm.behavior.server_version_num,
                                                    shm.behavior.xlog_durable_rename);
    if (absl::IsDataLoss(st)) co_await rec.Panic(std::string(st.message()));
    if (!st.ok()) co_await rec.Fatal(std::string(st.message()));
    // writeTimeLineHistory's tail: the new history file is for the archive.
    if (xlog::XLogArchivingActive(shm)) {
      xlog::XLogArchiveNotify(os, shm, wal::TLHistoryFileName(newTLI));
    }
    // CleanupAfterArchiveRecovery: the old timeline's last segment.
    co_await xlog::ArchivePartialSegment(os, shm, info.endOfLogTLI, EndOfLog);
    os.Log("LOG", "archive recovery complete");
  }
  // Insertion resumes at the end of valid WAL, on the new timeline.
  xlog::StartXLogInsert(shm, newTLI, EndOfLog, info.lastRec);
  shm.XLogCtl.PrevTimeLineID = info.lastRecTLI;
  rec.InRecovery = false;

  bool promoted = false;
  if (performedWalRecovery) {
    os::Errno e;
    if (rec.ArchiveRecoveryRequested && rec.LocalPromoteIsTriggered) {
      promoted = true;
      e = co_await CreateEndOfRecoveryRecord(os, shm);
    } else {
      e = co_await EndOfRecoveryCheckpoint(os, shm, rec);
    }
    // XLogFlush or UpdateControlFile has logged its PANIC.
    if (e != os::Errno::kOk) co_await os.Abort();
  }
  shm.ControlFile.state = node::DBState::DB_IN_PRODUCTION;
  shm.XLogCtl.SharedRecoveryInProgress = false;
  const os::Errno failed = co_await xlog::UpdateControlFile(os, shm);
  if (failed != os::Errno::kOk) co_await os.Abort();
  xlog::WalSndWakeup(shm);
  // After a promotion, a checkpoint is requested without waiting.
  if (promoted && shm.CheckpointerShmem.checkpointer_pid != 0) {
    shm.CheckpointerShmem.ckpt_flags |= CHECKPOINT_FORCE;
    os.Kill(shm.CheckpointerShmem.checkpointer_pid, os::Signal::kSIGINT);
  }
}

}  // namespace replsim::recovery
