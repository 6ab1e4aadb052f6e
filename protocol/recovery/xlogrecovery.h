// File: protocol/recovery/xlogrecovery.h
//
// The startup process's WAL recovery, following PostgreSQL 15's
// access/transam/xlogrecovery.c function by function (9.3 did the same inside
// xlog.c's StartupXLOG). XLogRecovery holds what xlogrecovery.c keeps in
// file-static variables (StandbyMode, InArchiveRecovery, recoveryTargetTLI,
// expectedTLEs, currentSource, lastSourceFailed, readFile/readSegNo/
// readSource, curFileTLI, flushedUpto, receiveTLI, ...); the shared part
// (XLogRecoveryCtl) is shm.XLogCtl.
//
// Split by concept:
//  * xlogrecovery.cc   InitWalRecovery (signal files, target timeline,
//                      checkpoint, "not a child of this server's history"),
//                      FinishWalRecovery;
//  * redo_loop.cc      PerformWalRecovery, ApplyWalRecord,
//                      checkTimeLineSwitch, CheckRecoveryConsistency;
//  * xlog_page_read.cc the page cache, XLogPageRead, ReadRecord;
//  * wait_for_wal.cc   WaitForWALToBecomeAvailable, XLogFileReadAnyTLI,
//                      rescanLatestTimeLine, CheckForStandbyTrigger.
//
// Reading: wal::XLogReaderState has a synchronous page callback, while
// PostgreSQL's XLogPageRead blocks. The callback serves pages from a small
// in-process cache and answers kUnavailable for anything else; ReadRecord
// then awaits XLogPageRead for that page (which runs
// WaitForWALToBecomeAvailable and preads the segment file into the cache)
// and retries, which the reader allows because kUnavailable advances
// nothing. A page read from a STREAM source holds only bytes below
// WalRcv.receivedUpto (RW-15): what was written but not fsynced by the
// walreceiver is never replayed while streaming.
//
// Race windows exposed: RW-12 (the trigger is seen only on source failure
// or in the 5 s stream wait), RW-13 (the ARCHIVE/PG_WAL/STREAM cycle and the
// wal_retrieve_retry_interval pause), RW-14 (STARTING expires after 10 s),
// RW-15, RW-17 (rescan only after a STREAM failure, findNewestTimeLine
// stops at a gap).
#ifndef REPLSIM_PROTOCOL_RECOVERY_XLOGRECOVERY_H_
#define REPLSIM_PROTOCOL_RECOVERY_XLOGRECOVERY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/wal/lsn.h"
#include "protocol/wal/segment.h"
#include "protocol/wal/timeline_history.h"
#include "protocol/wal/wal_reader.h"

namespace replsim::recovery {

using wal::TimeLineID;
using wal::XLogRecPtr;

// XLogSource (xlogrecovery.c), with xlogSourceNames: XLOG_FROM_PG_WAL is
// named after the release's WAL directory ("pg_xlog" before 10).
enum class XLogSource { XLOG_FROM_ANY = 0, XLOG_FROM_ARCHIVE, XLOG_FROM_PG_WAL,
                        XLOG_FROM_STREAM };
const char* XLogSourceName(XLogSource s, int server_version_num);

enum class RecoveryTargetTimeLineGoal {
  RECOVERY_TARGET_TIMELINE_CONTROLFILE,
  RECOVERY_TARGET_TIMELINE_LATEST,
  RECOVERY_TARGET_TIMELINE_NUMERIC,
};

// elog levels the recovery code picks at run time.
enum class Elevel { DEBUG2, DEBUG1, LOG, PANIC };
const char* ElevelName(Elevel e);

// What the startup process's signal handlers set (startup.c).
struct StartupSignals {
  bool got_SIGHUP = false;
  bool shutdown_requested = false;
  bool promote_signaled = false;
};

// FinishWalRecovery's result (EndOfWalRecoveryInfo).
struct EndOfWalRecoveryInfo {
  XLogRecPtr lastRec = 0;
  TimeLineID lastRecTLI = 0;
  XLogRecPtr endOfLog = 0;
  TimeLineID endOfLogTLI = 0;
  XLogRecPtr abortedRecPtr = 0;
  XLogRecPtr missingContrecPtr = 0;
  std::string recoveryStopReason;
  bool standby_signal_file_found = false;
  bool recovery_signal_file_found = false;
  bool recovery_command_file_found = false;  // recovery.conf, before 12
};

class XLogRecovery {
 public:
  XLogRecovery(os::Os& os, node::NodeShmem& shm, StartupSignals& signals);

  // ---- xlogrecovery.cc ----
  // Reads the signal files and the checkpoint; FATALs/PANICs as PostgreSQL.
  // Sets InRecovery when redo is needed.
  os::Task<> InitWalRecovery(bool* wasShutdown);
  os::Task<EndOfWalRecoveryInfo> FinishWalRecovery();
  os::Task<> HandleStartupProcInterrupts();
  os::Task<> XLogShutdownWalRcv();
  // FATAL / PANIC: log, then exit 1 / 2 (never resumes).
  os::Task<> Fatal(std::string message, std::string detail = "");
  os::Task<> Panic(std::string message);

  // ---- redo_loop.cc ----
  os::Task<> PerformWalRecovery();

  // ---- xlog_page_read.cc ----
  // ReadRecord: nullptr at the end of valid WAL (or when promoted).
  os::Task<const wal::WalRecord*> ReadRecord(Elevel emode, bool fetching_ckpt,
                                             TimeLineID replayTLI);
  void BeginRead(XLogRecPtr rec_ptr);

  // ---- wait_for_wal.cc ----
  bool CheckForStandbyTrigger();
  os::Task<bool> rescanLatestTimeLine(TimeLineID replayTLI, XLogRecPtr replayLSN);

  wal::XLogReaderState& reader() { return *xlogreader_; }

  // ---- State (xlogrecovery.c's statics) ----
  bool ArchiveRecoveryRequested = false;
  bool StandbyModeRequested = false;
  bool InArchiveRecovery = false;
  bool StandbyMode = false;
  bool InRecovery = false;
  bool standby_signal_file_found = false;
  bool recovery_signal_file_found = false;
  bool recovery_command_file_found = false;
  RecoveryTargetTimeLineGoal recoveryTargetTimeLineGoal =
      RecoveryTargetTimeLineGoal::RECOVERY_TARGET_TIMELINE_LATEST;
  TimeLineID recoveryTargetTLIRequested = 0;
  TimeLineID recoveryTargetTLI = 0;
  wal::TimeLineHistory expectedTLEs;
  XLogRecPtr CheckPointLoc = 0;
  TimeLineID CheckPointTLI = 0;
  XLogRecPtr RedoStartLSN = 0;
  TimeLineID RedoStartTLI = 0;
  XLogRecPtr minRecoveryPoint = 0;
  TimeLineID minRecoveryPointTLI = 0;
  bool reachedConsistency = false;
  bool LocalHotStandbyActive = false;
  // standbyState == STANDBY_SNAPSHOT_READY: see redo_loop.cc.
  bool standbySnapshotReady = false;
  bool LocalPromoteIsTriggered = false;
  XLogRecPtr abortedRecPtr = 0;
  XLogRecPtr missingContrecPtr = 0;

 private:
  enum class XLogPageReadResult { XLREAD_SUCCESS, XLREAD_FAIL };
  struct CachedPage {
    std::vector<uint8_t> bytes;  // kXLogBlcksz
    uint32_t valid_len = 0;
    TimeLineID file_tli = 0;
  };

  // xlog_page_read.cc
  wal::PageReadResult ServePage(XLogRecPtr page_ptr, uint32_t req_len,
                                absl::Span<uint8_t> out);
  os::Task<XLogPageReadResult> XLogPageRead(XLogRecPtr targetPagePtr,
                                            uint32_t reqLen);
  Elevel emode_for_corrupt_record(Elevel emode, XLogRecPtr RecPtr);
  void Report(Elevel level, const std::string& message);
  void CloseReadFile();
  // wait_for_wal.cc
  os::Task<XLogPageReadResult> WaitForWALToBecomeAvailable(
      XLogRecPtr RecPtr, bool randAccess, bool fetching_ckpt,
      XLogRecPtr tliRecPtr, TimeLineID replayTLI, XLogRecPtr replayLSN);
  os::Task<bool> XLogFileReadAnyTLI(wal::XLogSegNo segno, XLogSource source);
  os::Task<bool> XLogFileRead(wal::XLogSegNo segno, TimeLineID tli,
                              XLogSource source);
  // restore_command.cc
  // Restores `xlogfname` from the archive as `recovername` and keeps it in
  // the WAL directory under its own name; false when the archive does not
  // have it or restore_command is not set.
  os::Task<bool> RestoreArchivedFile(const std::string& xlogfname,
                                     const std::string& recovername);
  // The archive's history files of timelines after `from`, up to the first
  // it lacks (findNewestTimeLine's probes).
  os::Task<> RestoreNewerHistoryFiles(TimeLineID from);
  static bool IsHistoryName(const std::string& name);
  // redo_loop.cc
  os::Task<> ApplyWalRecord(const wal::WalRecord& record, TimeLineID* replayTLI);
  os::Task<> checkTimeLineSwitch(XLogRecPtr lsn, TimeLineID newTLI,
                                 TimeLineID prevTLI, TimeLineID replayTLI);
  void CheckRecoveryConsistency();
  // xlogrecovery.cc
  // 12+: standby.signal / recovery.signal. Before 12 (node/recovery_conf.h)
  // readRecoveryCommandFile: recovery.conf's parameters, standby_mode.
  os::Task<> readRecoverySignalFile();
  os::Task<> readRecoveryCommandFile();
  os::Task<> validateRecoveryParameters();
  os::Task<const wal::WalRecord*> ReadCheckpointRecord(XLogRecPtr RecPtr,
                                                       TimeLineID replayTLI);

  os::Os& os_;
  node::NodeShmem& shm_;
  StartupSignals& signals_;
  std::unique_ptr<wal::XLogReaderState> xlogreader_;

  // XLogPageRead's private data and state.
  Elevel emode_ = Elevel::LOG;
  bool fetching_ckpt_ = false;
  bool randAccess_ = false;
  TimeLineID replayTLI_ = 0;
  std::optional<std::pair<XLogRecPtr, uint32_t>> wanted_;  // page, reqLen
  std::map<XLogRecPtr, CachedPage> pages_;
  std::vector<uint8_t> spare_page_;  // an evicted page's buffer, for the next read
  bool readFileOpen_ = false;   // readFile >= 0
  wal::XLogSegNo readSegNo_ = 0;
  XLogSource readSource_ = XLogSource::XLOG_FROM_ANY;
  XLogSource currentSource_ = XLogSource::XLOG_FROM_ANY;
  bool lastSourceFailed_ = false;
  TimeLineID curFileTLI_ = 0;
  XLogRecPtr flushedUpto_ = 0;
  TimeLineID receiveTLI_ = 0;
  XLogRecPtr lastComplaint_ = 0;
  std::optional<os::Instant> last_fail_time_;
};

}  // namespace replsim::recovery

#endif  // REPLSIM_PROTOCOL_RECOVERY_XLOGRECOVERY_H_
