// File: protocol/postmaster/postmaster_internal.h
//
// The postmaster's private state and its functions, one method per
// postmaster.c function, split over postmaster.cc (main loop, start-up),
// postmaster_children.cc (forking, BackendList, signalling, counting),
// postmaster_shutdown.cc (pmdie, PostmasterStateMachine, sigusr1_handler) and
// postmaster_reaper.cc (reaper, CleanupBackend, HandleChildCrash).
//
// Signal handlers only queue the signal and set the latch; the main loop
// runs the queued handlers in arrival order, each to completion, as
// PostgreSQL's postmaster runs its handlers with all signals blocked.
#ifndef REPLSIM_PROTOCOL_POSTMASTER_POSTMASTER_INTERNAL_H_
#define REPLSIM_PROTOCOL_POSTMASTER_POSTMASTER_INTERNAL_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/node/node_config.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/postmaster/entry_points.h"
#include "protocol/postmaster/pm_state.h"

namespace replsim::postmaster {

// SIGKILL_CHILDREN_AFTER_SECS (15).
inline constexpr os::Duration kSigkillChildrenAfter = os::Seconds(5);

class Postmaster {
 public:
  Postmaster(os::Os& os, node::NodeConfig config, EntryPoints entry);
  os::Task<> Main();

 private:
  struct Backend {
    os::Pid pid = 0;
    int child_slot = 0;     // 0 for dead-end children
    int bkend_type = BACKEND_TYPE_NORMAL;
    bool dead_end = false;
  };

  // postmaster.cc
  void InstallSignalHandlers();
  os::Task<bool> Init();
  void reset_shared();
  void RunPendingHandlers();
  void AcceptConnections();
  void StartRequestedSessions();
  void ServerLoopChores();
  os::Duration DetermineSleepTime() const;
  void SetPMState(PMState s);
  void ExitPostmaster(int code);
  bool modern() const { return version_ >= 100000; }
  bool immediate_waits() const { return version_ >= 90400; }

  // postmaster_children.cc
  os::Pid StartChildProcess(const char* name,
                            std::function<os::Task<>(os::Os&, node::ShmemRef)> fn);
  os::Pid StartupDataBase();
  os::Pid StartCheckpointer();
  os::Pid StartWalReceiver();
  // pgarch.c's pgarch_start (9.3) / StartArchiver (15), at most once per
  // PGARCH_RESTART_INTERVAL; 0 when not started.
  os::Pid StartArchiver();
  bool PgArchStartupAllowed() const;
  void BackendStartup(os::Fd sock);
  void SessionStartup(SessionRequest req);
  CAC_state canAcceptConnections(int backend_type);
  int MaxLivePostmasterChildren() const;
  void signal_child(os::Pid pid, os::Signal sig);
  bool SignalSomeChildren(os::Signal sig, int target);
  bool SignalChildren(os::Signal sig) { return SignalSomeChildren(sig, BACKEND_TYPE_ALL); }
  void TerminateChildren(os::Signal sig);
  int CountChildren(int target);

  // postmaster_shutdown.cc
  void pmdie(os::Signal sig);
  void pmdie93(os::Signal sig);
  void pmdie15(os::Signal sig);
  void PostmasterStateMachine();
  void StateMachineWaitBackends();
  void StateMachineTail();
  void sigusr1_handler();
  // SIGHUP_handler: re-reads the configuration (entry.config_file), logs
  // what changed, makes it what children read (shm.gucs), SIGHUPs them.
  void SIGHUP_handler();
  void MaybeStartWalReceiver();

  // postmaster_reaper.cc
  void reaper();
  void ReapStartup(const os::ChildExit& c);
  void ReapCheckpointer(const os::ChildExit& c);
  void ReapArchiver(const os::ChildExit& c);
  void CleanupBackend(const os::ChildExit& c);
  void HandleChildCrash(const os::ChildExit& c, const char* procname);
  void LogChildExit(const char* level, const char* procname, const os::ChildExit& c);

  os::Os& os_;
  node::NodeConfig config_;
  std::shared_ptr<const EntryPoints> entry_;
  int version_;
  node::ShmemRef shm_;
  os::Fd listen_fd_ = os::kNoFd;

  PMState pmState_ = PMState::PM_INIT;
  ShutdownLevel Shutdown_ = ShutdownLevel::NoShutdown;
  bool FatalError_ = false;
  bool RecoveryError_ = false;  // 9.3's name for STARTUP_CRASHED
  bool connsAllowed_ = true;
  bool ReachedNormalRunning_ = false;
  bool WalReceiverRequested_ = false;
  StartupStatusEnum StartupStatus_ = StartupStatusEnum::STARTUP_NOT_RUNNING;
  std::optional<os::Instant> AbortStartTime_;
  os::Pid StartupPID_ = 0;
  os::Pid CheckpointerPID_ = 0;
  os::Pid WalReceiverPID_ = 0;
  os::Pid PgArchPID_ = 0;
  std::optional<os::Instant> last_pgarch_start_time_;
  std::vector<Backend> BackendList_;  // newest first, as dlist_push_head
  std::vector<os::Signal> pending_;   // delivered signals, in arrival order
  std::optional<int> exit_code_;
};

}  // namespace replsim::postmaster

#endif  // REPLSIM_PROTOCOL_POSTMASTER_POSTMASTER_INTERNAL_H_
