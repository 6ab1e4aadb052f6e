// WalSndLoop as 9.0 had it, before 2746e5f21d gave the walsender a latch
// (Behavior::walsnd_latch_wakeup off). A caught-up 9.0 walsender naps
// wal_sender_delay (200 ms by default) in NAPTIME_PER_CYCLE (100 ms) slices,
// checking between slices only that the standby is still there
// (CheckClosedConnection: a 9.0 standby sends nothing else), and sends what
// was flushed meanwhile when it wakes: one message of up to MAX_SEND_SIZE per
// XLogSend, each followed by a blocking pq_flush. SIGUSR2 (the postmaster,
// after the shutdown checkpoint) makes it send everything and end with
// "COPY 0"; SIGTERM does the same without sending more (9.0's
// WalSndShutdownHandler sets shutdown_requested, it is not die()). No
// replies, no keepalives, no replication timeout: 9.0 had none of them.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "protocol/walsender/walsender_private.h"
#include "protocol/wire/sqlstate.h"

namespace replsim::walsender {

namespace {
constexpr os::Duration kNapTimePerCycle = os::Milliseconds(100);
}  // namespace

os::Task<> WalSender::CheckClosedConnection() {
  wire::Frame f;
  const bool got = co_await ReadStandbyMessage(&f);
  if (!got) co_return;
  if (f.type == 'X') co_await ProcExit(0, "Terminate");
  const std::string msg = absl::StrFormat("invalid standby closing message type %d",
                                          static_cast<int>(static_cast<unsigned char>(f.type)));
  co_await Fatal(wire::sqlstate::kProtocolViolation, &msg);
}

os::Task<MaybeError> WalSender::WalSndLoop90() {
  bool caughtup = false;
  // SIGTERM's flag in 9.0 (the model's handler records it as die()).
  auto shutdown_requested = [this] { return proc_die_pending_; };
  for (;;) {
    if (!os_.PostmasterIsAlive()) co_await os_.Exit(1);
    if (got_SIGHUP_) got_SIGHUP_ = false;  // ProcessConfigFile: GUCs are fixed here

    // SIGUSR2: send everything up to the shutdown checkpoint, then stop.
    bool stop = shutdown_requested();
    if (walsender_ready_to_stop_) {
      MaybeError e = co_await XLogSendPhysical();
      if (e.has_value()) co_return e;
      const os::Errno flushed = co_await conn_->Flush();
      if (flushed != os::Errno::kOk) break;
      caughtup = WalSndCaughtUp_;
      if (caughtup) stop = true;
    }
    if (stop) {
      co_await ExitAtShutdown();  // "COPY 0", pq_flush, proc_exit(0)
      co_return std::nullopt;
    }

    if (caughtup) {
      for (os::Duration remain = shm_->gucs.wal_sender_delay; remain > os::Duration();
           remain = remain - kNapTimePerCycle) {
        if (got_SIGHUP_ || shutdown_requested() || walsender_ready_to_stop_) break;
        // pg_usleep: a signal ends the nap early (select() on Linux).
        (void)co_await os_.Sleep(std::min(remain, kNapTimePerCycle));
        co_await CheckClosedConnection();
      }
    }

    // XLogSend: one message, then a blocking pq_flush.
    MaybeError e = co_await XLogSendPhysical();
    if (e.has_value()) co_return e;
    const os::Errno flushed = co_await conn_->Flush();
    if (flushed != os::Errno::kOk) break;
    caughtup = WalSndCaughtUp_;
  }
  // Send failure: no more output to the standby; proc_exit(0).
  output_off_ = true;
  co_await ProcExit(0, "send failure");
  co_return std::nullopt;
}

}  // namespace replsim::walsender
