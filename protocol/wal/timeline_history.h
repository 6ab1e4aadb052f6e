// File: protocol/wal/timeline_history.h
//
// Timeline history files of PostgreSQL 15 (src/backend/access/transam/
// timeline.c: readTimeLineHistory, writeTimeLineHistory, tliInHistory,
// tliOfPointInHistory, tliSwitchPoint) and the new-timeline checks of
// xlogrecovery.c's rescanLatestTimeLine. Content in, content out: the
// callers read and write the files.
//
// File "%08X.history" (timeline 1 has none). One line per ancestor:
//   parentTLI <TAB> switchpoint %X/%X <TAB> reason <LF>
// Blank lines and lines starting with '#' (after whitespace) are skipped.
// A child's file is its parent's file verbatim, then (when the parent had a
// file) one extra "\n", then its own line.
//
// A history is a list of TimeLineHistoryEntry, newest first (as PostgreSQL's
// List): entry i covers [begin, end); the file's own TLI comes first with an
// open end (InvalidXLogRecPtr), and the oldest entry has begin Invalid.
#ifndef REPLSIM_PROTOCOL_WAL_TIMELINE_HISTORY_H_
#define REPLSIM_PROTOCOL_WAL_TIMELINE_HISTORY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/wal/lsn.h"

namespace replsim::wal {

struct TimeLineHistoryEntry {
  TimeLineID tli = 0;
  XLogRecPtr begin = InvalidXLogRecPtr;  // inclusive; Invalid = beginning
  XLogRecPtr end = InvalidXLogRecPtr;    // exclusive; Invalid = open
  bool operator==(const TimeLineHistoryEntry&) const = default;
};

using TimeLineHistory = std::vector<TimeLineHistoryEntry>;

// The history of a timeline without a history file (timeline 1, or a file
// that does not exist): the single entry {tli, Invalid, Invalid}.
TimeLineHistory HistoryWithoutFile(TimeLineID tli);

// readTimeLineHistory(target_tli) given the file's content. InvalidArgument
// naming the line (number and text) with PostgreSQL's message and hint:
// "syntax error in history file: ..." (no numeric TLI / no switchpoint),
// "invalid data in history file: ..." (TLIs not increasing),
// "invalid data in history file \"%08X.history\"" (a TLI >= target_tli).
absl::StatusOr<TimeLineHistory> ParseTimeLineHistory(TimeLineID target_tli,
                                                     std::string_view content);

// writeTimeLineHistory's content for the child of parent_tli forking at
// switchpoint: parent's content (nullopt = parent has no file) + "\n" if it
// existed + "parent\tX/X\treason\n".
std::string WriteTimeLineHistory(std::optional<std::string_view> parent_content,
                                 TimeLineID parent_tli, XLogRecPtr switchpoint,
                                 std::string_view reason);

// Whether tli appears in the history (the TLIs expected on the way).
bool tliInHistory(TimeLineID tli, const TimeLineHistory& history);

// The TLI whose range holds ptr; Internal "timeline history was not
// contiguous" if none does.
absl::StatusOr<TimeLineID> tliOfPointInHistory(XLogRecPtr ptr,
                                               const TimeLineHistory& history);

// Where tli ended (its switchpoint; Invalid for the newest, still open).
// next_tli, if given, gets the timeline that followed it (0 for the newest).
// NotFound "requested timeline %u is not in this server's history".
absl::StatusOr<XLogRecPtr> tliSwitchPoint(TimeLineID tli,
                                          const TimeLineHistory& history,
                                          TimeLineID* next_tli = nullptr);

// rescanLatestTimeLine's test before following new_tli (whose history is
// new_history) from recovery target current_tli, having replayed up to
// replay_lsn on replay_tli. FailedPrecondition with PostgreSQL's LOG text:
// "new timeline %u is not a child of database system timeline %u", or
// "new timeline %u forked off current database system timeline %u before
// current recovery point %X/%X".
absl::Status CheckNewTimeLine(TimeLineID new_tli,
                              const TimeLineHistory& new_history,
                              TimeLineID current_tli, TimeLineID replay_tli,
                              XLogRecPtr replay_lsn);

}  // namespace replsim::wal

#endif  // REPLSIM_PROTOCOL_WAL_TIMELINE_HISTORY_H_
