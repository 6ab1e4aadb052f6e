// File: protocol/archive/archive_server.h
//
// The archive host's side of archive_command and restore_command: what sshd
// and the scp or rsync it runs do with the archive directory on that host's
// own disk. One process listens on kArchivePort and forks a child per
// connection; the child serves one request (copy_wire.h) and exits.
//  - put, scp: the file is truncated and written in place, not fsynced: a
//    crash of the archive host can lose it or leave it torn.
//  - put, rsync: written to a temporary ".<name>.tmp" beside it and renamed
//    into place; with --fsync the data is fsynced before the rename (the
//    directory never is, as rsync does not).
//  - A WAL segment takes its 16 MiB of disk space (a full archive disk
//    fails the copy with ENOSPC); only the bytes sent are stored.
//  - get: the file's contents, or "no such file".
// The faults a scenario steps in (archive_fault) reach the server through
// ArchiveServerFaults: the next `fail_puts` copies into the archive fail.
#ifndef REPLSIM_PROTOCOL_ARCHIVE_ARCHIVE_SERVER_H_
#define REPLSIM_PROTOCOL_ARCHIVE_ARCHIVE_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::archive {

struct ArchiveServerFaults {
  int fail_puts = 0;
};

struct ArchiveServerConfig {
  // Directories made (and their creation made durable) before listening,
  // as an operator prepares the archive: "/wal".
  std::vector<std::string> directories;
  std::shared_ptr<ArchiveServerFaults> faults = std::make_shared<ArchiveServerFaults>();
};

os::Task<> ArchiveServerMain(os::Os& os, ArchiveServerConfig config);

}  // namespace replsim::archive

#endif  // REPLSIM_PROTOCOL_ARCHIVE_ARCHIVE_SERVER_H_
