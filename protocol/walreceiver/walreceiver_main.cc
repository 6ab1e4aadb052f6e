// WalReceiverMain, its stream loop and WalRcvWaitForStartPosition, following
// walreceiver.c of PostgreSQL 15 (9.3's loop where it differs).
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/node/quickdie.h"
#include "protocol/os/check.h"
#include "protocol/os/fault_points.h"
#include "protocol/os/trace_marks.h"
#include "protocol/walreceiver/walreceiver.h"
#include "protocol/walreceiver/walreceiver_process.h"
#include "protocol/wire/lsn.h"
#include "protocol/xlog/xlogarchive.h"

namespace replsim::walreceiver {

using node::WalRcvState;

namespace {

// fallback_application_name (cluster_name is not modelled).
constexpr char kAppName[] = "walreceiver";

}  // namespace

os::Task<> WalReceiverMain(os::Os& os, node::ShmemRef shm) {
  WalReceiverProcess walrcv(os, std::move(shm));
  co_await walrcv.Main();
}

WalReceiverProcess::WalReceiverProcess(os::Os& os, node::ShmemRef shm)
    : os_(os), shm_(std::move(shm)), s_(*shm_) {}

os::Task<> WalReceiverProcess::StartupHandshake() {
  node::WalRcvData& walrcv = s_.WalRcv;
  switch (walrcv.walRcvState) {
    case WalRcvState::WALRCV_STOPPING:
      // Already asked to stop: don't start up.
      walrcv.walRcvState = WalRcvState::WALRCV_STOPPED;
      [[fallthrough]];
    case WalRcvState::WALRCV_STOPPED:
      co_await ProcExit(1);  // WalRcvDie is not registered yet
      co_return;
    case WalRcvState::WALRCV_STARTING:
      break;
    default:
      co_await Panic("walreceiver still running according to shared memory state");
      co_return;
  }
  // Advertise our pid so that the startup process can kill us.
  walrcv.pid = os_.MyPid();
  walrcv.walRcvState = WalRcvState::WALRCV_STREAMING;
  startpoint_ = walrcv.receiveStart;
  startpointTLI_ = walrcv.receiveStartTLI;
  const TimestampTz now = GetCurrentTimestamp();
  walrcv.lastMsgSendTime = walrcv.lastMsgReceiptTime = walrcv.latestWalEndTime = now;
  walrcv.latch = &os_.MyLatch();
  walrcv.writtenUpto = 0;
  // on_shmem_exit(WalRcvDie).
  dieRegistered_ = true;
}

void WalReceiverProcess::InstallSignalHandlers() {
  os_.SetSignalHandler(os::Signal::kSIGHUP, [this] {
    configReloadPending_ = true;  // SignalHandlerForConfigReload
    os_.MyLatch().Set();
  });
  os_.IgnoreSignal(os::Signal::kSIGINT);
  os_.SetSignalHandler(os::Signal::kSIGTERM, [this] {
    shutdownRequestPending_ = true;  // SignalHandlerForShutdownRequest
    os_.MyLatch().Set();
  });
  node::InstallCrashExitHandler(os_);  // WalRcvQuickDieHandler: exit(2), no callbacks
  os_.IgnoreSignal(os::Signal::kSIGALRM);
  os_.IgnoreSignal(os::Signal::kSIGPIPE);
  os_.SetSignalHandler(os::Signal::kSIGUSR1, [this] { os_.MyLatch().Set(); });
  os_.IgnoreSignal(os::Signal::kSIGUSR2);
  os_.DefaultSignal(os::Signal::kSIGCHLD);
}

os::Task<> WalReceiverProcess::Main() {
  co_await StartupHandshake();
  InstallSignalHandlers();

  // Establish the connection to the primary for XLOG streaming.
  std::string conninfo = s_.WalRcv.conninfo;
  if (conninfo.empty()) conninfo = s_.gucs.primary_conninfo;
  // Every libpq wait also wakes on our latch and checks for a SIGTERM.
  interrupts_.latch = &os_.MyLatch();
  interrupts_.check = [this]() -> os::Task<> { co_await ProcessWalRcvInterrupts(); };
  auto conn = co_await pq::walrcv_connect(os_, conninfo, kAppName, s_.behavior.server_version_num,
                                          &interrupts_);
  co_await ProcessWalRcvInterrupts();
  if (!conn.ok()) co_return co_await Fatal(std::string(conn.status().message()));
  wrconn_ = std::move(*conn);

  bool first_stream = true;
  for (;;) {
    // Check that we're connected to a valid server (IDENTIFY_SYSTEM).
    auto id = co_await pq::walrcv_identify_system(*wrconn_);
    co_await ProcessWalRcvInterrupts();
    if (!id.ok()) co_return co_await Fatal(std::string(id.status().message()));
    primaryTLI_ = id->primary_tli;
    const std::string standby_sysid = absl::StrCat(s_.ControlFile.system_identifier);
    if (id->primary_sysid != standby_sysid) {
      co_return co_await Fatal(
          "database system identifier differs between the primary and standby",
          absl::StrFormat("The primary's identifier is %s, the standby's identifier is %s.",
                          id->primary_sysid, standby_sysid));
    }
    // Before 9.3 (abfd192b1b): the primary's timeline must be the
    // recovery target timeline, and there are no history files to fetch.
    if (!s_.behavior.walrcv_follow_timeline_switch) {
      const TimeLineID standby_tli = s_.XLogCtl.RecoveryTargetTLI;  // GetRecoveryTargetTLI
      if (primaryTLI_ != standby_tli) {
        co_return co_await Fatal(absl::StrFormat(
            "timeline %u of the primary does not match recovery target timeline %u",
            primaryTLI_, standby_tli));
      }
    }
    // The primary's current timeline must be the same as or ahead of ours.
    if (primaryTLI_ < startpointTLI_) {
      co_return co_await Fatal(
          absl::StrFormat("highest timeline %u of the primary is behind recovery timeline %u",
                          primaryTLI_, startpointTLI_));
    }
    // Get any missing history files, even of timelines we don't follow.
    co_await WalRcvFetchTimeLineHistoryFiles(startpointTLI_, primaryTLI_);

    auto started = co_await pq::walrcv_startstreaming(*wrconn_, startpoint_, startpointTLI_);
    co_await ProcessWalRcvInterrupts();
    if (!started.ok()) co_return co_await Fatal(std::string(started.status().message()));
    if (*started) {
      os_.Log("LOG", absl::StrFormat(first_stream
                                         ? "started streaming WAL from primary at %s on timeline %u"
                                         : "restarted WAL streaming at %s on timeline %u",
                                     wire::FormatLsn(startpoint_), startpointTLI_));
      first_stream = false;
      os_.Mark(os::kMarkStreamingStarted);
      // Write and Flush start at the replay pointer, not at startpoint.
      LogstreamResult.Write = LogstreamResult.Flush = s_.XLogCtl.lastReplayedEndRecPtr;
      lastRecvTimestamp_ = GetCurrentTimestamp();
      pingSent_ = false;
      co_await StreamLoop();

      // The primary finished streaming: leave COPY mode from our side too.
      // After a shutdown's "COPY 0" this fails (RW-13).
      auto next_tli = co_await pq::walrcv_endstreaming(*wrconn_);
      co_await ProcessWalRcvInterrupts();
      if (!next_tli.ok()) co_return co_await Fatal(std::string(next_tli.status().message()));
      primaryTLI_ = *next_tli;
      // A timeline the primary switched to while we streamed.
      co_await WalRcvFetchTimeLineHistoryFiles(startpointTLI_, primaryTLI_);
    } else {
      os_.Log("LOG", absl::StrFormat(
                         "primary server contains no more WAL on requested timeline %u",
                         startpointTLI_));
    }
    // End of WAL on the requested timeline: close the last segment and
    // await new orders from the startup process.
    co_await CloseAtEndOfStreaming();
    os_.Log("DEBUG1", "walreceiver ended streaming and awaits new instructions");
    co_await WalRcvWaitForStartPosition();
  }
}

os::Task<> WalReceiverProcess::StreamLoop() {
  // Before PostgreSQL 10, walrcv_receive itself waited NAPTIME_PER_CYCLE.
  const bool latch_wait = s_.behavior.server_version_num >= 100000;
  for (;;) {
    if (!s_.XLogCtl.SharedRecoveryInProgress) {
      co_return co_await Fatal("cannot continue WAL streaming, recovery has already ended");
    }
    co_await ProcessWalRcvInterrupts();
    if (configReloadPending_) {
      configReloadPending_ = false;  // ProcessConfigFile: the GUCs are fixed here
      co_await XLogWalRcvSendHSFeedback(true);
    }

    // See if we can read data immediately, then everything that follows
    // without blocking.
    std::string buf;
    os::Fd wait_fd = os::kNoFd;
    bool endofwal = false;
    auto len = co_await pq::walrcv_receive(*wrconn_, &buf, &wait_fd);
    if (!len.ok()) co_return co_await Fatal(std::string(len.status().message()));
    if (*len != 0) {
      for (;;) {
        if (*len > 0) {
          // Something was received from the primary: reset the timeout.
          lastRecvTimestamp_ = GetCurrentTimestamp();
          pingSent_ = false;
          co_await XLogWalRcvProcessMsg(buf, startpointTLI_);
        } else if (*len == 0) {
          break;
        } else if (s_.behavior.server_version_num < 90300) {
          // Before 9.3 libpqrcv_receive raised this as an ERROR, in the
          // middle of the batch: what was written is not yet fsynced, and
          // only WalRcvDie can flush it (34ef02b4d4).
          co_return co_await Fatal("replication terminated by primary server");
        } else {
          os_.Log("LOG", "replication terminated by primary server");
          os_.Log("DETAIL", absl::StrFormat("End of WAL reached on timeline %u at %s.",
                                            startpointTLI_,
                                            wire::FormatLsn(LogstreamResult.Write)));
          endofwal = true;
          break;
        }
        len = co_await pq::walrcv_receive(*wrconn_, &buf, &wait_fd);
        if (!len.ok()) co_return co_await Fatal(std::string(len.status().message()));
      }
      // Let the primary know that we received some data, then fsync it and
      // tell the startup process and the primary.
      co_await XLogWalRcvSendReply(false, false);
      co_await XLogWalRcvFlush(false, startpointTLI_);
    }
    if (endofwal) co_return;

    const int rc = co_await os_.WaitLatchOrSocket(
        &os_.MyLatch(),
        os::WL_POSTMASTER_DEATH | os::WL_SOCKET_READABLE | os::WL_TIMEOUT | os::WL_LATCH_SET,
        wait_fd, kNapTimePerCycle);
    co_await os::DelayAtFaultPoint(os_, os::kLatchLateWakeup, os::kLateWakeup);
    // WL_EXIT_ON_PM_DEATH is proc_exit(1), which runs WalRcvDie.
    if (rc & os::WL_POSTMASTER_DEATH) co_return co_await ProcExit(1);
    if (rc & os::WL_LATCH_SET) {
      os_.MyLatch().Reset();
      co_await ProcessWalRcvInterrupts();
      if (s_.WalRcv.force_reply) {
        // The startup process asked for apply feedback now.
        s_.WalRcv.force_reply = false;
        co_await XLogWalRcvSendReply(true, false);
      }
    }
    // 9.3 ran the idle branch whenever its receive wait brought no data; 15
    // runs it when the wait timed out.
    if ((rc & os::WL_TIMEOUT) || (!latch_wait && !(rc & os::WL_SOCKET_READABLE))) {
      co_await OnNapTimeout();
    }
  }
}

os::Task<> WalReceiverProcess::OnNapTimeout() {
  // Nothing new. Past wal_receiver_timeout: give up. Past half of it: ping
  // (request a reply). Also report apply progress every status interval.
  bool requestReply = false;
  const os::Duration timeout = s_.gucs.wal_receiver_timeout;
  if (timeout > os::Duration()) {
    const TimestampTz now = GetCurrentTimestamp();
    if (now >= lastRecvTimestamp_ + timeout.micros()) {
      co_return co_await Fatal("terminating walreceiver due to timeout");
    }
    if (!pingSent_ && now >= lastRecvTimestamp_ + (timeout / 2).micros()) {
      requestReply = true;
      pingSent_ = true;
    }
  }
  co_await XLogWalRcvSendReply(requestReply, requestReply);
  co_await XLogWalRcvSendHSFeedback(false);
}

os::Task<> WalReceiverProcess::CloseAtEndOfStreaming() {
  if (recvFileOpen_) {
    co_await XLogWalRcvFlush(false, startpointTLI_);
    // close(recvFile); .done (or .ready with archive_mode = always).
    recvFileOpen_ = false;
    if (xlog::XLogArchivingActive(s_)) {
      xlog::XLogArchiveReceived(os_, s_, wal::XLogFileName(recvFileTLI_, recvSegNo_));
    }
  }
}

os::Task<> WalReceiverProcess::WalRcvWaitForStartPosition() {
  node::WalRcvData& walrcv = s_.WalRcv;
  if (walrcv.walRcvState != WalRcvState::WALRCV_STREAMING) {
    if (walrcv.walRcvState == WalRcvState::WALRCV_STOPPING) co_return co_await ProcExit(0);
    co_return co_await Fatal("unexpected walreceiver state");
  }
  walrcv.walRcvState = WalRcvState::WALRCV_WAITING;
  walrcv.receiveStart = 0;
  walrcv.receiveStartTLI = 0;
  // Nudge the startup process: we stopped streaming and await orders.
  WakeupRecovery();
  for (;;) {
    os_.MyLatch().Reset();
    co_await ProcessWalRcvInterrupts();
    if (walrcv.walRcvState == WalRcvState::WALRCV_RESTARTING) {
      startpoint_ = walrcv.receiveStart;
      startpointTLI_ = walrcv.receiveStartTLI;
      walrcv.walRcvState = WalRcvState::WALRCV_STREAMING;
      break;
    }
    if (walrcv.walRcvState == WalRcvState::WALRCV_STOPPING) {
      // SIGTERM should have come too; exit anyway.
      co_return co_await ProcExit(1);
    }
    const int rc = co_await os_.WaitLatchOrSocket(
        &os_.MyLatch(), os::WL_LATCH_SET | os::WL_POSTMASTER_DEATH, os::kNoFd,
        os::Duration());
    if (rc & os::WL_POSTMASTER_DEATH) co_return co_await ProcExit(1);
  }
}

}  // namespace replsim::walreceiver
