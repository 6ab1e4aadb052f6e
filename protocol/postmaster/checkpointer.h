// File: protocol/postmaster/checkpointer.h
//
// The checkpointer process (checkpointer.c, PG 15): timed checkpoints every
// checkpoint_timeout and requested ones (CheckpointerShmem.ckpt_flags, set by
// RequestCheckpoint), restartpoints instead while in recovery, and the
// shutdown checkpoint on SIGUSR2 (ShutdownXLOG, then exit 0). It ignores
// SIGTERM (the postmaster stops it last, RW-9); on SIGQUIT it exits with
// code 2 (node/quickdie.h).
// It also publishes sync_standbys_defined (SyncRepUpdateSyncStandbysDefined)
// at start, as PostgreSQL's checkpointer does on start and reload.
#ifndef REPLSIM_PROTOCOL_POSTMASTER_CHECKPOINTER_H_
#define REPLSIM_PROTOCOL_POSTMASTER_CHECKPOINTER_H_

#include "protocol/node/node_config.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::postmaster {

// CHECKPOINT_* request flags (xlog.h).
inline constexpr int CHECKPOINT_IS_SHUTDOWN = 0x0001;
inline constexpr int CHECKPOINT_END_OF_RECOVERY = 0x0002;
inline constexpr int CHECKPOINT_IMMEDIATE = 0x0004;
inline constexpr int CHECKPOINT_FORCE = 0x0008;
inline constexpr int CHECKPOINT_WAIT = 0x0020;
inline constexpr int CHECKPOINT_CAUSE_XLOG = 0x0080;
inline constexpr int CHECKPOINT_CAUSE_TIME = 0x0100;

os::Task<> CheckpointerMain(os::Os& os, node::ShmemRef shm);

// RequestCheckpoint without CHECKPOINT_WAIT: ORs the flags in and wakes the
// checkpointer (no-op when none runs; PostgreSQL would then checkpoint in
// the requesting backend, which replsim does not model).
void RequestCheckpoint(node::NodeShmem& shm, int flags);

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_CHECKPOINTER_H_
