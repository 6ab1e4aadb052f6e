// File: protocol/postmaster/backend_workload.h
//
// A client session as the backend process serving it (postgres.c's loop,
// reduced to the transactions replication cares about). Each transaction
// assigns an xid, inserts one heap tuple (workload_tuple.h) and commits
// (RecordTransactionCommit: XLogInsert of the heap and COMMIT records,
// XLogFlush to the commit's end, then SyncRepWaitForLSN). Only a commit whose
// wait ended normally is acknowledged to the client: it is then recorded in
// the request's CommitLedger (the client's memory). A SIGTERM (fast shutdown,
// pg_terminate_backend) during the sync-rep wait gives the WARNING and
// FATAL exit without acknowledgement (recorded as unacked); between
// transactions it gives FATAL "terminating connection due to administrator
// command". A session started while the server is in recovery fails its
// first write with ERROR "cannot execute INSERT in a read-only transaction"
// and ends.
//
// The process holds a postmaster child slot (ACTIVE while it runs, back to
// ASSIGNED on a clean exit, as InitProcess/ProcKill do). RefuseSession is
// the dead-end child's body for a session the postmaster could not accept.
#ifndef REPLSIM_PROTOCOL_POSTMASTER_BACKEND_WORKLOAD_H_
#define REPLSIM_PROTOCOL_POSTMASTER_BACKEND_WORKLOAD_H_

#include "protocol/node/node_config.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/postmaster/connection_refusal.h"
#include "protocol/postmaster/entry_points.h"

namespace replsim::postmaster {

os::Task<> BackendWorkloadMain(os::Os& os, node::ShmemRef shm, SessionRequest req);

// Logs the FATAL refusal, counts it in the ledger, exits 1.
os::Task<> RefuseSession(os::Os& os, node::NodeShmem& shm, const SessionRequest& req,
                         const ConnectionRefusal& refusal);

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_BACKEND_WORKLOAD_H_
