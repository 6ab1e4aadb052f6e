// restore_command in archive recovery (xlogarchive.c of PostgreSQL 15:
// RestoreArchivedFile, KeepFileRestoredFromArchive; timeline.c's archive
// probes of findNewestTimeLine and restoreTimeLineHistoryFiles).
//
// The command is the simulated scp/rsync of protocol/archive/remote_copy.h,
// run inside the startup process as system() runs it. A restored file
// arrives as <XLOGDIR>/RECOVERYXLOG (RECOVERYHISTORY for a history file)
// and is kept under its own name (15 keeps every restored file, replacing
// a pg_wal copy), marked .done (.ready with archive_mode = always).
// Differences: the restored segment's size is not checked against 16 MiB
// (replsim's files hold only the bytes written, see xlog_io.h), and the
// history files of newer timelines are kept in pg_wal as they are probed,
// where PostgreSQL keeps them when it reads them; the timeline chosen is
// the same.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/archive/remote_copy.h"
#include "protocol/recovery/xlogrecovery.h"
#include "protocol/xlog/xlog_io.h"
#include "protocol/xlog/xlogarchive.h"

namespace replsim::recovery {

os::Task<bool> XLogRecovery::RestoreArchivedFile(const std::string& xlogfname,
                                                 const std::string& recovername) {
  if (!ArchiveRecoveryRequested || shm_.gucs.restore_command.empty()) co_return false;
  const std::string dir = xlog::XLogDirName(shm_.behavior.server_version_num);
  const std::string relpath = absl::StrCat(dir, "/", recovername);
  const std::string xlogpath = absl::StrCat(shm_.data_dir, "/", relpath);
  os_.Unlink(xlogpath);
  const std::string cmd =
      archive::SubstituteCommand(shm_.gucs.restore_command, relpath, xlogfname);
  Report(Elevel::DEBUG2, absl::StrFormat("executing restore command \"%s\"", cmd));
  const int rc = co_await archive::RunCopyCommand(os_, cmd, shm_.data_dir);
  if (rc == 0 && os_.Stat(xlogpath).ok()) {
    Report(Elevel::LOG, absl::StrFormat("restored log file \"%s\" from archive", xlogfname));
    // KeepFileRestoredFromArchive.
    const std::string xlogfpath = absl::StrCat(shm_.data_dir, "/", dir, "/", xlogfname);
    os_.Unlink(xlogfpath);
    if (os_.Rename(xlogpath, xlogfpath) != os::Errno::kOk) co_return false;
    co_await os_.FsyncDir(absl::StrCat(shm_.data_dir, "/", dir));
    if (xlog::XLogArchivingActive(shm_)) xlog::XLogArchiveReceived(os_, shm_, xlogfname);
    co_return true;
  }
  // A command killed by a signal, or a shell's hard error, is fatal.
  if (rc > 125) {
    co_await Fatal(absl::StrFormat("could not restore file \"%s\" from archive: command "
                                   "not found",
                                   xlogfname));
  }
  Report(Elevel::DEBUG2,
         absl::StrFormat("could not restore file \"%s\" from archive: child process exited "
                         "with exit code %d",
                         xlogfname, rc));
  co_return false;
}

bool XLogRecovery::IsHistoryName(const std::string& name) {
  return name.size() == 16 && name.substr(8) == ".history";
}

os::Task<> XLogRecovery::RestoreNewerHistoryFiles(TimeLineID from) {
  if (!ArchiveRecoveryRequested || shm_.gucs.restore_command.empty()) co_return;
  for (TimeLineID probe = from + 1;; ++probe) {
    const bool restored = co_await RestoreArchivedFile(wal::TLHistoryFileName(probe),
                                                       "RECOVERYHISTORY");
    if (!restored) co_return;
  }
}

}  // namespace replsim::recovery
