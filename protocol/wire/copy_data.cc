#include "protocol/wire/copy_data.h"

#include "absl/strings/str_format.h"
#include "protocol/wire/byte_io.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

absl::Status ProtocolViolation(absl::string_view message) {
  return WireError(sqlstate::kProtocolViolation, message);
}

absl::StatusOr<StandbyMessage> DecodeStatusUpdate(ByteReader& r) {
  StandbyStatusUpdate m;
  WIRE_ASSIGN_OR_RETURN(m.write, r.GetInt64());
  WIRE_ASSIGN_OR_RETURN(m.flush, r.GetInt64());
  WIRE_ASSIGN_OR_RETURN(m.apply, r.GetInt64());
  WIRE_ASSIGN_OR_RETURN(uint64_t send_time, r.GetInt64());
  m.send_time = static_cast<TimestampTz>(send_time);
  WIRE_ASSIGN_OR_RETURN(uint8_t reply, r.GetInt8());
  m.reply_requested = reply != 0;
  return StandbyMessage(m);
}

absl::StatusOr<StandbyMessage> DecodeFeedback(ByteReader& r, Dialect dialect) {
  HotStandbyFeedback m;
  WIRE_ASSIGN_OR_RETURN(uint64_t send_time, r.GetInt64());
  m.send_time = static_cast<TimestampTz>(send_time);
  WIRE_ASSIGN_OR_RETURN(m.xmin, r.GetInt32());
  WIRE_ASSIGN_OR_RETURN(m.epoch, r.GetInt32());
  if (dialect != Dialect::kPg93) {
    WIRE_ASSIGN_OR_RETURN(m.catalog_xmin, r.GetInt32());
    WIRE_ASSIGN_OR_RETURN(m.catalog_epoch, r.GetInt32());
  }
  return StandbyMessage(m);
}

}  // namespace

std::string EncodeCopyPayload(const XLogData& m) {
  ByteWriter w;
  w.Reserve(1 + XLogData::kHeaderSize + m.wal.size());
  w.PutInt8(XLogData::kType);
  w.PutInt64(m.data_start);
  w.PutInt64(m.wal_end);
  w.PutInt64(static_cast<uint64_t>(m.send_time));
  w.PutBytes(m.wal);
  return w.Release();
}

std::string EncodeCopyPayload(const PrimaryKeepalive& m) {
  ByteWriter w;
  w.Reserve(1 + 8 + 8 + 1);
  w.PutInt8(PrimaryKeepalive::kType);
  w.PutInt64(m.wal_end);
  w.PutInt64(static_cast<uint64_t>(m.send_time));
  w.PutInt8(m.reply_requested ? 1 : 0);
  return w.Release();
}

std::string EncodeCopyPayload(const StandbyStatusUpdate& m) {
  ByteWriter w;
  w.Reserve(1 + 4 * 8 + 1);
  w.PutInt8(StandbyStatusUpdate::kType);
  w.PutInt64(m.write);
  w.PutInt64(m.flush);
  w.PutInt64(m.apply);
  w.PutInt64(static_cast<uint64_t>(m.send_time));
  w.PutInt8(m.reply_requested ? 1 : 0);
  return w.Release();
}

std::string EncodeCopyPayload(const HotStandbyFeedback& m, Dialect dialect) {
  ByteWriter w;
  w.Reserve(1 + 8 + 4 * 4);
  w.PutInt8(HotStandbyFeedback::kType);
  w.PutInt64(static_cast<uint64_t>(m.send_time));
  w.PutInt32(m.xmin);
  w.PutInt32(m.epoch);
  if (dialect != Dialect::kPg93) {
    w.PutInt32(m.catalog_xmin);
    w.PutInt32(m.catalog_epoch);
  }
  return w.Release();
}

std::string EncodeCopyPayload(const WalSenderMessage& m) {
  return std::visit([](const auto& v) { return EncodeCopyPayload(v); }, m);
}

absl::StatusOr<WalSenderMessage> DecodeWalSenderMessage(
    absl::string_view payload) {
  if (payload.empty()) {
    return ProtocolViolation("empty CopyData message (libpq drops these)");
  }
  const uint8_t type = static_cast<uint8_t>(payload[0]);
  ByteReader r(payload.substr(1));
  switch (type) {
    case XLogData::kType: {
      if (r.remaining() < XLogData::kHeaderSize) {
        return ProtocolViolation("invalid WAL message received from primary");
      }
      XLogData m;
      m.data_start = *r.GetInt64();
      m.wal_end = *r.GetInt64();
      m.send_time = static_cast<TimestampTz>(*r.GetInt64());
      m.wal = r.GetRest();
      return WalSenderMessage(std::move(m));
    }
    case PrimaryKeepalive::kType: {
      if (r.remaining() != PrimaryKeepalive::kBodySize) {
        return ProtocolViolation(
            "invalid keepalive message received from primary");
      }
      PrimaryKeepalive m;
      m.wal_end = *r.GetInt64();
      m.send_time = static_cast<TimestampTz>(*r.GetInt64());
      m.reply_requested = *r.GetInt8() != 0;
      return WalSenderMessage(m);
    }
    default:
      return ProtocolViolation(
          absl::StrFormat("invalid replication message type %d", type));
  }
}

absl::StatusOr<StandbyMessage> DecodeStandbyMessage(absl::string_view payload,
                                                    Dialect dialect) {
  ByteReader r(payload);
  WIRE_ASSIGN_OR_RETURN(uint8_t type, r.GetInt8());
  switch (type) {
    case StandbyStatusUpdate::kType:
      return DecodeStatusUpdate(r);
    case HotStandbyFeedback::kType:
      return DecodeFeedback(r, dialect);
    default:
      return ProtocolViolation(absl::StrFormat(
          "unexpected message type \"%c\"", static_cast<char>(type)));
  }
}

}  // namespace replsim::wire
