#include "protocol/wal/segment.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace replsim::wal {
namespace {

constexpr std::string_view kHistorySuffix = ".history";

// Only upper-case hex digits, as PostgreSQL's strspn("0123456789ABCDEF").
bool AllUpperHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

// "%08X" of v into out[0..8): the WAL file name is built for every segment
// read and write, so this avoids a StrFormat per call.
void PutHex8(uint32_t v, char* out) {
  constexpr char kDigits[] = "0123456789ABCDEF";
  for (int i = 7; i >= 0; --i, v >>= 4) out[i] = kDigits[v & 0xF];
}

uint32_t ParseHex8(std::string_view s) {
  uint32_t v = 0;
  for (char c : s) v = (v << 4) | (c <= '9' ? c - '0' : c - 'A' + 10);
  return v;
}

}  // namespace

void AppendXLogFileName(std::string* out, TimeLineID tli, XLogSegNo segno,
                        uint32_t seg_size) {
  uint64_t per_id = XLogSegmentsPerXLogId(seg_size);
  const size_t at = out->size();
  out->resize(at + kXLogFnameLen);
  PutHex8(tli, &(*out)[at]);
  PutHex8(static_cast<uint32_t>(segno / per_id), &(*out)[at + 8]);
  PutHex8(static_cast<uint32_t>(segno % per_id), &(*out)[at + 16]);
}

std::string XLogFileName(TimeLineID tli, XLogSegNo segno, uint32_t seg_size) {
  std::string name;
  AppendXLogFileName(&name, tli, segno, seg_size);
  return name;
}

bool IsXLogFileName(std::string_view name) {
  return name.size() == kXLogFnameLen && AllUpperHex(name);
}

absl::StatusOr<XLogFileId> ParseXLogFileName(std::string_view name,
                                             uint32_t seg_size) {
  if (!IsXLogFileName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", std::string(name), "\" is not a WAL file name (24 upper-case hex digits)"));
  }
  uint64_t per_id = XLogSegmentsPerXLogId(seg_size);
  uint32_t log = ParseHex8(name.substr(8, 8));
  uint32_t seg = ParseHex8(name.substr(16, 8));
  if (seg >= per_id) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", std::string(name), "\" has segment part ", seg, " >= ", per_id,
        " segments per xlogid"));
  }
  XLogFileId id;
  id.tli = ParseHex8(name.substr(0, 8));
  id.segno = uint64_t{log} * per_id + seg;
  return id;
}

std::string TLHistoryFileName(TimeLineID tli) {
  return absl::StrFormat("%08X.history", tli);
}

absl::StatusOr<TimeLineID> ParseTLHistoryFileName(std::string_view name) {
  if (name.size() != 8 + kHistorySuffix.size() ||
      !AllUpperHex(name.substr(0, 8)) || name.substr(8) != kHistorySuffix) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", std::string(name), "\" is not a timeline history file name (%08X.history)"));
  }
  return ParseHex8(name.substr(0, 8));
}

}  // namespace replsim::wal
