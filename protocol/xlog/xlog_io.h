// File: protocol/xlog/xlog_io.h
//
// WAL through the OS: what xlog.c does with the segment files of the WAL
// directory (XLOGDIR: pg_wal, pg_xlog before 10).
//  - XLogInsert places a record into the WAL buffers (XLogCtl) and returns
//    its end; no I/O (XLogInsertRecord).
//  - XLogWrite hands buffered WAL to the kernel with pwrite (the page cache:
//    lost on a host crash); XLogFlush writes and fsyncs, advances
//    LogwrtResult.Flush, and wakes the walsenders (WalSndWakeup), as
//    XLogFlush + issue_xlog_fsync do. Only then may a walsender send it
//    (07e8b6aabc; before that fix it sent up to the Write pointer).
//  - XLogFlush writes under WALWriteLock (node/lwlock.h), one process at a
//    time, and writes everything inserted so far, not just its own record:
//    a committer that waited for the lock usually finds its commit flushed
//    by the holder and does no I/O (group commit).
//  - XLogRead reads WAL bytes back from the segment files, as the walsender
//    and the startup process do: it sees written-but-not-fsynced bytes, like
//    a real read from the page cache.
//
// Segment files are created on first write by XLogFileInit, as PostgreSQL's:
// built as <XLOGDIR>/xlogtemp.<pid>, zero-filled to 16 MiB, fsynced, renamed
// into place and, from 1d4a0ab19a on, the directory fsynced. The zeros take their disk space
// (Os::ReserveSpace), so a full disk fails the creation of a segment and
// never a write into one, but are not stored: a file holds only what was
// written, and reads past its end count as zeros.
//
// Errors: XLogWrite and XLogFlush log PostgreSQL's PANIC where it raises it
// (XLogWrite's "could not write to log file", issue_xlog_fsync's "could not
// fdatasync ...") and return the errno; the caller then exits as a PANIC does,
// without a message of its own. XLogWriteRaw and XLogFsyncRange only report
// what failed (XLogIoFailure) for their callers' own texts.
#ifndef REPLSIM_PROTOCOL_XLOG_XLOG_IO_H_
#define REPLSIM_PROTOCOL_XLOG_XLOG_IO_H_

#include <cstdint>
#include <string>

#include "absl/types/span.h"
#include "protocol/node/shmem.h"
#include "protocol/os/errno.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/wal/lsn.h"
#include "protocol/wal/record.h"
#include "protocol/wal/segment.h"

namespace replsim::xlog {

using node::NodeShmem;
using wal::TimeLineID;
using wal::XLogRecPtr;

// XLOGDIR, the WAL directory's name in the data directory of the release
// with this PG_VERSION_NUM: "pg_xlog" before 10, "pg_wal" from 10 on
// (f82ec32ac3, 2016-10-20, "Rename "pg_xlog" directory to "pg_wal"").
// Paths, trace events and messages all take the name from here.
const char* XLogDirName(int server_version_num);
// "<data_dir>/<XLOGDIR>"
std::string XLogDir(const std::string& data_dir, int server_version_num);

struct XLogIoFailure;
// Creates segment `segno` of `tli`: a zero-filled xlogtemp.<pid>, fsynced,
// renamed into place and, with `durable_install` (Behavior::
// xlog_durable_rename, 1d4a0ab19a), the directory fsynced; without it the
// new name survives a host crash only if something else fsyncs the
// directory. If another process installed the segment meanwhile, that one
// stays and the new file goes a few numbers ahead, or away.
os::Task<os::Errno> XLogFileInit(os::Os& os, const std::string& data_dir, int server_version_num,
                                 TimeLineID tli, wal::XLogSegNo segno, bool durable_install,
                                 XLogIoFailure* failure);
// "<data_dir>/<XLOGDIR>/<XLogFileName(tli, segno)>"
std::string XLogFilePath(const std::string& data_dir, int server_version_num, TimeLineID tli,
                         wal::XLogSegNo segno);
// The same for a node: its data directory, named as its release names it.
std::string XLogDir(const NodeShmem& shm);
std::string XLogFilePath(const NodeShmem& shm, TimeLineID tli, wal::XLogSegNo segno);

// Starts insertion at `end_of_log` on `tli` (after recovery or at initdb):
// the WalBuilder continues the stream after `prev_record`.
void StartXLogInsert(NodeShmem& shm, TimeLineID tli, XLogRecPtr end_of_log,
                     XLogRecPtr prev_record);

// XLogInsertRecord: places `rec` in the WAL buffers; returns where it starts
// and ends. CHECKs that insertion was started (not in recovery).
wal::XLogInsertResult XLogInsert(NodeShmem& shm, const wal::WalRecord& rec);

// What a WAL write or fsync was doing when it failed.
struct XLogIoFailure {
  enum class Op {
    kOpen, kWrite, kFsyncDir, kFsync,
    // XLogFileInit, on `path` (xlogtemp.<pid> in the WAL directory):
    kInitCreate, kInitWrite, kInitFsync, kInitRename,
  };
  Op op = Op::kWrite;
  wal::XLogSegNo segno = 0;
  uint32_t offset = 0;  // kWrite: within the segment
  size_t length = 0;    // kWrite
  std::string path;     // kInit*: the file's name in the WAL directory

  // A failure of XLogFileInit, which PostgreSQL raises as an ERROR (a PANIC
  // only inside XLogWrite's critical section).
  bool in_init() const { return op >= Op::kInitCreate; }
};

// PostgreSQL's PANIC text for `f` failing with `e` on timeline `tli`, as
// XLogWrite, XLogFileInit and issue_xlog_fsync raise it. fsync is Linux's
// default wal_sync_method, fdatasync: 9.x says "could not fdatasync log file
// %s", 15 "could not fdatasync file \"%s\"" (the text changed in between,
// where no profile is). Paths are relative to the data directory, in the
// release's WAL directory (XLogDirName).
std::string XLogIoFailureText(int server_version_num, TimeLineID tli,
                              const XLogIoFailure& f, os::Errno e);

// Writes buffered WAL up to `upto` (<= Insert) to the segment files of the
// insert timeline. No fsync.
os::Task<os::Errno> XLogWrite(os::Os& os, NodeShmem& shm, XLogRecPtr upto);

// Writes and fsyncs up to `upto`, then wakes every walsender.
os::Task<os::Errno> XLogFlush(os::Os& os, NodeShmem& shm, XLogRecPtr upto);

// Sets every walsender's latch (WalSndWakeup).
void WalSndWakeup(NodeShmem& shm);

// Reads [start, start + out.size()) of timeline `tli`'s WAL from the segment
// files into `out` (segment by segment). kENOENT if a segment file is missing
// (the walsender's "requested WAL segment ... has already been removed").
// Bytes past a file's written end read as zeros.
os::Task<os::Errno> XLogRead(os::Os& os, const std::string& data_dir, int server_version_num,
                             TimeLineID tli, XLogRecPtr start, absl::Span<uint8_t> out);

// Writes `bytes` at `start` into timeline `tli`'s segment files, as the
// walreceiver's XLogWalRcvWrite does (across segment boundaries), creating a
// missing segment with XLogFileInit first; XLogFsyncRange fdatasyncs the
// segments a range touches. On failure `*failure` says what failed, where.
// `durable_install` is XLogFileInit's.
os::Task<os::Errno> XLogWriteRaw(os::Os& os, const std::string& data_dir, int server_version_num,
                                 TimeLineID tli, XLogRecPtr start, absl::Span<const uint8_t> bytes,
                                 XLogIoFailure* failure = nullptr, bool durable_install = true);
os::Task<os::Errno> XLogFsyncRange(os::Os& os, const std::string& data_dir, int server_version_num,
                                   TimeLineID tli, XLogRecPtr from, XLogRecPtr to,
                                   XLogIoFailure* failure = nullptr);

}  // namespace replsim::xlog

#endif  // REPLSIM_PROTOCOL_XLOG_XLOG_IO_H_
