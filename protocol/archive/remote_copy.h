// File: protocol/archive/remote_copy.h
//
// archive_command and restore_command as the simulation runs them: the
// command line (after %p/%f substitution) is one copy between a local file
// and a file on the archive host, in the forms an operator writes:
//
//   scp [-o ConnectTimeout=N] pg_wal/000000010000000000000003 archive:/wal/000000010000000000000003
//   rsync [--fsync] pg_wal/000000010000000000000003 archive:/wal/000000010000000000000003
//   scp archive:/wal/00000002.history pg_wal/RECOVERYHISTORY
//
// A relative local path is taken from the data directory (the server's
// working directory). The command runs inside the calling process, as
// system() blocks its caller: the archiver or the startup process is busy
// for as long as the copy takes (connecting, sending 16 MiB, the archive
// host's write and fsync). Its exit status is what system() would return:
// 0 on success, 1 on any failure (a refused or timed-out connection, a
// failed write on either side, no such file), 127 for a command line this
// model does not know (the shell's "command not found").
//
// Durability: scp writes in place without fsync; rsync writes a temporary
// file and renames it, fsyncing first only with --fsync. A restored file is
// written without fsync either way (the startup process fsyncs what it
// keeps).
#ifndef REPLSIM_PROTOCOL_ARCHIVE_REMOTE_COPY_H_
#define REPLSIM_PROTOCOL_ARCHIVE_REMOTE_COPY_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::archive {

struct CopyCommand {
  bool rsync = false;
  bool fsync = false;
  os::Duration connect_timeout;  // 0: the kernel's own connect timeout
  std::string host;              // the archive host
  std::string remote_path;       // on the archive host
  std::string local_path;        // as written (maybe relative)
  bool to_archive = true;        // local -> host (archive), else host -> local
};

// Parses a substituted command line; InvalidArgument says what it lacks.
absl::StatusOr<CopyCommand> ParseCopyCommand(std::string_view command);

// Substitutes %p, %f and %% as shell_archive_file and RestoreArchivedFile do
// (%r is taken as "000000000000000000000000": no archive cleanup).
std::string SubstituteCommand(std::string_view command, std::string_view path,
                              std::string_view file);

// Runs `command` for a server whose data directory is `data_dir`; returns
// system()'s exit status.
os::Task<int> RunCopyCommand(os::Os& os, std::string_view command, const std::string& data_dir);

}  // namespace replsim::archive

#endif  // REPLSIM_PROTOCOL_ARCHIVE_REMOTE_COPY_H_
