// Child exits (postmaster.c reaper, CleanupBackend, HandleChildCrash,
// LogChildExit).
#include "absl/strings/str_cat.h"
#include "protocol/os/check.h"
#include "protocol/postmaster/pmsignal.h"
#include "protocol/postmaster/postmaster_internal.h"

namespace replsim::postmaster {
namespace {

bool ExitStatus0(const os::ChildExit& c) { return c.signal == 0 && c.code == 0; }
bool ExitStatus1(const os::ChildExit& c) { return c.signal == 0 && c.code == 1; }

// pg_strsignal's text for the signals a child can die of.
const char* SignalText(int sig) {
  switch (sig) {
    case 2: return "Interrupt";
    case 3: return "Quit";
    case 6: return "Aborted";
    case 9: return "Killed";
    case 10: return "User defined signal 1";
    case 12: return "User defined signal 2";
    case 13: return "Broken pipe";
    case 15: return "Terminated";
    default: return "Unknown signal";
  }
}

}  // namespace

void Postmaster::reaper() {
  while (std::optional<os::ChildExit> c = os_.WaitChild()) {
    if (exit_code_.has_value()) return;
    if (c->pid == StartupPID_) {
      ReapStartup(*c);
      continue;
    }
    if (c->pid == CheckpointerPID_) {
      ReapCheckpointer(*c);
      continue;
    }
    if (c->pid == PgArchPID_) {
      ReapArchiver(*c);
      continue;
    }
    if (c->pid == WalReceiverPID_) {
      WalReceiverPID_ = 0;
      if (!ExitStatus0(*c) && !ExitStatus1(*c)) {
        HandleChildCrash(*c, "WAL receiver process");
      }
      continue;
    }
    CleanupBackend(*c);
  }
  if (!exit_code_.has_value()) PostmasterStateMachine();
}

void Postmaster::ReapStartup(const os::ChildExit& c) {
  StartupPID_ = 0;
  shm_->startup_pid = 0;
  if (Shutdown_ > ShutdownLevel::NoShutdown && (ExitStatus0(c) || ExitStatus1(c))) {
    StartupStatus_ = StartupStatusEnum::STARTUP_NOT_RUNNING;
    SetPMState(PMState::PM_WAIT_BACKENDS);
    return;
  }
  const bool signaled = modern() ? StartupStatus_ == StartupStatusEnum::STARTUP_SIGNALED
                                 : false;
  if (pmState_ == PMState::PM_STARTUP && !signaled && !ExitStatus0(c)) {
    LogChildExit("LOG", "startup process", c);
    os_.Log("LOG", "aborting startup due to startup process failure");
    ExitPostmaster(1);
    return;
  }
  if (!ExitStatus0(c)) {
    if (StartupStatus_ == StartupStatusEnum::STARTUP_SIGNALED) {
      StartupStatus_ = StartupStatusEnum::STARTUP_NOT_RUNNING;
      if (pmState_ == PMState::PM_STARTUP) SetPMState(PMState::PM_WAIT_BACKENDS);
    } else if (modern()) {
      StartupStatus_ = StartupStatusEnum::STARTUP_CRASHED;
    } else if (!FatalError_) {
      RecoveryError_ = true;
    }
    HandleChildCrash(c, "startup process");
    return;
  }
  // Startup succeeded: commence normal operations.
  StartupStatus_ = StartupStatusEnum::STARTUP_NOT_RUNNING;
  FatalError_ = false;
  AbortStartTime_.reset();
  ReachedNormalRunning_ = true;
  SetPMState(PMState::PM_RUN);
  connsAllowed_ = true;
  if (CheckpointerPID_ == 0) CheckpointerPID_ = StartCheckpointer();
  os_.Log("LOG", "database system is ready to accept connections");
}

void Postmaster::ReapArchiver(const os::ChildExit& c) {
  PgArchPID_ = 0;
  // 15's archiver is attached to shared memory: anything but 0 or 1 is a
  // crash. 9.3's is not: it is only logged and started again.
  if (modern()) {
    if (!ExitStatus0(c) && !ExitStatus1(c)) HandleChildCrash(c, "archiver process");
  } else if (!ExitStatus0(c)) {
    LogChildExit("LOG", "archiver process", c);
  }
  if (PgArchStartupAllowed()) PgArchPID_ = StartArchiver();
}

void Postmaster::ReapCheckpointer(const os::ChildExit& c) {
  CheckpointerPID_ = 0;
  if (ExitStatus0(c) && pmState_ == PMState::PM_SHUTDOWN) {
    CHECK(Shutdown_ > ShutdownLevel::NoShutdown);
    // The shutdown checkpoint is written: wake the archiver for the last
    // time, and let the walsenders send it and go.
    if (PgArchPID_ != 0) signal_child(PgArchPID_, os::Signal::kSIGUSR2);
    SignalChildren(os::Signal::kSIGUSR2);
    SetPMState(PMState::PM_SHUTDOWN_2);
  } else {
    HandleChildCrash(c, "checkpointer process");
  }
}

void Postmaster::CleanupBackend(const os::ChildExit& c) {
  LogChildExit("DEBUG2", "server process", c);
  if (!ExitStatus0(c) && !ExitStatus1(c)) {
    HandleChildCrash(c, "server process");
    return;
  }
  for (auto it = BackendList_.begin(); it != BackendList_.end(); ++it) {
    if (it->pid != c.pid) continue;
    if (!it->dead_end && !ReleasePostmasterChildSlot(*shm_, it->child_slot)) {
      // The child failed to clean itself up: a crash after all.
      HandleChildCrash(c, "server process");
      return;
    }
    BackendList_.erase(it);
    return;
  }
}

void Postmaster::HandleChildCrash(const os::ChildExit& c, const char* procname) {
  const bool take_action = !FatalError_ && Shutdown_ != ShutdownLevel::ImmediateShutdown;
  if (take_action) {
    LogChildExit("LOG", procname, c);
    os_.Log("LOG", "terminating any other active server processes");
    SetQuitSignalReason(*shm_, node::QuitSignalReason::PMQUIT_FOR_CRASH);
  }
  for (auto it = BackendList_.begin(); it != BackendList_.end();) {
    if (it->pid == c.pid) {
      if (!it->dead_end) ReleasePostmasterChildSlot(*shm_, it->child_slot);
      it = BackendList_.erase(it);
      continue;
    }
    if (take_action) signal_child(it->pid, os::Signal::kSIGQUIT);
    ++it;
  }
  if (c.pid == StartupPID_) {
    StartupPID_ = 0;
  } else if (StartupPID_ != 0 && take_action) {
    signal_child(StartupPID_, os::Signal::kSIGQUIT);
    StartupStatus_ = StartupStatusEnum::STARTUP_SIGNALED;
  }
  if (c.pid == CheckpointerPID_) {
    CheckpointerPID_ = 0;
  } else if (CheckpointerPID_ != 0 && take_action) {
    signal_child(CheckpointerPID_, os::Signal::kSIGQUIT);
  }
  if (c.pid == WalReceiverPID_) {
    WalReceiverPID_ = 0;
  } else if (WalReceiverPID_ != 0 && take_action) {
    signal_child(WalReceiverPID_, os::Signal::kSIGQUIT);
  }
  // 9.3: "Force a power-cycle of the pgarch process too".
  if (c.pid == PgArchPID_) {
    PgArchPID_ = 0;
  } else if (PgArchPID_ != 0 && (modern() ? take_action : !FatalError_)) {
    signal_child(PgArchPID_, os::Signal::kSIGQUIT);
  }
  if (Shutdown_ != ShutdownLevel::ImmediateShutdown) FatalError_ = true;
  if (pmState_ == PMState::PM_RECOVERY || pmState_ == PMState::PM_HOT_STANDBY ||
      pmState_ == PMState::PM_RUN || pmState_ == PMState::PM_STOP_BACKENDS ||
      pmState_ == PMState::PM_WAIT_BACKUP || pmState_ == PMState::PM_WAIT_READONLY ||
      pmState_ == PMState::PM_SHUTDOWN) {
    SetPMState(PMState::PM_WAIT_BACKENDS);
  }
  if (!AbortStartTime_.has_value()) AbortStartTime_ = os_.Monotonic();
}

void Postmaster::LogChildExit(const char* level, const char* procname,
                              const os::ChildExit& c) {
  if (c.signal == 0) {
    os_.Log(level, absl::StrCat(procname, " (PID ", c.pid, ") exited with exit code ",
                                c.code));
  } else {
    os_.Log(level, absl::StrCat(procname, " (PID ", c.pid, ") was terminated by signal ",
                                c.signal, ": ", SignalText(c.signal)));
  }
}

}  // namespace replsim::postmaster
