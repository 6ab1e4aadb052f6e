// File: protocol/postmaster/checkpointer.h
//
// The checkpointer process (checkpointer.c, PG 15): timed checkpoints every
// checkpoint_timeout and requested ones (CheckpointerShmem.ckpt_flags, set by
// RequestCheckpoint), restartpoints instead while in recovery, and the
// shutdown checkpoint on SIGUSR2 (ShutdownXLOG, then exit 0). It ignores
// SIGTERM (the postmaster stops it last, RW-9); on SIGQUIT it exits with
// code 2 (node/quickdie.h).
// It also publishes sync_standbys_defined (SyncRepUpdateSyncStandbysDefined)
// at start and after each SIGHUP (pg_ctl reload), at the top of its loop, as
// PostgreSQL's checkpointer does (UpdateSharedMemoryConfig). A start may be
// late (fault point proc.start_late): the flag is unpublished meanwhile.
#ifndef REPLSIM_PROTOCOL_POSTMASTER_CHECKPOINTER_H_
#define REPLSIM_PROTOCOL_POSTMASTER_CHECKPOINTER_H_

#include "protocol/node/node_config.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::postmaster {

// CHECKPOINT_* request flags and RequestCheckpoint live with the shared
// memory (node/shmem.h), where XLogWrite and the startup process reach them.
using node::CHECKPOINT_CAUSE_TIME;
using node::CHECKPOINT_CAUSE_XLOG;
using node::CHECKPOINT_END_OF_RECOVERY;
using node::CHECKPOINT_FORCE;
using node::CHECKPOINT_IMMEDIATE;
using node::CHECKPOINT_IS_SHUTDOWN;
using node::CHECKPOINT_WAIT;
using node::RequestCheckpoint;

os::Task<> CheckpointerMain(os::Os& os, node::ShmemRef shm);

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_CHECKPOINTER_H_
