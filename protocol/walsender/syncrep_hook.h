// File: protocol/walsender/syncrep_hook.h
//
// Where the walsender calls into synchronous replication (syncrep.c):
// SyncRepInitConfig at START_REPLICATION and on SIGHUP, and
// SyncRepReleaseWaiters after each standby reply ('r') on a non-cascading
// walsender. syncrep.c itself belongs to the postmaster helper
// (protocol/postmaster/syncrep.h, not merged yet): these hooks are the one
// place to wire it in. Until then they do only what the walsender's own
// slot needs: SyncRepInitConfig sets sync_standby_priority from
// synchronous_standby_names (a comma-separated list; '*' matches any name),
// and SyncRepReleaseWaiters releases nothing.
#ifndef REPLSIM_PROTOCOL_WALSENDER_SYNCREP_HOOK_H_
#define REPLSIM_PROTOCOL_WALSENDER_SYNCREP_HOOK_H_

#include "protocol/node/shmem.h"
#include "protocol/os/os.h"

namespace replsim::walsender {

// SyncRepInitConfig for the walsender in walsnds[slot].
void CallSyncRepInitConfig(node::NodeShmem& shm, int slot);
// SyncRepReleaseWaiters for the walsender in walsnds[slot]; TODO(syncrep):
// call protocol/postmaster/syncrep.h's SyncRepReleaseWaiters once merged.
void CallSyncRepReleaseWaiters(os::Os& os, node::NodeShmem& shm, int slot);

}  // namespace replsim::walsender

#endif  // REPLSIM_PROTOCOL_WALSENDER_SYNCREP_HOOK_H_
