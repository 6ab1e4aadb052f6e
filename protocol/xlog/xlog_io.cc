#include "protocol/xlog/xlog_io.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/os/check.h"
#include "protocol/os/fault_points.h"
#include "protocol/xlog/wal_removal.h"
#include "protocol/xlog/xlogarchive.h"

namespace replsim::xlog {

const char* XLogDirName(int server_version_num) {
  // f82ec32ac3 (10.0) renamed the directory.
  return server_version_num >= 100000 ? "pg_wal" : "pg_xlog";
}

std::string XLogDir(const std::string& data_dir, int server_version_num) {
  return absl::StrCat(data_dir, "/", XLogDirName(server_version_num));
}

std::string XLogFilePath(const std::string& data_dir, int server_version_num, TimeLineID tli,
                         wal::XLogSegNo segno) {
  const std::string_view dir = XLogDirName(server_version_num);
  std::string path;
  path.reserve(data_dir.size() + dir.size() + 2 + wal::kXLogFnameLen);
  path.append(data_dir).append("/").append(dir).append("/");
  wal::AppendXLogFileName(&path, tli, segno);
  return path;
}

std::string XLogDir(const NodeShmem& shm) {
  return XLogDir(shm.data_dir, shm.behavior.server_version_num);
}

std::string XLogFilePath(const NodeShmem& shm, TimeLineID tli, wal::XLogSegNo segno) {
  return XLogFilePath(shm.data_dir, shm.behavior.server_version_num, tli, segno);
}

void StartXLogInsert(NodeShmem& shm, TimeLineID tli, XLogRecPtr end_of_log,
                     XLogRecPtr prev_record) {
  wal::WalBuilderOptions opts;
  opts.system_identifier = shm.ControlFile.system_identifier;
  shm.XLogCtl.insert =
      std::make_unique<wal::WalBuilder>(opts, tli, end_of_log, prev_record);
  shm.XLogCtl.pos = wal::XLogCtlPositions::StartingAt(end_of_log);
  shm.XLogCtl.ThisTimeLineID = tli;
  shm.XLogCtl.buffers = wal::WalBuffer();
}

wal::XLogInsertResult XLogInsert(NodeShmem& shm, const wal::WalRecord& rec) {
  CHECK(shm.XLogCtl.insert != nullptr) << "XLogInsert before insertion started";
  wal::XLogInsertResult r = shm.XLogCtl.insert->Insert(rec, &shm.XLogCtl.buffers);
  shm.XLogCtl.pos.AdvanceInsert(shm.XLogCtl.insert->CurrInsertPos());
  return r;
}

namespace {

// The part of [start + done, start + len) that lies in one segment file.
struct SegmentPiece {
  wal::XLogSegNo segno;
  uint32_t off;  // in the segment
  uint64_t n;    // bytes
};
SegmentPiece PieceAt(XLogRecPtr start, uint64_t done, uint64_t len) {
  const XLogRecPtr p = start + done;
  const uint32_t off = wal::XLogSegmentOffset(p);
  return {wal::XLByteToSeg(p), off,
          std::min<uint64_t>(len - done, wal::kWalSegSize - off)};
}

}  // namespace

std::string XLogIoFailureText(int server_version_num, TimeLineID tli,
                              const XLogIoFailure& f, os::Errno e) {
  const bool v9 = server_version_num < 100000;
  const char* dir = XLogDirName(server_version_num);
  const std::string name = wal::XLogFileName(tli, f.segno);
  const std::string tmp = absl::StrCat(dir, "/", f.path);
  const std::string_view m = os::StrError(e);
  switch (f.op) {
    case XLogIoFailure::Op::kOpen:
      return absl::StrFormat(v9 ? "could not open transaction log file \"%s/%s\": %s"
                                : "could not open file \"%s/%s\": %s",
                             dir, name, m);
    case XLogIoFailure::Op::kWrite:
      return absl::StrFormat("could not write to log file %s at offset %u, length %u: %s",
                             name, f.offset, f.length, m);
    case XLogIoFailure::Op::kFsyncDir:
      return absl::StrFormat("could not fsync file \"%s\": %s", dir, m);
    case XLogIoFailure::Op::kFsync:
      return server_version_num >= 150000
                 ? absl::StrFormat("could not fdatasync file \"%s\": %s", name, m)
                 : absl::StrFormat("could not fdatasync log file %s: %s", name, m);
    case XLogIoFailure::Op::kInitCreate:
      return absl::StrFormat("could not create file \"%s\": %s", tmp, m);
    case XLogIoFailure::Op::kInitWrite:
      return absl::StrFormat("could not write to file \"%s\": %s", tmp, m);
    case XLogIoFailure::Op::kInitFsync:
      return absl::StrFormat("could not fsync file \"%s\": %s", tmp, m);
    case XLogIoFailure::Op::kInitRename:
      // 9.x: InstallXLogFileSegment's own text; 15: durable_rename's.
      return absl::StrFormat(v9 ? "could not rename file \"%s\" to \"%s/%s\" (initialization "
                                  "of log file): %s"
                                : "could not rename file \"%s\" to \"%s/%s\": %s",
                             tmp, dir, name, m);
  }
  return "";
}

// XLogFileInit (XLogFileInitInternal + InstallXLogFileSegment) for a segment
// that does not exist yet.
os::Task<os::Errno> XLogFileInit(os::Os& os, const std::string& data_dir, int server_version_num,
                                 TimeLineID tli, wal::XLogSegNo segno, bool durable_install,
                                 XLogIoFailure* failure) {
  const std::string dir = XLogDir(data_dir, server_version_num);
  const std::string tmpname = absl::StrCat("xlogtemp.", os.MyPid());
  const std::string tmppath = absl::StrCat(dir, "/", tmpname);
  auto fail = [&](XLogIoFailure::Op op, os::Errno e) {
    if (failure != nullptr) *failure = {op, segno, 0, 0, tmpname};
    return e;
  };
  os.Unlink(tmppath);
  os::Result<os::Fd> fd =
      os.Open(tmppath, os::kOpenReadWrite | os::kOpenCreate | os::kOpenExclusive);
  if (!fd.ok()) co_return fail(XLogIoFailure::Op::kInitCreate, fd.error());
  // The zero-fill; on failure the temp file is removed.
  os::Errno e = co_await os.ReserveSpace(*fd, wal::kWalSegSize);
  if (e != os::Errno::kOk) {
    os.Close(*fd);
    os.Unlink(tmppath);
    co_return fail(XLogIoFailure::Op::kInitWrite, e);
  }
  e = co_await os.Fsync(*fd);
  os.Close(*fd);
  if (e != os::Errno::kOk) co_return fail(XLogIoFailure::Op::kInitFsync, e);
  // InstallXLogFileSegment with find_free, atomic as under ControlFileLock:
  // a segment another process installed meanwhile (the walreceiver, the
  // checkpointer's PreallocXlogFiles, a recycled one) is never replaced. The
  // new file takes a free number ahead, or is dropped. (PostgreSQL looks
  // XLOGfileslop or CheckPointSegments numbers ahead; three here.)
  wal::XLogSegNo install = segno;
  for (int room = 3; os.Stat(XLogFilePath(data_dir, server_version_num, tli, install)).ok();
       --room) {
    if (room == 0) {
      os.Unlink(tmppath);
      co_return os::Errno::kOk;
    }
    ++install;
  }
  e = os.Rename(tmppath, XLogFilePath(data_dir, server_version_num, tli, install));
  if (e != os::Errno::kOk) co_return fail(XLogIoFailure::Op::kInitRename, e);
  // 1d4a0ab19a: durable_link_or_rename makes the new name durable now, not
  // at every flush. (Its fsync of the file after the rename adds nothing
  // here: the data was fsynced under the temp name, and a file's fsync
  // never persists its name.) Before it, nothing fsyncs the directory.
  if (!durable_install) co_return os::Errno::kOk;
  e = co_await os.FsyncDir(dir);
  if (e != os::Errno::kOk) co_return fail(XLogIoFailure::Op::kFsyncDir, e);
  co_return os::Errno::kOk;
}

os::Task<os::Errno> XLogWriteRaw(os::Os& os, const std::string& data_dir, int server_version_num,
                                 TimeLineID tli, XLogRecPtr start, absl::Span<const uint8_t> bytes,
                                 XLogIoFailure* failure, bool durable_install) {
  auto fail = [&](XLogIoFailure::Op op, const SegmentPiece& piece, os::Errno e) {
    if (failure != nullptr) {
      *failure = {op, piece.segno, piece.off, static_cast<size_t>(piece.n)};
    }
    return e;
  };
  for (uint64_t done = 0; done < bytes.size();) {
    const SegmentPiece piece = PieceAt(start, done, bytes.size());
    const std::string path = XLogFilePath(data_dir, server_version_num, tli, piece.segno);
    os::Result<os::Fd> fd = os.Open(path, os::kOpenReadWrite);
    if (!fd.ok() && fd.error() == os::Errno::kENOENT) {
      const os::Errno e =
          co_await XLogFileInit(os, data_dir, server_version_num, tli, piece.segno,
                                durable_install, failure);
      if (e != os::Errno::kOk) co_return e;
      fd = os.Open(path, os::kOpenReadWrite);
    }
    if (!fd.ok()) co_return fail(XLogIoFailure::Op::kOpen, piece, fd.error());
    os::Result<size_t> w = co_await os.PWrite(*fd, bytes.subspan(done, piece.n), piece.off);
    os.Close(*fd);
    if (!w.ok()) co_return fail(XLogIoFailure::Op::kWrite, piece, w.error());
    done += piece.n;
  }
  co_return os::Errno::kOk;
}

os::Task<os::Errno> XLogFsyncRange(os::Os& os, const std::string& data_dir, int server_version_num,
                                   TimeLineID tli, XLogRecPtr from, XLogRecPtr to,
                                   XLogIoFailure* failure) {
  if (to <= from) co_return os::Errno::kOk;
  for (wal::XLogSegNo s = wal::XLByteToSeg(from); s <= wal::XLByteToSeg(to - 1); ++s) {
    os::Result<os::Fd> fd =
        os.Open(XLogFilePath(data_dir, server_version_num, tli, s), os::kOpenReadWrite);
    // issue_xlog_fsync; the fault point makes this fdatasync slow.
    if (fd.ok()) co_await os::DelayAtFaultPoint(os, os::kXlogFsyncSlow, os::kSlowFsync);
    os::Errno e = fd.ok() ? co_await os.Fdatasync(*fd) : fd.error();
    if (fd.ok()) os.Close(*fd);
    if (e != os::Errno::kOk) {
      if (failure != nullptr) {
        *failure = {fd.ok() ? XLogIoFailure::Op::kFsync : XLogIoFailure::Op::kOpen, s, 0, 0};
      }
      co_return e;
    }
  }
  co_return os::Errno::kOk;
}

os::Task<os::Errno> XLogWrite(os::Os& os, NodeShmem& shm, XLogRecPtr upto) {
  node::XLogCtlData& x = shm.XLogCtl;
  upto = std::min(upto, x.pos.Insert);
  const XLogRecPtr from = x.pos.LogwrtResult.Write;
  if (upto <= from) co_return os::Errno::kOk;
  x.pos.RequestWrite(upto);
  std::vector<uint8_t> bytes(upto - from);
  CHECK(x.buffers.Read(from, absl::MakeSpan(bytes)))
      << "WAL buffers lack " << wal::LsnToString(from);
  XLogIoFailure failure;
  os::Errno e = co_await XLogWriteRaw(os, shm.data_dir, shm.behavior.server_version_num,
                                      x.ThisTimeLineID, from, bytes, &failure,
                                      shm.behavior.xlog_durable_rename);
  if (e != os::Errno::kOk) {
    os.Log("PANIC", XLogIoFailureText(shm.behavior.server_version_num, x.ThisTimeLineID,
                                      failure, e));
    co_return e;
  }
  // Another process may have written further meanwhile.
  if (upto > x.pos.LogwrtResult.Write) x.pos.MarkWritten(upto);
  // A segment filled: it is ready for the archiver (XLogArchiveNotifySeg),
  // and enough WAL since the last checkpoint asks for a checkpoint.
  if (XLogArchivingActive(shm)) {
    for (wal::XLogSegNo s = wal::XLByteToSeg(from); s < wal::XLByteToSeg(upto); ++s) {
      XLogArchiveNotifySeg(os, shm, x.ThisTimeLineID, s);
    }
  }
  for (wal::XLogSegNo s = wal::XLByteToSeg(from); s < wal::XLByteToSeg(upto); ++s) {
    if (XLogCheckpointNeeded(shm, s)) {
      node::RequestCheckpoint(shm, node::CHECKPOINT_CAUSE_XLOG);
      break;
    }
  }
  // Whole pages before the write pointer are in the files now.
  x.buffers.DiscardBefore(x.pos.LogwrtResult.Write);
  co_return os::Errno::kOk;
}

os::Task<os::Errno> XLogFlush(os::Os& os, NodeShmem& shm, XLogRecPtr record) {
  node::XLogCtlData& x = shm.XLogCtl;
  record = std::min(record, x.pos.Insert);
  for (;;) {
    if (record <= x.pos.LogwrtResult.Flush) co_return os::Errno::kOk;
    x.pos.RequestFlush(record);
    // Released by a holder that may have flushed this record too: look again.
    const bool acquired = co_await node::LWLockAcquireOrWait(os, x.WALWriteLock);
    if (acquired) break;
  }
  node::LWLockHeld held(x.WALWriteLock);
  if (record <= x.pos.LogwrtResult.Flush) co_return os::Errno::kOk;
  // "try to write/flush later additions to XLOG as well"
  const XLogRecPtr upto = x.pos.Insert;
  x.pos.RequestFlush(upto);
  os::Errno e = co_await XLogWrite(os, shm, upto);
  if (e != os::Errno::kOk) co_return e;
  const XLogRecPtr from = x.pos.LogwrtResult.Flush;
  if (upto <= from) co_return os::Errno::kOk;  // flushed by someone else meanwhile
  XLogIoFailure failure;
  e = co_await XLogFsyncRange(os, shm.data_dir, shm.behavior.server_version_num, x.ThisTimeLineID,
                              from, upto, &failure);
  if (e != os::Errno::kOk) {
    os.Log("PANIC", XLogIoFailureText(shm.behavior.server_version_num, x.ThisTimeLineID,
                                      failure, e));
    co_return e;
  }
  if (upto > x.pos.LogwrtResult.Flush) x.pos.MarkFlushed(upto);
  // Bytes below the flush point are in the files now.
  WalSndWakeup(shm);
  co_return os::Errno::kOk;
}

void WalSndWakeup(NodeShmem& shm) {
  for (node::WalSnd& w : shm.WalSndCtl.walsnds) {
    if (w.pid != 0 && w.latch != nullptr) w.latch->Set();
  }
}

os::Task<os::Errno> XLogRead(os::Os& os, const std::string& data_dir, int server_version_num,
                             TimeLineID tli, XLogRecPtr start, absl::Span<uint8_t> out) {
  for (uint64_t done = 0; done < out.size();) {
    const SegmentPiece piece = PieceAt(start, done, out.size());
    os::Result<os::Fd> fd =
        os.Open(XLogFilePath(data_dir, server_version_num, tli, piece.segno), os::kOpenRead);
    if (!fd.ok()) co_return fd.error();
    absl::Span<uint8_t> part = out.subspan(done, piece.n);
    os::Result<size_t> r = co_await os.PRead(*fd, part, piece.off);
    os.Close(*fd);
    if (!r.ok()) co_return r.error();
    // Past the written end: zeros, as in a zero-filled segment.
    std::fill(part.begin() + *r, part.end(), 0);
    done += piece.n;
  }
  co_return os::Errno::kOk;
}

}  // namespace replsim::xlog
