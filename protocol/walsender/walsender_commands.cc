// exec_replication_command and the commands a physical walsender serves:
// IDENTIFY_SYSTEM, TIMELINE_HISTORY, START_REPLICATION [SLOT] and (9.4+)
// CREATE_REPLICATION_SLOT ... PHYSICAL (walsender.c of 9.3.5, 9.4 and 15; 9.3
// ends every command with CommandComplete "SELECT", 15 with the command's own
// tag).
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/replslot/slot_disk.h"
#include "protocol/walsender/slot.h"
#include "protocol/walsender/syncrep_hook.h"
#include "protocol/walsender/walsender_private.h"
#include "protocol/xlog/xlog_io.h"
#include "protocol/wire/message.h"
#include "protocol/wire/result_sets.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::walsender {

namespace {

std::string Lsn(XLogRecPtr p) { return wal::LsnToString(p); }

ElogError FromStatus(const absl::Status& s) {
  return ElogError{wire::SqlStateOf(s), std::string(s.message()), "", wire::HintOf(s)};
}

}  // namespace

// RowDescription and DataRows; the CommandComplete comes from the caller
// (exec_replication_command's tag differs by version).
void WalSender::SendResultRows(const wire::ResultSet& rs) {
  std::string bytes = wire::Encode(rs.description);
  for (const wire::DataRow& row : rs.rows) bytes += wire::Encode(row);
  conn_->PutRaw(bytes);
}

void WalSender::EndReplicationCommand(const std::string& tag) {
  conn_->PutRaw(wire::Encode(wire::CommandComplete{tag}));
}

os::Task<MaybeError> WalSender::ExecReplicationCommand(const std::string& query) {
  if (shm_->behavior.walsnd_stopping_state) {
    // c6c333436: commands could write WAL during the shutdown checkpoint.
    if (got_STOPPING_) WalSndSetState(node::WalSndState::WALSNDSTATE_STOPPING);
    if (MyWalSnd().state == node::WalSndState::WALSNDSTATE_STOPPING) {
      co_return ElogError{wire::sqlstate::kObjectNotInPrerequisiteState,
                          "cannot execute new commands while WAL sender is in stopping mode"};
    }
  }
  co_await CheckForInterrupts();
  absl::StatusOr<wire::ReplicationCommand> parsed =
      wire::ParseReplicationCommand(query, dialect_);
  if (!parsed.ok()) {
    std::string state = wire::SqlStateOf(parsed.status());
    if (state.empty()) state = wire::sqlstate::kSyntaxError;
    co_return ElogError{state, std::string(parsed.status().message())};
  }
  if (std::holds_alternative<wire::SqlCommand>(*parsed)) {
    // A physical walsender (no database): 15's "cannot execute SQL commands
    // in WAL sender for physical replication".
    absl::Status s = wire::PhysicalWalSenderSqlError();
    co_return ElogError{wire::SqlStateOf(s), std::string(s.message())};
  }
  os_.Log("DEBUG1", absl::StrCat("received replication command: ", query));
  const std::string tag = v15() ? wire::CommandTag(*parsed) : std::string("SELECT");

  if (std::holds_alternative<wire::IdentifySystemCmd>(*parsed)) {
    IdentifySystem();
  } else if (auto* th = std::get_if<wire::TimelineHistoryCmd>(&*parsed)) {
    MaybeError e = co_await SendTimeLineHistory(th->timeline);
    if (e.has_value()) co_return e;
  } else if (auto* sr = std::get_if<wire::StartReplicationCmd>(&*parsed)) {
    MaybeError e = co_await StartReplication(*sr);
    if (e.has_value()) co_return e;
  } else if (auto* cs = std::get_if<wire::CreateReplicationSlotCmd>(&*parsed)) {
    MaybeError e = co_await CreateReplicationSlot(*cs);
    if (e.has_value()) co_return e;
  } else if (auto* ds = std::get_if<wire::DropReplicationSlotCmd>(&*parsed)) {
    MaybeError e = co_await DropReplicationSlot(*ds);
    if (e.has_value()) co_return e;
  } else {
    co_return ElogError{wire::sqlstate::kFeatureNotSupported,
                        absl::StrCat("replication command not modelled by replsim: ", query)};
  }
  EndReplicationCommand(tag);
  co_return std::nullopt;
}

// IDENTIFY_SYSTEM: system id (pg_control), timeline, xlogpos (9.3: the
// insert position, GetInsertRecPtr = LogwrtRqst.Write; 15: the flush
// position; cascading: GetStandbyFlushRecPtr), dbname (15; NULL here).
void WalSender::IdentifySystem() {
  wire::IdentifySystemResult r;
  r.system_id = shm_->ControlFile.system_identifier;
  am_cascading_walsender_ = RecoveryInProgress();
  TimeLineID tli = InsertTimeLine();
  XLogRecPtr logptr;
  if (am_cascading_walsender_) {
    logptr = GetStandbyFlushRecPtr(&tli);
  } else if (v15()) {
    logptr = GetFlushRecPtr();
  } else {
    logptr = shm_->XLogCtl.pos.LogwrtRqst.Write;
  }
  r.timeline = tli;
  r.xlogpos = logptr;
  if (v15()) r.dbname = port_.database;
  wire::ResultSet rs = wire::BuildIdentifySystem(r, dialect_);
  SendResultRows(rs);
}

os::Task<MaybeError> WalSender::SendTimeLineHistory(TimeLineID tli) {
  const std::string fname = wire::TimelineHistoryFileName(tli);
  // Messages name the path relative to the data directory, as PostgreSQL's.
  const std::string rel =
      absl::StrCat(xlog::XLogDirName(shm_->behavior.server_version_num), "/", fname);
  const std::string path = HistoryFilePath(tli);
  os::Result<std::string> content = co_await ReadWholeFile(path);
  if (!content.ok()) {
    co_return ElogError{content.error() == os::Errno::kENOENT ? wire::sqlstate::kUndefinedFile
                                                               : wire::sqlstate::kIoError,
                        absl::StrFormat("could not open file \"%s\": %s", rel,
                                        std::string(os::StrError(content.error())))};
  }
  wire::ResultSet rs = wire::BuildTimelineHistory({fname, *content}, dialect_);
  SendResultRows(rs);
  co_return std::nullopt;
}

// CreateReplicationSlot (9.4): create the slot acquired, answer with its
// result set, release it again for START_REPLICATION to acquire.
os::Task<MaybeError> WalSender::CreateReplicationSlot(const wire::CreateReplicationSlotCmd& cmd) {
  if (cmd.logical || cmd.temporary || !cmd.options.empty()) {
    co_return ElogError{wire::sqlstate::kFeatureNotSupported,
                        "only CREATE_REPLICATION_SLOT name PHYSICAL is modelled by replsim"};
  }
  absl::StatusOr<int> reserved = ReplicationSlotReserve(*shm_, cmd.slot_name);
  if (!reserved.ok()) co_return FromStatus(reserved.status());
  // CreateSlotOnDisk writes a copy: the entry itself stays reserved.
  node::ReplicationSlot on_disk = shm_->ReplicationSlotCtl.replication_slots[*reserved];
  const absl::Status written = co_await replslot::CreateSlotOnDisk(os_, shm_->data_dir, on_disk);
  if (!written.ok()) {
    ReplicationSlotAbandon(*shm_, *reserved);
    co_return ElogError{wire::sqlstate::kIoError, std::string(written.message())};
  }
  ReplicationSlotCreated(*shm_, *reserved, os_.MyPid());
  my_replication_slot_ = *reserved;
  // A physical slot's confirmed_flush is invalid: "0/0".
  SendResultRows(BuildCreateReplicationSlotResult(cmd.slot_name, 0,
                                                  shm_->behavior.server_version_num));
  ReleaseMyReplicationSlot();
  co_return std::nullopt;
}

os::Task<MaybeError> WalSender::StartReplication(const wire::StartReplicationCmd& cmd) {
  if (cmd.logical) {
    co_return ElogError{wire::sqlstate::kFeatureNotSupported,
                        "logical replication is not modelled by replsim"};
  }
  if (cmd.slot_name.has_value()) {
    // ReplicationSlotAcquire; an ERROR from here on releases it again
    // (WalSndErrorCleanup), as does the process's exit.
    absl::StatusOr<int> acquired = ReplicationSlotAcquire(*shm_, *cmd.slot_name, os_.MyPid());
    if (!acquired.ok()) co_return FromStatus(acquired.status());
    my_replication_slot_ = *acquired;
  }
  // 15 re-reads RecoveryInProgress here; 9.3 keeps the value of
  // InitWalSender / the last IDENTIFY_SYSTEM.
  if (v15()) am_cascading_walsender_ = RecoveryInProgress();
  TimeLineID flush_tli = InsertTimeLine();
  const XLogRecPtr FlushPtr =
      am_cascading_walsender_ ? GetStandbyFlushRecPtr(&flush_tli) : GetFlushRecPtr();

  if (cmd.timeline != 0 && cmd.timeline != flush_tli) {
    sendTimeLine_ = cmd.timeline;
    sendTimeLineIsHistoric_ = true;
    absl::StatusOr<wal::TimeLineHistory> history = co_await ReadTimeLineHistory(flush_tli);
    if (!history.ok()) {
      co_return ElogError{wire::sqlstate::kInternalError, std::string(history.status().message())};
    }
    absl::StatusOr<XLogRecPtr> switchpoint =
        wal::tliSwitchPoint(cmd.timeline, *history, &sendTimeLineNextTLI_);
    if (!switchpoint.ok()) {
      co_return ElogError{
          wire::sqlstate::kInternalError,
          absl::StrFormat("requested timeline %u is not in this server's history", cmd.timeline)};
    }
    if (*switchpoint != 0 && *switchpoint < cmd.start_point) {
      co_return ElogError{
          wire::sqlstate::kInternalError,
          absl::StrFormat("requested starting point %s on timeline %u is not in this server's "
                          "history",
                          Lsn(cmd.start_point), cmd.timeline),
          absl::StrFormat("This server's history forked from timeline %u at %s%s", cmd.timeline,
                          Lsn(*switchpoint), v15() ? "." : "")};
    }
    sendTimeLineValidUpto_ = *switchpoint;
  } else {
    sendTimeLine_ = flush_tli;
    sendTimeLineIsHistoric_ = false;
    sendTimeLineValidUpto_ = 0;
  }
  streamingDoneSending_ = streamingDoneReceiving_ = false;

  // If there is nothing to stream, don't even enter COPY mode.
  if (!sendTimeLineIsHistoric_ || cmd.start_point < sendTimeLineValidUpto_) {
    WalSndSetState(node::WalSndState::WALSNDSTATE_CATCHUP);
    conn_->PutRaw(wire::Encode(wire::CopyBothResponse{}));
    (void)co_await conn_->Flush();
    // Checked only after entering COPY: the error arrives in CopyBoth.
    if (FlushPtr < cmd.start_point) {
      co_return ElogError{wire::sqlstate::kInternalError,
                          absl::StrFormat("requested starting point %s is ahead of the WAL flush "
                                          "position of this server %s",
                                          Lsn(cmd.start_point), Lsn(FlushPtr))};
    }
    sentPtr_ = cmd.start_point;
    MyWalSnd().sentPtr = sentPtr_;
    CallSyncRepInitConfig(*shm_, slot_);
    replication_active_ = true;
    MaybeError e = co_await WalSndLoop();
    if (e.has_value()) co_return e;
    replication_active_ = false;
    const bool stop = v15() ? got_STOPPING_ : walsender_ready_to_stop_;
    if (stop) co_await ProcExit(0, "stopping after COPY ended");
    WalSndSetState(node::WalSndState::WALSNDSTATE_STARTUP);
  }
  ReleaseMyReplicationSlot();

  // Copy is finished: tell the client where the next timeline starts.
  if (sendTimeLineIsHistoric_) {
    wire::ResultSet rs = wire::BuildEndOfTimeline({sendTimeLineNextTLI_, sendTimeLineValidUpto_});
    SendResultRows(rs);
  }
  EndReplicationCommand("START_STREAMING");
  co_return std::nullopt;
}

// DropReplicationSlot (9.4): ReplicationSlotAcquire, then
// ReplicationSlotDropAcquired (the directory renamed away and removed, the
// entry freed).
os::Task<MaybeError> WalSender::DropReplicationSlot(const wire::DropReplicationSlotCmd& cmd) {
  if (cmd.wait) {
    co_return ElogError{wire::sqlstate::kFeatureNotSupported,
                        "DROP_REPLICATION_SLOT ... WAIT is not modelled by replsim"};
  }
  absl::StatusOr<int> acquired = ReplicationSlotAcquire(*shm_, cmd.slot_name, os_.MyPid());
  if (!acquired.ok()) co_return FromStatus(acquired.status());
  my_replication_slot_ = *acquired;
  const absl::Status dropped =
      co_await replslot::DropSlotOnDisk(os_, shm_->data_dir, cmd.slot_name);
  if (!dropped.ok()) co_return ElogError{wire::sqlstate::kIoError, std::string(dropped.message())};
  ReplicationSlotDropped(*shm_, *acquired, os_.MyPid());
  my_replication_slot_ = -1;
  co_return std::nullopt;
}

}  // namespace replsim::walsender
