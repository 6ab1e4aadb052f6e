#include "protocol/xlog/xlogarchive.h"

#include "absl/strings/str_cat.h"
#include "protocol/os/signal.h"
#include "protocol/wal/timeline_history.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::xlog {
namespace {

bool Exists(os::Os& os, const std::string& path) { return os.Stat(path).ok(); }

// 15's IsTLHistoryFileName: 8 hex digits + ".history".
bool IsTLHistoryFileName(std::string_view name) {
  return name.size() == 16 && name.substr(8) == ".history";
}

// 15: PgArchWakeup sets the archiver's latch. 9.3:
// SendPostmasterSignal(PMSIGNAL_WAKEN_ARCHIVER); the postmaster relays it.
void WakeArchiver(os::Os& os, node::NodeShmem& shm) {
  if (shm.behavior.server_version_num >= 150000) {
    if (shm.PgArch.latch != nullptr) shm.PgArch.latch->Set();
    return;
  }
  if (shm.postmaster_pid == 0) return;
  shm.PMSignalState.PMSignalFlags[static_cast<int>(
      node::PMSignalReason::PMSIGNAL_WAKEN_ARCHIVER)] = true;
  os.Kill(shm.postmaster_pid, os::Signal::kSIGUSR1);
}

// AllocateFile(path, "w") + FreeFile: created (or truncated), not fsynced.
bool CreateEmptyFile(os::Os& os, const std::string& path) {
  os::Result<os::Fd> fd = os.Open(path, os::kOpenReadWrite | os::kOpenCreate |
                                            os::kOpenTruncate);
  if (!fd.ok()) return false;
  os.Close(*fd);
  return true;
}

}  // namespace

bool XLogArchivingActive(const node::NodeShmem& shm) { return shm.gucs.archive_mode; }

bool XLogArchivingAlways(const node::NodeShmem& shm) {
  return shm.behavior.archive_mode_always && shm.gucs.archive_mode_always;
}

std::string StatusFilePath(const node::NodeShmem& shm, std::string_view xlog,
                           std::string_view suffix) {
  return absl::StrCat(XLogDir(shm), "/", kArchiveStatusDir, "/", std::string(xlog),
                      std::string(suffix));
}

void XLogArchiveNotify(os::Os& os, node::NodeShmem& shm, std::string_view xlog) {
  const std::string path = StatusFilePath(shm, xlog, ".ready");
  if (!CreateEmptyFile(os, path)) {
    os.Log("LOG", absl::StrCat("could not create archive status file \"",
                               path.substr(shm.data_dir.size() + 1), "\": No such file or directory"));
    return;
  }
  if (IsTLHistoryFileName(xlog)) shm.PgArch.force_dir_scan = true;
  WakeArchiver(os, shm);
}

void XLogArchiveNotifySeg(os::Os& os, node::NodeShmem& shm, wal::TimeLineID tli,
                          wal::XLogSegNo segno) {
  XLogArchiveNotify(os, shm, wal::XLogFileName(tli, segno));
}

void XLogArchiveForceDone(os::Os& os, node::NodeShmem& shm, std::string_view xlog) {
  const std::string done = StatusFilePath(shm, xlog, ".done");
  if (Exists(os, done)) return;
  const std::string ready = StatusFilePath(shm, xlog, ".ready");
  if (Exists(os, ready)) {
    if (os.Rename(ready, done) != os::Errno::kOk) {
      os.Log("WARNING", absl::StrCat("could not rename file \"", ready, "\" to \"", done, "\""));
    }
    return;
  }
  if (!CreateEmptyFile(os, done)) {
    os.Log("LOG", absl::StrCat("could not create archive status file \"",
                               done.substr(shm.data_dir.size() + 1), "\""));
  }
}

bool XLogArchiveCheckDone(os::Os& os, node::NodeShmem& shm, std::string_view xlog) {
  if (!XLogArchivingActive(shm)) return true;
  // ffd37740ee (9.5): in archive recovery a segment is deletable unless this
  // server archives what it receives (archive_mode = always).
  if (shm.behavior.archive_mode_always && !XLogArchivingAlways(shm) &&
      shm.XLogCtl.SharedRecoveryInProgress &&
      shm.ControlFile.state == node::DBState::DB_IN_ARCHIVE_RECOVERY) {
    return true;
  }
  if (Exists(os, StatusFilePath(shm, xlog, ".done"))) return true;
  if (Exists(os, StatusFilePath(shm, xlog, ".ready"))) return false;
  if (Exists(os, StatusFilePath(shm, xlog, ".done"))) return true;
  XLogArchiveNotify(os, shm, xlog);
  return false;
}

void XLogArchiveCleanup(os::Os& os, node::NodeShmem& shm, std::string_view xlog) {
  os.Unlink(StatusFilePath(shm, xlog, ".done"));
  os.Unlink(StatusFilePath(shm, xlog, ".ready"));
}

bool XLogArchiveIsReadyOrDone(os::Os& os, node::NodeShmem& shm, std::string_view xlog) {
  return Exists(os, StatusFilePath(shm, xlog, ".done")) ||
         Exists(os, StatusFilePath(shm, xlog, ".ready"));
}

os::Task<> ArchivePartialSegment(os::Os& os, node::NodeShmem& shm, wal::TimeLineID end_tli,
                                 wal::XLogRecPtr end_of_log) {
  if (!shm.behavior.partial_segment_at_promotion || !XLogArchivingActive(shm) ||
      wal::XLogSegmentOffset(end_of_log) == 0) {
    co_return;
  }
  const wal::XLogSegNo segno = wal::XLByteToSeg(end_of_log - 1);  // XLByteToPrevSeg
  const std::string orig = wal::XLogFileName(end_tli, segno);
  if (XLogArchiveIsReadyOrDone(os, shm, orig)) co_return;
  const std::string partial = orig + ".partial";
  const std::string path = XLogFilePath(shm, end_tli, segno);
  XLogArchiveCleanup(os, shm, partial);
  if (os.Rename(path, path + ".partial") != os::Errno::kOk) co_return;
  co_await os.FsyncDir(XLogDir(shm));  // durable_rename
  XLogArchiveNotify(os, shm, partial);
}

void XLogArchiveReceived(os::Os& os, node::NodeShmem& shm, std::string_view xlog) {
  if (XLogArchivingAlways(shm)) {
    XLogArchiveNotify(os, shm, xlog);
  } else {
    XLogArchiveForceDone(os, shm, xlog);
  }
}

}  // namespace replsim::xlog
