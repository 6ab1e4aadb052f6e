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

bool SyncRepRequested(const node::Gucs& my) {
  return my.max_wal_senders > 0 && my.synchronous_commit > node::SynchronousCommit::kLocal;
}

int SyncRepWaitMode(const node::Gucs& my) {
  return my.synchronous_commit == node::SynchronousCommit::kRemoteWrite
             ? node::SYNC_REP_WAIT_WRITE
             : node::SYNC_REP_WAIT_FLUSH;
}

bool SyncRepInEffect(const node::NodeShmem& shm, const node::Gucs& my) {
  const node::WalSndCtlData& ctl = shm.WalSndCtl;
  const bool defined = ctl.sync_standbys_init ? ctl.sync_standbys_defined
                                              : !my.synchronous_standby_names.empty();
  return SyncRepRequested(my) && defined;
}

namespace {

// Whether SyncRepWaitForLSN must queue for `lsn` at all, as each release
// decides it; sets *confirmed when the LSN is already confirmed.
bool SyncRepMustWait(const node::NodeShmem& shm, const node::Gucs& my, wal::XLogRecPtr lsn,
                     int mode, bool* confirmed) {
  const node::WalSndCtlData& ctl = shm.WalSndCtl;
  const node::Behavior& b = shm.behavior;
  const bool my_names = !my.synchronous_standby_names.empty();  // SyncStandbysDefined()
  // Before 48c9f49265 the fast exit also asked the backend's own copy.
  if (!b.syncrep_wait_on_shared_flag && !my_names) return false;
  *confirmed = lsn <= ctl.lsn[mode];
  if (b.syncrep_sync_standbys_init && !ctl.sync_standbys_init) {
    // Not published yet: the LSN check, then the backend's own names.
    return !*confirmed && my_names;
  }
  if (!ctl.sync_standbys_defined) {
    *confirmed = false;
    return false;
  }
  return !*confirmed;
}

}  // namespace

os::Task<SyncRepWaitResult> SyncRepWaitForLSN(os::Os& os, node::NodeShmem& shm,
                                              const node::Gucs& my, wal::XLogRecPtr lsn,
                                              InterruptFlags& interrupts,
                                              SyncRepWaitReport* report) {
  node::WalSndCtlData& ctl = shm.WalSndCtl;
  SyncRepWaitReport unused;
  SyncRepWaitReport& out = report != nullptr ? *report : unused;
  out = {};
  if (!SyncRepRequested(my)) co_return SyncRepWaitResult::kNotNeeded;
  const int mode = SyncRepWaitMode(my);
  bool confirmed = false;
  if (!SyncRepMustWait(shm, my, lsn, mode, &confirmed)) {
    if (confirmed) out.confirmed_by = ctl.lsn_confirmed_by[mode];
    out.promised = SyncRepInEffect(shm, my);
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
      out.confirmed_by = me.released_by;
      out.promised = SyncRepInEffect(shm, my);
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
  // 4c703369af: STOPPING walsenders are candidates too. Before it the entry
  // check below let a STOPPING walsender through (state < STREAMING is
  // false for it) but the candidate loop skipped it, so it released nobody
  // (9.4's "We should have found ourselves at least" assertion failed there).
  const bool stopping_too = shm.behavior.syncrep_stopping_walsenders_release;
  auto candidate = [stopping_too](node::WalSndState s) {
    return s == node::WalSndState::WALSNDSTATE_STREAMING ||
           (stopping_too && s == node::WalSndState::WALSNDSTATE_STOPPING);
  };
  const bool not_yet = stopping_too ? !candidate(me.state)
                                    : me.state < node::WalSndState::WALSNDSTATE_STREAMING;
  if (me.sync_standby_priority == 0 || not_yet || me.flush == 0) return;
  node::WalSndCtlData& ctl = shm.WalSndCtl;
  const node::WalSnd* sync = nullptr;
  for (const node::WalSnd& w : ctl.walsnds) {
    if (w.pid == 0 || !candidate(w.state) || w.sync_standby_priority == 0 || w.flush == 0) {
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
  ctl.sync_standbys_init = true;
  if (defined == ctl.sync_standbys_defined) return;
  if (!defined) {
    for (int mode = 0; mode < node::NUM_SYNC_REP_WAIT_MODE; ++mode) {
      SyncRepWakeQueue(ctl, true, mode);
    }
  }
  ctl.sync_standbys_defined = defined;
}

}  // namespace replsim::postmaster
