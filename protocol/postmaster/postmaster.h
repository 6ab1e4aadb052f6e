// File: protocol/postmaster/postmaster.h
//
// The postmaster (postmaster.c, PostgreSQL 15, with 9.3's PMState sequence
// when behavior.server_version_num < 100000): creates the node's shared
// memory, reads pg_control, listens on config.port, starts the startup
// process and moves through PMState as its children signal and exit:
//
//   PM_STARTUP -RECOVERY_STARTED-> PM_RECOVERY -BEGIN_HOT_STANDBY->
//   PM_HOT_STANDBY; startup exits 0 -> PM_RUN.
//   Shutdown (SIGTERM smart, SIGINT fast, SIGQUIT immediate):
//     9.3: PM_WAIT_BACKUP / PM_WAIT_READONLY -> PM_WAIT_BACKENDS ->
//          PM_SHUTDOWN (SIGUSR2 to the checkpointer) -> PM_SHUTDOWN_2
//          (checkpointer exited 0: SIGUSR2 to the walsenders) ->
//          PM_WAIT_DEAD_END -> PM_NO_CHILDREN -> exit 0; immediate exits at
//          once after SIGQUITting everyone.
//     15:  PM_STOP_BACKENDS replaces the WAIT_BACKUP/READONLY steps;
//          immediate SIGQUITs, waits, and SIGKILLs after 5 s.
//   A child crash (HandleChildCrash) SIGQUITs everyone, sets FatalError,
//   and once all are gone reinitialises shared memory and restarts the
//   startup process (crash recovery).
//
// Race windows exposed: RW-6 (a walsender still initialising is a normal
// backend: fast shutdown SIGTERMs it, WAIT_BACKENDS waits for it), RW-7/RW-9
// (SIGUSR2 to walsenders only after the checkpointer exits), RW-8 (connections
// during shutdown get dead-end children answering "the database system is
// shutting down"), RW-11 (immediate shutdown: no checkpoint), RW-14
// (START_WALRECEIVER ignored in the wrong state), RW-18 (smart shutdown waits
// for sessions stuck in a sync-rep wait), RW-19 (startup and walreceiver gone
// before the shutdown restartpoint).
//
// Every PMState change is logged as DEBUG1 "postmaster state: <from> -> <to>"
// (a trace marker; PostgreSQL has no such line).
#ifndef REPLSIM_PROTOCOL_POSTMASTER_POSTMASTER_H_
#define REPLSIM_PROTOCOL_POSTMASTER_POSTMASTER_H_

#include "protocol/node/node_config.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/postmaster/entry_points.h"

namespace replsim::postmaster {

// Runs until shutdown completes (exit 0) or fails (exit 1).
os::Task<> PostmasterMain(os::Os& os, node::NodeConfig config, EntryPoints entry);

// The trace marker for a PMState change ("postmaster state: PM_RUN ->
// PM_STOP_BACKENDS").
inline constexpr char kPMStateLogPrefix[] = "postmaster state: ";

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_POSTMASTER_H_
