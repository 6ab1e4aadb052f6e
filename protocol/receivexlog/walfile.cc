// The segment files of pg_receivexlog (receivelog.c of 9.3): open_walfile
// (create or reopen "<segment>.partial", pad a new one with zeros),
// close_walfile (fsync, close, rename when complete) and the timeline
// history files.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/receivexlog/receivexlog_process.h"
#include "protocol/wal/segment.h"

namespace replsim::receivexlog {
namespace {

constexpr char kPartialSuffix[] = ".partial";

std::string ErrText(os::Errno e) { return std::string(os::ErrnoName(e)); }

}  // namespace

std::string ReceiveXlog::Path(const std::string& name) const {
  return absl::StrCat(options_.directory, "/", name);
}

os::Task<bool> ReceiveXlog::open_walfile(XLogRecPtr startpoint, TimeLineID timeline) {
  current_walfile_name_ = wal::XLogFileName(timeline, wal::XLByteToSeg(startpoint));
  const std::string fn = Path(absl::StrCat(current_walfile_name_, kPartialSuffix));
  os::Result<os::Fd> f = os_.Open(fn, os::kOpenReadWrite | os::kOpenCreate);
  if (!f.ok()) {
    Error(absl::StrFormat("could not open transaction log file \"%s\": %s", fn,
                          ErrText(f.error())));
    co_return false;
  }
  // Either empty (just created) or a complete, padded segment: anything in
  // between is a corrupt file.
  os::Result<os::FileStat> st = os_.Stat(fn);
  if (!st.ok()) {
    Error(absl::StrFormat("could not stat transaction log file \"%s\": %s", fn,
                          ErrText(st.error())));
    os_.Close(*f);
    co_return false;
  }
  if (st->size != wal::kWalSegSize) {
    if (st->size != 0) {
      Error(absl::StrFormat("transaction log file \"%s\" has %d bytes, should be 0 or %d", fn,
                            st->size, wal::kWalSegSize));
      os_.Close(*f);
      co_return false;
    }
    // New, empty file: pad it to the segment size with zeros.
    const std::vector<uint8_t> zeros(wal::kWalSegSize, 0);
    os::Result<size_t> w = co_await os_.PWrite(*f, zeros, 0);
    if (!w.ok() || *w != zeros.size()) {
      Error(absl::StrFormat("could not pad transaction log file \"%s\": %s", fn,
                            ErrText(w.ok() ? os::Errno::kENOSPC : w.error())));
      os_.Close(*f);
      os_.Unlink(fn);
      co_return false;
    }
  }
  walfile_ = *f;
  walfile_pos_ = 0;  // lseek(f, 0, SEEK_SET)
  co_return true;
}

os::Task<bool> ReceiveXlog::close_walfile(XLogRecPtr pos) {
  if (walfile_ == os::kNoFd) co_return true;
  const int64_t currpos = walfile_pos_;
  const std::string partial = absl::StrCat(current_walfile_name_, kPartialSuffix);
  const os::Errno fs = co_await os_.Fsync(walfile_);
  if (fs != os::Errno::kOk) {
    Error(absl::StrFormat("could not fsync file \"%s\": %s", partial, ErrText(fs)));
    co_return false;
  }
  const os::Errno cl = os_.Close(walfile_);
  walfile_ = os::kNoFd;
  if (cl != os::Errno::kOk) {
    Error(absl::StrFormat("could not close file \"%s\": %s", partial, ErrText(cl)));
    co_return false;
  }
  // A finished .partial file goes into place (9.3 does not fsync the
  // directory).
  if (currpos == wal::kWalSegSize) {
    const os::Errno rn = os_.Rename(Path(partial), Path(current_walfile_name_));
    if (rn != os::Errno::kOk) {
      Error(absl::StrFormat("could not rename file \"%s\": %s", partial, ErrText(rn)));
      co_return false;
    }
  } else {
    Log(absl::StrFormat("not renaming \"%s\", segment is not complete", partial));
  }
  lastFlushPosition_ = pos;
  co_return true;
}

bool ReceiveXlog::existsTimeLineHistoryFile(TimeLineID tli) {
  // Timeline 1 never has a history file.
  if (tli == 1) return true;
  return os_.Stat(Path(wal::TLHistoryFileName(tli))).ok();
}

os::Task<bool> ReceiveXlog::writeTimeLineHistoryFile(const std::string& filename,
                                                     const std::string& content) {
  // Write to a temp file, fsync it, then rename into place.
  const std::string path = Path(filename);
  const std::string tmppath = absl::StrCat(path, ".tmp");
  os_.Unlink(tmppath);
  os::Result<os::Fd> fd = os_.Open(tmppath, os::kOpenReadWrite | os::kOpenCreate);
  if (!fd.ok()) {
    Error(absl::StrFormat("could not create timeline history file \"%s\": %s", tmppath,
                          ErrText(fd.error())));
    co_return false;
  }
  const absl::Span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(content.data()),
                                        content.size());
  os::Result<size_t> w = co_await os_.PWrite(*fd, bytes, 0);
  os::Errno err = w.ok() ? os::Errno::kOk : w.error();
  if (err == os::Errno::kOk && *w != content.size()) err = os::Errno::kENOSPC;
  if (err == os::Errno::kOk) err = co_await os_.Fsync(*fd);
  os_.Close(*fd);
  if (err != os::Errno::kOk) {
    Error(absl::StrFormat("could not write timeline history file \"%s\": %s", tmppath,
                          ErrText(err)));
    os_.Unlink(tmppath);
    co_return false;
  }
  const os::Errno rn = os_.Rename(tmppath, path);
  if (rn != os::Errno::kOk) {
    Error(absl::StrFormat("could not rename file \"%s\" to \"%s\": %s", tmppath, path,
                          ErrText(rn)));
    co_return false;
  }
  co_return true;
}

std::optional<XLogRecPtr> ReceiveXlog::FindStreamingStart(TimeLineID* tli) {
  os::Result<std::vector<std::string>> names = os_.ListDir(options_.directory);
  if (!names.ok()) {
    Error(absl::StrFormat("could not open directory \"%s\": %s", options_.directory,
                          ErrText(names.error())));
    return std::nullopt;
  }
  wal::XLogSegNo high_segno = 0;
  TimeLineID high_tli = 0;
  bool high_ispartial = false;
  for (const std::string& name : *names) {
    // 24 hex digits, or the same plus ".partial".
    bool ispartial = false;
    if (name.size() == 32 && name.substr(24) == kPartialSuffix) {
      ispartial = true;
    } else if (name.size() != 24) {
      continue;
    }
    absl::StatusOr<wal::XLogFileId> id = wal::ParseXLogFileName(name.substr(0, 24));
    if (!id.ok()) continue;
    // A completed segment must have the right size.
    if (!ispartial) {
      os::Result<os::FileStat> st = os_.Stat(Path(name));
      if (!st.ok()) {
        Error(absl::StrFormat("could not stat file \"%s\": %s", Path(name), ErrText(st.error())));
        continue;
      }
      if (st->size != wal::kWalSegSize) {
        Log(absl::StrFormat("segment file \"%s\" has incorrect size %d, skipping", name,
                            st->size));
        continue;
      }
    }
    if (id->segno > high_segno || (id->segno == high_segno && id->tli > high_tli) ||
        (id->segno == high_segno && id->tli == high_tli && high_ispartial && !ispartial)) {
      high_segno = id->segno;
      high_tli = id->tli;
      high_ispartial = ispartial;
    }
  }
  if (high_segno == 0) return wire::kInvalidXLogRecPtr;
  // After a complete segment start at the next one; else redo the partial one.
  if (!high_ispartial) high_segno++;
  *tli = high_tli;
  return wal::XLogSegNoOffsetToRecPtr(high_segno, 0);
}

}  // namespace replsim::receivexlog
