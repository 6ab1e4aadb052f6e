#include "protocol/postmaster/pgarch.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "protocol/archive/remote_copy.h"
#include "protocol/node/quickdie.h"
#include "protocol/xlog/xlog_io.h"
#include "protocol/xlog/xlogarchive.h"

namespace replsim::postmaster {
namespace {

// The flags pgarch.c's signal handlers set.
struct ArchiverFlags {
  bool wakened = false;        // 9.3: SIGUSR1
  bool ready_to_stop = false;  // SIGUSR2
  bool shutdown_requested = false;  // SIGTERM
};

int64_t TimeNow(os::Os& os) { return os.WallClockMicros() / 1000000; }

bool IsHistory(const std::string& name) { return absl::EndsWith(name, ".history"); }

class Archiver {
 public:
  Archiver(os::Os& os, node::NodeShmem& shm, std::shared_ptr<ArchiverFlags> flags)
      : os_(os), shm_(shm), flags_(std::move(flags)) {}

  os::Task<> MainLoop();

 private:
  bool v15() const { return shm_.behavior.server_version_num >= 150000; }
  const char* WalWords() const {
    return shm_.behavior.server_version_num >= 100000 ? "write-ahead log file"
                                                      : "transaction log file";
  }
  std::optional<std::string> ReadyXlog();
  os::Task<> CopyLoop();
  os::Task<bool> ArchiveXlog(const std::string& xlog);
  os::Task<> ArchiveDone(const std::string& xlog);

  os::Os& os_;
  node::NodeShmem& shm_;
  std::shared_ptr<ArchiverFlags> flags_;
};

// pgarch_readyXlog: the .ready with the lowest name; 15 takes history files
// first.
std::optional<std::string> Archiver::ReadyXlog() {
  shm_.PgArch.force_dir_scan = false;
  os::Result<std::vector<std::string>> names =
      os_.ListDir(absl::StrCat(xlog::XLogDir(shm_), "/", xlog::kArchiveStatusDir));
  if (!names.ok()) return std::nullopt;
  std::optional<std::string> best;
  for (const std::string& n : *names) {
    if (!absl::EndsWith(n, ".ready") || n.size() <= 6) continue;
    std::string base = n.substr(0, n.size() - 6);
    if (!best.has_value()) {
      best = base;
      continue;
    }
    const bool hist_first = shm_.behavior.pgarch_history_first;
    if (hist_first && IsHistory(base) != IsHistory(*best)) {
      if (IsHistory(base)) best = base;
    } else if (base < *best) {
      best = base;
    }
  }
  return best;
}

os::Task<> Archiver::ArchiveDone(const std::string& xlog) {
  const std::string ready = xlog::StatusFilePath(shm_, xlog, ".ready");
  const std::string done = xlog::StatusFilePath(shm_, xlog, ".done");
  const os::Errno e = os_.Rename(ready, done);
  if (e != os::Errno::kOk) {
    os_.Log("WARNING", absl::StrCat("could not rename file \"", ready, "\" to \"", done,
                                    "\": ", std::string(os::StrError(e))));
    co_return;
  }
  if (shm_.behavior.pgarch_done_durable) {
    co_await os_.FsyncDir(absl::StrCat(xlog::XLogDir(shm_), "/", xlog::kArchiveStatusDir));
  }
}

// pgarch_archiveXlog + shell_archive_file.
os::Task<bool> Archiver::ArchiveXlog(const std::string& xlog) {
  const std::string relpath = absl::StrCat(xlog::XLogDirName(shm_.behavior.server_version_num),
                                           "/", xlog);
  const std::string cmd = archive::SubstituteCommand(shm_.gucs.archive_command, relpath, xlog);
  os_.Log("DEBUG3", absl::StrCat("executing archive command \"", cmd, "\""));
  const int rc = co_await archive::RunCopyCommand(os_, cmd, shm_.data_dir);
  if (rc != 0) {
    // 15: a "command not found" (127) is as bad as a signal: FATAL.
    const bool fatal = v15() && rc == 127;
    os_.Log(fatal ? "FATAL" : "LOG",
            absl::StrCat("archive command failed with exit code ", rc,
                         "\n\tThe failed archive command was: ", cmd));
    if (fatal) co_await os_.Exit(1);
    co_return false;
  }
  os_.Log("DEBUG1", absl::StrCat("archived ", WalWords(), " \"", xlog, "\""));
  co_return true;
}

// pgarch_ArchiverCopyLoop.
os::Task<> Archiver::CopyLoop() {
  for (;;) {
    std::optional<std::string> xlog = ReadyXlog();
    if (!xlog.has_value()) co_return;
    int failures = 0;
    for (;;) {
      if (flags_->shutdown_requested || !os_.PostmasterIsAlive()) co_return;
      if (shm_.gucs.archive_command.empty()) {
        os_.Log("WARNING", v15() ? "archive_mode enabled, yet archiving is not configured"
                                 : "archive_mode enabled, yet archive_command is not set");
        co_return;
      }
      // 15: a .ready whose file is gone is removed (an orphan).
      if (v15() && os_.Stat(absl::StrCat(xlog::XLogDir(shm_), "/", *xlog)).error() ==
                       os::Errno::kENOENT) {
        const std::string ready = xlog::StatusFilePath(shm_, *xlog, ".ready");
        if (os_.Unlink(ready) == os::Errno::kOk) {
          os_.Log("WARNING", absl::StrCat("removed orphan archive status file \"",
                                          ready.substr(shm_.data_dir.size() + 1), "\""));
          break;
        }
      }
      const bool archived = co_await ArchiveXlog(*xlog);
      if (archived) {
        co_await ArchiveDone(*xlog);
        break;
      }
      if (++failures >= NUM_ARCHIVE_RETRIES) {
        os_.Log("WARNING", absl::StrCat("archiving ", WalWords(), " \"", *xlog,
                                        "\" failed too many times, will try again later"));
        co_return;
      }
      co_await os_.Sleep(os::Seconds(1));
    }
  }
}

// pgarch_MainLoop. 9.3 runs a cycle only when woken (SIGUSR1) or timed out;
// 15 on every pass of the loop.
os::Task<> Archiver::MainLoop() {
  int64_t last_copy_time = 0;
  int64_t last_sigterm_time = 0;
  flags_->wakened = true;
  bool time_to_stop = false;
  do {
    os_.MyLatch().Reset();
    time_to_stop = flags_->ready_to_stop;
    if (flags_->shutdown_requested) {
      const int64_t now = TimeNow(os_);
      if (last_sigterm_time == 0) {
        last_sigterm_time = now;
      } else if (now - last_sigterm_time >= 60) {
        break;
      }
    }
    if (v15() || flags_->wakened || time_to_stop) {
      flags_->wakened = false;
      co_await CopyLoop();
      last_copy_time = TimeNow(os_);
    }
    if (!time_to_stop) {
      const int64_t timeout = PGARCH_AUTOWAKE_INTERVAL_S - (TimeNow(os_) - last_copy_time);
      if (timeout > 0) {
        const int rc = co_await os_.WaitLatchOrSocket(
            &os_.MyLatch(), os::WL_LATCH_SET | os::WL_TIMEOUT | os::WL_POSTMASTER_DEATH,
            os::kNoFd, os::Seconds(timeout));
        if (rc & os::WL_TIMEOUT) flags_->wakened = true;
        if (v15() && (rc & os::WL_POSTMASTER_DEATH)) time_to_stop = true;
      } else {
        flags_->wakened = true;
      }
    }
  } while (os_.PostmasterIsAlive() && !time_to_stop);
}

class PgArchRegistration {
 public:
  PgArchRegistration(node::NodeShmem& shm, os::Os& os) : shm_(shm) {
    shm_.PgArch.pid = os.MyPid();
    if (shm_.behavior.server_version_num >= 150000) shm_.PgArch.latch = &os.MyLatch();
  }
  PgArchRegistration(const PgArchRegistration&) = delete;
  PgArchRegistration& operator=(const PgArchRegistration&) = delete;
  ~PgArchRegistration() {
    shm_.PgArch.pid = 0;
    shm_.PgArch.latch = nullptr;
  }

 private:
  node::NodeShmem& shm_;
};

}  // namespace

os::Task<> PgArchiverMain(os::Os& os, node::ShmemRef shm_ref) {
  node::NodeShmem& shm = *shm_ref;
  auto flags = std::make_shared<ArchiverFlags>();
  os.SetSignalHandler(os::Signal::kSIGHUP, [&os] { os.MyLatch().Set(); });
  os.IgnoreSignal(os::Signal::kSIGINT);
  os.SetSignalHandler(os::Signal::kSIGTERM, [&os, flags] {
    flags->shutdown_requested = true;
    os.MyLatch().Set();
  });
  if (shm.behavior.server_version_num >= 150000) {
    node::InstallCrashExitHandler(os);  // SignalHandlerForCrashExit: exit 2
  } else {
    os.ExitOnSignal(os::Signal::kSIGQUIT, 1);  // pgarch_exit
  }
  os.SetSignalHandler(os::Signal::kSIGUSR1, [&os, flags] {
    flags->wakened = true;
    os.MyLatch().Set();
  });
  os.SetSignalHandler(os::Signal::kSIGUSR2, [&os, flags] {
    flags->ready_to_stop = true;
    os.MyLatch().Set();
  });
  // 15's archiver is an auxiliary process others wake through its latch;
  // 9.3's is reached only through the postmaster. Cleared on every way out
  // (the guard's frame ends with the process).
  PgArchRegistration reg(shm, os);
  Archiver a(os, shm, flags);
  co_await a.MainLoop();
  co_await os.Exit(0);
}

}  // namespace replsim::postmaster
