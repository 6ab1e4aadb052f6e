// RunState's invariant checks (see run_state.h and checkers.h): what each
// invariant looks at, and when.
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "scenarios/checkers.h"
#include "scenarios/run_state.h"

namespace replsim::scenarios {
namespace {

// The end of a node's valid local WAL from its last checkpoint on, as crash
// recovery would find it: right after a host restart, what survived.
std::optional<wal::XLogRecPtr> DurableWalEnd(PgNode& n) {
  const absl::StatusOr<node::ControlFileData> c = n.ReadControlFile();
  if (!c.ok()) return std::nullopt;
  WalScan scan = n.ScanWal(c->checkPoint);
  if (scan.records.empty()) return std::nullopt;
  return scan.records.back().end;
}

}  // namespace

// CLEAN_SWITCHOVER's precondition, taken as a stop begins.
std::string RunState::WhyNotStreaming(const std::string& primary) {
  PgNode& n = t_.Node(primary);
  node::ShmemRef shm = n.shmem();
  int standbys = 0;
  sim::net::Network& net = t_.cluster().network();
  for (const auto& [standby, up] : upstream_) {
    if (up != primary || roles_[standby] != Node::STANDBY) continue;
    ++standbys;
    if (net.links().Blocked(primary, standby) || net.links().Blocked(standby, primary)) {
      return absl::StrFormat("when the stop began, the link between %s and %s was cut", primary,
                             standby);
    }
    // Connected: an established connection with neither end closed, reset
    // or closing, whether or not the processes at its ends have noticed.
    auto open = [](const sim::net::TcpSocket* s) {
      return s != nullptr && s->state() == sim::net::TcpSocket::State::kEstablished &&
             !s->vanished && !s->aborted && !s->fd_closed && !s->fin_sent &&
             !s->fin_received();
    };
    bool connected = false;
    for (sim::net::SocketId id : net.LiveConnections(primary)) {
      const sim::net::TcpSocket* s = net.Find(id);
      connected |= s->peer_host == standby && open(s) && open(net.Find(s->peer));
    }
    if (!connected) {
      return absl::StrFormat("when the stop began, %s had no connection to %s", standby, primary);
    }
    for (const Kill& k : kills_) {
      if (k.node == standby && t_.cluster().IsAlive(k.pid)) {
        return absl::StrFormat("when the stop began, %s's %s (PID %d) had been told to end and "
                               "had not yet", standby, k.process, k.pid);
      }
    }
    if (const auto p = pending_stops_.find(standby); p != pending_stops_.end()) {
      return absl::StrFormat("when the stop began, %s's own shutdown (pg_ctl stop -m %s at "
                             "%.6fs) was in progress",
                             standby, StopNode::Mode_Name(p->second.mode),
                             p->second.began.nanos() / 1e9);
    }
    if (const auto p = pending_promotes_.find(standby); p != pending_promotes_.end()) {
      return absl::StrFormat("when the stop began, %s's promotion (pg_ctl promote -W at %.6fs) "
                             "was in progress",
                             standby, p->second.nanos() / 1e9);
    }
    if (t_.cluster().host(standby).disk().fsync_failure_armed()) {
      return absl::StrFormat("when the stop began, a failed fsync was armed on %s", standby);
    }
  }
  // A standby promoted before the stop began left this primary's timeline:
  // whatever it had, it no longer follows, so no switchover to it is clean.
  for (const auto& [other, role] : roles_) {
    if (other != primary && role == Node::PRIMARY && !upstream_.contains(other) &&
        t_.Node(other).running()) {
      return absl::StrFormat("when the stop began, %s was already a primary (promoted, or never "
                             "a standby of %s)",
                             other, primary);
    }
  }
  // Streaming: a walsender in START_REPLICATION's COPY mode, caught up or
  // still catching up (9.0 has no states beyond that; 985bd7d497's wait
  // covers a standby that lags as much as one that does not).
  int streaming = 0;
  if (shm != nullptr) {
    for (const node::WalSnd& w : shm->WalSndCtl.walsnds) {
      streaming += w.pid != 0 && (w.state == node::WalSndState::WALSNDSTATE_CATCHUP ||
                                  w.state == node::WalSndState::WALSNDSTATE_STREAMING ||
                                  w.state == node::WalSndState::WALSNDSTATE_STOPPING);
    }
  }
  if (streaming < standbys) {
    return absl::StrFormat("when the stop began, %d of %d standbys of %s were streaming from it",
                           streaming, standbys, primary);
  }
  return "";
}

void RunState::AddOutsidePrecondition(Violation& v) const {
  if (clean_stop_.has_value() && !clean_stop_->not_streaming.empty()) {
    v.message += absl::StrCat("; outside CLEAN_SWITCHOVER's precondition, since ",
                              clean_stop_->not_streaming);
  }
}

void RunState::RejoinFailure(const std::string& node, os::Instant since) {
  if (!Checking(CLEAN_SWITCHOVER)) return;
  for (const char* needle : {"forked off current database system timeline",
                             "is not a child of this server's history"}) {
    if (const LogLine* l = FindLog(t_, node, needle, since)) {
      Violation v;
      v.invariant = CLEAN_SWITCHOVER;
      v.time = l->time;
      v.message = absl::StrFormat("the old primary %s cannot rejoin as a standby: %s", node,
                                  l->message);
      v.evidence = FormatLogLine(*l);
      AddOutsidePrecondition(v);
      Add(std::move(v));
      return;
    }
  }
}

void RunState::CheckSyncCommitsSurvived(const std::string& node, const std::string& old_primary) {
  PgNode& n = t_.Node(node);
  const wal::TimeLineID tli = n.shmem()->XLogCtl.ThisTimeLineID;
  std::optional<wal::XLogRecPtr> e = SwitchPointOf(t_, node, tli);
  if (!e.has_value()) return;
  for (const postmaster::LedgerEntry& c : t_.ledger().acked) {
    // What this node confirmed as the synchronous standby is promised, and
    // what the primary acknowledged with synchronous replication in effect
    // but no standby confirmed (this one could have been the synchronous
    // one): not asynchronous commits, nor those another standby confirmed.
    const bool unconfirmed = c.sync_promised && c.confirmed_by.empty();
    if (c.node != old_primary || (c.confirmed_by != node && !unconfirmed) ||
        c.commit_end <= *e) {
      continue;
    }
    Violation v;
    v.invariant = SYNC_COMMIT_DURABLE;
    v.time = t_.world().now();
    const std::string how =
        unconfirmed ? absl::StrFormat("with synchronous replication in effect on %s but no "
                                      "standby's confirmation",
                                      old_primary)
                    : absl::StrFormat("after %s confirmed it as the synchronous standby", node);
    v.message = absl::StrFormat(
        "transaction %d was acknowledged to its client at %.6fs (commit ends at %s) %s, but %s "
        "was promoted at %s without it",
        c.xid, c.acked_at.nanos() / 1e9, wal::LsnToString(c.commit_end), how, node,
        wal::LsnToString(*e));
    Add(std::move(v));
    return;
  }
}

void RunState::CheckStandbysWithinDurableWal(const std::string& crashed) {
  std::optional<wal::XLogRecPtr> end = DurableWalEnd(t_.Node(crashed));
  if (!end.has_value()) return;
  const wal::XLogRecPtr durable_end = *end;
  for (const auto& [standby, upstream] : upstream_) {
    if (upstream != crashed) continue;
    node::ShmemRef shm = t_.Node(standby).shmem();
    if (shm == nullptr) continue;
    const wal::XLogRecPtr received = shm->WalRcv.receivedUpto;
    if (received <= durable_end) continue;
    Violation v;
    v.invariant = WAL_PREFIX;
    v.time = t_.world().now();
    v.message = absl::StrFormat(
        "%s has flushed WAL up to %s (replayed up to %s), but %s's WAL ends at %s after "
        "its host crash: the standby holds WAL its primary never made durable",
        standby, wal::LsnToString(received),
        wal::LsnToString(shm->XLogCtl.lastReplayedEndRecPtr), crashed,
        wal::LsnToString(durable_end));
    Add(std::move(v));
  }
}

void RunState::CheckReplayWithinDurableWal(const std::string& node,
                                           wal::XLogRecPtr replayed) {
  std::optional<wal::XLogRecPtr> end = DurableWalEnd(t_.Node(node));
  if (!end.has_value() || replayed <= *end) return;
  const wal::XLogRecPtr durable_end = *end;
  Violation v;
  v.invariant = REPLAY_NOT_PAST_DURABLE;
  v.time = t_.world().now();
  v.message = absl::StrFormat(
      "%s had replayed WAL up to %s when its host crashed, but its durable WAL ends at %s: "
      "recovery applied WAL that was never fsynced",
      node, wal::LsnToString(replayed), wal::LsnToString(durable_end));
  Add(std::move(v));
}

void RunState::CheckPingsAnswered(const std::string& node) {
  if (!Checking(ONE_PING_OUTSTANDING) || pings_reported_.count(node) > 0) return;
  const node::ShmemRef shm = t_.Node(node).shmem();
  if (shm == nullptr || shm->walsnd_observed.repeated_reply_requests == 0) return;
  const node::WalSndObservations& o = shm->walsnd_observed;
  pings_reported_.insert(node);
  Violation v;
  v.invariant = ONE_PING_OUTSTANDING;
  v.time = t_.world().now();
  v.message = absl::StrFormat(
      "a walsender of %s (PID %d) asked its client for a reply while an earlier request was "
      "unanswered, %d time(s), the first at %.6fs on %s's clock",
      node, o.first_repeat_pid, o.repeated_reply_requests,
      static_cast<double>(o.first_repeat.nanos()) / 1e9, node);
  Add(std::move(v));
}

void RunState::FinalChecks() {
  for (const auto& [node, role] : roles_) {
    if (role != Node::RECEIVEXLOG) CheckPingsAnswered(node);
  }
  if (Checking(NO_PANIC)) {
    for (Violation& v : CheckNoPanic(t_)) Add(std::move(v));
  }
  if (Checking(WAL_PREFIX)) {
    for (const auto& [standby, upstream] : upstream_) {
      for (Violation& v : CheckWalPrefix(t_, standby, upstream)) Add(std::move(v));
    }
  }
  if (Checking(ARCHIVE_PREFIX) && archive_ != nullptr) {
    for (Violation& v : archive_->CheckArchivePrefix()) Add(std::move(v));
  }
}

}  // namespace replsim::scenarios
