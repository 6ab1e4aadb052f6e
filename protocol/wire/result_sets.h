// File: protocol/wire/result_sets.h
//
// The result sets walsender commands return, built the way PostgreSQL sends
// them and read the way libpqwalreceiver.c reads them. Column types and
// RowDescription details follow the source (and the PG 15 fixture bytes):
//
//   IDENTIFY_SYSTEM   systemid text, timeline int4, xlogpos text (%X/%X),
//                     dbname text (NULL on a physical connection; 15 only).
//                     Columns via TupleDescInitBuiltinEntry: typmod -1.
//   TIMELINE_HISTORY  filename text, content text (15; 9.3: bytea), hand-built
//                     by SendTimeLineHistory with typmod 0.
//   end of timeline   next_tli int8, next_tli_startpos text (after
//                     START_REPLICATION on a historic timeline).
//   SHOW name         one text column named `name`.
//
// A ResultSet is the RowDescription and its DataRows; ResultSetMessages adds
// the CommandComplete tag. Readers take a ResultSet and check what the
// walreceiver checks: IDENTIFY_SYSTEM needs 1 row and >= 3 fields ("invalid
// response from primary server" / "Could not identify system: got %d rows
// and %d fields, expected %d rows and %d or more fields."), TIMELINE_HISTORY
// exactly 1 row of 2 fields, the end-of-timeline set 1 row of >= 2 fields
// ("unexpected result set after end-of-streaming").
#ifndef REPLSIM_PROTOCOL_WIRE_RESULT_SETS_H_
#define REPLSIM_PROTOCOL_WIRE_RESULT_SETS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/wire/backend_messages.h"
#include "protocol/wire/dialect.h"
#include "protocol/wire/lsn.h"

namespace replsim::wire {

struct ResultSet {
  RowDescription description;
  std::vector<DataRow> rows;
  bool operator==(const ResultSet&) const = default;
};

struct IdentifySystemResult {
  uint64_t system_id = 0;  // printed in decimal (UINT64_FORMAT)
  uint32_t timeline = 0;
  XLogRecPtr xlogpos = 0;
  std::optional<std::string> dbname;  // 15 only; NULL when physical
  bool operator==(const IdentifySystemResult&) const = default;
};

struct TimelineHistoryResult {
  std::string filename;  // "00000002.history"
  std::string content;
  bool operator==(const TimelineHistoryResult&) const = default;
};

struct EndOfTimelineResult {
  uint32_t next_tli = 0;
  XLogRecPtr next_tli_startpos = 0;
  bool operator==(const EndOfTimelineResult&) const = default;
};

ResultSet BuildIdentifySystem(const IdentifySystemResult& r, Dialect dialect);
ResultSet BuildTimelineHistory(const TimelineHistoryResult& r, Dialect dialect);
ResultSet BuildEndOfTimeline(const EndOfTimelineResult& r);
ResultSet BuildShow(const std::string& name, const std::string& value);

// RowDescription, DataRows, then CommandComplete `tag`, each a full frame.
std::string EncodeResultSet(const ResultSet& rs, const std::string& tag);

absl::StatusOr<IdentifySystemResult> ReadIdentifySystem(const ResultSet& rs);
absl::StatusOr<TimelineHistoryResult> ReadTimelineHistory(const ResultSet& rs);
absl::StatusOr<EndOfTimelineResult> ReadEndOfTimeline(const ResultSet& rs);

// "TLI.history" with the timeline as 8 upper-case hex digits (TLHistoryFileName).
std::string TimelineHistoryFileName(uint32_t timeline);

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_RESULT_SETS_H_
