#include "protocol/wal/timeline_history.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/wal/segment.h"

namespace replsim::wal {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

std::string_view SkipSpace(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsSpace(s[i])) ++i;
  return s.substr(i);
}

absl::Status LineError(const char* what, int line_no, std::string_view line,
                       const char* hint) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": ", std::string(line), " (line ", line_no, "; ",
                   hint, ")"));
}

}  // namespace

TimeLineHistory HistoryWithoutFile(TimeLineID tli) {
  return {TimeLineHistoryEntry{tli, InvalidXLogRecPtr, InvalidXLogRecPtr}};
}

absl::StatusOr<TimeLineHistory> ParseTimeLineHistory(TimeLineID target_tli,
                                                     std::string_view content) {
  TimeLineHistory oldest_first;
  XLogRecPtr prevend = InvalidXLogRecPtr;
  TimeLineID lasttli = 0;
  int line_no = 0;
  while (!content.empty()) {
    size_t nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    content = nl == std::string_view::npos ? std::string_view()
                                           : content.substr(nl + 1);
    ++line_no;
    std::string_view rest = SkipSpace(line);
    if (rest.empty() || rest[0] == '#') continue;
    // "%u": a decimal timeline ID.
    size_t digits = 0;
    uint64_t tli = 0;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9' &&
           tli <= 0xFFFFFFFFu) {
      tli = tli * 10 + (rest[digits] - '0');
      ++digits;
    }
    if (digits == 0 || tli > 0xFFFFFFFFu) {
      return LineError("syntax error in history file", line_no, line,
                       "Expected a numeric timeline ID.");
    }
    // "\t%X/%X": whitespace, then the switchpoint up to the next whitespace.
    rest = SkipSpace(rest.substr(digits));
    size_t tok = 0;
    while (tok < rest.size() && !IsSpace(rest[tok])) ++tok;
    absl::StatusOr<XLogRecPtr> switchpoint = ParseLsn(rest.substr(0, tok));
    if (!switchpoint.ok()) {
      return LineError("syntax error in history file", line_no, line,
                       "Expected a write-ahead log switchpoint location.");
    }
    if (!oldest_first.empty() && tli <= lasttli) {
      return LineError("invalid data in history file", line_no, line,
                       "Timeline IDs must be in increasing sequence.");
    }
    lasttli = static_cast<TimeLineID>(tli);
    oldest_first.push_back({lasttli, prevend, *switchpoint});
    prevend = *switchpoint;
  }
  if (!oldest_first.empty() && target_tli <= lasttli) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid data in history file \"", TLHistoryFileName(target_tli),
        "\" (Timeline IDs must be less than child timeline's ID.)"));
  }
  TimeLineHistory history;
  history.push_back({target_tli, prevend, InvalidXLogRecPtr});
  history.insert(history.end(), oldest_first.rbegin(), oldest_first.rend());
  return history;
}

std::string WriteTimeLineHistory(std::optional<std::string_view> parent_content,
                                 TimeLineID parent_tli, XLogRecPtr switchpoint,
                                 std::string_view reason) {
  std::string out;
  if (parent_content.has_value()) {
    out = std::string(*parent_content);
    out += "\n";  // in case the parent's file failed to end with one
  }
  absl::StrAppend(&out, parent_tli, "\t", LsnToString(switchpoint), "\t",
                  std::string(reason), "\n");
  return out;
}

bool tliInHistory(TimeLineID tli, const TimeLineHistory& history) {
  for (const TimeLineHistoryEntry& e : history) {
    if (e.tli == tli) return true;
  }
  return false;
}

absl::StatusOr<TimeLineID> tliOfPointInHistory(XLogRecPtr ptr,
                                               const TimeLineHistory& history) {
  for (const TimeLineHistoryEntry& e : history) {
    if ((XLogRecPtrIsInvalid(e.begin) || e.begin <= ptr) &&
        (XLogRecPtrIsInvalid(e.end) || ptr < e.end)) {
      return e.tli;
    }
  }
  return absl::InternalError("timeline history was not contiguous");
}

absl::StatusOr<XLogRecPtr> tliSwitchPoint(TimeLineID tli,
                                          const TimeLineHistory& history,
                                          TimeLineID* next_tli) {
  if (next_tli != nullptr) *next_tli = 0;
  for (const TimeLineHistoryEntry& e : history) {
    if (e.tli == tli) return e.end;
    if (next_tli != nullptr) *next_tli = e.tli;
  }
  return absl::NotFoundError(absl::StrFormat(
      "requested timeline %u is not in this server's history", tli));
}

absl::Status CheckNewTimeLine(TimeLineID new_tli,
                              const TimeLineHistory& new_history,
                              TimeLineID current_tli, TimeLineID replay_tli,
                              XLogRecPtr replay_lsn) {
  for (const TimeLineHistoryEntry& e : new_history) {
    if (e.tli != current_tli) continue;
    if (!XLogRecPtrIsInvalid(e.end) && e.end < replay_lsn) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "new timeline %u forked off current database system timeline %u "
          "before current recovery point %s",
          new_tli, replay_tli, LsnToString(replay_lsn)));
    }
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrFormat(
      "new timeline %u is not a child of database system timeline %u",
      new_tli, replay_tli));
}

}  // namespace replsim::wal
