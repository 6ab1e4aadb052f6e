// File: protocol/postmaster/walsnd_stopping.h
//
// The checkpointer's side of c6c333436 (PG 10; walsender.c
// WalSndInitStopping / WalSndWaitStopping), in shared-memory terms:
//  - WalSndInitStopping marks every live walsender's slot
//    (WalSnd.pss_walsnd_init_stopping, standing for PROCSIG_WALSND_INIT_STOPPING)
//    and SIGUSR1s it. The walsender's handler must then set got_STOPPING;
//    a walsender that is idle (not streaming) exits, a streaming one moves
//    to WALSNDSTATE_STOPPING and refuses commands that write WAL.
//  - WalSndWaitStopping polls every 10 ms until every walsender slot in use
//    is in WALSNDSTATE_STOPPING (or free).
// WalSndStopping is the walsender's query of its own flag.
#ifndef REPLSIM_PROTOCOL_POSTMASTER_WALSND_STOPPING_H_
#define REPLSIM_PROTOCOL_POSTMASTER_WALSND_STOPPING_H_

#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::postmaster {

void WalSndInitStopping(os::Os& os, node::NodeShmem& shm);
os::Task<> WalSndWaitStopping(os::Os& os, node::NodeShmem& shm);

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_WALSND_STOPPING_H_
