// File: protocol/wire/copy_data.h
//
// The streaming-replication payloads carried inside CopyData 'd' once
// START_REPLICATION has entered CopyBoth mode (protocol.sgml "Streaming
// Replication Protocol"). Integers are big-endian; LSNs are Int64
// XLogRecPtr; times are Int64 TimestampTz (pg_time.h). Each payload starts
// with its own type byte.
//
//   primary -> standby   'w' XLogData        dataStart, walEnd, sendTime, WAL
//                        'k' PrimaryKeepalive walEnd, sendTime, replyRequested
//   standby -> primary   'r' StandbyStatusUpdate write, flush, apply,
//                            sendTime, replyRequested
//                        'h' HotStandbyFeedback sendTime, xmin, epoch
//                            (+ catalog_xmin, catalog_epoch since PG 10)
//
// Decoders check what the receiving PostgreSQL process checks, with its text:
//  - DecodeWalSenderMessage follows walreceiver.c XLogWalRcvProcessMsg: 'w'
//    needs at least 24 bytes after the type ("invalid WAL message received
//    from primary"), 'k' exactly 17 ("invalid keepalive message received from
//    primary"), any other type is "invalid replication message type %d".
//    A zero-length CopyData never reaches it in PostgreSQL (libpq drops it);
//    callers should skip one too (it decodes to an error here).
//  - DecodeStandbyMessage follows walsender.c ProcessStandbyMessage: empty is
//    "no data left in message", another type "unexpected message type
//    \"%c\"", short fields "insufficient data left in message", and bytes
//    after the last field are ignored, as PostgreSQL ignores them.
// All errors carry SQLSTATE 08P01.
//
//   std::string payload = EncodeCopyPayload(PrimaryKeepalive{sent, now, true});
//   std::string frame = Encode(CopyData{payload});
#ifndef REPLSIM_PROTOCOL_WIRE_COPY_DATA_H_
#define REPLSIM_PROTOCOL_WIRE_COPY_DATA_H_

#include <cstdint>
#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "protocol/wire/dialect.h"
#include "protocol/wire/lsn.h"
#include "protocol/wire/pg_time.h"

namespace replsim::wire {

struct XLogData {
  static constexpr char kType = 'w';
  static constexpr size_t kHeaderSize = 24;  // after the type byte
  XLogRecPtr data_start = 0;  // LSN of the first WAL byte carried
  XLogRecPtr wal_end = 0;     // the sender's send limit
  TimestampTz send_time = 0;
  std::string wal;
  bool operator==(const XLogData&) const = default;
};

struct PrimaryKeepalive {
  static constexpr char kType = 'k';
  static constexpr size_t kBodySize = 17;  // after the type byte
  XLogRecPtr wal_end = 0;  // sentPtr
  TimestampTz send_time = 0;
  bool reply_requested = false;
  bool operator==(const PrimaryKeepalive&) const = default;
};

struct StandbyStatusUpdate {
  static constexpr char kType = 'r';
  static constexpr size_t kBodySize = 33;
  XLogRecPtr write = 0;  // each: last byte + 1; 0 = invalid
  XLogRecPtr flush = 0;
  XLogRecPtr apply = 0;
  TimestampTz send_time = 0;
  bool reply_requested = false;
  bool operator==(const StandbyStatusUpdate&) const = default;
};

struct HotStandbyFeedback {
  static constexpr char kType = 'h';
  static constexpr size_t kBodySizePg93 = 16;
  static constexpr size_t kBodySizePg15 = 24;
  TimestampTz send_time = 0;
  uint32_t xmin = 0;  // InvalidTransactionId (0) clears the walsender's xmin
  uint32_t epoch = 0;
  uint32_t catalog_xmin = 0;   // PG >= 10 only
  uint32_t catalog_epoch = 0;  // PG >= 10 only
  bool operator==(const HotStandbyFeedback&) const = default;
};

using WalSenderMessage = std::variant<XLogData, PrimaryKeepalive>;
using StandbyMessage = std::variant<StandbyStatusUpdate, HotStandbyFeedback>;

// The CopyData payload: type byte, then the fields.
std::string EncodeCopyPayload(const XLogData& m);
std::string EncodeCopyPayload(const PrimaryKeepalive& m);
std::string EncodeCopyPayload(const StandbyStatusUpdate& m);
// kPg93 sends sendTime, xmin, epoch only.
std::string EncodeCopyPayload(const HotStandbyFeedback& m,
                              Dialect dialect = Dialect::kPg15);
std::string EncodeCopyPayload(const WalSenderMessage& m);

absl::StatusOr<WalSenderMessage> DecodeWalSenderMessage(
    absl::string_view payload);
absl::StatusOr<StandbyMessage> DecodeStandbyMessage(absl::string_view payload,
                                                    Dialect dialect);

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_COPY_DATA_H_
