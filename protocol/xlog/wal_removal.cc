#include "protocol/xlog/wal_removal.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "protocol/os/trace_marks.h"
#include "protocol/xlog/xlog_io.h"
#include "protocol/xlog/xlogarchive.h"

namespace replsim::xlog {
namespace {

using wal::XLogRecPtr;
using wal::XLogSegNo;

constexpr int kSegMb = wal::kWalSegSize / (1024 * 1024);

// Segments in `mb` megabytes (ConvertToXSegs).
int ToSegs(int mb) { return mb / kSegMb; }

const char* WalFileWords(const node::NodeShmem& shm) {
  return shm.behavior.server_version_num >= 100000 ? "write-ahead log file"
                                                   : "transaction log file";
}

// XLOGfileslop of 9.5+: the last segment number recycling may fill, from
// the distance between checkpoints, between min_wal_size and max_wal_size
// past the redo.
XLogSegNo RecycleLimit(const node::NodeShmem& shm, XLogRecPtr lastredoptr) {
  const XLogSegNo redo_seg = lastredoptr / wal::kWalSegSize;
  const XLogSegNo min_seg = redo_seg + ToSegs(shm.gucs.min_wal_size_mb) - 1;
  const XLogSegNo max_seg = redo_seg + ToSegs(shm.gucs.max_wal_size_mb) - 1;
  const double distance =
      (1.0 + shm.gucs.checkpoint_completion_target) * shm.XLogCtl.CheckPointDistanceEstimate * 1.10;
  const XLogSegNo seg = static_cast<XLogSegNo>(
      std::ceil((static_cast<double>(lastredoptr) + distance) / wal::kWalSegSize));
  // Raised to the minimum, then lowered to the maximum, in that order (a
  // max_wal_size below min_wal_size wins).
  return std::min(std::max(seg, min_seg), max_seg);
}

}  // namespace

int CheckPointSegments(const node::NodeShmem& shm) {
  if (!shm.behavior.wal_size_from_max_wal_size) return shm.gucs.checkpoint_segments;
  const double target =
      ToSegs(shm.gucs.max_wal_size_mb) / (1.0 + shm.gucs.checkpoint_completion_target);
  return std::max(1, static_cast<int>(target));
}

bool XLogCheckpointNeeded(const node::NodeShmem& shm, XLogSegNo new_segno) {
  // GetRedoRecPtr: a checkpoint in progress already counts from its own redo.
  const XLogRecPtr redo = shm.XLogCtl.RedoRecPtr != 0 ? shm.XLogCtl.RedoRecPtr
                                                      : shm.ControlFile.checkPointCopy.redo;
  const XLogSegNo old_segno = wal::XLByteToSeg(redo);
  return new_segno >= old_segno + static_cast<XLogSegNo>(CheckPointSegments(shm) - 1);
}

XLogSegNo KeepLogSeg(const node::NodeShmem& shm, XLogRecPtr recptr, XLogSegNo segno) {
  const XLogSegNo curr = wal::XLByteToSeg(recptr);
  XLogSegNo keep = curr;
  const XLogSegNo keep_segs = static_cast<XLogSegNo>(ToSegs(shm.gucs.wal_keep_size_mb));
  if (keep_segs > 0) keep = curr > keep_segs ? curr - keep_segs : 1;
  // XLogGetReplicationSlotMinimumLSN: the slots' oldest restart_lsn.
  XLogRecPtr slot_min = 0;
  for (const node::ReplicationSlot& s : shm.ReplicationSlotCtl.replication_slots) {
    if (!s.in_use || s.restart_lsn == 0) continue;
    if (slot_min == 0 || s.restart_lsn < slot_min) slot_min = s.restart_lsn;
  }
  if (slot_min != 0 && slot_min < recptr) {
    keep = std::min(keep, std::max<XLogSegNo>(1, wal::XLByteToSeg(slot_min)));
  }
  return std::min(keep, segno);
}

os::Task<RemovedWal> RemoveOldXlogFiles(os::Os& os, node::NodeShmem& shm, XLogSegNo segno,
                                        XLogRecPtr lastredoptr, XLogRecPtr endptr,
                                        wal::TimeLineID tli) {
  RemovedWal done;
  const std::string dir = XLogDir(shm);
  // The timeline part (the first 8 characters) is not compared.
  const std::string lastoff = wal::XLogFileName(0, segno);
  os.Log("DEBUG2", absl::StrCat("attempting to remove WAL segments older than log file ", lastoff));
  os::Result<std::vector<std::string>> names = os.ListDir(dir);
  if (!names.ok()) co_return done;
  const bool v95 = shm.behavior.wal_size_from_max_wal_size;
  // Where recycled segments go: from the end of WAL on, while there is room.
  XLogSegNo next = v95 ? wal::XLByteToSeg(endptr) : wal::XLByteToSeg(endptr - 1);
  const XLogSegNo v95_limit = v95 ? RecycleLimit(shm, lastredoptr) : 0;
  int max_advance = 2 * shm.gucs.checkpoint_segments + 1;  // before 9.5
  for (const std::string& name : *names) {
    if (!wal::IsXLogFileName(name) || name.compare(8, 16, lastoff, 8, 16) > 0) continue;
    // XLogArchiveCheckDone: with archiving on, only once archived.
    if (!XLogArchiveCheckDone(os, shm, name)) continue;
    // UpdateLastRemovedPtr, before the file goes.
    absl::StatusOr<wal::XLogFileId> id = wal::ParseXLogFileName(name);
    if (id.ok()) shm.XLogCtl.lastRemovedSegNo = std::max(shm.XLogCtl.lastRemovedSegNo, id->segno);
    const std::string path = absl::StrCat(dir, "/", name);
    // InstallXLogFileSegment with find_free: the first free number in range.
    bool recycled = false;
    if (!v95 || next <= v95_limit) {
      for (;;) {
        if (!os.Stat(XLogFilePath(shm, tli, next)).ok()) {
          recycled = os.Rename(path, XLogFilePath(shm, tli, next)) == os::Errno::kOk;
          break;
        }
        if (v95 ? next >= v95_limit : max_advance <= 0) break;
        ++next;
        if (!v95) --max_advance;
      }
    }
    // 1d4a0ab19a: durable_link_or_rename fsyncs the directory, so the new
    // name (which the next XLogWrite fills and fdatasyncs) survives a host
    // crash. Before it a crash can bring the old name back over new WAL,
    // which recovery then never finds. (Its fsync of the old file first
    // adds nothing here: WAL before the redo point is already flushed.)
    if (recycled && shm.behavior.xlog_durable_rename) co_await os.FsyncDir(dir);
    if (recycled) {
      os.Log("DEBUG2", absl::StrCat("recycled ", WalFileWords(shm), " \"", name, "\""));
      os.Mark(os::kMarkSegmentRecycled);
      ++done.recycled;
      if (v95) {
        ++next;
      } else if (max_advance > 0) {
        ++next;
        --max_advance;
      }
    } else {
      os.Log("DEBUG2", absl::StrCat("removing ", WalFileWords(shm), " \"", name, "\""));
      os.Unlink(path);
      ++done.removed;
    }
    if (XLogArchivingActive(shm)) XLogArchiveCleanup(os, shm, name);
  }
  co_return done;
}

os::Task<> PreallocXlogFiles(os::Os& os, node::NodeShmem& shm, XLogRecPtr endptr,
                             wal::TimeLineID tli) {
  if (endptr == 0) co_return;
  const XLogSegNo seg = wal::XLByteToSeg(endptr - 1);
  if (wal::XLogSegmentOffset(endptr - 1) < wal::kWalSegSize / 4 * 3) co_return;
  if (os.Stat(XLogFilePath(shm, tli, seg + 1)).ok()) co_return;
  XLogIoFailure failure;
  const os::Errno e = co_await XLogFileInit(os, shm.data_dir, shm.behavior.server_version_num, tli,
                                            seg + 1, shm.behavior.xlog_durable_rename, &failure);
  if (e != os::Errno::kOk) {
    os.Log("ERROR", XLogIoFailureText(shm.behavior.server_version_num, tli, failure, e));
  }
}

os::Task<RemovedWal> RemoveWalAfterCheckpoint(os::Os& os, node::NodeShmem& shm,
                                              XLogRecPtr prior_redo, XLogRecPtr redo,
                                              XLogRecPtr endptr, wal::TimeLineID tli,
                                              bool shutdown) {
  RemovedWal done;
  // UpdateCheckPointDistanceEstimate (9.5+).
  if (shm.behavior.wal_size_from_max_wal_size && prior_redo != 0 && redo > prior_redo) {
    double& est = shm.XLogCtl.CheckPointDistanceEstimate;
    const double nbytes = static_cast<double>(redo - prior_redo);
    est = est < nbytes ? nbytes : 0.9 * est + 0.1 * nbytes;
  }
  XLogSegNo segno = wal::XLByteToSeg(shm.behavior.wal_keep_one_checkpoint ? redo : prior_redo);
  if (segno != 0) {
    segno = KeepLogSeg(shm, endptr, segno);
    if (segno > 0) done = co_await RemoveOldXlogFiles(os, shm, segno - 1, redo, endptr, tli);
  }
  if (!shutdown) co_await PreallocXlogFiles(os, shm, endptr, tli);
  co_return done;
}

}  // namespace replsim::xlog
