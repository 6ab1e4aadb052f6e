// File: protocol/wire/lsn.h
//
// XLogRecPtr as the wire carries it: a uint64 WAL byte position, sent as an
// Int64 inside replication messages and printed as text "%X/%X" (high and low
// 32 bits in upper-case hex, no padding: LSN_FORMAT_ARGS in PostgreSQL 15) in
// result sets and commands. InvalidXLogRecPtr is 0.
//
//   FormatLsn(0x300AB38)            // "0/300AB38"
//   ParseLsn("0/300AB38")           // 0x300AB38
#ifndef REPLSIM_PROTOCOL_WIRE_LSN_H_
#define REPLSIM_PROTOCOL_WIRE_LSN_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace replsim::wire {

using XLogRecPtr = uint64_t;
inline constexpr XLogRecPtr kInvalidXLogRecPtr = 0;

// "%X/%X".
std::string FormatLsn(XLogRecPtr lsn);

// Strict inverse of FormatLsn: 1-8 hex digits (either case), '/', 1-8 hex
// digits, nothing else. nullopt otherwise. (The replication grammar's looser
// RECPTR token is in replication_scanner.h.)
std::optional<XLogRecPtr> ParseLsn(absl::string_view text);

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_LSN_H_
