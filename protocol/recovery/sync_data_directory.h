// File: protocol/recovery/sync_data_directory.h
//
// What StartupXLOG does to the data directory after a crash, before
// recovery reads anything: SyncDataDirectory (fd.c; fsync_pgdata in 9.x),
// PostgreSQL commit 2ce439f337 "Recursively fsync() the data directory after
// a crash" (Behavior::sync_data_directory_after_crash).
//
// A crash of the server's processes (not of the host) leaves what they had
// written but not fsynced in the kernel's page cache: the restarted server
// reads it back, replays it and counts it as flushed, though a later host
// crash can still lose it. With the commit the startup process first fsyncs
// every file and directory of the data directory (walkdir: a directory after
// its entries), so whatever recovery reads is durable. A failed fsync is
// logged and the walk goes on (9.4.3's revision, 15's LOG level).
#ifndef REPLSIM_PROTOCOL_RECOVERY_SYNC_DATA_DIRECTORY_H_
#define REPLSIM_PROTOCOL_RECOVERY_SYNC_DATA_DIRECTORY_H_

#include <string>

#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::recovery {

// fsyncs every file and directory under `data_dir`.
os::Task<> SyncDataDirectory(os::Os& os, const std::string& data_dir);

// StartupXLOG's step: with 2ce439f337, and pg_control in neither shut-down
// state (DB_SHUTDOWNED, DB_SHUTDOWNED_IN_RECOVERY), SyncDataDirectory.
// Returns whether it ran.
os::Task<bool> SyncDataDirectoryAfterCrash(os::Os& os, const node::NodeShmem& shm);

}  // namespace replsim::recovery

#endif  // REPLSIM_PROTOCOL_RECOVERY_SYNC_DATA_DIRECTORY_H_
