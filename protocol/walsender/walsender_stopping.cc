// The end of streaming at shutdown (postgres-replication.md §1.6, RW-1..5):
// the stop check of 9.3-pre / 985bd7d497 / 5c6d9fc4b2 / 15 (WalSndDone), the
// one-chunk exit before e0b581acd2, and 15's STOPPING handshake with the
// checkpointer (WalSndInitStopping / WalSndWaitStopping).
#include "absl/strings/str_format.h"
#include "protocol/os/trace_marks.h"
#include "protocol/walsender/walsender_private.h"
#include "protocol/wire/message.h"

namespace replsim::walsender {

// Runs when caught up with nothing pending and SIGUSR2 has arrived.
os::Task<MaybeError> WalSender::WalSndDone() {
  // ... let's just be real sure we're caught up ...
  MaybeError e = co_await XLogSendPhysical();
  if (e.has_value()) co_return e;

  const node::Behavior& b = shm_->behavior;
  const node::WalSnd& w = MyWalSnd();
  // 5c6d9fc4b2: pg_receivexlog reports no flush position; use its write.
  const XLogRecPtr replicatedPtr = (b.walsnd_flush_or_write && w.flush == 0) ? w.write : w.flush;
  // 985bd7d497: the standby must have confirmed everything sent. Before it,
  // "sent" (out of user space) was enough (RW-1).
  const bool replicated = !b.walsnd_wait_for_standby_flush || sentPtr_ == replicatedPtr;
  if (WalSndCaughtUp_ && replicated && !conn_->IsSendPending()) co_await ExitAtShutdown();

  // 9.4+ asks for the reply it waits for; 9.3 waits for the next one (RW-3).
  // Before 59455018a8 nothing marked the ping as outstanding, so every
  // iteration that found the output drained asked again.
  if (b.walsnd_stop_path_ping && !waiting_for_ping_response_) {
    WalSndKeepalive(true);
    if (b.walsnd_done_ping_sets_waiting) waiting_for_ping_response_ = true;
  }
  co_return std::nullopt;
}

// Before e0b581acd2: one XLogSend, then out, however far behind.
os::Task<MaybeError> WalSender::LastChunkAndExit() {
  if (!conn_->IsSendPending()) {
    MaybeError e = co_await XLogSendPhysical();
    if (e.has_value()) co_return e;
  }
  co_await ExitAtShutdown();
  co_return std::nullopt;
}

// "COPY 0" (EndCommand in CopyBoth state), a blocking pq_flush with no
// timeout (RW-4), proc_exit(0). Whatever the standby sent since the last
// ProcessRepliesIfAny stays unread, so the close may be abortive (RW-2).
os::Task<> WalSender::ExitAtShutdown() {
  conn_->PutRaw(wire::Encode(wire::CommandComplete{"COPY 0"}));
  os_.Mark(os::kMarkWalSndCommandComplete);
  (void)co_await conn_->Flush();
  const node::WalSnd& w = MyWalSnd();
  os_.Log("DEBUG1",
          absl::StrFormat("walsender exiting at shutdown: sentPtr %s, standby write %s flush %s",
                          wal::LsnToString(sentPtr_), wal::LsnToString(w.write),
                          wal::LsnToString(w.flush)));
  co_await ExitProcess(0);
}

}  // namespace replsim::walsender
