// File: protocol/postmaster/pgarch.h
//
// The archiver process (pgarch.c of 9.3 and 15, with 15's shell_archive.c):
// it takes the WAL files named by archive_status/*.ready, oldest first (15:
// timeline history files first, pgarch_history_first), runs archive_command
// on each (a simulated scp or rsync to the archive host:
// protocol/archive/remote_copy.h) and renames the .ready to .done when the
// command succeeds.
//  - A failed command is retried after 1 s; after NUM_ARCHIVE_RETRIES (3)
//    failures in a row the archiver gives up with a WARNING until its next
//    cycle: woken by XLogArchiveNotify (15: its latch; 9.3: SIGUSR1 from the
//    postmaster) or PGARCH_AUTOWAKE_INTERVAL (60 s) after the last cycle.
//  - SIGUSR2 (the postmaster, after the shutdown checkpoint): one last cycle,
//    then exit 0. SIGQUIT: exit at once (15: 2, a crash; 9.3: 1).
//  - An exit status of 127 (command not found) makes the archiver exit
//    FATAL in 15 (wait_result_is_any_signal); 9.3 only LOGs it.
//  - 15 drops a .ready whose segment is gone ("removed orphan archive
//    status file"); 9.3 keeps failing on it.
//  - The .done rename is durable in 15 (durable_rename: the directory is
//    fsynced), a plain rename in 9.3 (pgarch_done_durable).
// Not modelled: 15's batch of up to 64 names per directory scan (each pick
// rescans; the order is the same), archive_library, SIGHUP reloads.
#ifndef REPLSIM_PROTOCOL_POSTMASTER_PGARCH_H_
#define REPLSIM_PROTOCOL_POSTMASTER_PGARCH_H_

#include "protocol/node/node_config.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::postmaster {

inline constexpr int NUM_ARCHIVE_RETRIES = 3;
inline constexpr int64_t PGARCH_AUTOWAKE_INTERVAL_S = 60;
inline constexpr os::Duration PGARCH_RESTART_INTERVAL = os::Seconds(10);

os::Task<> PgArchiverMain(os::Os& os, node::ShmemRef shm);

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_PGARCH_H_
