#include "protocol/postmaster/checkpoint.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "protocol/os/check.h"
#include "protocol/os/trace_marks.h"
#include "protocol/postmaster/checkpointer.h"
#include "protocol/postmaster/walsnd_stopping.h"
#include "protocol/replslot/slot_disk.h"
#include "protocol/wal/xlog_records.h"
#include "protocol/xlog/control_file.h"
#include "protocol/xlog/wal_removal.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::postmaster {
namespace {

using node::DBState;

os::Task<> Panic(os::Os& os, std::string message) {
  os.Log("PANIC", message);
  co_await os.Abort();
}

os::Task<> UpdateControlFileOrPanic(os::Os& os, node::NodeShmem& shm) {
  // UpdateControlFile has logged its PANIC.
  const os::Errno failed = co_await xlog::UpdateControlFile(os, shm);
  if (failed != os::Errno::kOk) co_await os.Abort();
}

// LogCheckpointStart (log_checkpoints is on by default from 15).
void LogCheckpointStart(os::Os& os, const node::NodeShmem& shm, int flags,
                        bool restartpoint) {
  if (shm.behavior.server_version_num < 150000) return;
  std::string m = restartpoint ? "restartpoint starting:" : "checkpoint starting:";
  if (flags & CHECKPOINT_IS_SHUTDOWN) m += " shutdown";
  if (flags & CHECKPOINT_END_OF_RECOVERY) m += " end-of-recovery";
  if (flags & CHECKPOINT_IMMEDIATE) m += " immediate";
  if (flags & CHECKPOINT_FORCE) m += " force";
  if (flags & CHECKPOINT_WAIT) m += " wait";
  if (flags & CHECKPOINT_CAUSE_XLOG) m += " wal";
  if (flags & CHECKPOINT_CAUSE_TIME) m += " time";
  os.Log("LOG", m);
}

}  // namespace

os::Task<> CreateCheckPoint(os::Os& os, node::NodeShmem& shm, int flags) {
  const bool shutdown = flags & (CHECKPOINT_IS_SHUTDOWN | CHECKPOINT_END_OF_RECOVERY);
  node::XLogCtlData& x = shm.XLogCtl;
  CHECK(x.insert != nullptr) << "CreateCheckPoint before WAL insertion started";
  const wal::XLogRecPtr prior_redo = shm.ControlFile.checkPointCopy.redo;
  if (shutdown) {
    shm.ControlFile.state = DBState::DB_SHUTDOWNING;
    co_await UpdateControlFileOrPanic(os, shm);
  }
  // Nothing written since the last checkpoint: skip an online one.
  if (!(flags & (CHECKPOINT_IS_SHUTDOWN | CHECKPOINT_END_OF_RECOVERY | CHECKPOINT_FORCE)) &&
      x.insert->PrevRecord() == shm.ControlFile.checkPoint) {
    os.Log("DEBUG1", "checkpoint skipped because system is idle");
    co_return;
  }
  LogCheckpointStart(os, shm, flags, /*restartpoint=*/false);

  wal::CheckPoint cp = shm.ControlFile.checkPointCopy;
  cp.redo = x.insert->NextRecordStart();
  x.RedoRecPtr = cp.redo;
  cp.ThisTimeLineID = x.ThisTimeLineID;
  cp.PrevTimeLineID = x.PrevTimeLineID != 0 ? x.PrevTimeLineID : x.ThisTimeLineID;
  cp.fullPageWrites = true;
  cp.nextXid = shm.ShmemVariableCache.nextXid;
  cp.time = os.WallClockMicros() / 1000000;
  cp.oldestActiveXid = shutdown ? 0 : static_cast<uint32_t>(cp.nextXid);

  // CheckPointGuts: write and fsync everything dirty. Nothing is modelled
  // but the replication slots and the wait, during which other processes
  // run (and may insert WAL: RW-10).
  co_await replslot::CheckPointReplicationSlots(os, shm);
  co_await os.FsyncDir(shm.data_dir);

  wal::XLogInsertResult r = xlog::XLogInsert(shm, wal::MakeCheckpointRecord(cp, shutdown));
  // XLogFlush has logged its PANIC.
  const os::Errno failed = co_await xlog::XLogFlush(os, shm, r.EndRecPtr);
  if (failed != os::Errno::kOk) co_await os.Abort();
  if (shutdown && r.ReadRecPtr != cp.redo) {
    co_await Panic(os, shm.behavior.server_version_num >= 100000
                           ? "concurrent write-ahead log activity while database "
                             "system is shutting down"
                           : "concurrent transaction log activity while database "
                             "system is shutting down");
  }
  if (flags & CHECKPOINT_IS_SHUTDOWN) shm.ControlFile.state = DBState::DB_SHUTDOWNED;
  shm.ControlFile.checkPoint = r.ReadRecPtr;
  shm.ControlFile.checkPointCopy = cp;
  // Crash recovery should always recover to the end of WAL.
  shm.ControlFile.minRecoveryPoint = 0;
  shm.ControlFile.minRecoveryPointTLI = 0;
  co_await UpdateControlFileOrPanic(os, shm);
  co_await xlog::RemoveWalAfterCheckpoint(os, shm, prior_redo, cp.redo, r.EndRecPtr,
                                          cp.ThisTimeLineID, shutdown);
}

os::Task<> CreateRestartPoint(os::Os& os, node::NodeShmem& shm, int flags) {
  node::XLogCtlData& x = shm.XLogCtl;
  // The restartpoint is made at the checkpoint record replayed last when it
  // begins; replay goes on meanwhile, so take a copy (under info_lck).
  const wal::XLogRecPtr last = x.lastCheckPointRecPtr;
  const wal::XLogRecPtr last_end = x.lastCheckPointEndPtr;
  const wal::CheckPoint last_cp = x.lastCheckPoint;
  const bool shutdown = flags & CHECKPOINT_IS_SHUTDOWN;
  if (last == 0 || last <= shm.ControlFile.checkPoint) {
    os.Log("DEBUG2", absl::StrCat("skipping restartpoint, already performed at ",
                                  wal::LsnToString(shm.ControlFile.checkPoint)));
    if (shutdown && shm.ControlFile.state == DBState::DB_IN_ARCHIVE_RECOVERY) {
      shm.ControlFile.state = DBState::DB_SHUTDOWNED_IN_RECOVERY;
      co_await UpdateControlFileOrPanic(os, shm);
    }
    co_return;
  }
  LogCheckpointStart(os, shm, flags, /*restartpoint=*/true);
  x.RedoRecPtr = last_cp.redo;
  const wal::XLogRecPtr prior_redo = shm.ControlFile.checkPointCopy.redo;
  // CheckPointGuts: the replication slots; flushing the buffers raises
  // minRecoveryPoint to the replay position (UpdateMinRecoveryPoint).
  co_await replslot::CheckPointReplicationSlots(os, shm);
  co_await os.FsyncDir(shm.data_dir);
  if (shm.ControlFile.minRecoveryPoint < x.replayEndRecPtr) {
    shm.ControlFile.minRecoveryPoint = x.replayEndRecPtr;
    shm.ControlFile.minRecoveryPointTLI = x.replayEndTLI;
  }
  // 9.3 updates pg_control only while it still shows DB_IN_ARCHIVE_RECOVERY.
  // 15.15's source updates it whenever its redo is older, so that pg_control
  // matches the WAL recycled below even when promotion has begun meanwhile
  // (from a 15.x fix whose commit replsim cannot name, so pg-15 simply
  // follows the 15.15 source here).
  const bool in_archive_recovery = shm.ControlFile.state == DBState::DB_IN_ARCHIVE_RECOVERY;
  if ((in_archive_recovery || shm.behavior.server_version_num >= 150000) &&
      shm.ControlFile.checkPointCopy.redo < last_cp.redo) {
    shm.ControlFile.checkPoint = last;
    shm.ControlFile.checkPointCopy = last_cp;
    if (in_archive_recovery) {
      if (shm.ControlFile.minRecoveryPoint < last_end) {
        shm.ControlFile.minRecoveryPoint = last_end;
        shm.ControlFile.minRecoveryPointTLI = last_cp.ThisTimeLineID;
      }
      if (shutdown) shm.ControlFile.state = DBState::DB_SHUTDOWNED_IN_RECOVERY;
    }
    co_await UpdateControlFileOrPanic(os, shm);
  }
  // The end of WAL here: what the walreceiver has, or what was replayed.
  const wal::XLogRecPtr endptr = std::max(shm.WalRcv.receivedUpto, x.replayEndRecPtr);
  co_await xlog::RemoveWalAfterCheckpoint(os, shm, prior_redo, last_cp.redo, endptr,
                                          x.replayEndTLI, /*shutdown=*/false);
  // At LOG with log_checkpoints, on by default from 15.
  os.Log(shm.behavior.server_version_num >= 150000 ? "LOG" : "DEBUG2",
         absl::StrCat("recovery restart point at ", wal::LsnToString(last_cp.redo)));
}

os::Task<> ShutdownXLOG(os::Os& os, node::NodeShmem& shm) {
  os.Log("LOG", "shutting down");
  if (shm.behavior.walsnd_stopping_state) {
    WalSndInitStopping(os, shm);
    co_await WalSndWaitStopping(os, shm);
  }
  os.Mark(os::kMarkShutdownCheckpointStart);
  if (RecoveryInProgress(shm)) {
    co_await CreateRestartPoint(os, shm, CHECKPOINT_IS_SHUTDOWN | CHECKPOINT_IMMEDIATE);
  } else {
    if (shm.gucs.archive_mode && !shm.gucs.archive_command.empty()) {
      // RequestXLogSwitch: the checkpoint goes to the next segment.
      xlog::XLogInsert(shm, wal::MakeSwitchRecord());
    }
    co_await CreateCheckPoint(os, shm, CHECKPOINT_IS_SHUTDOWN | CHECKPOINT_IMMEDIATE);
  }
  os.Mark(os::kMarkShutdownCheckpointDone);
  if (shm.behavior.server_version_num < 100000) {
    os.Log("LOG", "database system is shut down");
  }
}

}  // namespace replsim::postmaster
