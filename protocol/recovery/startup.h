// File: protocol/recovery/startup.h
//
// The startup process (postmaster/startup.c StartupProcessMain, and xlog.c's
// StartupXLOG, PostgreSQL 15; 9.3 did all of it in xlog.c). The postmaster
// starts it first, as "startup"; it
//  * installs startup.c's handlers: SIGHUP reload, SIGTERM -> exit 1 at the
//    next interrupt check (shutdown_requested), SIGUSR2 -> promotion
//    requested; each also wakes recovery (recoveryWakeupLatch);
//  * reads pg_control, then runs recovery (xlogrecovery.h): nothing after a
//    clean shutdown without standby.signal/recovery.signal; crash recovery
//    over pg_wal after a crash; archive/standby recovery with standby.signal
//    (the node's Gucs carry primary_conninfo, recovery_target_timeline and
//    promote_trigger_file, as 9.3's recovery.conf did);
//  * at the end of recovery: a new timeline when archive recovery was
//    requested (findNewestTimeLine + 1, its history file with the end of the
//    last valid record as switchpoint, the last segment copied to the new
//    timeline's name), XLOG_END_OF_RECOVERY when promoted (15 writes it on
//    every promotion) or else an end-of-recovery checkpoint (requested from
//    the checkpointer when one runs, written here when none does), then
//    insertion starts at EndOfLog, pg_control says DB_IN_PRODUCTION,
//    SharedRecoveryInProgress = false, walsenders are woken, and the
//    process exits 0. The postmaster logs "database system is ready to
//    accept connections".
//
// Messages to the postmaster go through PMSignalFlags + SIGUSR1:
// PMSIGNAL_RECOVERY_STARTED, PMSIGNAL_BEGIN_HOT_STANDBY,
// PMSIGNAL_START_WALRECEIVER. Exit codes: 0 done, 1 FATAL or SIGTERM or
// postmaster death, 2 PANIC.
#ifndef REPLSIM_PROTOCOL_RECOVERY_STARTUP_H_
#define REPLSIM_PROTOCOL_RECOVERY_STARTUP_H_

#include "protocol/node/node_config.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::recovery {

os::Task<> StartupProcessMain(os::Os& os, node::ShmemRef shm);

// CheckpointRequestFlags (checkpointer.h / xlog.h), as CheckpointerShmem
// ckpt_flags carries them.
inline constexpr int CHECKPOINT_IS_SHUTDOWN = 0x0001;
inline constexpr int CHECKPOINT_END_OF_RECOVERY = 0x0002;
inline constexpr int CHECKPOINT_IMMEDIATE = 0x0004;
inline constexpr int CHECKPOINT_FORCE = 0x0008;
inline constexpr int CHECKPOINT_WAIT = 0x0020;

}  // namespace replsim::recovery

#endif  // REPLSIM_PROTOCOL_RECOVERY_STARTUP_H_
