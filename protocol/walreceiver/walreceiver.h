// File: protocol/walreceiver/walreceiver.h
//
// The walreceiver process (replication/walreceiver.c of PostgreSQL 15, with
// 9.3's differences where they matter): connects to the primary, streams WAL
// into pg_wal's segment files, fsyncs it, publishes what is durable in
// WalRcv.receivedUpto (flushedUpto in 15) and reports write/flush/apply to
// the primary.
//
//   os.StartChild("walreceiver", [shm](os::Os& os) {
//     return walreceiver::WalReceiverMain(os, shm);
//   });
//
// Contract with the startup process (RequestXLogStreaming, ShutdownWalRcv):
// - Before the postmaster starts the process, WalRcv holds receiveStart
//   (segment-rounded), receiveStartTLI, conninfo (empty: primary_conninfo
//   is used) and walRcvState = WALRCV_STARTING.
// - At entry the walreceiver sets STARTING -> STREAMING and publishes pid
//   and latch; a STOPPING it finds becomes STOPPED, and STOPPED means exit(1)
//   at once (RW-14's late walreceiver).
// - receivedUpto/receivedTLI/latestChunkStart move only after an fsync
//   (RW-15); writtenUpto follows every write. The startup process's
//   XLogCtl.recoveryWakeupLatch is set after each publication, when the
//   walreceiver goes WAITING and when it exits.
// - At the end of a timeline the walreceiver goes WAITING (receiveStart 0)
//   and waits for RESTARTING (new receiveStart/receiveStartTLI, then set
//   WalRcv.latch) or STOPPING.
// - Exit: SIGTERM -> FATAL "terminating walreceiver process due to
//   administrator command"; any ERROR is FATAL here. Every exit except
//   PANIC, SIGKILL/SIGQUIT and a host crash runs WalRcvDie: with
//   behavior.walrcv_flush_on_exit (34ef02b4d4) it fsyncs what was written
//   first; then walRcvState = STOPPED, pid 0, disconnect, wake the startup
//   process. Exit code 1 for FATAL, 0 when told to stop while WAITING, 2
//   on SIGQUIT (node/quickdie.h); a PANIC (a write or fsync failure) aborts.
//
// Races exposed: RW-2 (bytes read before an RST are written, then the
// receive error), RW-12 (SIGTERM at promotion: written bytes fsynced by
// WalRcvDie, unread socket bytes lost), RW-13 (after "COPY 0" the
// endstreaming ERROR makes the walreceiver exit and be restarted), RW-15
// (publication only after fsync; the 'r' write position runs ahead).
#ifndef REPLSIM_PROTOCOL_WALRECEIVER_WALRECEIVER_H_
#define REPLSIM_PROTOCOL_WALRECEIVER_WALRECEIVER_H_

#include "protocol/node/node_config.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/os/time.h"

namespace replsim::walreceiver {

// NAPTIME_PER_CYCLE: the longest the stream loop sleeps between checks.
inline constexpr os::Duration kNapTimePerCycle = os::Milliseconds(100);

// The walreceiver process's body.
os::Task<> WalReceiverMain(os::Os& os, node::ShmemRef shm);

}  // namespace replsim::walreceiver

#endif  // REPLSIM_PROTOCOL_WALRECEIVER_WALRECEIVER_H_
