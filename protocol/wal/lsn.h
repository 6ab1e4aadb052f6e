// File: protocol/wal/lsn.h
//
// WAL positions as PostgreSQL 15 names them (src/include/access/xlogdefs.h):
// XLogRecPtr is a flat uint64 byte position in the WAL stream, page headers
// included; TimeLineID a uint32. The text form is "%X/%X" (high and low 32
// bits, upper-case hex, no zero padding), parsed like pg_lsn_in: 1 to 8 hex
// digits, '/', 1 to 8 hex digits, nothing else.
//
//   XLogRecPtr p = *ParseLsn("0/300AB38");
//   LsnToString(p) == "0/300AB38"
//
// Also the small transaction-side id types the WAL bodies carry and MAXALIGN
// (8 on x86-64, the platform whose bytes we reproduce).
#ifndef REPLSIM_PROTOCOL_WAL_LSN_H_
#define REPLSIM_PROTOCOL_WAL_LSN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace replsim::wal {

using XLogRecPtr = uint64_t;
using TimeLineID = uint32_t;
using XLogSegNo = uint64_t;
using TransactionId = uint32_t;
using Oid = uint32_t;
using MultiXactId = uint32_t;
using MultiXactOffset = uint32_t;
using BlockNumber = uint32_t;
using OffsetNumber = uint16_t;
using RmgrId = uint8_t;
// Microseconds since 2000-01-01 00:00 UTC (PostgreSQL's TimestampTz).
using TimestampTz = int64_t;
// Seconds since 1970-01-01 (PostgreSQL's pg_time_t).
using pg_time_t = int64_t;

inline constexpr XLogRecPtr InvalidXLogRecPtr = 0;
inline constexpr TransactionId InvalidTransactionId = 0;

constexpr bool XLogRecPtrIsInvalid(XLogRecPtr p) {
  return p == InvalidXLogRecPtr;
}

// MAXIMUM_ALIGNOF on x86-64.
inline constexpr uint64_t kMaxAlign = 8;

// MAXALIGN: rounds up to a multiple of 8.
constexpr uint64_t MaxAlign(uint64_t len) {
  return (len + (kMaxAlign - 1)) & ~(kMaxAlign - 1);
}

// "%X/%X" as PostgreSQL prints an LSN (LSN_FORMAT_ARGS).
std::string LsnToString(XLogRecPtr p);

// pg_lsn_in: InvalidArgument "invalid input syntax for type pg_lsn: \"...\""
// with the reason, on anything but 1-8 hex digits '/' 1-8 hex digits.
absl::StatusOr<XLogRecPtr> ParseLsn(std::string_view text);

}  // namespace replsim::wal

#endif  // REPLSIM_PROTOCOL_WAL_LSN_H_
