// InitWalRecovery and FinishWalRecovery (xlogrecovery.c, PG 15), and the
// startup process's error and interrupt plumbing.
#include "protocol/recovery/xlogrecovery.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "protocol/node/recovery_conf.h"
#include "protocol/os/check.h"
#include "protocol/recovery/timeline_files.h"
#include "protocol/recovery/walreceiverfuncs.h"
#include "protocol/wal/rmgr.h"
#include "protocol/wal/xlog_records.h"
#include "protocol/xlog/control_file.h"

namespace replsim::recovery {

XLogRecovery::XLogRecovery(os::Os& os, node::NodeShmem& shm, StartupSignals& signals)
    : os_(os), shm_(shm), signals_(signals) {
  wal::XLogReaderOptions opts;
  opts.system_identifier = shm.ControlFile.system_identifier;
  xlogreader_ = std::make_unique<wal::XLogReaderState>(
      opts, [this](XLogRecPtr page_ptr, uint32_t req_len, absl::Span<uint8_t> out) {
        return ServePage(page_ptr, req_len, out);
      });
}

os::Task<> XLogRecovery::Fatal(std::string message, std::string detail) {
  os_.Log("FATAL", detail.empty() ? message : message + "\nDETAIL:  " + detail);
  co_await os_.Exit(1);
}

os::Task<> XLogRecovery::Panic(std::string message) {
  os_.Log("PANIC", message);
  co_await os_.Abort();
}

os::Task<> XLogRecovery::HandleStartupProcInterrupts() {
  // SIGHUP: the simulation's GUCs are fixed for a postmaster's life, so a
  // reload changes nothing the startup process reads.
  signals_.got_SIGHUP = false;
  if (signals_.shutdown_requested) co_await os_.Exit(1);
  if (!os_.PostmasterIsAlive()) co_await os_.Exit(1);
}

os::Task<> XLogRecovery::XLogShutdownWalRcv() {
  co_await ShutdownWalRcv(os_, shm_, [this] { return HandleStartupProcInterrupts(); });
}

os::Task<> XLogRecovery::readRecoveryCommandFile() {
  const std::string path = shm_.data_dir + "/" + node::kRecoveryCommandFile;
  absl::StatusOr<std::optional<std::string>> content = co_await ReadWholeFile(os_, path);
  if (!content.ok()) {
    co_await Fatal(absl::StrFormat("could not open recovery command file \"%s\": %s",
                                   node::kRecoveryCommandFile, content.status().message()));
  }
  if (!content->has_value()) co_return;
  absl::Status st =
      node::ApplyRecoveryConf(**content, shm_.behavior.server_version_num, &shm_.gucs);
  if (!st.ok()) co_await Fatal(std::string(st.message()));
  recovery_command_file_found = true;
  StandbyModeRequested = shm_.gucs.standby_mode;
  ArchiveRecoveryRequested = true;
}

os::Task<> XLogRecovery::readRecoverySignalFile() {
  if (node::UsesRecoveryConf(shm_.behavior.server_version_num)) {
    co_await readRecoveryCommandFile();
    co_return;
  }
  const std::string standby = shm_.data_dir + "/" + node::kStandbySignal;
  const std::string recovery = shm_.data_dir + "/" + node::kRecoverySignal;
  standby_signal_file_found = os_.Stat(standby).ok();
  if (!standby_signal_file_found) recovery_signal_file_found = os_.Stat(recovery).ok();
  StandbyModeRequested = standby_signal_file_found;
  ArchiveRecoveryRequested = standby_signal_file_found || recovery_signal_file_found;
  co_return;
}

os::Task<> XLogRecovery::validateRecoveryParameters() {
  if (!ArchiveRecoveryRequested) co_return;
  const node::Gucs& g = shm_.gucs;
  // Before 12 the texts name the file the parameters came from.
  const std::string file =
      recovery_command_file_found
          ? absl::StrFormat("recovery command file \"%s\" ", node::kRecoveryCommandFile)
          : "";
  if (StandbyModeRequested) {
    if (g.primary_conninfo.empty() && g.restore_command.empty()) {
      os_.Log("WARNING", file + "specified neither primary_conninfo nor restore_command");
    }
  } else if (g.restore_command.empty()) {
    co_await Fatal(file + "must specify restore_command when standby mode is not enabled");
  }
  // recovery_target_timeline: 'latest', 'current', a number; 9.3's empty
  // setting means pg_control's timeline.
  const std::string& t = g.recovery_target_timeline;
  uint32_t rtli = 0;
  if (t == "latest") {
    recoveryTargetTimeLineGoal = RecoveryTargetTimeLineGoal::RECOVERY_TARGET_TIMELINE_LATEST;
    co_await RestoreNewerHistoryFiles(recoveryTargetTLI);
    absl::StatusOr<TimeLineID> newest = co_await findNewestTimeLine(
        os_, shm_.data_dir, shm_.behavior.server_version_num, recoveryTargetTLI);
    if (!newest.ok()) co_await Fatal(std::string(newest.status().message()));
    recoveryTargetTLI = *newest;
  } else if (t.empty() || t == "current") {
    recoveryTargetTimeLineGoal =
        RecoveryTargetTimeLineGoal::RECOVERY_TARGET_TIMELINE_CONTROLFILE;
  } else if (absl::SimpleAtoi(t, &rtli) && rtli > 0) {
    recoveryTargetTimeLineGoal = RecoveryTargetTimeLineGoal::RECOVERY_TARGET_TIMELINE_NUMERIC;
    recoveryTargetTLIRequested = rtli;
    absl::StatusOr<bool> exists =
        co_await existsTimeLineHistory(os_, shm_.data_dir, shm_.behavior.server_version_num, rtli);
    if (rtli != 1 && (!exists.ok() || !*exists)) {
      co_await Fatal(absl::StrFormat("recovery target timeline %u does not exist", rtli));
    }
    recoveryTargetTLI = rtli;
  } else {
    co_await Fatal(absl::StrFormat(
        "invalid value for parameter \"recovery_target_timeline\": \"%s\"", t));
  }
}

os::Task<const wal::WalRecord*> XLogRecovery::ReadCheckpointRecord(
    XLogRecPtr RecPtr, TimeLineID replayTLI) {
  // XRecOffIsValid: not inside a page header.
  if (wal::XLogPageOffset(RecPtr) < wal::kSizeOfXLogRecord) {
    Report(Elevel::LOG, "invalid primary checkpoint link in control file");
    co_return nullptr;
  }
  BeginRead(RecPtr);
  const wal::WalRecord* record = co_await ReadRecord(Elevel::LOG, true, replayTLI);
  if (record == nullptr) {
    Report(Elevel::LOG, "invalid primary checkpoint record");
    co_return nullptr;
  }
  if (record->rmid() != wal::RM_XLOG_ID) {
    Report(Elevel::LOG, "invalid resource manager ID in primary checkpoint record");
    co_return nullptr;
  }
  if (record->info() != wal::XLOG_CHECKPOINT_SHUTDOWN &&
      record->info() != wal::XLOG_CHECKPOINT_ONLINE) {
    Report(Elevel::LOG, "invalid xl_info in primary checkpoint record");
    co_return nullptr;
  }
  if (record->main_data.size() != wal::kSizeOfCheckPoint || !record->blocks.empty()) {
    Report(Elevel::LOG, "invalid length of primary checkpoint record");
    co_return nullptr;
  }
  co_return record;
}

os::Task<> XLogRecovery::InitWalRecovery(bool* wasShutdown) {
  node::ControlFileData& cf = shm_.ControlFile;
  recoveryTargetTLI = std::max(cf.minRecoveryPointTLI, cf.checkPointCopy.ThisTimeLineID);
  co_await readRecoverySignalFile();
  co_await validateRecoveryParameters();
  shm_.XLogCtl.RecoveryTargetTLI = recoveryTargetTLI;
  if (ArchiveRecoveryRequested) {
    Report(Elevel::LOG, StandbyModeRequested ? "entering standby mode"
                                             : "starting archive recovery");
  }
  // expectedTLEs (PostgreSQL reads it lazily on the first segment open).
  absl::StatusOr<wal::TimeLineHistory> tles = co_await readTimeLineHistory(
      os_, shm_.data_dir, shm_.behavior.server_version_num, recoveryTargetTLI);
  if (!tles.ok()) co_await Fatal(std::string(tles.status().message()));
  expectedTLEs = *std::move(tles);

  // No backup_label in the simulation: start from pg_control's checkpoint.
  if (ArchiveRecoveryRequested &&
      (cf.minRecoveryPoint != 0 || cf.backupEndRequired || cf.backupEndPoint != 0 ||
       cf.state == node::DBState::DB_SHUTDOWNED)) {
    InArchiveRecovery = true;
    if (StandbyModeRequested) StandbyMode = true;
  }
  CheckPointLoc = cf.checkPoint;
  CheckPointTLI = cf.checkPointCopy.ThisTimeLineID;
  RedoStartLSN = cf.checkPointCopy.redo;
  RedoStartTLI = cf.checkPointCopy.ThisTimeLineID;
  const wal::WalRecord* record = co_await ReadCheckpointRecord(CheckPointLoc, CheckPointTLI);
  if (record == nullptr) co_await Panic("could not locate a valid checkpoint record");
  Report(Elevel::DEBUG1, absl::StrFormat("checkpoint record is at %s",
                                         wal::LsnToString(CheckPointLoc)));
  absl::StatusOr<wal::CheckPoint> checkPoint = wal::DecodeCheckPoint(record->main_data);
  CHECK(checkPoint.ok()) << checkPoint.status();  // length checked above
  *wasShutdown = record->info() == wal::XLOG_CHECKPOINT_SHUTDOWN;

  // The checkpoint must lie on its own timeline in the target's history.
  absl::StatusOr<TimeLineID> tli_at = wal::tliOfPointInHistory(CheckPointLoc, expectedTLEs);
  if (!tli_at.ok() || *tli_at != CheckPointTLI) {
    absl::StatusOr<XLogRecPtr> switchpoint = wal::tliSwitchPoint(CheckPointTLI, expectedTLEs);
    co_await Fatal(
        absl::StrFormat("requested timeline %u is not a child of this server's history",
                        recoveryTargetTLI),
        absl::StrFormat("Latest checkpoint is at %s on timeline %u, but in the history "
                        "of the requested timeline, the server forked off from that "
                        "timeline at %s.",
                        wal::LsnToString(CheckPointLoc), CheckPointTLI,
                        wal::LsnToString(switchpoint.ok() ? *switchpoint : 0)));
  }
  if (cf.minRecoveryPoint != 0) {
    absl::StatusOr<TimeLineID> t = wal::tliOfPointInHistory(cf.minRecoveryPoint - 1, expectedTLEs);
    if (!t.ok() || *t != cf.minRecoveryPointTLI) {
      co_await Fatal(absl::StrFormat(
          "requested timeline %u does not contain minimum recovery point %s on timeline %u",
          recoveryTargetTLI, wal::LsnToString(cf.minRecoveryPoint), cf.minRecoveryPointTLI));
    }
  }
  Report(Elevel::DEBUG1, absl::StrFormat("redo record is at %s; shutdown %s",
                                         wal::LsnToString(checkPoint->redo),
                                         *wasShutdown ? "true" : "false"));
  if (checkPoint->redo > CheckPointLoc) co_await Panic("invalid redo in checkpoint record");
  if (checkPoint->redo < CheckPointLoc) {
    if (*wasShutdown) co_await Panic("invalid redo record in shutdown checkpoint");
    InRecovery = true;
  } else if (cf.state != node::DBState::DB_SHUTDOWNED || ArchiveRecoveryRequested) {
    InRecovery = true;
  }
  if (InRecovery) {
    if (InArchiveRecovery) {
      cf.state = node::DBState::DB_IN_ARCHIVE_RECOVERY;
    } else {
      Report(Elevel::LOG,
             "database system was not properly shut down; automatic recovery in progress");
      if (recoveryTargetTLI > cf.checkPointCopy.ThisTimeLineID) {
        Report(Elevel::LOG,
               absl::StrFormat("crash recovery starts in timeline %u and has target timeline %u",
                               cf.checkPointCopy.ThisTimeLineID, recoveryTargetTLI));
      }
      cf.state = node::DBState::DB_IN_CRASH_RECOVERY;
    }
    cf.checkPoint = CheckPointLoc;
    cf.checkPointCopy = *checkPoint;
    if (InArchiveRecovery && cf.minRecoveryPoint < checkPoint->redo) {
      cf.minRecoveryPoint = checkPoint->redo;
      cf.minRecoveryPointTLI = checkPoint->ThisTimeLineID;
    }
  }
  if (InArchiveRecovery) {
    minRecoveryPoint = cf.minRecoveryPoint;
    minRecoveryPointTLI = cf.minRecoveryPointTLI;
  }
}

os::Task<EndOfWalRecoveryInfo> XLogRecovery::FinishWalRecovery() {
  EndOfWalRecoveryInfo result;
  // Whatever the walreceiver has not written is lost now (RW-12).
  co_await XLogShutdownWalRcv();
  StandbyMode = false;
  XLogRecPtr lastRec;
  TimeLineID lastRecTLI;
  if (!InRecovery) {
    lastRec = CheckPointLoc;
    lastRecTLI = CheckPointTLI;
  } else {
    lastRec = shm_.XLogCtl.lastReplayedReadRecPtr;
    lastRecTLI = shm_.XLogCtl.lastReplayedTLI;
  }
  // Re-read the last valid record: its end is the end of WAL.
  BeginRead(lastRec);
  const bool awaited_1 = co_await ReadRecord(Elevel::PANIC, false, lastRecTLI) == nullptr;
  if (awaited_1) {
    co_await Panic(absl::StrFormat("could not re-read the last record at %s",
                                   wal::LsnToString(lastRec)));
  }
  result.endOfLog = xlogreader_->EndRecPtr();
  result.endOfLogTLI = curFileTLI_;
  if (ArchiveRecoveryRequested) {
    InArchiveRecovery = false;
    CloseReadFile();
  }
  result.recoveryStopReason = "no recovery target specified";
  result.lastRec = lastRec;
  result.lastRecTLI = lastRecTLI;
  result.abortedRecPtr = abortedRecPtr;
  result.missingContrecPtr = missingContrecPtr;
  result.standby_signal_file_found = standby_signal_file_found;
  result.recovery_signal_file_found = recovery_signal_file_found;
  result.recovery_command_file_found = recovery_command_file_found;
  co_return result;
}

}  // namespace replsim::recovery
