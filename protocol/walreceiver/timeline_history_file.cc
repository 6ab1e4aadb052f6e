// writeTimeLineHistoryFile (timeline.c) and durable_rename (fd.c) of
// PostgreSQL 15, over os::Os.
#include "protocol/walreceiver/timeline_history_file.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/types/span.h"
#include "protocol/wal/segment.h"
#include "protocol/walreceiver/errno_text.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::walreceiver {
namespace {

absl::Status FileError(const char* what, const std::string& path, os::Errno e) {
  return absl::InternalError(
      absl::StrFormat("could not %s file \"%s\": %s", what, path, FileErrorText(e)));
}

absl::Status SyncError(const std::string& path, os::Errno e) {
  return absl::DataLossError(
      absl::StrFormat("could not fsync file \"%s\": %s", path, FileErrorText(e)));
}

}  // namespace

std::string TimeLineHistoryFilePath(const std::string& data_dir, wal::TimeLineID tli) {
  return absl::StrCat(xlog::XLogDir(data_dir), "/", wal::TLHistoryFileName(tli));
}

bool existsTimeLineHistory(os::Os& os, const std::string& data_dir, wal::TimeLineID tli) {
  // Timeline 1 has no history file.
  if (tli == 1) return false;
  return os.Stat(TimeLineHistoryFilePath(data_dir, tli)).ok();
}

os::Task<absl::Status> writeTimeLineHistoryFile(os::Os& os, const std::string& data_dir,
                                                wal::TimeLineID tli,
                                                absl::string_view content) {
  const std::string dir = xlog::XLogDir(data_dir);
  const std::string tmppath = absl::StrCat(dir, "/xlogtemp.", os.MyPid());
  const std::string path = TimeLineHistoryFilePath(data_dir, tli);
  os.Unlink(tmppath);
  os::Result<os::Fd> fd = os.Open(tmppath, os::kOpenReadWrite | os::kOpenCreate |
                                               os::kOpenExclusive);
  if (!fd.ok()) co_return FileError("create", tmppath, fd.error());
  auto bytes = absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(content.data()),
                                   content.size());
  os::Result<size_t> w = co_await os.PWrite(*fd, bytes, 0);
  if (!w.ok() || *w != content.size()) {
    os.Close(*fd);
    os.Unlink(tmppath);
    // A short write without an errno means the disk is full.
    co_return FileError("write to", tmppath, w.ok() ? os::Errno::kENOSPC : w.error());
  }
  os::Errno e = co_await os.Fsync(*fd);
  os.Close(*fd);
  if (e != os::Errno::kOk) co_return SyncError(tmppath, e);

  // durable_rename: fsync the file (done above), rename, fsync the directory.
  e = os.Rename(tmppath, path);
  if (e != os::Errno::kOk) {
    co_return absl::InternalError(absl::StrFormat("could not rename file \"%s\" to \"%s\": %s",
                                                  tmppath, path, FileErrorText(e)));
  }
  e = co_await os.FsyncDir(dir);
  if (e != os::Errno::kOk) co_return SyncError(dir, e);
  co_return absl::OkStatus();
}

}  // namespace replsim::walreceiver
