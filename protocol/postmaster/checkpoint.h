// File: protocol/postmaster/checkpoint.h
//
// xlog.c's checkpoint functions as the checkpointer runs them:
//  - CreateCheckPoint (primary): REDO = where the next record starts; the
//    record XLOG_CHECKPOINT_SHUTDOWN / _ONLINE carries the CheckPoint; it is
//    flushed (waking the walsenders), then pg_control points at it. A
//    shutdown checkpoint first sets DB_SHUTDOWNING, PANICs if anything was
//    inserted before it ("concurrent write-ahead log activity while database
//    system is shutting down", RW-10), and leaves DB_SHUTDOWNED: it is the
//    last WAL record. An online checkpoint with no WAL since the previous
//    one is skipped (unless CHECKPOINT_FORCE).
//  - CreateRestartPoint (standby): no WAL; pg_control takes the last
//    replayed checkpoint (XLogCtl.lastCheckPoint*) and minRecoveryPoint at
//    least the replay position; a shutdown restartpoint leaves
//    DB_SHUTDOWNED_IN_RECOVERY.
//  - ShutdownXLOG: "shutting down"; with walsnd_stopping_state (c6c333436)
//    WalSndInitStopping + WalSndWaitStopping; restartpoint in recovery,
//    else (XLOG_SWITCH when archiving, then) the shutdown checkpoint; 9.x
//    logs "database system is shut down" here.
// PANIC = log + exit 2 (the postmaster's crash handling); these functions
// return false after co_awaiting os.Exit, which never resumes.
#ifndef REPLSIM_PROTOCOL_POSTMASTER_CHECKPOINT_H_
#define REPLSIM_PROTOCOL_POSTMASTER_CHECKPOINT_H_

#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::postmaster {

os::Task<> CreateCheckPoint(os::Os& os, node::NodeShmem& shm, int flags);
os::Task<> CreateRestartPoint(os::Os& os, node::NodeShmem& shm, int flags);
os::Task<> ShutdownXLOG(os::Os& os, node::NodeShmem& shm);

// RecoveryInProgress().
inline bool RecoveryInProgress(const node::NodeShmem& shm) {
  return shm.XLogCtl.SharedRecoveryInProgress;
}

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_CHECKPOINT_H_
