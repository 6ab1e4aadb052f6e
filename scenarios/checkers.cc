#include "scenarios/checkers.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "protocol/wal/page_header.h"
#include "protocol/wal/segment.h"
#include "protocol/wal/timeline_history.h"
#include "protocol/wal/wal_reader.h"
#include "protocol/xlog/xlog_io.h"
#include "sim/disk/disk.h"

namespace replsim::scenarios {

std::optional<std::string> ReadFileDirect(Harness& t, const std::string& host,
                                          const std::string& path) {
  return ReadHostFile(t.cluster(), host, path);
}

namespace {

// The first log line logged at or after `since`. Lines are kept in the order
// they were logged, so in time order (run_state waits poll this often).
std::vector<LogLine>::const_iterator FirstLogAt(const Harness& t, os::Instant since) {
  return std::partition_point(t.logs().begin(), t.logs().end(),
                              [since](const LogLine& l) { return l.time < since; });
}

}  // namespace

const LogLine* FindLog(const Harness& t, const std::string& node, const std::string& needle,
                       os::Instant since) {
  for (auto it = FirstLogAt(t, since); it != t.logs().end(); ++it) {
    if (it->host == node && absl::StrContains(it->message, needle)) return &*it;
  }
  return nullptr;
}

const LogLine* LastError(const Harness& t, const std::string& node, os::Instant since,
                         const std::vector<std::string>& expected) {
  auto severity = [](const std::string& level) {
    return level == "PANIC" ? 3 : level == "FATAL" ? 2 : level == "ERROR" ? 1 : 0;
  };
  const LogLine* worst = nullptr;
  for (auto it = FirstLogAt(t, since); it != t.logs().end(); ++it) {
    const int s = severity(it->level);
    const bool is_expected =
        std::any_of(expected.begin(), expected.end(),
                    [&](const std::string& e) { return it->message.find(e) != std::string::npos; });
    if (it->host == node && s > 0 && !is_expected &&
        (worst == nullptr || s >= severity(worst->level))) {
      worst = &*it;
    }
  }
  return worst;
}

std::string FormatLogLine(const LogLine& l) {
  return absl::StrFormat("%.6fs %s %s %s:  %s", l.time.nanos() / 1e9, l.host, l.process,
                         l.level, l.message);
}

// The nodes' WAL directory, named as the run's release names it.
std::string WalDir(const Harness& t) {
  return xlog::XLogDir("/pgdata", t.behavior().server_version_num);
}

std::optional<wal::XLogRecPtr> SwitchPointOf(Harness& t, const std::string& node,
                                             wal::TimeLineID tli) {
  std::optional<std::string> content =
      ReadFileDirect(t, node, WalDir(t) + "/" + wal::TLHistoryFileName(tli));
  if (!content.has_value()) return std::nullopt;
  absl::StatusOr<wal::TimeLineHistory> h = wal::ParseTimeLineHistory(tli, *content);
  if (!h.ok()) return std::nullopt;
  for (const wal::TimeLineHistoryEntry& e : *h) {
    if (e.tli == tli - 1) return e.end;
  }
  return std::nullopt;
}

namespace {

// How much of `file`, segment `segno` of timeline `tli` on a standby, is WAL
// a reader would accept: its leading pages whose headers carry their own
// address, up to the end of the last complete record in them. Past that a
// recycled file keeps an older segment's bytes (a walreceiver writes only
// what it received), which are nobody's WAL.
size_t ValidWalLength(const std::string& file, wal::XLogSegNo segno, wal::TimeLineID tli) {
  const wal::XLogRecPtr seg_start = wal::XLogSegNoOffsetToRecPtr(segno, 0);
  const auto* bytes = reinterpret_cast<const uint8_t*>(file.data());
  // Pages with their own address were written by this timeline's writer,
  // whole but for the last one, whose valid part ends with its last
  // complete record: only that page's records need reading.
  size_t valid = 0;
  std::optional<wal::XLogRecPtr> first_record;  // on the last valid page
  for (size_t off = 0; off + wal::kSizeOfXLogShortPHD <= file.size(); off += wal::kXLogBlcksz) {
    const size_t n = std::min<size_t>(wal::kXLogBlcksz, file.size() - off);
    absl::StatusOr<wal::XLogPageHeaderData> h =
        wal::DecodePageHeader(absl::MakeConstSpan(bytes + off, n));
    if (!h.ok() || h->xlp_magic != wal::kXLogPageMagic || h->xlp_pageaddr != seg_start + off) {
      break;
    }
    const uint64_t data =
        h->size() +
        ((h->xlp_info & wal::XLP_FIRST_IS_CONTRECORD) ? wal::MaxAlign(h->xlp_rem_len) : 0);
    first_record.reset();
    if (data < n) first_record = seg_start + off + data;
    valid = off + n;
  }
  if (valid == 0 || !first_record.has_value()) return valid;
  // Read the records that begin on that page, as a reader of this file
  // would; a record going on past the valid pages is incomplete.
  const wal::XLogRecPtr valid_upto = seg_start + valid;
  wal::XLogReaderState reader(
      {.system_identifier = 0},
      [&](wal::XLogRecPtr page, uint32_t req_len, absl::Span<uint8_t> out) {
        wal::PageReadResult r;
        r.file_tli = tli;
        if (page < seg_start || page >= valid_upto || valid_upto - page < req_len) {
          r.status = absl::UnavailableError("past the valid pages");
          return r;
        }
        const size_t n = std::min<uint64_t>(wal::kXLogBlcksz, valid_upto - page);
        std::copy_n(bytes + (page - seg_start), n, out.begin());
        std::fill(out.begin() + n, out.end(), 0);
        r.read_len = static_cast<uint32_t>(n);
        return r;
      });
  reader.XLogBeginRead(*first_record);
  wal::XLogRecPtr end = *first_record;
  while (reader.XLogReadRecord().ok()) end = reader.EndRecPtr();
  return std::min<size_t>(valid, end - seg_start);
}

// The first offset below `n` where a and b differ, or n.
size_t FirstDifference(const std::string& a, const std::string& b, size_t n) {
  constexpr size_t kChunk = 4096;
  size_t i = 0;
  while (i + kChunk <= n && std::memcmp(a.data() + i, b.data() + i, kChunk) == 0) i += kChunk;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

}  // namespace

std::vector<Violation> CheckWalPrefix(Harness& t, const std::string& standby,
                                      const std::string& upstream) {
  std::vector<Violation> out;
  sim::disk::Disk& disk = t.cluster().host(standby).disk();
  const std::string dir = WalDir(t);
  os::Result<std::vector<std::string>> names = disk.List(dir);
  if (!names.ok()) return out;
  for (const std::string& full : *names) {
    const std::string name = full.substr(full.rfind('/') + 1);
    if (!wal::IsXLogFileName(name)) continue;
    std::optional<std::string> mine = ReadFileDirect(t, standby, dir + "/" + name);
    std::optional<std::string> theirs = ReadFileDirect(t, upstream, dir + "/" + name);
    if (!mine.has_value() || !theirs.has_value()) continue;
    absl::StatusOr<wal::XLogFileId> id = wal::ParseXLogFileName(name);
    if (!id.ok()) continue;
    // Compare the WAL both hold, valid on both sides. A node restarted as a
    // standby may hold more of an old timeline than its new upstream ever
    // had (divergence, which a failed rejoin reports, not WAL it was sent);
    // WAL a standby has past what its crashed upstream kept is the durable-
    // WAL check's (CheckStandbysWithinDurableWal).
    // Valid WAL is a prefix of each file, so only bytes that differ need
    // finding out whether both sides hold them as valid.
    const size_t common = std::min(mine->size(), theirs->size());
    const size_t i = FirstDifference(*mine, *theirs, common);
    if (i == common) continue;
    const size_t len = std::min(ValidWalLength(*mine, id->segno, id->tli),
                                ValidWalLength(*theirs, id->segno, id->tli));
    if (i < len) {
      const wal::XLogRecPtr lsn = wal::XLogSegNoOffsetToRecPtr(id->segno, i);
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
