// File: protocol/postmaster/syncrep.h
//
// Synchronous replication (syncrep.c), the priority ("FIRST 1") form:
//  - SyncRepWaitForLSN: a committing backend with synchronous_commit above
//    local and max_wal_senders > 0 (its own GUCs, as of its last reload)
//    waits when synchronous standbys are defined, queued in LSN order, until
//    WalSndCtl->lsn[mode] reaches its commit LSN. No timeout. Which
//    "defined" it asks changed twice: before 48c9f49265 the backend's own
//    synchronous_standby_names and the shared sync_standbys_defined both
//    had to say so; then the shared flag alone; from 2e57790836 the shared
//    flag once the checkpointer has published it, and the backend's own
//    names before that. SIGTERM during the wait (ProcDiePending) gives
//    WARNING "canceling the wait for synchronous replication and
//    terminating connection due to administrator command" and the client
//    is NOT told of the commit; postmaster death does the same silently
//    (RW-18). A standby that disconnects releases nothing: waiters hang.
//  - SyncRepReleaseWaiters, called by the walsender on each 'r' reply: if
//    this walsender is the synchronous standby (the candidate slot with the
//    lowest non-zero priority and a valid flush; candidates are STREAMING
//    walsenders, and STOPPING ones from 4c703369af), raise lsn[WRITE]/
//    lsn[FLUSH] to its reported write/flush and wake the waiters at or
//    below them. A takeover logs "standby \"%s\" is now the synchronous
//    standby with priority %u" (15: "... is now a synchronous standby ...").
//  - SyncRepGetStandbyPriority: the 1-based position of application_name in
//    synchronous_standby_names ('*' matches all; "FIRST n (...)"/"n (...)"
//    and "ANY n (...)" lists are read as plain priority lists), 0 if absent.
//  - SyncRepUpdateSyncStandbysDefined, the checkpointer's, at its start and
//    after each reload: publishes whether names are set.
// remote_apply waits as "on" (FLUSH): replay positions are not modelled.
//
// NodeShmem::gucs is the configuration as the postmaster last read it
// (postgresql.conf at its start and at each reload): what a process reads
// when it (re)loads its own. A backend keeps its own copy between reloads
// and passes it to SyncRepWaitForLSN; the walsender and the checkpointer read the parameters
// below only at their start and at their reload, so they read shm.gucs then.
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

// SyncRepRequested / SyncRepWaitMode of a backend whose GUCs are `my`.
bool SyncRepRequested(const node::Gucs& my);
int SyncRepWaitMode(const node::Gucs& my);

// Not PostgreSQL's: whether the server has synchronous replication in
// effect for a backend whose own GUCs are `my`. It asked for it
// (SyncRepRequested) and standby names are defined: as the checkpointer last
// published them (a reload takes effect for the server when the change
// "becomes visible", 48c9f49265), or, before its first publication in this
// shared memory, as the backend's configuration has them (2e57790836: the
// server was started with them). The checkers' meaning of "synchronous
// replication was configured".
bool SyncRepInEffect(const node::NodeShmem& shm, const node::Gucs& my);

// What a wait tells the client's ledger (not PostgreSQL's).
struct SyncRepWaitReport {
  // The client_host of the synchronous standby whose confirmation covers
  // the LSN (kReleased, or kNotNeeded with the LSN already confirmed); ""
  // when none did.
  std::string confirmed_by;
  // The wait ended normally (released or not needed) while synchronous
  // replication was in effect (SyncRepInEffect): the client may take the
  // commit as replicated to a synchronous standby.
  bool promised = false;
};

os::Task<SyncRepWaitResult> SyncRepWaitForLSN(os::Os& os, node::NodeShmem& shm,
                                              const node::Gucs& my, wal::XLogRecPtr lsn,
                                              InterruptFlags& interrupts,
                                              SyncRepWaitReport* report = nullptr);

// The walsender's per-process state for SyncRepReleaseWaiters.
struct SyncRepWalSndState {
  bool announce_next_takeover = true;
};
void SyncRepReleaseWaiters(os::Os& os, node::NodeShmem& shm, node::WalSnd& me,
                           SyncRepWalSndState& state);

int SyncRepGetStandbyPriority(std::string_view synchronous_standby_names,
                              std::string_view application_name);

// The checkpointer's SyncRepUpdateSyncStandbysDefined: publishes whether
// names are set in shm.gucs (clearing them releases every waiter) and marks
// the publication made (sync_standbys_init).
void SyncRepUpdateSyncStandbysDefined(node::NodeShmem& shm);

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_SYNCREP_H_
