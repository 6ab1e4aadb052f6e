#include "protocol/postmaster/syncrep.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "protocol/os/check.h"

namespace replsim::postmaster {
namespace {

using node::SyncRepWaiter;

void SyncRepQueueInsert(node::WalSndCtlData& ctl, int mode, SyncRepWaiter* w) {
  std::vector<SyncRepWaiter*>& q = ctl.SyncRepQueue[mode];
  // Keep the queue sorted by waitLSN; equal LSNs keep arrival order.
  auto pos = std::upper_bound(q.begin(), q.end(), w->waitLSN,
                              [](wal::XLogRecPtr lsn, const SyncRepWaiter* o) {
                                return lsn < o->waitLSN;
                              });
  q.insert(pos, w);
}

void SyncRepQueueRemove(node::WalSndCtlData& ctl, SyncRepWaiter* w) {
  for (std::vector<SyncRepWaiter*>& q : ctl.SyncRepQueue) {
    q.erase(std::remove(q.begin(), q.end(), w), q.end());
  }
}

// Wakes the waiters of `mode` at or below lsn[mode] (all when `all`).
int SyncRepWakeQueue(node::WalSndCtlData& ctl, bool all, int mode) {
  std::vector<SyncRepWaiter*>& q = ctl.SyncRepQueue[mode];
  int numprocs = 0;
  while (!q.empty() && (all || q.front()->waitLSN <= ctl.lsn[mode])) {
    SyncRepWaiter* w = q.front();
    q.erase(q.begin());
    w->released = true;
    w->released_by = all ? "" : ctl.lsn_confirmed_by[mode];
    if (w->latch != nullptr) w->latch->Set();
    ++numprocs;
  }
  return numprocs;
}

// Removes the waiter from its queue when the wait ends in any way,
// including the process being killed in the middle of it (ProcKill's
// SyncRepCleanupAtProcExit).
class QueueGuard {
 public:
  QueueGuard(node::WalSndCtlData& ctl, SyncRepWaiter* w) : ctl_(ctl), w_(w) {}
  QueueGuard(const QueueGuard&) = delete;
  QueueGuard& operator=(const QueueGuard&) = delete;
  ~QueueGuard() { SyncRepQueueRemove(ctl_, w_); }

 private:
  node::WalSndCtlData& ctl_;
  SyncRepWaiter* w_;
};

}  // namespace

bool SyncRepRequested(const node::NodeShmem& shm) {
  return shm.gucs.max_wal_senders > 0 &&
         shm.gucs.synchronous_commit > node::SynchronousCommit::kLocal;
}

int SyncRepWaitMode(const node::NodeShmem& shm) {
  return shm.gucs.synchronous_commit == node::SynchronousCommit::kRemoteWrite
             ? node::SYNC_REP_WAIT_WRITE
             : node::SYNC_REP_WAIT_FLUSH;
}

os::Task<SyncRepWaitResult> SyncRepWaitForLSN(os::Os& os, node::NodeShmem& shm,
                                              wal::XLogRecPtr lsn,
                                              InterruptFlags& interrupts,
                                              std::string* confirmed_by) {
  node::WalSndCtlData& ctl = shm.WalSndCtl;
  if (!SyncRepRequested(shm) || !ctl.sync_standbys_defined) {
    co_return SyncRepWaitResult::kNotNeeded;
  }
  const int mode = SyncRepWaitMode(shm);
  if (lsn <= ctl.lsn[mode]) {
    if (confirmed_by != nullptr) *confirmed_by = ctl.lsn_confirmed_by[mode];
    co_return SyncRepWaitResult::kNotNeeded;
  }

  SyncRepWaiter me;
  me.pid = os.MyPid();
  me.waitLSN = lsn;
  me.mode = mode;
  me.latch = &os.MyLatch();
  SyncRepQueueInsert(ctl, mode, &me);
  QueueGuard guard(ctl, &me);
  for (;;) {
    os.MyLatch().Reset();
    if (me.released) {
      if (confirmed_by != nullptr) *confirmed_by = me.released_by;
      co_return SyncRepWaitResult::kReleased;
    }
    if (interrupts.ProcDiePending) {
      os.Log("WARNING",
             "canceling the wait for synchronous replication and terminating "
             "connection due to administrator command");
      os.Log("DETAIL",
             "The transaction has already committed locally, but might not have "
             "been replicated to the standby.");
      co_return SyncRepWaitResult::kTerminated;
    }
    if (interrupts.QueryCancelPending) {
      interrupts.QueryCancelPending = false;
      os.Log("WARNING", "canceling wait for synchronous replication due to user request");
      os.Log("DETAIL",
             "The transaction has already committed locally, but might not have "
             "been replicated to the standby.");
      co_return SyncRepWaitResult::kCanceled;
    }
    const int rc = co_await os.WaitLatchOrSocket(
        &os.MyLatch(), os::WL_LATCH_SET | os::WL_POSTMASTER_DEATH, os::kNoFd,
        os::Duration());
    if (rc & os::WL_POSTMASTER_DEATH) {
      interrupts.ProcDiePending = true;
      co_return SyncRepWaitResult::kTerminated;
    }
  }
}

void SyncRepReleaseWaiters(os::Os& os, node::NodeShmem& shm, node::WalSnd& me,
                           SyncRepWalSndState& state) {
  if (me.sync_standby_priority == 0 ||
      me.state < node::WalSndState::WALSNDSTATE_STREAMING || me.flush == 0) {
    return;
  }
  node::WalSndCtlData& ctl = shm.WalSndCtl;
  const node::WalSnd* sync = nullptr;
  for (const node::WalSnd& w : ctl.walsnds) {
    if (w.pid == 0 || w.state != node::WalSndState::WALSNDSTATE_STREAMING ||
        w.sync_standby_priority == 0 || w.flush == 0) {
      continue;
    }
    if (sync == nullptr || w.sync_standby_priority < sync->sync_standby_priority) {
      sync = &w;
    }
  }
  if (sync != &me) {
    state.announce_next_takeover = true;
    return;
  }
  if (ctl.lsn[node::SYNC_REP_WAIT_WRITE] < me.write) {
    ctl.lsn[node::SYNC_REP_WAIT_WRITE] = me.write;
    ctl.lsn_confirmed_by[node::SYNC_REP_WAIT_WRITE] = me.client_host;
    SyncRepWakeQueue(ctl, false, node::SYNC_REP_WAIT_WRITE);
  }
  if (ctl.lsn[node::SYNC_REP_WAIT_FLUSH] < me.flush) {
    ctl.lsn[node::SYNC_REP_WAIT_FLUSH] = me.flush;
    ctl.lsn_confirmed_by[node::SYNC_REP_WAIT_FLUSH] = me.client_host;
    SyncRepWakeQueue(ctl, false, node::SYNC_REP_WAIT_FLUSH);
  }
  if (state.announce_next_takeover) {
    state.announce_next_takeover = false;
    os.Log("LOG", absl::StrCat("standby \"", me.application_name,
                               shm.behavior.server_version_num >= 100000
                                   ? "\" is now a synchronous standby with priority "
                                   : "\" is now the synchronous standby with priority ",
                               me.sync_standby_priority));
  }
}

int SyncRepGetStandbyPriority(std::string_view names, std::string_view application_name) {
  std::string list(absl::StripAsciiWhitespace(absl::string_view(names.data(), names.size())));
  // "FIRST n (a, b)", "ANY n (a, b)", "n (a, b)": keep what is inside.
  const size_t open = list.find('(');
  if (open != std::string::npos && list.back() == ')') {
    list = list.substr(open + 1, list.size() - open - 2);
  }
  int priority = 1;
  for (absl::string_view item : absl::StrSplit(list, ',')) {
    std::string name(absl::StripAsciiWhitespace(item));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
    }
    if (name.empty()) continue;
    // pg_strcasecmp, as SyncRepGetStandbyPriority compares.
    std::string app(application_name);
    if (name == "*" || absl::AsciiStrToLower(name) == absl::AsciiStrToLower(app)) {
      return priority;
    }
    ++priority;
  }
  return 0;
}

void SyncRepUpdateSyncStandbysDefined(node::NodeShmem& shm) {
  const bool defined = !shm.gucs.synchronous_standby_names.empty();
  node::WalSndCtlData& ctl = shm.WalSndCtl;
  if (defined == ctl.sync_standbys_defined) return;
  if (!defined) {
    for (int mode = 0; mode < node::NUM_SYNC_REP_WAIT_MODE; ++mode) {
      SyncRepWakeQueue(ctl, true, mode);
    }
  }
  ctl.sync_standbys_defined = defined;
}

}  // namespace replsim::postmaster
