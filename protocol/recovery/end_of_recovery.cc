// The end-of-recovery actions of xlog.c (PG 15): XLogInitNewTimeline,
// CreateEndOfRecoveryRecord.
#include <vector>

#include "absl/strings/str_cat.h"
#include "protocol/os/check.h"
#include "protocol/recovery/startup_xlog.h"
#include "protocol/recovery/timeline_files.h"
#include "protocol/wal/xlog_records.h"
#include "protocol/xlog/control_file.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::recovery {

// Seconds from 1970-01-01 to 2000-01-01 (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE).
inline constexpr int64_t kPostgresEpochOffsetSecs = 946684800;

wal::TimestampTz GetCurrentTimestamp(const os::Os& os) {
  return os.WallClockMicros() - kPostgresEpochOffsetSecs * 1000000;
}

os::Task<absl::Status> XLogInitNewTimeline(os::Os& os, const node::NodeShmem& shm,
                                           TimeLineID endTLI, XLogRecPtr endOfLog,
                                           TimeLineID newTLI) {
  CHECK_NE(endTLI, newTLI);
  const wal::XLogSegNo endLogSegNo = wal::XLByteToPrevSeg(endOfLog);
  const wal::XLogSegNo startLogSegNo = wal::XLByteToSeg(endOfLog);
  // XLogFileCopy / XLogFileInit build the file under a temp name and
  // install it with InstallXLogFileSegment: a durable rename from
  // 1d4a0ab19a on.
  std::vector<uint8_t> bytes;
  if (endLogSegNo == startLogSegNo) {
    // The old timeline's segment up to the switch; the rest stays zero.
    bytes.resize(wal::XLogSegmentOffset(endOfLog));
    os::Errno e = co_await xlog::XLogRead(os, shm.data_dir, shm.behavior.server_version_num, endTLI,
                                          endOfLog - bytes.size(), absl::MakeSpan(bytes));
    if (e != os::Errno::kOk) {
      co_return absl::InternalError(absl::StrCat(
          "could not read file \"", xlog::XLogDirName(shm.behavior.server_version_num), "/",
          wal::XLogFileName(endTLI, endLogSegNo), "\": ",
          std::string(os::StrError(e))));
    }
  }
  co_return co_await WriteFileDurably(os, shm.data_dir,
                                      xlog::XLogFilePath(shm, newTLI, startLogSegNo), bytes,
                                      shm.behavior.server_version_num, wal::kWalSegSize,
                                      shm.behavior.xlog_durable_rename);
}

os::Task<os::Errno> CreateEndOfRecoveryRecord(os::Os& os, node::NodeShmem& shm) {
  wal::xl_end_of_recovery xlrec;
  xlrec.end_time = GetCurrentTimestamp(os);
  xlrec.ThisTimeLineID = shm.XLogCtl.ThisTimeLineID;
  xlrec.PrevTimeLineID = shm.XLogCtl.PrevTimeLineID;
  wal::XLogInsertResult r = xlog::XLogInsert(shm, wal::MakeEndOfRecoveryRecord(xlrec));
  os::Errno e = co_await xlog::XLogFlush(os, shm, r.EndRecPtr);
  if (e != os::Errno::kOk) co_return e;
  shm.ControlFile.minRecoveryPoint = r.EndRecPtr;
  shm.ControlFile.minRecoveryPointTLI = xlrec.ThisTimeLineID;
  co_return co_await xlog::UpdateControlFile(os, shm);
}

}  // namespace replsim::recovery
