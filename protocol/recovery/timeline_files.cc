#include "protocol/recovery/timeline_files.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "protocol/os/check.h"
#include "protocol/wal/segment.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::recovery {
namespace {

// PostgreSQL's "could not <what> file" text. A failed fsync is DataLoss: it
// is raised at data_sync_elevel (PANIC), where other file errors are ERRORs.
absl::Status FileError(const std::string& what, const std::string& path,
                       os::Errno e) {
  std::string text =
      absl::StrCat("could not ", what, " file \"", path, "\": ", std::string(os::StrError(e)));
  return what == "fsync" ? absl::DataLossError(text) : absl::InternalError(text);
}

absl::Span<const uint8_t> AsBytes(const std::string& s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace

std::string TLHistoryFilePath(const std::string& data_dir, int server_version_num, TimeLineID tli) {
  return absl::StrCat(xlog::XLogDir(data_dir, server_version_num), "/",
                      wal::TLHistoryFileName(tli));
}

os::Task<absl::StatusOr<std::optional<std::string>>> ReadWholeFile(
    os::Os& os, const std::string& path) {
  os::Result<os::Fd> fd = os.Open(path, os::kOpenRead);
  if (!fd.ok()) {
    if (fd.error() == os::Errno::kENOENT) co_return std::optional<std::string>();
    co_return FileError("open", path, fd.error());
  }
  std::string content;
  std::vector<uint8_t> buf(8192);
  int64_t off = 0;
  for (;;) {
    os::Result<size_t> r = co_await os.PRead(*fd, absl::MakeSpan(buf), off);
    if (!r.ok()) {
      os.Close(*fd);
      co_return FileError("read", path, r.error());
    }
    if (*r == 0) break;
    content.append(reinterpret_cast<const char*>(buf.data()), *r);
    off += static_cast<int64_t>(*r);
  }
  os.Close(*fd);
  co_return std::optional<std::string>(std::move(content));
}

os::Task<absl::StatusOr<bool>> existsTimeLineHistory(os::Os& os, const std::string& data_dir,
                                                     int server_version_num, TimeLineID probe_tli) {
  if (probe_tli == 1) co_return false;
  const std::string path = TLHistoryFilePath(data_dir, server_version_num, probe_tli);
  os::Result<os::Fd> fd = os.Open(path, os::kOpenRead);
  if (fd.ok()) {
    os.Close(*fd);
    co_return true;
  }
  if (fd.error() == os::Errno::kENOENT) co_return false;
  co_return FileError("open", path, fd.error());
}

os::Task<absl::StatusOr<TimeLineID>> findNewestTimeLine(os::Os& os, const std::string& data_dir,
                                                        int server_version_num,
                                                        TimeLineID start_tli) {
  TimeLineID newest = start_tli;
  for (TimeLineID probe = start_tli + 1;; ++probe) {
    absl::StatusOr<bool> exists =
        co_await existsTimeLineHistory(os, data_dir, server_version_num, probe);
    if (!exists.ok()) co_return exists.status();
    if (!*exists) break;
    newest = probe;
  }
  co_return newest;
}

os::Task<absl::StatusOr<wal::TimeLineHistory>> readTimeLineHistory(os::Os& os,
                                                                   const std::string& data_dir,
                                                                   int server_version_num,
                                                                   TimeLineID target_tli) {
  if (target_tli == 1) co_return wal::HistoryWithoutFile(1);
  absl::StatusOr<std::optional<std::string>> content =
      co_await ReadWholeFile(os, TLHistoryFilePath(data_dir, server_version_num, target_tli));
  if (!content.ok()) co_return content.status();
  // Not there: assume no parents.
  if (!content->has_value()) co_return wal::HistoryWithoutFile(target_tli);
  co_return wal::ParseTimeLineHistory(target_tli, **content);
}

os::Task<absl::Status> writeTimeLineHistory(os::Os& os,
                                            const std::string& data_dir,
                                            TimeLineID new_tli,
                                            TimeLineID parent_tli,
                                            XLogRecPtr switchpoint,
                                            const std::string& reason,
                                            int server_version_num, bool durable_rename) {
  CHECK_GT(new_tli, parent_tli) << "bad selection of newTLI";
  absl::StatusOr<std::optional<std::string>> parent =
      co_await ReadWholeFile(os, TLHistoryFilePath(data_dir, server_version_num, parent_tli));
  if (!parent.ok()) co_return parent.status();
  std::optional<std::string_view> parent_content;
  if (parent->has_value()) parent_content = **parent;
  const std::string content =
      wal::WriteTimeLineHistory(parent_content, parent_tli, switchpoint, reason);
  co_return co_await WriteFileDurably(os, data_dir,
                                      TLHistoryFilePath(data_dir, server_version_num, new_tli),
                                      AsBytes(content), server_version_num, 0, durable_rename);
}

os::Task<absl::Status> writeTimeLineHistoryFile(os::Os& os,
                                                const std::string& data_dir,
                                                TimeLineID tli,
                                                const std::string& content,
                                                int server_version_num, bool durable_rename) {
  co_return co_await WriteFileDurably(os, data_dir,
                                      TLHistoryFilePath(data_dir, server_version_num, tli),
                                      AsBytes(content), server_version_num, 0, durable_rename);
}

namespace {

absl::Status RenameError(const std::string& from, const std::string& to, os::Errno e) {
  if (e == os::Errno::kOk) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("could not rename file \"", from, "\" to \"", to,
                                          "\": ", std::string(os::StrError(e))));
}

os::Task<absl::Status> WriteFileDurablyAbsolute(os::Os& os, const std::string& dir,
                                                const std::string& path,
                                                absl::Span<const uint8_t> content,
                                                int64_t zero_fill_to, bool durable_rename) {
  const std::string tmppath = absl::StrCat(dir, "/xlogtemp.", os.MyPid());
  os.Unlink(tmppath);
  os::Result<os::Fd> fd =
      os.Open(tmppath, os::kOpenReadWrite | os::kOpenCreate | os::kOpenExclusive);
  if (!fd.ok()) co_return FileError("create", tmppath, fd.error());
  if (!content.empty()) {
    os::Result<size_t> w = co_await os.PWrite(*fd, content, 0);
    if (!w.ok() || *w != content.size()) {
      os.Close(*fd);
      os.Unlink(tmppath);
      co_return FileError("write to", tmppath, w.ok() ? os::Errno::kENOSPC : w.error());
    }
  }
  if (zero_fill_to > 0) {
    const os::Errno z = co_await os.ReserveSpace(*fd, zero_fill_to);
    if (z != os::Errno::kOk) {
      os.Close(*fd);
      os.Unlink(tmppath);
      co_return FileError("write to", tmppath, z);
    }
  }
  os::Errno e = co_await os.Fsync(*fd);
  os.Close(*fd);
  if (e != os::Errno::kOk) co_return FileError("fsync", tmppath, e);
  if (durable_rename) co_return co_await DurableRename(os, tmppath, path, dir);
  // Before 1d4a0ab19a: the file's data is durable, its name is not.
  co_return RenameError(tmppath, path, os.Rename(tmppath, path));
}

}  // namespace

os::Task<absl::Status> WriteFileDurably(os::Os& os, const std::string& data_dir,
                                        const std::string& path,
                                        absl::Span<const uint8_t> content,
                                        int server_version_num, int64_t zero_fill_to,
                                        bool durable_rename) {
  absl::Status st = co_await WriteFileDurablyAbsolute(
      os, xlog::XLogDir(data_dir, server_version_num), path, content, zero_fill_to,
      durable_rename);
  if (st.ok()) co_return st;
  // PostgreSQL names these files relative to the data directory, its cwd.
  co_return absl::Status(st.code(),
                         absl::StrReplaceAll(st.message(), {{absl::StrCat(data_dir, "/"), ""}}));
}

os::Task<absl::Status> DurableRename(os::Os& os, const std::string& from,
                                     const std::string& to,
                                     const std::string& dir) {
  os::Result<os::Fd> fd = os.Open(from, os::kOpenReadWrite);
  if (!fd.ok()) co_return FileError("open", from, fd.error());
  os::Errno e = co_await os.Fsync(*fd);
  os.Close(*fd);
  if (e != os::Errno::kOk) co_return FileError("fsync", from, e);
  if (absl::Status st = RenameError(from, to, os.Rename(from, to)); !st.ok()) co_return st;
  fd = os.Open(to, os::kOpenReadWrite);
  if (!fd.ok()) co_return FileError("open", to, fd.error());
  e = co_await os.Fsync(*fd);
  os.Close(*fd);
  if (e != os::Errno::kOk) co_return FileError("fsync", to, e);
  e = co_await os.FsyncDir(dir);
  if (e != os::Errno::kOk) co_return FileError("fsync", dir, e);
  co_return absl::OkStatus();
}

}  // namespace replsim::recovery
