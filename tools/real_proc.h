// File: tools/real_proc.h
//
// Processes and files of a real run (`replsim real`): PostgreSQL's programs
// run as an unprivileged user (PostgreSQL refuses to run as root: when
// replsim runs as root, each child drops to the `postgres` user Debian's
// package creates, with setgid/setuid after fork), everything under one
// temporary directory, and an interrupt flag set by SIGINT/SIGTERM that
// every wait checks, so that the run stops and cleans up.
#ifndef REPLSIM_TOOLS_REAL_PROC_H_
#define REPLSIM_TOOLS_REAL_PROC_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace replsim::tools::real {

// Installs SIGINT/SIGTERM handlers that only set the flag (the previous
// handlers are restored by RestoreInterruptHandlers).
void InstallInterruptHandlers();
void RestoreInterruptHandlers();
// 0, or the signal that asked the run to stop.
int Interrupted();
// Cancelled("interrupted by SIGINT") when asked to stop, else OK.
absl::Status CheckInterrupted();
// Sleeps up to `d`, returning early when interrupted.
void SleepInterruptibly(absl::Duration d);

// Who PostgreSQL's programs run as: the current user, or `postgres` when
// replsim runs as root.
struct RunAs {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};
absl::StatusOr<RunAs> ResolveRunAs();

struct ProcResult {
  int exit_code = -1;  // -1: killed or did not finish
  bool timed_out = false;
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv (argv[0] a full path) as `who`, stdout and stderr to
// `output_file`, and waits up to `timeout`. Cancelled when interrupted (the
// child is killed first).
absl::StatusOr<ProcResult> RunProgram(const RunAs& who, const std::vector<std::string>& argv,
                                      const std::string& output_file, absl::Duration timeout);
// Starts argv without waiting (for the workload); its pid.
absl::StatusOr<pid_t> SpawnProgram(const RunAs& who, const std::vector<std::string>& argv,
                                   const std::string& output_file);
// Waits up to `timeout` for a spawned child; true when it has exited.
bool WaitChild(pid_t pid, absl::Duration timeout);

// A fresh directory under $TMPDIR (or /tmp) owned by `who`.
absl::StatusOr<std::string> MakeTempDir(const RunAs& who);
// SIGKILLs every process whose working directory or command line is under
// `dir` (PostgreSQL's processes run with the data directory as their
// working directory), then removes `dir`. Returns the pids it killed.
std::vector<pid_t> KillUnderAndRemove(const std::string& dir);
// The pids of processes whose working directory is under `dir`.
std::vector<pid_t> ProcessesUnder(const std::string& dir);

std::string ReadFileOr(const std::string& path, const std::string& fallback = "");
absl::Status WriteFileAs(const RunAs& who, const std::string& path, const std::string& text,
                         bool append = false);

}  // namespace replsim::tools::real

#endif  // REPLSIM_TOOLS_REAL_PROC_H_
