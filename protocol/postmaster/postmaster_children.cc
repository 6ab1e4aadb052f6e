// Forking children, the BackendList, signalling and counting them
// (postmaster.c StartChildProcess, BackendStartup, canAcceptConnections,
// signal_child, SignalSomeChildren, TerminateChildren, CountChildren).
#include <utility>

#include "absl/strings/str_cat.h"
#include "protocol/os/check.h"
#include "protocol/postmaster/backend_workload.h"
#include "protocol/postmaster/checkpointer.h"
#include "protocol/postmaster/connection_refusal.h"
#include "protocol/postmaster/pgarch.h"
#include "protocol/postmaster/pmsignal.h"
#include "protocol/postmaster/postmaster_internal.h"
#include "protocol/xlog/xlogarchive.h"

namespace replsim::postmaster {

os::Pid Postmaster::StartChildProcess(
    const char* name, std::function<os::Task<>(os::Os&, node::ShmemRef)> fn) {
  if (!fn) {
    os_.Log("LOG", absl::StrCat("could not fork ", name, " process: not configured"));
    return 0;
  }
  node::ShmemRef shm = shm_;
  os::Result<os::Pid> pid = os_.StartChild(
      name, [fn = std::move(fn), shm](os::Os& os) -> os::Task<> { co_await fn(os, shm); });
  if (!pid.ok()) {
    os_.Log("LOG", absl::StrCat("could not fork ", name, " process"));
    return 0;
  }
  return *pid;
}

os::Pid Postmaster::StartupDataBase() {
  os::Pid pid = StartChildProcess("startup", entry_->startup);
  shm_->startup_pid = pid;
  return pid;
}

os::Pid Postmaster::StartCheckpointer() {
  return StartChildProcess("checkpointer", [](os::Os& os, node::ShmemRef shm) {
    return CheckpointerMain(os, std::move(shm));
  });
}

os::Pid Postmaster::StartWalReceiver() {
  return StartChildProcess("walreceiver", entry_->walreceiver);
}

bool Postmaster::PgArchStartupAllowed() const {
  const node::NodeShmem& s = *shm_;
  return (xlog::XLogArchivingActive(s) && pmState_ == PMState::PM_RUN) ||
         (xlog::XLogArchivingAlways(s) &&
          (pmState_ == PMState::PM_RECOVERY || pmState_ == PMState::PM_HOT_STANDBY));
}

os::Pid Postmaster::StartArchiver() {
  const os::Instant now = os_.Monotonic();
  if (last_pgarch_start_time_.has_value() &&
      now - *last_pgarch_start_time_ < PGARCH_RESTART_INTERVAL) {
    return 0;
  }
  last_pgarch_start_time_ = now;
  return StartChildProcess("archiver", [](os::Os& os, node::ShmemRef shm) {
    return PgArchiverMain(os, std::move(shm));
  });
}

int Postmaster::MaxLivePostmasterChildren() const {
  // 2 * MaxBackends, MaxBackends = max_connections (100) + autovacuum
  // workers + launcher (4) + max_worker_processes (8) + max_wal_senders.
  return 2 * (100 + 4 + 8 + config_.gucs.max_wal_senders);
}

CAC_state Postmaster::canAcceptConnections(int backend_type) {
  if (!modern()) {
    CAC_state result = CAC_state::CAC_OK;
    if (pmState_ != PMState::PM_RUN) {
      if (pmState_ == PMState::PM_WAIT_BACKUP) {
        result = CAC_state::CAC_WAITBACKUP;
      } else if (Shutdown_ > ShutdownLevel::NoShutdown) {
        return CAC_state::CAC_SHUTDOWN;
      } else if (!FatalError_ && (pmState_ == PMState::PM_STARTUP ||
                                  pmState_ == PMState::PM_RECOVERY)) {
        return CAC_state::CAC_STARTUP;
      } else if (!FatalError_ && pmState_ == PMState::PM_HOT_STANDBY) {
        result = CAC_state::CAC_OK;
      } else {
        return CAC_state::CAC_RECOVERY;
      }
    }
    if (CountChildren(BACKEND_TYPE_ALL) >=
        MaxLivePostmasterChildren()) {
      result = CAC_state::CAC_TOOMANY;
    }
    return result;
  }
  if (pmState_ != PMState::PM_RUN && pmState_ != PMState::PM_HOT_STANDBY &&
      backend_type != BACKEND_TYPE_BGWORKER) {
    if (Shutdown_ > ShutdownLevel::NoShutdown) return CAC_state::CAC_SHUTDOWN;
    if (!FatalError_ && pmState_ == PMState::PM_STARTUP) return CAC_state::CAC_STARTUP;
    if (!FatalError_ && pmState_ == PMState::PM_RECOVERY) {
      return CAC_state::CAC_NOTCONSISTENT;
    }
    return CAC_state::CAC_RECOVERY;
  }
  if (!connsAllowed_ && backend_type == BACKEND_TYPE_NORMAL) {
    return CAC_state::CAC_SHUTDOWN;
  }
  if (CountChildren(BACKEND_TYPE_ALL) >=
      MaxLivePostmasterChildren()) {
    return CAC_state::CAC_TOOMANY;
  }
  return CAC_state::CAC_OK;
}

void Postmaster::BackendStartup(os::Fd sock) {
  CAC_state cac = canAcceptConnections(BACKEND_TYPE_NORMAL);
  Backend bn;
  bn.dead_end = cac != CAC_state::CAC_OK && cac != CAC_state::CAC_WAITBACKUP;
  if (!bn.dead_end) {
    bn.child_slot = AssignPostmasterChildSlot(*shm_);
    CHECK_NE(bn.child_slot, 0) << "no free slots in PMChildFlags array";
  }
  node::ShmemRef shm = shm_;
  std::shared_ptr<const EntryPoints> entry = entry_;
  os::Result<os::Pid> pid = os_.StartChild(
      "backend", [shm, entry, sock, cac](os::Os& os) -> os::Task<> {
        if (!entry->connection) co_await os.Exit(1);  // nothing wired to serve it
        co_await entry->connection(os, shm, sock, cac, *entry);
      },
      {sock});  // the child gets the socket; the postmaster keeps no copy
  if (!pid.ok()) {
    os_.Close(sock);
    if (!bn.dead_end) ReleasePostmasterChildSlot(*shm_, bn.child_slot);
    os_.Log("LOG", "could not fork new process for connection");
    return;
  }
  bn.pid = *pid;
  if (!bn.dead_end) SetPostmasterChildPid(*shm_, bn.child_slot, bn.pid);
  BackendList_.insert(BackendList_.begin(), bn);
}

void Postmaster::SessionStartup(SessionRequest req) {
  CAC_state cac = canAcceptConnections(BACKEND_TYPE_NORMAL);
  std::optional<ConnectionRefusal> refusal =
      ConnectionRefusalFor(cac, config_.gucs.hot_standby);
  Backend bn;
  bn.dead_end = refusal.has_value();
  if (!bn.dead_end) {
    bn.child_slot = AssignPostmasterChildSlot(*shm_);
    CHECK_NE(bn.child_slot, 0) << "no free slots in PMChildFlags array";
  }
  node::ShmemRef shm = shm_;
  os::Result<os::Pid> pid = os_.StartChild(
      "backend", [shm, req = std::move(req), refusal](os::Os& os) -> os::Task<> {
        if (refusal.has_value()) {
          co_await RefuseSession(os, *shm, req, *refusal);
        } else {
          co_await BackendWorkloadMain(os, shm, req);
        }
      });
  if (!pid.ok()) {
    if (!bn.dead_end) ReleasePostmasterChildSlot(*shm_, bn.child_slot);
    os_.Log("LOG", "could not fork new process for connection");
    return;
  }
  bn.pid = *pid;
  if (!bn.dead_end) SetPostmasterChildPid(*shm_, bn.child_slot, bn.pid);
  BackendList_.insert(BackendList_.begin(), bn);
}

void Postmaster::signal_child(os::Pid pid, os::Signal sig) {
  os_.Log("DEBUG3", absl::StrCat("sending signal ", static_cast<int>(sig), " to process ",
                                 pid));
  os_.Kill(pid, sig);
}

bool Postmaster::SignalSomeChildren(os::Signal sig, int target) {
  bool signaled = false;
  for (Backend& bp : BackendList_) {
    if (bp.dead_end) continue;
    if (target != BACKEND_TYPE_ALL) {
      // Relabel a recently announced walsender (RW-6).
      if (bp.bkend_type == BACKEND_TYPE_NORMAL &&
          IsPostmasterChildWalSender(*shm_, bp.child_slot)) {
        bp.bkend_type = BACKEND_TYPE_WALSND;
      }
      if (!(target & bp.bkend_type)) continue;
    }
    signal_child(bp.pid, sig);
    signaled = true;
  }
  return signaled;
}

void Postmaster::TerminateChildren(os::Signal sig) {
  SignalChildren(sig);
  if (StartupPID_ != 0) {
    signal_child(StartupPID_, sig);
    if (sig == os::Signal::kSIGQUIT || sig == os::Signal::kSIGKILL) {
      StartupStatus_ = StartupStatusEnum::STARTUP_SIGNALED;
    }
  }
  if (CheckpointerPID_ != 0) signal_child(CheckpointerPID_, sig);
  if (WalReceiverPID_ != 0) signal_child(WalReceiverPID_, sig);
  if (PgArchPID_ != 0) signal_child(PgArchPID_, sig);
}

int Postmaster::CountChildren(int target) {
  int cnt = 0;
  for (Backend& bp : BackendList_) {
    if (bp.dead_end) continue;
    if (target != BACKEND_TYPE_ALL) {
      if (bp.bkend_type == BACKEND_TYPE_NORMAL &&
          IsPostmasterChildWalSender(*shm_, bp.child_slot)) {
        bp.bkend_type = BACKEND_TYPE_WALSND;
      }
      if (!(target & bp.bkend_type)) continue;
    }
    ++cnt;
  }
  return cnt;
}

}  // namespace replsim::postmaster
