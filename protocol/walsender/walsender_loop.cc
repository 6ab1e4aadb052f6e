// WalSndLoop and what it calls each iteration: ProcessRepliesIfAny,
// keepalives, the replication timeout, the sleep, and the shutdown stop
// check (WalSndDone), as 9.3.5 (server_version_num < 90400) and 15 structure
// them (postgres-replication.md §1.4, §1.6, §1.7).
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "protocol/os/fault_points.h"
#include "protocol/walsender/slot.h"
#include "protocol/walsender/syncrep_hook.h"
#include "protocol/walsender/walsender_private.h"
#include "protocol/wire/copy_data.h"
#include "protocol/wire/message.h"
#include "protocol/wire/sqlstate.h"

namespace replsim::walsender {

namespace {

constexpr int64_t kUsPerMs = 1000;

}  // namespace

TimestampTz WalSender::GetCurrentTimestamp() const {
  return wire::UnixMicrosToTimestampTz(os_.WallClockMicros());
}

void WalSender::WalSndKeepalive(bool request_reply) {
  wire::PrimaryKeepalive k{sentPtr_, GetCurrentTimestamp(), request_reply};
  conn_->PutMessage('d', wire::EncodeCopyPayload(k));
  if (request_reply && unanswered_reply_requests_++ > 0) {
    node::WalSndObservations& o = shm_->walsnd_observed;
    if (o.repeated_reply_requests++ == 0) {
      o.first_repeat = os_.Monotonic();
      o.first_repeat_pid = os_.MyPid();
    }
  }
  // Callers that request a reply set waiting_for_ping_response (ping_sent
  // in 9.3) themselves, as 9.4 did; 15 sets it here, which is the same once
  // every caller does (59455018a8 made WalSndDone's call one of them).
}

os::Task<MaybeError> WalSender::ProcessStandbyMessage(const std::string& payload) {
  absl::StatusOr<wire::StandbyMessage> m = wire::DecodeStandbyMessage(payload, dialect_);
  if (!m.ok()) {
    const std::string text(m.status().message());
    if (absl::StartsWith(text, "unexpected message type")) {
      os_.Log("LOG", text);  // COMMERROR, then proc_exit(0)
      co_await ProcExit(0, "bad standby message");
    }
    // pq_getmsg* running off the end: an ERROR.
    co_return ElogError{wire::sqlstate::kProtocolViolation, text};
  }
  node::WalSnd& w = MyWalSnd();
  if (auto* r = std::get_if<wire::StandbyStatusUpdate>(&*m)) {
    if (r->reply_requested) WalSndKeepalive(false);
    w.write = r->write;
    w.flush = r->flush;
    w.apply = r->apply;
    if (!am_cascading_walsender_) CallSyncRepReleaseWaiters(os_, *shm_, slot_, syncrep_state_);
    // 9.4+: a physical slot's restart_lsn follows the reported flush.
    if (my_replication_slot_ >= 0 && r->flush != 0) {
      PhysicalConfirmReceivedLocation(*shm_, my_replication_slot_, r->flush);
    }
    co_return std::nullopt;
  }
  // 'h': hot standby feedback sets the walsender's xmin (MyPgXact->xmin)
  // unless it is invalid (clears it), from a wrong epoch, or wrapped.
  const auto& h = std::get<wire::HotStandbyFeedback>(*m);
  if (h.xmin < 3) {  // !TransactionIdIsNormal
    w.xmin = 0;
    co_return std::nullopt;
  }
  const uint64_t next_full = shm_->ControlFile.checkPointCopy.nextXid;
  const uint32_t nextXid = static_cast<uint32_t>(next_full);
  const uint32_t nextEpoch = static_cast<uint32_t>(next_full >> 32);
  const bool epoch_ok = h.xmin <= nextXid ? h.epoch == nextEpoch : h.epoch + 1 == nextEpoch;
  // TransactionIdPrecedesOrEquals(xmin, nextXid): modulo-2^32 comparison.
  const bool not_future = static_cast<int32_t>(h.xmin - nextXid) <= 0;
  if (epoch_ok && not_future) w.xmin = h.xmin;
  co_return std::nullopt;
}

os::Task<bool> WalSender::ReadStandbyMessage(wire::Frame* f) {
  std::string error;
  const pq::ReadStatus st = co_await conn_->TryReadMessage(f, &error);
  if (st == pq::ReadStatus::kNoData) co_return false;
  if (st != pq::ReadStatus::kMessage) {
    if (st == pq::ReadStatus::kError) os_.Log("LOG", error);
    os_.Log("LOG", "unexpected EOF on standby connection");  // COMMERROR
    co_await ProcExit(0, "unexpected EOF on standby connection");
  }
  co_return true;
}

os::Task<MaybeError> WalSender::ProcessRepliesIfAny() {
  last_processing_ = GetCurrentTimestamp();
  bool received = false;
  // 15 leaves everything after the client's CopyDone to the command loop.
  while (!(v15() && streamingDoneReceiving_)) {
    wire::Frame f;
    const bool got = co_await ReadStandbyMessage(&f);
    if (!got) break;
    if (streamingDoneReceiving_ && f.type != 'X') {  // 9.3 only
      const std::string msg = absl::StrFormat(
          "unexpected standby message type \"%c\", after receiving CopyDone", f.type);
      co_await Fatal(wire::sqlstate::kProtocolViolation, &msg);
    }
    switch (f.type) {
      case 'd': {
        MaybeError e = co_await ProcessStandbyMessage(f.body);
        if (e.has_value()) co_return e;
        received = true;
        break;
      }
      case 'c':
        if (!streamingDoneSending_) {
          conn_->PutMessage('c', "");
          streamingDoneSending_ = true;
        }
        streamingDoneReceiving_ = true;
        received = true;
        break;
      case 'X':
        co_await ProcExit(0, "Terminate");
        break;
      default:
        const std::string msg = absl::StrFormat("invalid standby message type \"%c\"", f.type);
        co_await Fatal(wire::sqlstate::kProtocolViolation, &msg);
    }
  }
  if (received) {
    last_reply_timestamp_ = v15() ? last_processing_ : GetCurrentTimestamp();
    waiting_for_ping_response_ = false;
    unanswered_reply_requests_ = 0;
  }
  co_return std::nullopt;
}

// 15: ping once half of wal_sender_timeout passed without a reply.
os::Task<> WalSender::WalSndKeepaliveIfNecessary() {
  const int64_t wst_ms = shm_->gucs.wal_sender_timeout.millis();
  if (wst_ms <= 0 || last_reply_timestamp_ <= 0 || waiting_for_ping_response_) co_return;
  if (last_processing_ >= last_reply_timestamp_ + wst_ms / 2 * kUsPerMs) {
    WalSndKeepalive(true);
    waiting_for_ping_response_ = true;
    if (conn_->FlushIfWritable() != os::Errno::kOk) co_await WalSndShutdown();
  }
}

// 15: no reply within wal_sender_timeout (as of last_processing).
os::Task<> WalSender::WalSndCheckTimeOut() {
  const int64_t wst_ms = shm_->gucs.wal_sender_timeout.millis();
  if (last_reply_timestamp_ <= 0) co_return;
  if (wst_ms > 0 && last_processing_ >= last_reply_timestamp_ + wst_ms * kUsPerMs) {
    os_.Log("LOG", "terminating walsender process due to replication timeout");  // COMMERROR
    co_await WalSndShutdown();
  }
}

// 15: until the ping is due, or until the timeout once a ping is out.
os::Duration WalSender::WalSndComputeSleeptime(TimestampTz now) const {
  const int64_t wst_ms = shm_->gucs.wal_sender_timeout.millis();
  if (wst_ms <= 0 || last_reply_timestamp_ <= 0) return os::Seconds(10);
  TimestampTz wakeup = last_reply_timestamp_ + wst_ms * kUsPerMs;
  if (!waiting_for_ping_response_) wakeup = last_reply_timestamp_ + wst_ms / 2 * kUsPerMs;
  // TimestampDifferenceMilliseconds: rounded up, never negative.
  const int64_t diff_us = std::max<int64_t>(0, wakeup - now);
  return os::Milliseconds((diff_us + kUsPerMs - 1) / kUsPerMs);
}

os::Task<> WalSender::WalSndWait(int socket_events, os::Duration timeout) {
  const int rc = co_await os_.WaitLatchOrSocket(
      &os_.MyLatch(),
      os::WL_LATCH_SET | os::WL_POSTMASTER_DEATH | os::WL_TIMEOUT | socket_events,
      conn_->socket(), timeout);
  co_await os::DelayAtFaultPoint(os_, os::kLatchLateWakeup, os::kLateWakeup);
  // 15's WalSndWait exits at once; 9.3 notices at the top of the loop.
  if (v15() && (rc & os::WL_POSTMASTER_DEATH)) co_await os_.Exit(1);
}

os::Task<MaybeError> WalSender::WalSndLoop() {
  // 9.0 naps instead of waiting on a latch (walsender_loop_90.cc).
  if (!shm_->behavior.walsnd_latch_wakeup) co_return co_await WalSndLoop90();
  last_reply_timestamp_ = GetCurrentTimestamp();
  waiting_for_ping_response_ = false;
  const node::Behavior& b = shm_->behavior;
  for (;;) {
    os_.MyLatch().Reset();
    if (!v15() && !os_.PostmasterIsAlive()) co_await os_.Exit(1);
    if (v15()) co_await CheckForInterrupts();
    if (got_SIGHUP_) {
      got_SIGHUP_ = false;
      CallSyncRepInitConfig(*shm_, slot_);
    }
    if (!v15()) co_await CheckForInterrupts();

    MaybeError e = co_await ProcessRepliesIfAny();
    if (e.has_value()) co_return e;

    // Both CopyDones exchanged and nothing pending: leave COPY.
    if (streamingDoneReceiving_ && streamingDoneSending_ && !conn_->IsSendPending()) break;

    // Without e0b581acd2 the last cycle sends one more chunk and quits.
    if (walsender_ready_to_stop_ && !b.walsnd_drain_all_at_shutdown) {
      e = co_await LastChunkAndExit();
      co_return e;
    }

    if (!conn_->IsSendPending()) {
      e = co_await XLogSendPhysical();
      if (e.has_value()) co_return e;
    } else {
      WalSndCaughtUp_ = false;
    }
    if (conn_->FlushIfWritable() != os::Errno::kOk) co_await WalSndShutdown();

    if (WalSndCaughtUp_ && !conn_->IsSendPending()) {
      if (MyWalSnd().state == node::WalSndState::WALSNDSTATE_CATCHUP) {
        os_.Log("DEBUG1",
                v15() ? absl::StrFormat("\"%s\" has now caught up with upstream server",
                                        port_.application_name)
                      : absl::StrFormat("standby \"%s\" has now caught up with primary",
                                        port_.application_name));
        WalSndSetState(node::WalSndState::WALSNDSTATE_STREAMING);
      }
      if (walsender_ready_to_stop_) {
        e = co_await WalSndDone();
        if (e.has_value()) co_return e;
      }
    }

    const int64_t wst_ms = shm_->gucs.wal_sender_timeout.millis();
    if (v15()) {
      co_await WalSndCheckTimeOut();
      co_await WalSndKeepaliveIfNecessary();
    } else if (wst_ms > 0 && !waiting_for_ping_response_ &&
               GetCurrentTimestamp() >= last_reply_timestamp_ + wst_ms / 2 * kUsPerMs) {
      // 9.3.5 (hoisted out of the sleep branch after 985bd7d497).
      WalSndKeepalive(true);
      waiting_for_ping_response_ = true;
      if (conn_->FlushIfWritable() != os::Errno::kOk) co_await WalSndShutdown();
    }

    // Block only when caught up, or when output is pending.
    if ((WalSndCaughtUp_ && !streamingDoneSending_) || conn_->IsSendPending()) {
      if (v15()) {
        int events = streamingDoneReceiving_ ? 0 : os::WL_SOCKET_READABLE;
        const os::Duration sleeptime = WalSndComputeSleeptime(GetCurrentTimestamp());
        if (conn_->IsSendPending()) events |= os::WL_SOCKET_WRITEABLE;
        co_await WalSndWait(events, sleeptime);
      } else {
        int events = os::WL_SOCKET_READABLE;
        if (conn_->IsSendPending()) events |= os::WL_SOCKET_WRITEABLE;
        const os::Duration sleeptime =
            wst_ms > 0 ? os::Milliseconds(1 + wst_ms / 10) : os::Seconds(10);
        co_await WalSndWait(events, sleeptime);
        co_await CheckForInterrupts();  // ImmediateInterruptOK during the wait
        if (wst_ms > 0 && GetCurrentTimestamp() >= last_reply_timestamp_ + wst_ms * kUsPerMs) {
          os_.Log("LOG", "terminating walsender process due to replication timeout");
          co_await WalSndShutdown();
        }
      }
    } else if (streamingDoneSending_ && !streamingDoneReceiving_) {
      // PostgreSQL spins here, polling the socket, until the client's
      // CopyDone arrives; a simulated spin would never let time pass, so
      // wait for what the spin waits for.
      co_await WalSndWait(os::WL_SOCKET_READABLE, os::Seconds(10));
    }
  }
  co_return std::nullopt;
}

}  // namespace replsim::walsender
