#include "scenarios/checkers.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "protocol/wal/segment.h"
#include "protocol/wal/timeline_history.h"
#include "sim/disk/disk.h"

namespace replsim::scenarios {

std::optional<std::string> ReadFileDirect(Harness& t, const std::string& host,
                                          const std::string& path) {
  return ReadHostFile(t.cluster(), host, path);
}

const LogLine* FindLog(const Harness& t, const std::string& node, const std::string& needle,
                       os::Instant since) {
  // Lines are kept in the order they were logged, so in time order: start
  // at the first one logged at `since` (run_state waits poll this often).
  const std::vector<LogLine>& logs = t.logs();
  auto it = std::partition_point(logs.begin(), logs.end(),
                                 [since](const LogLine& l) { return l.time < since; });
  for (; it != logs.end(); ++it) {
    if (it->host == node && absl::StrContains(it->message, needle)) return &*it;
  }
  return nullptr;
}

std::string FormatLogLine(const LogLine& l) {
  return absl::StrFormat("%.6fs %s %s %s:  %s", l.time.nanos() / 1e9, l.host, l.process,
                         l.level, l.message);
}

std::optional<wal::XLogRecPtr> SwitchPointOf(Harness& t, const std::string& node,
                                             wal::TimeLineID tli) {
  std::optional<std::string> content =
      ReadFileDirect(t, node, "/pgdata/pg_wal/" + wal::TLHistoryFileName(tli));
  if (!content.has_value()) return std::nullopt;
  absl::StatusOr<wal::TimeLineHistory> h = wal::ParseTimeLineHistory(tli, *content);
  if (!h.ok()) return std::nullopt;
  for (const wal::TimeLineHistoryEntry& e : *h) {
    if (e.tli == tli - 1) return e.end;
  }
  return std::nullopt;
}

std::vector<Violation> CheckWalPrefix(Harness& t, const std::string& standby,
                                      const std::string& upstream) {
  std::vector<Violation> out;
  sim::disk::Disk& disk = t.cluster().host(standby).disk();
  os::Result<std::vector<std::string>> names = disk.List("/pgdata/pg_wal");
  if (!names.ok()) return out;
  for (const std::string& full : *names) {
    const std::string name = full.substr(full.rfind('/') + 1);
    if (!wal::IsXLogFileName(name)) continue;
    std::optional<std::string> mine = ReadFileDirect(t, standby, "/pgdata/pg_wal/" + name);
    std::optional<std::string> theirs = ReadFileDirect(t, upstream, "/pgdata/pg_wal/" + name);
    if (!mine.has_value() || !theirs.has_value()) continue;
    // Compare what both have written; trailing zeros are unwritten space.
    const size_t both = std::min(mine->size(), theirs->size());
    const size_t last = both == 0 ? std::string::npos : mine->find_last_not_of('\0', both - 1);
    const size_t len = last == std::string::npos ? 0 : last + 1;
    const auto diff = std::mismatch(mine->begin(), mine->begin() + len, theirs->begin());
    if (diff.first != mine->begin() + len) {
      const size_t i = diff.first - mine->begin();
      absl::StatusOr<wal::XLogFileId> id = wal::ParseXLogFileName(name);
      const wal::XLogRecPtr lsn = id.ok() ? wal::XLogSegNoOffsetToRecPtr(id->segno, i) : i;
      Violation v;
      v.invariant = WAL_PREFIX;
      v.time = t.world().now();
      v.message = absl::StrFormat(
          "%s's WAL differs from %s's at %s (segment %s, offset %d): the standby "
          "holds WAL its upstream does not have",
          standby, upstream, wal::LsnToString(lsn), name, i);
      out.push_back(v);
      return out;
    }
  }
  return out;
}

std::vector<Violation> CheckNoPanic(const Harness& t) {
  std::vector<Violation> out;
  for (const LogLine& l : t.logs()) {
    if (l.level == "PANIC") {
      Violation v;
      v.invariant = NO_PANIC;
      v.time = l.time;
      v.message = absl::StrFormat("%s's %s PANICked: %s", l.host, l.process, l.message);
      v.evidence = FormatLogLine(l);
      out.push_back(v);
      break;
    }
  }
  return out;
}

}  // namespace replsim::scenarios
