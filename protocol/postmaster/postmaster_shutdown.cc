// Shutdown requests and the state machine (postmaster.c pmdie,
// PostmasterStateMachine, sigusr1_handler, MaybeStartWalReceiver), for 9.3
// (PM_WAIT_BACKUP / PM_WAIT_READONLY, immediate exits at once) and 15
// (PM_STOP_BACKENDS, immediate waits for the children).
#include "absl/strings/str_cat.h"
#include "protocol/os/check.h"
#include "protocol/postmaster/pmsignal.h"
#include "protocol/postmaster/postmaster_internal.h"

namespace replsim::postmaster {

void Postmaster::pmdie(os::Signal sig) {
  if (modern()) {
    pmdie15(sig);
  } else {
    pmdie93(sig);
  }
}

void Postmaster::pmdie93(os::Signal sig) {
  switch (sig) {
    case os::Signal::kSIGTERM:
      if (Shutdown_ >= ShutdownLevel::SmartShutdown) break;
      Shutdown_ = ShutdownLevel::SmartShutdown;
      os_.Log("LOG", "received smart shutdown request");
      if (pmState_ == PMState::PM_RUN || pmState_ == PMState::PM_RECOVERY ||
          pmState_ == PMState::PM_HOT_STANDBY || pmState_ == PMState::PM_STARTUP) {
        SignalSomeChildren(os::Signal::kSIGTERM, BACKEND_TYPE_AUTOVAC | BACKEND_TYPE_BGWORKER);
        SetPMState(pmState_ == PMState::PM_RUN ? PMState::PM_WAIT_BACKUP
                                               : PMState::PM_WAIT_READONLY);
      }
      PostmasterStateMachine();
      break;
    case os::Signal::kSIGINT:
      if (Shutdown_ >= ShutdownLevel::FastShutdown) break;
      Shutdown_ = ShutdownLevel::FastShutdown;
      os_.Log("LOG", "received fast shutdown request");
      if (StartupPID_ != 0) signal_child(StartupPID_, os::Signal::kSIGTERM);
      if (WalReceiverPID_ != 0) signal_child(WalReceiverPID_, os::Signal::kSIGTERM);
      if (pmState_ == PMState::PM_RECOVERY) {
        SetPMState(PMState::PM_WAIT_BACKENDS);
      } else if (pmState_ == PMState::PM_RUN || pmState_ == PMState::PM_WAIT_BACKUP ||
                 pmState_ == PMState::PM_WAIT_READONLY ||
                 pmState_ == PMState::PM_WAIT_BACKENDS ||
                 pmState_ == PMState::PM_HOT_STANDBY) {
        os_.Log("LOG", "aborting any active transactions");
        // Marked walsenders are spared; one still initialising is not (RW-6).
        SignalSomeChildren(os::Signal::kSIGTERM, BACKEND_TYPE_NORMAL | BACKEND_TYPE_AUTOVAC |
                                                     BACKEND_TYPE_BGWORKER);
        SetPMState(PMState::PM_WAIT_BACKENDS);
      }
      PostmasterStateMachine();
      break;
    case os::Signal::kSIGQUIT:
      os_.Log("LOG", "received immediate shutdown request");
      SetQuitSignalReason(*shm_, node::QuitSignalReason::PMQUIT_FOR_STOP);
      SignalChildren(os::Signal::kSIGQUIT);
      if (StartupPID_ != 0) signal_child(StartupPID_, os::Signal::kSIGQUIT);
      if (CheckpointerPID_ != 0) signal_child(CheckpointerPID_, os::Signal::kSIGQUIT);
      if (WalReceiverPID_ != 0) signal_child(WalReceiverPID_, os::Signal::kSIGQUIT);
      if (PgArchPID_ != 0) signal_child(PgArchPID_, os::Signal::kSIGQUIT);
      ExitPostmaster(0);
      break;
    default:
      break;
  }
}

void Postmaster::pmdie15(os::Signal sig) {
  switch (sig) {
    case os::Signal::kSIGTERM:
      if (Shutdown_ >= ShutdownLevel::SmartShutdown) break;
      Shutdown_ = ShutdownLevel::SmartShutdown;
      os_.Log("LOG", "received smart shutdown request");
      if (pmState_ == PMState::PM_RUN || pmState_ == PMState::PM_HOT_STANDBY) {
        connsAllowed_ = false;
      } else if (pmState_ == PMState::PM_STARTUP || pmState_ == PMState::PM_RECOVERY) {
        SetPMState(PMState::PM_STOP_BACKENDS);
      }
      PostmasterStateMachine();
      break;
    case os::Signal::kSIGINT:
      if (Shutdown_ >= ShutdownLevel::FastShutdown) break;
      Shutdown_ = ShutdownLevel::FastShutdown;
      os_.Log("LOG", "received fast shutdown request");
      if (pmState_ == PMState::PM_STARTUP || pmState_ == PMState::PM_RECOVERY) {
        SetPMState(PMState::PM_STOP_BACKENDS);
      } else if (pmState_ == PMState::PM_RUN || pmState_ == PMState::PM_HOT_STANDBY) {
        os_.Log("LOG", "aborting any active transactions");
        SetPMState(PMState::PM_STOP_BACKENDS);
      }
      PostmasterStateMachine();
      break;
    case os::Signal::kSIGQUIT:
      if (Shutdown_ >= ShutdownLevel::ImmediateShutdown) break;
      Shutdown_ = ShutdownLevel::ImmediateShutdown;
      os_.Log("LOG", "received immediate shutdown request");
      SetQuitSignalReason(*shm_, node::QuitSignalReason::PMQUIT_FOR_STOP);
      TerminateChildren(os::Signal::kSIGQUIT);
      SetPMState(PMState::PM_WAIT_BACKENDS);
      AbortStartTime_ = os_.Monotonic();
      PostmasterStateMachine();
      break;
    default:
      break;
  }
}

void Postmaster::PostmasterStateMachine() {
  if (modern()) {
    if ((pmState_ == PMState::PM_RUN || pmState_ == PMState::PM_HOT_STANDBY) &&
        !connsAllowed_ && CountChildren(BACKEND_TYPE_NORMAL) == 0) {
      SetPMState(PMState::PM_STOP_BACKENDS);
    }
    if (pmState_ == PMState::PM_STOP_BACKENDS) {
      // Every backend but the walsenders (RW-6: an unmarked one is hit).
      SignalSomeChildren(os::Signal::kSIGTERM, BACKEND_TYPE_ALL - BACKEND_TYPE_WALSND);
      if (StartupPID_ != 0) signal_child(StartupPID_, os::Signal::kSIGTERM);
      if (WalReceiverPID_ != 0) signal_child(WalReceiverPID_, os::Signal::kSIGTERM);
      SetPMState(PMState::PM_WAIT_BACKENDS);
    }
  } else {
    // No exclusive backups are modelled: PM_WAIT_BACKUP ends at once.
    if (pmState_ == PMState::PM_WAIT_BACKUP) SetPMState(PMState::PM_WAIT_BACKENDS);
    if (pmState_ == PMState::PM_WAIT_READONLY && CountChildren(BACKEND_TYPE_NORMAL) == 0) {
      if (StartupPID_ != 0) signal_child(StartupPID_, os::Signal::kSIGTERM);
      if (WalReceiverPID_ != 0) signal_child(WalReceiverPID_, os::Signal::kSIGTERM);
      SetPMState(PMState::PM_WAIT_BACKENDS);
    }
  }
  if (pmState_ == PMState::PM_WAIT_BACKENDS) StateMachineWaitBackends();
  StateMachineTail();
}

void Postmaster::StateMachineWaitBackends() {
  const bool checkpointer_may_stay =
      modern() ? (!FatalError_ && Shutdown_ < ShutdownLevel::ImmediateShutdown)
               : !FatalError_;
  if (CountChildren(BACKEND_TYPE_ALL - BACKEND_TYPE_WALSND) != 0 || StartupPID_ != 0 ||
      WalReceiverPID_ != 0 || (CheckpointerPID_ != 0 && !checkpointer_may_stay)) {
    return;
  }
  if (Shutdown_ >= ShutdownLevel::ImmediateShutdown || FatalError_) {
    SetPMState(PMState::PM_WAIT_DEAD_END);
    return;
  }
  CHECK(Shutdown_ > ShutdownLevel::NoShutdown);
  if (CheckpointerPID_ == 0) CheckpointerPID_ = StartCheckpointer();
  if (CheckpointerPID_ != 0) {
    signal_child(CheckpointerPID_, os::Signal::kSIGUSR2);
    SetPMState(PMState::PM_SHUTDOWN);
  } else {
    FatalError_ = true;
    SetPMState(PMState::PM_WAIT_DEAD_END);
    SignalChildren(os::Signal::kSIGQUIT);
    if (PgArchPID_ != 0) signal_child(PgArchPID_, os::Signal::kSIGQUIT);
  }
}

void Postmaster::StateMachineTail() {
  if (pmState_ == PMState::PM_SHUTDOWN_2 && PgArchPID_ == 0 &&
      CountChildren(BACKEND_TYPE_ALL) == 0 && (modern() || WalReceiverPID_ == 0)) {
    SetPMState(PMState::PM_WAIT_DEAD_END);
  }
  if (pmState_ == PMState::PM_WAIT_DEAD_END && BackendList_.empty() && PgArchPID_ == 0) {
    CHECK_EQ(StartupPID_, 0);
    CHECK_EQ(WalReceiverPID_, 0);
    CHECK_EQ(CheckpointerPID_, 0);
    SetPMState(PMState::PM_NO_CHILDREN);
  }
  if (Shutdown_ > ShutdownLevel::NoShutdown && pmState_ == PMState::PM_NO_CHILDREN) {
    if (FatalError_) {
      os_.Log("LOG", "abnormal database system shutdown");
      ExitPostmaster(1);
    } else {
      ExitPostmaster(0);
    }
    return;
  }
  if (pmState_ == PMState::PM_NO_CHILDREN &&
      (StartupStatus_ == StartupStatusEnum::STARTUP_CRASHED || RecoveryError_)) {
    os_.Log("LOG", "shutting down due to startup process failure");
    ExitPostmaster(1);
    return;
  }
  if (FatalError_ && pmState_ == PMState::PM_NO_CHILDREN) {
    os_.Log("LOG", "all server processes terminated; reinitializing");
    // LocalProcessControlFile: shared memory's copy is what the processes
    // last wrote to pg_control (UpdateControlFile writes through).
    reset_shared();
    StartupPID_ = StartupDataBase();
    CHECK_NE(StartupPID_, 0);
    StartupStatus_ = StartupStatusEnum::STARTUP_RUNNING;
    SetPMState(PMState::PM_STARTUP);
    AbortStartTime_.reset();
  }
}

void Postmaster::sigusr1_handler() {
  node::NodeShmem& s = *shm_;
  if (CheckPostmasterSignal(s, PMSignalReason::PMSIGNAL_RECOVERY_STARTED) &&
      pmState_ == PMState::PM_STARTUP && Shutdown_ == ShutdownLevel::NoShutdown) {
    FatalError_ = false;
    AbortStartTime_.reset();
    if (!modern() && CheckpointerPID_ == 0) CheckpointerPID_ = StartCheckpointer();
    SetPMState(PMState::PM_RECOVERY);
  }
  if (CheckPostmasterSignal(s, PMSignalReason::PMSIGNAL_BEGIN_HOT_STANDBY) &&
      pmState_ == PMState::PM_RECOVERY && Shutdown_ == ShutdownLevel::NoShutdown) {
    os_.Log("LOG", "database system is ready to accept read-only connections");
    SetPMState(PMState::PM_HOT_STANDBY);
    connsAllowed_ = true;
  }
  // 9.3: XLogArchiveNotify asks the postmaster to wake the archiver.
  if (CheckPostmasterSignal(s, PMSignalReason::PMSIGNAL_WAKEN_ARCHIVER) && PgArchPID_ != 0) {
    signal_child(PgArchPID_, os::Signal::kSIGUSR1);
  }
  if (CheckPostmasterSignal(s, PMSignalReason::PMSIGNAL_START_WALRECEIVER)) {
    if (config_.behavior.pm_keep_walreceiver_request) {
      WalReceiverRequested_ = true;
      MaybeStartWalReceiver();
    } else if (WalReceiverPID_ == 0 &&
               (pmState_ == PMState::PM_STARTUP || pmState_ == PMState::PM_RECOVERY ||
                pmState_ == PMState::PM_HOT_STANDBY ||
                pmState_ == PMState::PM_WAIT_READONLY) &&
               Shutdown_ == ShutdownLevel::NoShutdown) {
      WalReceiverPID_ = StartWalReceiver();
    }
  }
  if (CheckPostmasterSignal(s, PMSignalReason::PMSIGNAL_ADVANCE_STATE_MACHINE) &&
      (modern() || pmState_ == PMState::PM_WAIT_BACKUP ||
       pmState_ == PMState::PM_WAIT_BACKENDS)) {
    PostmasterStateMachine();
  }
  if (exit_code_.has_value()) return;
  const bool promotable =
      pmState_ == PMState::PM_STARTUP || pmState_ == PMState::PM_RECOVERY ||
      pmState_ == PMState::PM_HOT_STANDBY ||
      (!modern() && pmState_ == PMState::PM_WAIT_READONLY);
  // CheckPromoteSignal: the "promote" file pg_ctl promote wrote.
  if (StartupPID_ != 0 && promotable &&
      os_.Stat(absl::StrCat(config_.data_dir, "/", node::kPromoteSignal)).ok()) {
    signal_child(StartupPID_, os::Signal::kSIGUSR2);
  }
}

// With a4d1ce095b; its 9.x back-patches also start one in PM_WAIT_READONLY
// and only while no shutdown is requested.
void Postmaster::MaybeStartWalReceiver() {
  const bool state_ok =
      pmState_ == PMState::PM_STARTUP || pmState_ == PMState::PM_RECOVERY ||
      pmState_ == PMState::PM_HOT_STANDBY ||
      (!modern() && pmState_ == PMState::PM_WAIT_READONLY);
  const bool shutdown_ok = modern() ? Shutdown_ <= ShutdownLevel::SmartShutdown
                                    : Shutdown_ == ShutdownLevel::NoShutdown;
  if (WalReceiverPID_ == 0 && state_ok && shutdown_ok) {
    WalReceiverPID_ = StartWalReceiver();
    if (WalReceiverPID_ != 0) WalReceiverRequested_ = false;
  }
}

}  // namespace replsim::postmaster
