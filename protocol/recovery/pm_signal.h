// File: protocol/recovery/pm_signal.h
//
// The sending half of pmsignal.c that the startup process uses:
// SendPostmasterSignal sets PMSignalState->PMSignalFlags[reason] and sends
// SIGUSR1 to the postmaster, which checks the flags in its sigusr1_handler.
//
// The postmaster package has its own SendPostmasterSignal
// (protocol/postmaster/pmsignal.h, written in parallel); this local copy does
// exactly the same two steps so recovery/ does not depend on the postmaster
// package. Either may replace the other once both are merged.
#ifndef REPLSIM_PROTOCOL_RECOVERY_PM_SIGNAL_H_
#define REPLSIM_PROTOCOL_RECOVERY_PM_SIGNAL_H_

#include "protocol/node/shmem.h"
#include "protocol/os/os.h"

namespace replsim::recovery {

// No postmaster (postmaster_pid 0: a standalone test) sets the flag only.
void SignalPostmaster(os::Os& os, node::NodeShmem& shm,
                      node::PMSignalReason reason);

}  // namespace replsim::recovery

#endif  // REPLSIM_PROTOCOL_RECOVERY_PM_SIGNAL_H_
