// File: protocol/recovery/walreceiverfuncs.h
//
// The startup process's side of the walreceiver's shared state, as
// PostgreSQL 15's replication/walreceiverfuncs.c has it (9.3 is the same
// except where noted):
//
//  * RequestXLogStreaming(tli, recptr, conninfo): rounds recptr down to its
//    segment start; STOPPED -> STARTING and PMSIGNAL_START_WALRECEIVER to the
//    postmaster (which forks the walreceiver), or WAITING -> RESTARTING and
//    SetLatch on the walreceiver's latch. On the first start on a timeline
//    it also resets receivedUpto (flushedUpto in 15) and latestChunkStart to
//    the start point. CHECKs the state was STOPPED or WAITING (PostgreSQL's
//    Assert).
//  * WalRcvRunning(): anything but STOPPED; WalRcvStreaming(): STREAMING,
//    STARTING or RESTARTING. Both first expire a STARTING request older than
//    WALRCV_STARTUP_TIMEOUT (10 s, compared in whole seconds as PostgreSQL's
//    pg_time_t arithmetic does) by setting STOPPED, so that a walreceiver
//    forked late sees STOPPED and exits (RW-14).
//  * ShutdownWalRcv(): STARTING -> STOPPED; STREAMING / WAITING / RESTARTING
//    -> STOPPING and SIGTERM to the walreceiver; then polls every 100 ms until
//    STOPPED (9.3's loop; 15 sleeps on a condition variable that WalRcvDie
//    broadcasts, so 15 notices up to 100 ms sooner), running the caller's
//    interrupt check on each turn as 9.3 does.
//  * GetWalRcvFlushRecPtr(): receivedUpto (fsync'd: RW-15), with
//    latestChunkStart and receivedTLI.
#ifndef REPLSIM_PROTOCOL_RECOVERY_WALRECEIVERFUNCS_H_
#define REPLSIM_PROTOCOL_RECOVERY_WALRECEIVERFUNCS_H_

#include <string>

#include "absl/functional/function_ref.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/wal/lsn.h"

namespace replsim::recovery {

using wal::TimeLineID;
using wal::XLogRecPtr;

// WALRCV_STARTUP_TIMEOUT, in seconds.
inline constexpr int64_t WALRCV_STARTUP_TIMEOUT = 10;
// 9.3's ShutdownWalRcv poll interval.
inline constexpr os::Duration kShutdownWalRcvPoll = os::Milliseconds(100);

void RequestXLogStreaming(os::Os& os, node::NodeShmem& shm, TimeLineID tli,
                          XLogRecPtr recptr, const std::string& conninfo);

bool WalRcvRunning(os::Os& os, node::NodeShmem& shm);
bool WalRcvStreaming(os::Os& os, node::NodeShmem& shm);

// `interrupts` is awaited on every poll (HandleStartupProcInterrupts).
os::Task<> ShutdownWalRcv(os::Os& os, node::NodeShmem& shm,
                          absl::FunctionRef<os::Task<>()> interrupts);

struct WalRcvFlush {
  XLogRecPtr flushedUpto = 0;       // WalRcv->receivedUpto
  XLogRecPtr latestChunkStart = 0;
  TimeLineID receiveTLI = 0;
};
WalRcvFlush GetWalRcvFlushRecPtr(const node::NodeShmem& shm);

}  // namespace replsim::recovery

#endif  // REPLSIM_PROTOCOL_RECOVERY_WALRECEIVERFUNCS_H_
