// PostmasterMain and ServerLoop (postmaster.c).
#include "protocol/postmaster/postmaster.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "protocol/os/check.h"
#include "protocol/postmaster/pmsignal.h"
#include "protocol/postmaster/postmaster_internal.h"
#include "protocol/xlog/control_file.h"

namespace replsim::postmaster {

os::Task<> PostmasterMain(os::Os& os, node::NodeConfig config, EntryPoints entry) {
  Postmaster pm(os, std::move(config), std::move(entry));
  co_await pm.Main();
}

Postmaster::Postmaster(os::Os& os, node::NodeConfig config, EntryPoints entry)
    : os_(os),
      config_(std::move(config)),
      entry_(std::make_shared<const EntryPoints>(std::move(entry))),
      version_(config_.behavior.server_version_num) {}

void Postmaster::InstallSignalHandlers() {
  for (os::Signal s : {os::Signal::kSIGHUP, os::Signal::kSIGINT, os::Signal::kSIGTERM,
                       os::Signal::kSIGQUIT, os::Signal::kSIGCHLD, os::Signal::kSIGUSR1}) {
    os_.SetSignalHandler(s, [this, s] {
      pending_.push_back(s);
      os_.MyLatch().Set();
    });
  }
  os_.IgnoreSignal(os::Signal::kSIGUSR2);
  os_.IgnoreSignal(os::Signal::kSIGPIPE);
}

void Postmaster::reset_shared() {
  node::ControlFileData control;
  if (shm_ != nullptr) control = shm_->ControlFile;
  shm_ = std::make_shared<node::NodeShmem>();
  node::NodeShmem& s = *shm_;
  s.node_name = config_.name;
  s.data_dir = config_.data_dir;
  s.gucs = config_.gucs;
  s.behavior = config_.behavior;
  s.ControlFile = control;
  s.postmaster_pid = os_.MyPid();
  s.WalSndCtl.walsnds.resize(s.gucs.max_wal_senders);
  InitPMChildSlots(s, MaxLivePostmasterChildren());
  s.XLogCtl.recoveryWakeupLatch = os_.NewSharedLatch();
  s.ShmemVariableCache.nextXid = control.checkPointCopy.nextXid;
  if (entry_->on_shmem) entry_->on_shmem(shm_);
}

os::Task<bool> Postmaster::Init() {
  // LocalProcessControlFile / checkControlFile.
  os::Result<node::ControlFileData> control =
      co_await xlog::ReadControlFile(os_, config_.data_dir);
  if (!control.ok()) {
    os_.Log("FATAL", control.error() == os::Errno::kENOENT
                         ? absl::StrCat("could not open file \"",
                                        xlog::ControlFilePath(config_.data_dir),
                                        "\": No such file or directory")
                         : "incorrect checksum in control file");
    co_return false;
  }
  reset_shared();
  shm_->ControlFile = *control;
  shm_->ShmemVariableCache.nextXid = control->checkPointCopy.nextXid;
  os::Result<os::Fd> l = os_.Listen(config_.port, 64);
  if (!l.ok()) {
    os_.Log("FATAL", "could not create any TCP/IP sockets");
    co_return false;
  }
  listen_fd_ = *l;
  os_.Log("LOG", absl::StrCat("listening on IPv4 address \"0.0.0.0\", port ",
                              config_.port));
  co_return true;
}

os::Task<> Postmaster::Main() {
  InstallSignalHandlers();
  const bool awaited_1 = !co_await Init();
  if (awaited_1) co_await os_.Exit(1);
  // 15 starts the checkpointer first, "so they can help with recovery".
  if (modern()) CheckpointerPID_ = StartCheckpointer();
  StartupPID_ = StartupDataBase();
  CHECK_NE(StartupPID_, 0);
  StartupStatus_ = StartupStatusEnum::STARTUP_RUNNING;
  SetPMState(PMState::PM_STARTUP);
  for (;;) {
    int events = os::WL_LATCH_SET | os::WL_TIMEOUT;
    if (pmState_ != PMState::PM_WAIT_DEAD_END) events |= os::WL_SOCKET_READABLE;
    const int rc = co_await os_.WaitLatchOrSocket(&os_.MyLatch(), events, listen_fd_,
                                                 DetermineSleepTime());
    os_.MyLatch().Reset();
    RunPendingHandlers();
    if (exit_code_.has_value()) break;
    if ((rc & os::WL_SOCKET_READABLE) && pmState_ != PMState::PM_WAIT_DEAD_END) {
      AcceptConnections();
    }
    StartRequestedSessions();
    ServerLoopChores();
    if (exit_code_.has_value()) break;
  }
  co_await os_.Exit(*exit_code_);
}

void Postmaster::RunPendingHandlers() {
  while (!pending_.empty() && !exit_code_.has_value()) {
    const os::Signal s = pending_.front();
    pending_.erase(pending_.begin());
    switch (s) {
      case os::Signal::kSIGINT:
      case os::Signal::kSIGTERM:
      case os::Signal::kSIGQUIT:
        pmdie(s);
        break;
      case os::Signal::kSIGCHLD:
        reaper();
        break;
      case os::Signal::kSIGUSR1:
        sigusr1_handler();
        break;
      default:
        SIGHUP_handler();
        break;
    }
  }
}

void Postmaster::SIGHUP_handler() {
  if (Shutdown_ > ShutdownLevel::SmartShutdown) return;  // as PostgreSQL's
  os_.Log("LOG", "received SIGHUP, reloading configuration files");
  if (!entry_->config_file) return;
  const node::Gucs now = entry_->config_file();
  // Only the parameters whose reload each process models (the scenario
  // loader refuses others).
  const node::Gucs before = config_.gucs;
  if (now.synchronous_standby_names != before.synchronous_standby_names) {
    os_.Log("LOG", absl::StrCat("parameter \"synchronous_standby_names\" changed to \"",
                                now.synchronous_standby_names, "\""));
  }
  if (now.synchronous_commit != before.synchronous_commit) {
    static constexpr const char* kNames[] = {"off", "local", "remote_write", "on",
                                             "remote_apply"};
    os_.Log("LOG", absl::StrCat("parameter \"synchronous_commit\" changed to \"",
                                kNames[static_cast<int>(now.synchronous_commit)], "\""));
  }
  config_.gucs.synchronous_standby_names = now.synchronous_standby_names;
  config_.gucs.synchronous_commit = now.synchronous_commit;
  if (shm_ != nullptr) shm_->gucs = config_.gucs;  // what a child reads on its reload
  SignalChildren(os::Signal::kSIGHUP);
  for (os::Pid pid : {StartupPID_, CheckpointerPID_, WalReceiverPID_}) {
    if (pid != 0) signal_child(pid, os::Signal::kSIGHUP);
  }
}

void Postmaster::AcceptConnections() {
  for (;;) {
    os::Result<os::Fd> s = os_.TryAccept(listen_fd_);
    if (!s.ok()) return;  // EAGAIN, or a failed accept (logged by PG; retried)
    // StreamConnection: SO_KEEPALIVE, then tcp_keepalives_* where not 0.
    const node::Gucs& g = config_.gucs;
    os::KeepaliveConfig ka;
    if (g.tcp_keepalives_idle > os::Duration()) ka.idle = g.tcp_keepalives_idle;
    if (g.tcp_keepalives_interval > os::Duration()) ka.interval = g.tcp_keepalives_interval;
    if (g.tcp_keepalives_count > 0) ka.count = g.tcp_keepalives_count;
    (void)os_.SetKeepalive(*s, ka);
    BackendStartup(*s);
  }
}

void Postmaster::StartRequestedSessions() {
  if (entry_->sessions == nullptr) return;
  while (!entry_->sessions->pending.empty() && !exit_code_.has_value()) {
    SessionRequest r = std::move(entry_->sessions->pending.front());
    entry_->sessions->pending.pop_front();
    SessionStartup(std::move(r));
  }
}

void Postmaster::ServerLoopChores() {
  // Restart the checkpointer if it is gone in a state that wants one.
  const bool want_ckpt =
      pmState_ == PMState::PM_RUN || pmState_ == PMState::PM_RECOVERY ||
      pmState_ == PMState::PM_HOT_STANDBY ||
      (modern() && pmState_ == PMState::PM_STARTUP);
  if (want_ckpt && CheckpointerPID_ == 0) CheckpointerPID_ = StartCheckpointer();
  if (WalReceiverRequested_) MaybeStartWalReceiver();
  if (PgArchPID_ == 0 && PgArchStartupAllowed()) PgArchPID_ = StartArchiver();
  // Immediate shutdown or crash: SIGKILL whoever is still there after 5 s.
  if (immediate_waits() && AbortStartTime_.has_value() &&
      (Shutdown_ >= ShutdownLevel::ImmediateShutdown || FatalError_) &&
      os_.Monotonic() - *AbortStartTime_ >= kSigkillChildrenAfter) {
    os_.Log("LOG", "issuing SIGKILL to recalcitrant children");
    TerminateChildren(os::Signal::kSIGKILL);
    AbortStartTime_.reset();
  }
}

os::Duration Postmaster::DetermineSleepTime() const {
  if (AbortStartTime_.has_value() && immediate_waits()) {
    os::Duration left = kSigkillChildrenAfter - (os_.Monotonic() - *AbortStartTime_);
    return left < os::Duration() ? os::Duration() : left;
  }
  return os::Seconds(60);
}

void Postmaster::SetPMState(PMState s) {
  if (s == pmState_) return;
  os_.Log("DEBUG1", absl::StrCat(kPMStateLogPrefix, PMStateName(pmState_), " -> ",
                                 PMStateName(s)));
  pmState_ = s;
}

void Postmaster::ExitPostmaster(int code) {
  if (exit_code_.has_value()) return;
  // 10+: UnlinkLockFiles logs it as the postmaster's last action; 9.3's
  // checkpointer logs it at the end of ShutdownXLOG instead.
  if (modern()) os_.Log("LOG", "database system is shut down");
  exit_code_ = code;
}

}  // namespace replsim::postmaster
