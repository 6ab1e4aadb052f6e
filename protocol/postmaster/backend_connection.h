// File: protocol/postmaster/backend_connection.h
//
// The body of a connection's child (postmaster.c BackendInitialize +
// ProcessStartupPacket, postgres.c PostgresMain up to the walsender): reads
// the startup packet (answering an SSLRequest with 'N'), refuses the
// connection with PostgreSQL's FATAL when the postmaster said so (the
// dead-end children of RW-8: "the database system is shutting down"), and for
// replication=true sends AuthenticationOk, ParameterStatus, BackendKeyData
// and ReadyForQuery, then becomes a walsender (entry.walsender). Until it
// marks itself a walsender the postmaster counts it as a normal backend
// (RW-6).
//
// Only replication connections reach the simulated postmaster over TCP
// (client sessions are started directly); any other connection gets a FATAL.
#ifndef REPLSIM_PROTOCOL_POSTMASTER_BACKEND_CONNECTION_H_
#define REPLSIM_PROTOCOL_POSTMASTER_BACKEND_CONNECTION_H_

#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/postmaster/entry_points.h"
#include "protocol/postmaster/pm_state.h"

namespace replsim::postmaster {

os::Task<> BackendConnectionMain(os::Os& os, node::ShmemRef shm, os::Fd sock,
                                 CAC_state cac, const EntryPoints& entry);

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_BACKEND_CONNECTION_H_
