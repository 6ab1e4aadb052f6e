#include "protocol/wire/result_sets.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/wire/message.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

RowDescription::Field Column(const std::string& name, uint32_t type_oid,
                             int32_t type_modifier = -1) {
  RowDescription::Field f;
  f.name = name;
  f.type_oid = type_oid;
  f.type_size = type_oid == kInt4Oid ? 4 : type_oid == kInt8Oid ? 8 : -1;
  f.type_modifier = type_modifier;
  return f;
}

absl::Status InvalidResponse(absl::string_view message) {
  return WireError(sqlstate::kProtocolViolation, message);
}

// The value of a non-NULL cell, "" for NULL (PQgetvalue's answer).
std::string Cell(const ResultSet& rs, size_t column) {
  const std::optional<std::string>& v = rs.rows[0].values[column];
  return v.value_or("");
}

// pg_strtoint32 / %X/%X readers with a plain error.
absl::StatusOr<int64_t> Int(const std::string& text, const char* what) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(text, &v)) {
    return InvalidResponse(
        absl::StrFormat("invalid input syntax for type %s: \"%s\"", what, text));
  }
  return v;
}

absl::StatusOr<XLogRecPtr> Lsn(const std::string& text) {
  std::optional<XLogRecPtr> lsn = ParseLsn(text);
  if (!lsn.has_value()) {
    return InvalidResponse(absl::StrFormat(
        "invalid input syntax for type pg_lsn: \"%s\"", text));
  }
  return *lsn;
}

size_t Columns(const ResultSet& rs) { return rs.description.fields.size(); }

bool RowsMatchColumns(const ResultSet& rs) {
  for (const DataRow& row : rs.rows) {
    if (row.values.size() != Columns(rs)) return false;
  }
  return true;
}

}  // namespace

std::string TimelineHistoryFileName(uint32_t timeline) {
  return absl::StrFormat("%08X.history", timeline);
}

ResultSet BuildIdentifySystem(const IdentifySystemResult& r, Dialect dialect) {
  ResultSet rs;
  rs.description.fields = {Column("systemid", kTextOid),
                           Column("timeline", kInt4Oid),
                           Column("xlogpos", kTextOid)};
  DataRow row;
  row.values = {absl::StrCat(r.system_id), absl::StrCat(r.timeline),
                FormatLsn(r.xlogpos)};
  if (dialect != Dialect::kPg93) {
    rs.description.fields.push_back(Column("dbname", kTextOid));
    row.values.push_back(r.dbname);
  }
  rs.rows.push_back(std::move(row));
  return rs;
}

ResultSet BuildTimelineHistory(const TimelineHistoryResult& r, Dialect dialect) {
  ResultSet rs;
  const uint32_t content_oid = dialect == Dialect::kPg93 ? kByteaOid : kTextOid;
  rs.description.fields = {Column("filename", kTextOid, 0),
                           Column("content", content_oid, 0)};
  rs.rows.push_back(DataRow{{r.filename, r.content}});
  return rs;
}

ResultSet BuildEndOfTimeline(const EndOfTimelineResult& r) {
  ResultSet rs;
  rs.description.fields = {Column("next_tli", kInt8Oid),
                           Column("next_tli_startpos", kTextOid)};
  rs.rows.push_back(
      DataRow{{absl::StrCat(r.next_tli), FormatLsn(r.next_tli_startpos)}});
  return rs;
}

ResultSet BuildShow(const std::string& name, const std::string& value) {
  ResultSet rs;
  rs.description.fields = {Column(name, kTextOid)};
  rs.rows.push_back(DataRow{{value}});
  return rs;
}

std::string EncodeResultSet(const ResultSet& rs, const std::string& tag) {
  std::string out = Encode(rs.description);
  for (const DataRow& row : rs.rows) out += Encode(row);
  out += Encode(CommandComplete{tag});
  return out;
}

absl::StatusOr<IdentifySystemResult> ReadIdentifySystem(const ResultSet& rs) {
  if (Columns(rs) < 3 || rs.rows.size() != 1 || !RowsMatchColumns(rs)) {
    return WireError(
        sqlstate::kProtocolViolation,
        absl::StrFormat("invalid response from primary server: Could not "
                        "identify system: got %d rows and %d fields, expected "
                        "%d rows and %d or more fields.",
                        rs.rows.size(), Columns(rs), 1, 3));
  }
  IdentifySystemResult r;
  if (!absl::SimpleAtoi(Cell(rs, 0), &r.system_id)) {
    return InvalidResponse(absl::StrFormat(
        "invalid input syntax for type numeric: \"%s\"", Cell(rs, 0)));
  }
  absl::StatusOr<int64_t> tli = Int(Cell(rs, 1), "integer");
  if (!tli.ok()) return tli.status();
  r.timeline = static_cast<uint32_t>(*tli);
  absl::StatusOr<XLogRecPtr> pos = Lsn(Cell(rs, 2));
  if (!pos.ok()) return pos.status();
  r.xlogpos = *pos;
  if (Columns(rs) >= 4) r.dbname = rs.rows[0].values[3];
  return r;
}

absl::StatusOr<TimelineHistoryResult> ReadTimelineHistory(const ResultSet& rs) {
  if (Columns(rs) != 2 || rs.rows.size() != 1 || !RowsMatchColumns(rs)) {
    return WireError(
        sqlstate::kProtocolViolation,
        absl::StrFormat("invalid response from primary server: Expected 1 "
                        "tuple with 2 fields, got %d tuples with %d fields.",
                        rs.rows.size(), Columns(rs)));
  }
  return TimelineHistoryResult{Cell(rs, 0), Cell(rs, 1)};
}

absl::StatusOr<EndOfTimelineResult> ReadEndOfTimeline(const ResultSet& rs) {
  if (Columns(rs) < 2 || rs.rows.size() != 1 || !RowsMatchColumns(rs)) {
    return InvalidResponse("unexpected result set after end-of-streaming");
  }
  absl::StatusOr<int64_t> tli = Int(Cell(rs, 0), "integer");
  if (!tli.ok()) return tli.status();
  absl::StatusOr<XLogRecPtr> pos = Lsn(Cell(rs, 1));
  if (!pos.ok()) return pos.status();
  return EndOfTimelineResult{static_cast<uint32_t>(*tli), *pos};
}

}  // namespace replsim::wire
