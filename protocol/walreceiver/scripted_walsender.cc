#include "protocol/walreceiver/scripted_walsender.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "protocol/pq/backend_startup.h"
#include "protocol/wire/message.h"
#include "protocol/wire/pg_time.h"
#include "protocol/wire/result_sets.h"

namespace replsim::walreceiver {

ScriptedWalSender::ScriptedWalSender(os::Os& os, ScriptedWalSenderConfig config)
    : os_(os), config_(std::move(config)) {}

os::Task<bool> ScriptedWalSender::Accept(os::Fd listener) {
  os::Result<os::Fd> fd = co_await os_.Accept(listener);
  if (!fd.ok()) co_return false;
  comm_ = std::make_unique<pq::PqComm>(os_, *fd);
  auto packet = co_await pq::ReadStartupPacket(*comm_);
  if (!packet.ok() || !std::holds_alternative<wire::StartupMessage>(*packet)) co_return false;
  pq::StartupResponse resp;
  resp.parameters = pq::DefaultParameterStatus("walreceiver", "15.15", false);
  resp.backend_pid = 4242;
  co_return co_await pq::SendStartupResponse(*comm_, resp) == os::Errno::kOk;
}

os::Task<std::optional<wire::StartReplicationCmd>>
ScriptedWalSender::ServeUntilStartReplication() {
  for (;;) {
    wire::Frame f;
    std::string error;
    const bool awaited_1 = co_await comm_->ReadMessage(&f, &error) != pq::ReadStatus::kMessage;
    if (awaited_1) co_return std::nullopt;
    if (f.type != wire::Query::kType) continue;
    auto q = wire::Decode<wire::Query>(f.body);
    if (!q.ok()) co_return std::nullopt;
    queries_.push_back(q->sql);
    auto cmd = wire::ParseReplicationCommand(q->sql, wire::Dialect::kPg15);
    if (!cmd.ok()) co_return std::nullopt;
    if (std::holds_alternative<wire::IdentifySystemCmd>(*cmd)) {
      comm_->PutRaw(wire::EncodeResultSet(
          wire::BuildIdentifySystem({config_.system_id, config_.timeline, config_.xlogpos,
                                     std::nullopt},
                                    wire::Dialect::kPg15),
          "IDENTIFY_SYSTEM"));
    } else if (auto* th = std::get_if<wire::TimelineHistoryCmd>(&*cmd)) {
      comm_->PutRaw(wire::EncodeResultSet(
          wire::BuildTimelineHistory({wire::TimelineHistoryFileName(th->timeline),
                                      config_.histories[th->timeline]},
                                     wire::Dialect::kPg15),
          "TIMELINE_HISTORY"));
    } else if (auto* sr = std::get_if<wire::StartReplicationCmd>(&*cmd)) {
      comm_->PutRaw(wire::Encode(wire::CopyBothResponse{}));
      client_copy_done_ = false;
      co_await comm_->Flush();
      co_return *sr;
    } else {
      co_return std::nullopt;
    }
    comm_->PutRaw(wire::Encode(wire::ReadyForQuery{}));
    co_await comm_->Flush();
  }
}

os::Task<> ScriptedWalSender::SendWal(uint64_t start, const std::string& bytes, size_t chunk) {
  for (size_t off = 0; off < bytes.size(); off += chunk) {
    wire::XLogData w;
    w.data_start = start + off;
    w.wal_end = start + bytes.size();
    w.send_time = wire::UnixMicrosToTimestampTz(os_.WallClockMicros());
    w.wal = bytes.substr(off, std::min(chunk, bytes.size() - off));
    comm_->PutRaw(wire::Encode(wire::CopyData{wire::EncodeCopyPayload(w)}));
  }
  co_await comm_->Flush();
}

os::Task<> ScriptedWalSender::SendKeepalive(uint64_t wal_end, bool reply_requested) {
  wire::PrimaryKeepalive k;
  k.wal_end = wal_end;
  k.send_time = wire::UnixMicrosToTimestampTz(os_.WallClockMicros());
  k.reply_requested = reply_requested;
  comm_->PutRaw(wire::Encode(wire::CopyData{wire::EncodeCopyPayload(k)}));
  co_await comm_->Flush();
}

bool ScriptedWalSender::Absorb(const wire::Frame& f) {
  if (f.type == wire::CopyDone::kType) {
    client_copy_done_ = true;
    return false;
  }
  if (f.type != wire::CopyData::kType) return true;
  auto m = wire::DecodeStandbyMessage(f.body, wire::Dialect::kPg15);
  if (!m.ok()) return true;
  if (auto* r = std::get_if<wire::StandbyStatusUpdate>(&*m)) {
    replies_.push_back(*r);
  } else {
    ++feedback_count_;
  }
  return true;
}

os::Task<> ScriptedWalSender::DrainReplies() {
  for (;;) {
    wire::Frame f;
    std::string error;
    const bool awaited_2 = co_await comm_->TryReadMessage(&f, &error) != pq::ReadStatus::kMessage;
    if (awaited_2) co_return;
    if (!Absorb(f)) co_return;
  }
}

os::Task<bool> ScriptedWalSender::WaitForReply(
    std::function<bool(const wire::StandbyStatusUpdate&)> pred, os::Duration timeout) {
  const os::Instant deadline = os_.Monotonic() + timeout;
  size_t seen = 0;
  while (os_.Monotonic() < deadline) {
    co_await DrainReplies();
    for (; seen < replies_.size(); ++seen) {
      if (pred(replies_[seen])) co_return true;
    }
    co_await os_.Sleep(os::Milliseconds(1));
  }
  co_return false;
}

os::Task<> ScriptedWalSender::SendCopy0AndClose() {
  comm_->PutRaw(wire::Encode(wire::CommandComplete{"COPY 0"}));
  co_await comm_->Flush();
  co_await DrainReplies();
  comm_->Close();
}

os::Task<bool> ScriptedWalSender::EndTimeline(uint32_t next_tli, uint64_t next_tli_startpos) {
  comm_->PutRaw(wire::Encode(wire::CopyDone{}));
  co_await comm_->Flush();
  while (!client_copy_done_) {
    wire::Frame f;
    std::string error;
    const bool awaited_3 = co_await comm_->ReadMessage(&f, &error) != pq::ReadStatus::kMessage;
    if (awaited_3) co_return false;
    Absorb(f);
  }
  comm_->PutRaw(wire::EncodeResultSet(wire::BuildEndOfTimeline({next_tli, next_tli_startpos}),
                                      "START_STREAMING"));
  comm_->PutRaw(wire::Encode(wire::CommandComplete{"START_REPLICATION"}));
  comm_->PutRaw(wire::Encode(wire::ReadyForQuery{}));
  co_return co_await comm_->Flush() == os::Errno::kOk;
}

void ScriptedWalSender::ResetConnection() { comm_->Close(); }

}  // namespace replsim::walreceiver
