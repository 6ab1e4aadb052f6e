// File: protocol/node/quickdie.h
//
// What a PostgreSQL process does on SIGQUIT, the postmaster's "die now" after
// a crash of another process or in an immediate shutdown: it exits with code
// 2 at once, running no exit callbacks (on_exit_reset, then exit(2); 14 and
// later call _exit(2)). Exit code 2 is what makes the postmaster count the
// exit as a crash; nothing the process kept in shared memory is cleaned up.
//
// - The startup process, the checkpointer and the walreceiver only exit:
//   startupproc_quickdie, chkpt_quickdie and WalRcvQuickDieHandler in 9.x,
//   SignalHandlerForCrashExit in 15.
// - A backend runs quickdie (tcop/postgres.c), which first says why:
//   9.x logs WARNING "terminating connection because of crash of another
//   server process" whatever the reason; 14 and later send the reason to the
//   client only (WARNING_CLIENT_ONLY), and log only a SIGQUIT that no
//   postmaster sent: "terminating connection because of unexpected SIGQUIT
//   signal". The postmaster records the reason (SetQuitSignalReason).
// - A walsender runs quickdie in 9.x and, from 14, SignalHandlerForCrashExit.
//
// Not modelled: the WARNING that quickdie also sends to the client, with the
// flush of whatever output was pending (a 9.x walsender's unsent WAL). No
// replsim client of a backend reads notices, and when a 9.x walsender stopped
// doing this could not be pinned to a commit here.
//
// replsim difference: ending a process destroys its frames, so clean-up kept
// in destructors (WalSndKill, a sync-rep waiter leaving its queue) still runs.
// The postmaster treats exit code 2 as a crash and makes new shared memory
// before any process reads what that clean-up changed.
//
// A crash keeps nothing here: the handlers live in the process.
#ifndef REPLSIM_PROTOCOL_NODE_QUICKDIE_H_
#define REPLSIM_PROTOCOL_NODE_QUICKDIE_H_

#include "protocol/node/node_config.h"
#include "protocol/os/os.h"

namespace replsim::node {

// SignalHandlerForCrashExit: SIGQUIT exits with code 2.
void InstallCrashExitHandler(os::Os& os);

// quickdie for a backend: the release's WARNING (see above), then exit 2.
void InstallQuickDie(os::Os& os, ShmemRef shm);

// A walsender's SIGQUIT: quickdie before 14, SignalHandlerForCrashExit after.
void InstallWalSndQuickDie(os::Os& os, ShmemRef shm);

}  // namespace replsim::node

#endif  // REPLSIM_PROTOCOL_NODE_QUICKDIE_H_
