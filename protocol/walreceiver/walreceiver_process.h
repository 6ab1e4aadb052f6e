// File: protocol/walreceiver/walreceiver_process.h
//
// The state walreceiver.c keeps in file-level statics (LogstreamResult,
// recvFile/recvSegNo/recvFileTLI, wrconn, the signal flags, the reply
// bookkeeping), as one object per walreceiver process, and its functions
// under PostgreSQL's names. Private to protocol/walreceiver; the entry point
// is WalReceiverMain (walreceiver.h).
//
// Error model: PostgreSQL's walreceiver has no error handler, so an ERROR is
// promoted to FATAL: Error() logs "FATAL" (and a "DETAIL" line), runs the
// on_shmem_exit callback WalRcvDie and exits(1). Error/Fatal/ProcExit/Panic
// never return to their caller (os.Exit does not resume).
#ifndef REPLSIM_PROTOCOL_WALRECEIVER_WALRECEIVER_PROCESS_H_
#define REPLSIM_PROTOCOL_WALRECEIVER_WALRECEIVER_PROCESS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/pq/libpqwalreceiver.h"
#include "protocol/wal/lsn.h"

namespace replsim::walreceiver {

using wal::TimeLineID;
using wal::TimestampTz;
using wal::XLogRecPtr;
using wal::XLogSegNo;

class WalReceiverProcess {
 public:
  WalReceiverProcess(os::Os& os, node::ShmemRef shm);
  WalReceiverProcess(const WalReceiverProcess&) = delete;
  WalReceiverProcess& operator=(const WalReceiverProcess&) = delete;

  // WalReceiverMain's body (walreceiver_main.cc). Never returns normally.
  os::Task<> Main();

 private:
  // ---- walreceiver_main.cc ----
  // STARTING -> STREAMING; false (after exiting) if told not to start.
  os::Task<> StartupHandshake();
  void InstallSignalHandlers();
  // The inner "Loop until end-of-streaming or error"; returns at end of WAL.
  os::Task<> StreamLoop();
  // The WL_TIMEOUT branch: wal_receiver_timeout and its half-way ping.
  os::Task<> OnNapTimeout();
  os::Task<> WalRcvWaitForStartPosition();
  os::Task<> CloseAtEndOfStreaming();

  // ---- walreceiver_exit.cc ----
  // ProcessWalRcvInterrupts: FATAL on a pending SIGTERM.
  os::Task<> ProcessWalRcvInterrupts();
  // What the connection's waits watch (see pq::walrcv_connect).
  pq::Interrupts interrupts_;
  // ereport(ERROR/FATAL): logged as FATAL, then proc_exit(1).
  os::Task<> Fatal(std::string message, std::string detail = "");
  // proc_exit(code): WalRcvDie (once registered), then exit.
  os::Task<> ProcExit(int code);
  // ereport(PANIC): no exit callbacks; errfinish abort()s (SIGABRT).
  os::Task<> Panic(std::string message);
  os::Task<> WalRcvDie();
  // WakeupRecovery: SetLatch(XLogCtl.recoveryWakeupLatch).
  void WakeupRecovery();
  TimestampTz GetCurrentTimestamp() const;

  // ---- walreceiver_xlog.cc ----
  os::Task<> XLogWalRcvWrite(absl::string_view buf, XLogRecPtr recptr, TimeLineID tli);
  os::Task<> XLogWalRcvFlush(bool dying, TimeLineID tli);
  os::Task<> XLogWalRcvClose(XLogRecPtr recptr, TimeLineID tli);

  // ---- walreceiver_reply.cc ----
  os::Task<> XLogWalRcvProcessMsg(absl::string_view payload, TimeLineID tli);
  void ProcessWalSndrMessage(XLogRecPtr walEnd, TimestampTz sendTime);
  os::Task<> XLogWalRcvSendReply(bool force, bool requestReply);
  os::Task<> XLogWalRcvSendHSFeedback(bool immed);
  // walrcv_send; FATAL on failure.
  os::Task<> Send(const std::string& payload);

  // ---- walreceiver_history.cc ----
  os::Task<> WalRcvFetchTimeLineHistoryFiles(TimeLineID first, TimeLineID last);

  os::Os& os_;
  node::ShmemRef shm_;
  node::NodeShmem& s_;  // *shm_

  std::unique_ptr<pq::WalReceiverConn> wrconn_;
  XLogRecPtr startpoint_ = 0;
  TimeLineID startpointTLI_ = 0;
  TimeLineID primaryTLI_ = 0;

  // LogstreamResult: last byte + 1 written / fsynced here.
  struct {
    XLogRecPtr Write = 0;
    XLogRecPtr Flush = 0;
  } LogstreamResult;

  // recvFile: whether a segment is "open" (XLogWriteRaw opens per write; the
  // state decides when a segment is fsynced and closed), its number and TLI.
  bool recvFileOpen_ = false;
  XLogSegNo recvSegNo_ = 0;
  TimeLineID recvFileTLI_ = 0;

  // Signal flags (ShutdownRequestPending, ConfigReloadPending).
  bool shutdownRequestPending_ = false;
  bool configReloadPending_ = false;

  // on_shmem_exit(WalRcvDie) registered; proc_exit in progress.
  bool dieRegistered_ = false;
  bool procExitInProgress_ = false;

  // Stream loop timing.
  TimestampTz lastRecvTimestamp_ = 0;
  bool pingSent_ = false;

  // XLogWalRcvSendReply's statics.
  XLogRecPtr replyWritePtr_ = 0;
  XLogRecPtr replyFlushPtr_ = 0;
  TimestampTz replySendTime_ = 0;
  // XLogWalRcvSendHSFeedback's statics.
  TimestampTz feedbackSendTime_ = 0;
  bool primaryHasStandbyXmin_ = true;
};

}  // namespace replsim::walreceiver

#endif  // REPLSIM_PROTOCOL_WALRECEIVER_WALRECEIVER_PROCESS_H_
