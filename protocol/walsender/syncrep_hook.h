// File: protocol/walsender/syncrep_hook.h
//
// Where the walsender calls into synchronous replication (syncrep.c):
// SyncRepInitConfig at START_REPLICATION and on SIGHUP, and
// SyncRepReleaseWaiters after each standby reply ('r') on a non-cascading
// walsender; both forward to protocol/postmaster/syncrep.h.
#ifndef REPLSIM_PROTOCOL_WALSENDER_SYNCREP_HOOK_H_
#define REPLSIM_PROTOCOL_WALSENDER_SYNCREP_HOOK_H_

#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/postmaster/syncrep.h"

namespace replsim::walsender {

// SyncRepInitConfig for the walsender in walsnds[slot].
void CallSyncRepInitConfig(node::NodeShmem& shm, int slot);
// SyncRepReleaseWaiters for the walsender in walsnds[slot].
void CallSyncRepReleaseWaiters(os::Os& os, node::NodeShmem& shm, int slot,
                               postmaster::SyncRepWalSndState& state);

}  // namespace replsim::walsender

#endif  // REPLSIM_PROTOCOL_WALSENDER_SYNCREP_HOOK_H_
