// File: protocol/node/signal_mask.h
//
// The signal masks of a postmaster child's start (libpq/pqsignal.c's
// BlockSig, StartupBlockSig and UnBlockSig). A child inherits the
// postmaster's BlockSig from fork; InitPostmasterChild then installs the
// crash-exit SIGQUIT handler and unblocks only SIGQUIT, a backend reading its
// startup packet (BackendInitialize, StartupBlockSig) also SIGTERM and
// SIGALRM, and PostgresMain unblocks the rest once its handlers (or
// WalSndSignals) are in place. A SIGHUP, SIGINT, SIGUSR1 or SIGUSR2 that
// arrives before that stays pending and goes to the handler, never to the
// default action that would end the process. (9.3 and 15 alike.)
//
// The auxiliary processes and the walreceiver install their handlers before
// their first suspension point, and no signal reaches a simulated process
// before its first slice, so only the connection's child needs these here.
#ifndef REPLSIM_PROTOCOL_NODE_SIGNAL_MASK_H_
#define REPLSIM_PROTOCOL_NODE_SIGNAL_MASK_H_

#include "protocol/os/os.h"

namespace replsim::node {

// A backend from fork until PostgresMain: the signals StartupBlockSig keeps
// blocked (SIGQUIT and SIGTERM get their handlers from the caller).
void BlockBackendStartupSignals(os::Os& os);

// PostgresMain's PG_SETMASK(&UnBlockSig), after its handlers: what came in
// meanwhile is delivered to them now.
void UnBlockSig(os::Os& os);

}  // namespace replsim::node

#endif  // REPLSIM_PROTOCOL_NODE_SIGNAL_MASK_H_
