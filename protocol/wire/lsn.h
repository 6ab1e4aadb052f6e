// File: protocol/wire/lsn.h
//
// XLogRecPtr as the wire carries it: a uint64 WAL byte position, sent as an
// Int64 inside replication messages and printed as text "%X/%X" in result
// sets and commands. The type and the text form are protocol/wal's
// (wal/lsn.h); this header gives the wire code its names for them.
//
//   FormatLsn(0x300AB38)            // "0/300AB38"
//   ParseLsn("0/300AB38")           // 0x300AB38
#ifndef REPLSIM_PROTOCOL_WIRE_LSN_H_
#define REPLSIM_PROTOCOL_WIRE_LSN_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "protocol/wal/lsn.h"

namespace replsim::wire {

using XLogRecPtr = wal::XLogRecPtr;
inline constexpr XLogRecPtr kInvalidXLogRecPtr = wal::InvalidXLogRecPtr;

inline std::string FormatLsn(XLogRecPtr lsn) { return wal::LsnToString(lsn); }

// nullopt unless `text` is 1-8 hex digits, '/', 1-8 hex digits.
inline std::optional<XLogRecPtr> ParseLsn(absl::string_view text) {
  absl::StatusOr<XLogRecPtr> p = wal::ParseLsn(std::string_view(text.data(), text.size()));
  if (!p.ok()) return std::nullopt;
  return *p;
}

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_LSN_H_
