// File: protocol/postmaster/syncrep.h
//
// Synchronous replication (syncrep.c), the priority ("FIRST 1") form:
//  - SyncRepWaitForLSN: a committing backend with synchronous_commit above
//    local, max_wal_senders > 0 and sync_standbys_defined waits, queued in
//    LSN order, until WalSndCtl->lsn[mode] reaches its commit LSN. No
//    timeout. SIGTERM during the wait (ProcDiePending) gives WARNING
//    "canceling the wait for synchronous replication and terminating
//    connection due to administrator command" and the client is NOT told of
//    the commit; postmaster death does the same silently (RW-18). A standby
//    that disconnects releases nothing: waiters hang.
//  - SyncRepReleaseWaiters, called by the walsender on each 'r' reply: if
//    this walsender is the synchronous standby (the STREAMING slot with the
//    lowest non-zero priority and a valid flush), raise lsn[WRITE]/
//    lsn[FLUSH] to its reported write/flush and wake the waiters at or
//    below them. A takeover logs "standby \"%s\" is now the synchronous
//    standby with priority %u" (15: "... is now a synchronous standby ...").
//  - SyncRepGetStandbyPriority: the 1-based position of application_name in
//    synchronous_standby_names ('*' matches all; "FIRST n (...)"/"n (...)"
//    and "ANY n (...)" lists are read as plain priority lists), 0 if absent.
// remote_apply waits as "on" (FLUSH): replay positions are not modelled.
#ifndef REPLSIM_PROTOCOL_POSTMASTER_SYNCREP_H_
#define REPLSIM_PROTOCOL_POSTMASTER_SYNCREP_H_

#include <string_view>

#include <string>

#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::postmaster {

// A backend's interrupt flags (globals.c), set by its signal handlers.
struct InterruptFlags {
  bool ProcDiePending = false;      // SIGTERM
  bool QueryCancelPending = false;  // SIGINT
};

enum class SyncRepWaitResult {
  kNotNeeded,   // no wait was needed (or the LSN was already confirmed)
  kReleased,    // a walsender confirmed the LSN
  kTerminated,  // SIGTERM or postmaster death: the client is not told
  kCanceled,    // query cancel: WARNING, the session goes on
};

bool SyncRepRequested(const node::NodeShmem& shm);
int SyncRepWaitMode(const node::NodeShmem& shm);

// `confirmed_by`, when given, is set to the client_host of the synchronous
// standby whose confirmation covers `lsn` (kReleased, or kNotNeeded with the
// LSN already confirmed), and left alone otherwise.
os::Task<SyncRepWaitResult> SyncRepWaitForLSN(os::Os& os, node::NodeShmem& shm,
                                              wal::XLogRecPtr lsn,
                                              InterruptFlags& interrupts,
                                              std::string* confirmed_by = nullptr);

// The walsender's per-process state for SyncRepReleaseWaiters.
struct SyncRepWalSndState {
  bool announce_next_takeover = true;
};
void SyncRepReleaseWaiters(os::Os& os, node::NodeShmem& shm, node::WalSnd& me,
                           SyncRepWalSndState& state);

int SyncRepGetStandbyPriority(std::string_view synchronous_standby_names,
                              std::string_view application_name);

// The checkpointer's SyncRepUpdateSyncStandbysDefined: publishes whether
// names are set; clearing them releases every waiter.
void SyncRepUpdateSyncStandbysDefined(node::NodeShmem& shm);

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_SYNCREP_H_
