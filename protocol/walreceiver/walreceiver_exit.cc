// How the walreceiver leaves: ProcessWalRcvInterrupts, ERROR promoted to
// FATAL, proc_exit with its on_shmem_exit callback WalRcvDie, PANIC
// (walreceiver.c, elog.c, ipc.c of PostgreSQL 15).
#include <string>
#include <utility>

#include "protocol/os/check.h"
#include "protocol/walreceiver/walreceiver_process.h"
#include "protocol/wire/pg_time.h"

namespace replsim::walreceiver {

using node::WalRcvState;

os::Task<> WalReceiverProcess::ProcessWalRcvInterrupts() {
  if (shutdownRequestPending_) {
    co_await Fatal("terminating walreceiver process due to administrator command");
  }
}

os::Task<> WalReceiverProcess::Fatal(std::string message, std::string detail) {
  os_.Log("FATAL", message);
  if (!detail.empty()) os_.Log("DETAIL", detail);
  co_await ProcExit(1);
}

os::Task<> WalReceiverProcess::ProcExit(int code) {
  // An error inside an exit callback must not run the callbacks again.
  if (dieRegistered_ && !procExitInProgress_) {
    procExitInProgress_ = true;
    co_await WalRcvDie();
  }
  co_await os_.Exit(code);
  CHECK(false) << "proc_exit returned";
}

os::Task<> WalReceiverProcess::Panic(std::string message) {
  os_.Log("PANIC", message);
  co_await os_.Abort();
  CHECK(false) << "exit after PANIC returned";
}

os::Task<> WalReceiverProcess::WalRcvDie() {
  // 34ef02b4d4 (9.0.3): make sure all WAL received is flushed to disk.
  // Before it, the written-but-unsynced tail stays in the page cache: it is
  // never published as received, and a host crash loses it.
  if (s_.behavior.walrcv_flush_on_exit && startpointTLI_ != 0) {
    co_await XLogWalRcvFlush(true, startpointTLI_);
  }
  // Mark ourselves inactive in shared memory.
  node::WalRcvData& walrcv = s_.WalRcv;
  walrcv.walRcvState = WalRcvState::WALRCV_STOPPED;
  walrcv.pid = 0;
  walrcv.latch = nullptr;
  // Terminate the connection gracefully.
  if (wrconn_ != nullptr) pq::walrcv_disconnect(*wrconn_);
  // Wake the startup process so it notices promptly that we're gone.
  WakeupRecovery();
}

void WalReceiverProcess::WakeupRecovery() {
  if (s_.XLogCtl.recoveryWakeupLatch != nullptr) s_.XLogCtl.recoveryWakeupLatch->Set();
}

TimestampTz WalReceiverProcess::GetCurrentTimestamp() const {
  return wire::UnixMicrosToTimestampTz(os_.WallClockMicros());
}

}  // namespace replsim::walreceiver
