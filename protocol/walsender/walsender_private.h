// File: protocol/walsender/walsender_private.h
//
// One walsender process's local state and its functions, named as in
// walsender.c (sentPtr, sendTimeLine*, streamingDone*, replication_active,
// walsender_ready_to_stop / got_SIGUSR2, got_STOPPING, last_reply_timestamp,
// waiting_for_ping_response / ping_sent, WalSndCaughtUp). The object lives in
// WalSndMain's frame; signal handlers only set its flags and the latch.
//
// ereport(ERROR) is a value here: functions that can raise one return
// MaybeError, and the caller returns it up to the command loop, which does
// what PostgresMain's sigsetjmp block does (send the ErrorResponse,
// WalSndErrorCleanup, ReadyForQuery). FATAL and proc_exit end the process at
// once (os.Exit never resumes), from any depth.
#ifndef REPLSIM_PROTOCOL_WALSENDER_WALSENDER_PRIVATE_H_
#define REPLSIM_PROTOCOL_WALSENDER_WALSENDER_PRIVATE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "protocol/node/shmem.h"
#include "protocol/postmaster/syncrep.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/pq/pqcomm.h"
#include "protocol/wal/timeline_history.h"
#include "protocol/walsender/walsender.h"
#include "protocol/wire/dialect.h"
#include "protocol/wire/pg_time.h"
#include "protocol/wire/replication_command.h"
#include "protocol/wire/result_sets.h"

namespace replsim::walsender {

using wal::TimeLineID;
using wal::XLogRecPtr;
using wire::TimestampTz;

// MAX_SEND_SIZE: XLOG_BLCKSZ * 16.
inline constexpr uint64_t kMaxSendSize = 16 * 8192;

// An ereport(ERROR): the fields the ErrorResponse carries.
struct ElogError {
  std::string sqlstate;
  std::string message;
  std::string detail;
  std::string hint;
};
using MaybeError = std::optional<ElogError>;


class WalSender {
 public:
  WalSender(os::Os& os, node::ShmemRef shm, std::unique_ptr<pq::PqComm> conn,
            WalSndPort port);
  WalSender(const WalSender&) = delete;
  WalSender& operator=(const WalSender&) = delete;
  ~WalSender();  // WalSndKill

  os::Task<> Main();

 private:
  // ---- walsender_main.cc: life cycle, signals, errors ----
  os::Task<> InitWalSender();
  void WalSndSignals();
  void MarkPostmasterChildWalSender();
  os::Task<> CommandLoop();
  // ReadCommand: waits on the latch and the socket, so SIGTERM is served
  // while idle (ProcessClientReadInterrupt). kMessage, kEof or kError.
  os::Task<pq::ReadStatus> ReadCommand(wire::Frame* frame, std::string* error);
  // CHECK_FOR_INTERRUPTS: a pending die() becomes FATAL 57P01.
  os::Task<> CheckForInterrupts();
  // ereport(FATAL): ErrorResponse (unless output is off), log, exit(1).
  // Arguments are pointers (not temporaries) because g++ 12 mis-destroys
  // class-type temporaries in a co_await full-expression.
  os::Task<> Fatal(const char* sqlstate, const std::string* message);
  // ereport(ERROR) reaching PostgresMain: report, WalSndErrorCleanup.
  os::Task<> HandleError(const ElogError* e);
  os::Task<> WalSndErrorCleanup();
  // proc_exit(code), logged.
  os::Task<> ProcExit(int code, const char* why);
  os::Task<> ExitProcess(int code);
  // WalSndShutdown / send_failure: no more output to the client, exit 0.
  os::Task<> WalSndShutdown();
  void WalSndSetState(node::WalSndState state);
  node::WalSnd& MyWalSnd();
  bool v15() const { return shm_->behavior.server_version_num >= 90400; }
  bool AmStopping() const;  // WalSndErrorCleanup's / StartReplication's exit test

  // ---- walsender_commands.cc ----
  os::Task<MaybeError> ExecReplicationCommand(const std::string& query);
  void IdentifySystem();
  os::Task<MaybeError> SendTimeLineHistory(TimeLineID tli);
  os::Task<MaybeError> StartReplication(const wire::StartReplicationCmd& cmd);
  // 9.4+: CREATE_REPLICATION_SLOT name PHYSICAL (slot.h).
  os::Task<MaybeError> CreateReplicationSlot(const wire::CreateReplicationSlotCmd& cmd);
  // 9.4+: DROP_REPLICATION_SLOT name (without 15's WAIT).
  os::Task<MaybeError> DropReplicationSlot(const wire::DropReplicationSlotCmd& cmd);
  // ReplicationSlotRelease of MyReplicationSlot, if any.
  void ReleaseMyReplicationSlot();
  void EndReplicationCommand(const std::string& tag);
  void SendResultRows(const wire::ResultSet& rs);

  // ---- walsender_loop.cc ----
  os::Task<MaybeError> WalSndLoop();
  os::Task<MaybeError> ProcessRepliesIfAny();
  // One message from the standby if one is there (false if none); EOF or a
  // socket error is "unexpected EOF on standby connection" and proc_exit(0).
  os::Task<bool> ReadStandbyMessage(wire::Frame* f);
  os::Task<MaybeError> ProcessStandbyMessage(const std::string& payload);
  void WalSndKeepalive(bool request_reply);
  os::Task<> WalSndKeepaliveIfNecessary();     // 15
  os::Task<> WalSndCheckTimeOut();             // 15
  os::Duration WalSndComputeSleeptime(TimestampTz now) const;  // 15
  os::Task<MaybeError> WalSndDone();           // the stop check
  os::Task<MaybeError> LastChunkAndExit();     // without e0b581acd2
  os::Task<> ExitAtShutdown();                 // COPY 0, pq_flush, proc_exit(0)
  os::Task<> WalSndWait(int socket_events, os::Duration timeout);
  TimestampTz GetCurrentTimestamp() const;

  // ---- walsender_loop_90.cc: 9.0, before 2746e5f21d ----
  os::Task<MaybeError> WalSndLoop90();
  os::Task<> CheckClosedConnection();

  // ---- xlog_send.cc ----
  os::Task<MaybeError> XLogSendPhysical();
  os::Task<MaybeError> XLogRead(XLogRecPtr startptr, uint64_t nbytes,
                                std::string* out);
  XLogRecPtr GetStandbyFlushRecPtr(TimeLineID* tli) const;
  XLogRecPtr GetFlushRecPtr() const;
  bool RecoveryInProgress() const;
  TimeLineID InsertTimeLine() const { return shm_->XLogCtl.ThisTimeLineID; }
  // readTimeLineHistory(tli) from pg_wal/%08X.history.
  os::Task<absl::StatusOr<wal::TimeLineHistory>> ReadTimeLineHistory(TimeLineID tli);
  std::string HistoryFilePath(TimeLineID tli) const;
  // open + read of a whole (small) file.
  os::Task<os::Result<std::string>> ReadWholeFile(const std::string& path);

  os::Os& os_;
  node::ShmemRef shm_;
  std::unique_ptr<pq::PqComm> conn_;
  WalSndPort port_;
  wire::Dialect dialect_;
  int slot_ = -1;  // index in WalSndCtl.walsnds, -1 before InitWalSenderSlot
  postmaster::SyncRepWalSndState syncrep_state_;
  bool am_cascading_walsender_ = false;
  // MyReplicationSlot: index in ReplicationSlotCtl, -1 when none is held.
  int my_replication_slot_ = -1;

  // Flags set by signal handlers.
  bool proc_die_pending_ = false;        // die(): ProcDiePending
  bool got_SIGHUP_ = false;
  bool walsender_ready_to_stop_ = false; // got_SIGUSR2 in 15
  bool got_STOPPING_ = false;
  bool replication_active_ = false;
  bool output_off_ = false;              // whereToSendOutput = DestNone

  // Streaming state.
  XLogRecPtr sentPtr_ = 0;
  TimeLineID sendTimeLine_ = 0;
  TimeLineID sendTimeLineNextTLI_ = 0;
  bool sendTimeLineIsHistoric_ = false;
  XLogRecPtr sendTimeLineValidUpto_ = 0;
  bool streamingDoneSending_ = false;
  bool streamingDoneReceiving_ = false;
  bool WalSndCaughtUp_ = false;
  TimestampTz last_reply_timestamp_ = 0;
  TimestampTz last_processing_ = 0;
  bool waiting_for_ping_response_ = false;  // ping_sent in 9.3
  // Reply requests sent since the client last sent anything (observed for
  // ONE_PING_OUTSTANDING, independent of waiting_for_ping_response_).
  int unanswered_reply_requests_ = 0;
};

}  // namespace replsim::walsender

#endif  // REPLSIM_PROTOCOL_WALSENDER_WALSENDER_PRIVATE_H_
