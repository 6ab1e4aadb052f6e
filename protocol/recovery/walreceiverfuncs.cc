#include "protocol/recovery/walreceiverfuncs.h"

#include "protocol/os/check.h"
#include "protocol/os/trace_marks.h"
#include "protocol/postmaster/pmsignal.h"
#include "protocol/wal/segment.h"

namespace replsim::recovery {
namespace {

using node::WalRcvState;

// time(NULL) as pg_time_t: whole seconds (of the monotonic clock here).
int64_t WholeSeconds(os::Instant t) { return t.nanos() / 1000000000; }

// The STARTING timeout shared by WalRcvRunning and WalRcvStreaming.
WalRcvState ExpireStartRequest(os::Os& os, node::WalRcvData& walrcv) {
  WalRcvState state = walrcv.walRcvState;
  if (state == WalRcvState::WALRCV_STARTING &&
      WholeSeconds(os.Monotonic()) - WholeSeconds(walrcv.startTime) >
          WALRCV_STARTUP_TIMEOUT) {
    state = walrcv.walRcvState = WalRcvState::WALRCV_STOPPED;
  }
  return state;
}

}  // namespace

void RequestXLogStreaming(os::Os& os, node::NodeShmem& shm, TimeLineID tli,
                          XLogRecPtr recptr, const std::string& conninfo) {
  os.Mark(os::kMarkRequestStreaming);
  node::WalRcvData& walrcv = shm.WalRcv;
  // Always start at a segment start, so streaming never creates a segment
  // without its first half.
  recptr -= wal::XLogSegmentOffset(recptr);
  CHECK(walrcv.walRcvState == WalRcvState::WALRCV_STOPPED ||
        walrcv.walRcvState == WalRcvState::WALRCV_WAITING)
      << node::WalRcvStateName(walrcv.walRcvState);
  walrcv.conninfo = conninfo;
  bool launch = false;
  if (walrcv.walRcvState == WalRcvState::WALRCV_STOPPED) {
    launch = true;
    walrcv.walRcvState = WalRcvState::WALRCV_STARTING;
  } else {
    walrcv.walRcvState = WalRcvState::WALRCV_RESTARTING;
  }
  walrcv.startTime = os.Monotonic();
  // First start on this timeline: nothing received yet.
  if (walrcv.receiveStart == 0 || walrcv.receivedTLI != tli) {
    walrcv.receivedUpto = recptr;
    walrcv.receivedTLI = tli;
    walrcv.latestChunkStart = recptr;
  }
  walrcv.receiveStart = recptr;
  walrcv.receiveStartTLI = tli;
  if (launch) {
    postmaster::SendPostmasterSignal(os, shm, node::PMSignalReason::PMSIGNAL_START_WALRECEIVER);
  } else if (walrcv.latch != nullptr) {
    walrcv.latch->Set();
  }
}

bool WalRcvRunning(os::Os& os, node::NodeShmem& shm) {
  return ExpireStartRequest(os, shm.WalRcv) != WalRcvState::WALRCV_STOPPED;
}

bool WalRcvStreaming(os::Os& os, node::NodeShmem& shm) {
  WalRcvState state = ExpireStartRequest(os, shm.WalRcv);
  return state == WalRcvState::WALRCV_STREAMING ||
         state == WalRcvState::WALRCV_STARTING ||
         state == WalRcvState::WALRCV_RESTARTING;
}

os::Task<> ShutdownWalRcv(os::Os& os, node::NodeShmem& shm,
                          absl::FunctionRef<os::Task<>()> interrupts) {
  node::WalRcvData& walrcv = shm.WalRcv;
  os::Pid walrcvpid = 0;
  switch (walrcv.walRcvState) {
    case WalRcvState::WALRCV_STOPPED:
      break;
    case WalRcvState::WALRCV_STARTING:
      walrcv.walRcvState = WalRcvState::WALRCV_STOPPED;
      break;
    case WalRcvState::WALRCV_STREAMING:
    case WalRcvState::WALRCV_WAITING:
    case WalRcvState::WALRCV_RESTARTING:
      walrcv.walRcvState = WalRcvState::WALRCV_STOPPING;
      [[fallthrough]];
    case WalRcvState::WALRCV_STOPPING:
      walrcvpid = walrcv.pid;
      break;
  }
  if (walrcvpid != 0) os.Kill(walrcvpid, os::Signal::kSIGTERM);
  // Wait for the walreceiver to acknowledge its death (WalRcvDie).
  while (WalRcvRunning(os, shm)) {
    co_await interrupts();
    co_await os.Sleep(kShutdownWalRcvPoll);
  }
}

WalRcvFlush GetWalRcvFlushRecPtr(const node::NodeShmem& shm) {
  return WalRcvFlush{shm.WalRcv.receivedUpto, shm.WalRcv.latestChunkStart,
                     shm.WalRcv.receivedTLI};
}

}  // namespace replsim::recovery
