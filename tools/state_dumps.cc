// StateDumps: per node, pg_controldata and pg_waldump listings of its disk
// at one moment of a run.
#include "tools/state_dumps.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/wal/segment.h"
#include "protocol/xlog/xlog_io.h"
#include "scenarios/harness/harness.h"
#include "tools/controldata_text.h"
#include "tools/waldump_text.h"

namespace replsim::tools {
namespace {

// Records listed around each interesting LSN, and the most listed whole.
constexpr int kContext = 5;
constexpr size_t kListAll = 80;
// Records walked back (through xl_prev) before the latest checkpoint's redo.
constexpr int kBefore = 8;

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

absl::Status WriteText(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return absl::InvalidArgumentError(absl::StrCat("cannot write ", path));
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) {
    return absl::InvalidArgumentError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<wal::XLogRecPtr> LsnsIn(const std::string& text) {
  std::vector<wal::XLogRecPtr> out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '/' || i == 0 || !IsHex(text[i - 1])) continue;
    size_t b = i, e = i + 1;
    while (b > 0 && IsHex(text[b - 1])) --b;
    while (e < text.size() && IsHex(text[e])) ++e;
    if (e == i + 1) continue;
    absl::StatusOr<wal::XLogRecPtr> p = wal::ParseLsn(text.substr(b, e - b));
    if (p.ok()) out.push_back(*p);
  }
  return out;
}

StateDumps::StateDumps(std::vector<std::string> nodes, int64_t at_ns,
                       std::vector<wal::XLogRecPtr> interesting, std::string why)
    : nodes_(std::move(nodes)),
      at_ns_(at_ns),
      interesting_(std::move(interesting)),
      why_(std::move(why)) {}

void StateDumps::Attach(scenarios::RunOptions* options) {
  options->on_start = [this](const scenarios::Harness& h) { harness_ = &h; };
  options->on_end = [this](const scenarios::Harness& h) {
    if (!taken_) Take(h, -1);
    harness_ = nullptr;
  };
  options->sink = [this, next = std::move(options->sink)](const sim::TraceEvent& e) {
    if (!taken_ && harness_ != nullptr && e.time.nanos() > at_ns_) Take(*harness_, e.time.nanos());
    if (next) next(e);
  };
}

void StateDumps::Take(const scenarios::Harness& h, int64_t now_ns) {
  taken_ = true;
  const int version = h.behavior().server_version_num;
  const std::string moment =
      now_ns < 0 ? "at the end of the run"
                 : absl::StrFormat("as of %.6fs (the first event after %.6fs)", now_ns / 1e9,
                                   at_ns_ / 1e9);
  for (const std::string& name : nodes_) {
    const scenarios::PgNode* n = h.FindNode(name);
    if (n == nullptr) continue;
    NodeDump d;
    d.name = name;
    d.waldump_name = WalDumperName(version);
    const std::string head =
        absl::StrCat("# replsim: ", name, " ", moment, ", ", h.behavior().description, "; ", why_,
                     "\n");
    absl::StatusOr<node::ControlFileData> c = n->ReadControlFile();
    d.controldata = absl::StrCat(
        head, "# pg_controldata's fields that replsim models, in its layout\n",
        c.ok() ? ControlDataText(*c, version)
               : absl::StrCat("pg_controldata: error: ", c.status().message(), "\n"));
    d.waldump = absl::StrCat(head, WalListing(h, name));
    dumps_.push_back(std::move(d));
  }
}

std::string StateDumps::WalListing(const scenarios::Harness& h, const std::string& name) const {
  const scenarios::PgNode& n = *h.FindNode(name);
  const int version = h.behavior().server_version_num;
  absl::StatusOr<node::ControlFileData> c = n.ReadControlFile();
  if (!c.ok()) return absl::StrCat("# no WAL listed: ", c.status().message(), "\n");
  std::vector<wal::XLogRecPtr> keep = interesting_;
  keep.insert(keep.end(), {c->checkPoint, c->checkPointCopy.redo});
  if (c->minRecoveryPoint != 0) keep.push_back(c->minRecoveryPoint);
  const wal::XLogRecPtr lowest = *std::min_element(keep.begin(), keep.end());
  // From the latest checkpoint's redo, then back through xl_prev for a few
  // records of context (and to the lowest interesting LSN still on disk).
  // Segment files as PostgreSQL has them: 16 MiB, zero past what was
  // written (replsim's files end there), so the end of WAL reads as it would.
  const wal::TimeLineID tli = c->checkPointCopy.ThisTimeLineID;
  auto scan_from = [&](wal::XLogRecPtr from) {
    return scenarios::ScanWalSegments(
        [&](wal::XLogSegNo seg) -> std::optional<std::string> {
          std::optional<std::string> bytes = n.ReadFile(
              xlog::XLogFilePath(n.config().data_dir, version, tli, seg));
          if (bytes.has_value() && !bytes->empty() && bytes->size() < wal::kWalSegSize) {
            bytes->resize(wal::kWalSegSize, '\0');
          }
          return bytes;
        },
        tli, c->system_identifier, from);
  };
  wal::XLogRecPtr start = c->checkPointCopy.redo;
  scenarios::WalScan scan = scan_from(start);
  for (int back = 0; back < 256 && !scan.records.empty(); ++back) {
    const wal::XLogRecPtr prev = scan.records.front().record.header.xl_prev;
    if (prev == 0 || (back >= kBefore && start <= lowest)) break;
    scenarios::WalScan earlier = scan_from(prev);
    if (earlier.records.empty()) break;
    start = prev;
    scan = std::move(earlier);
  }
  std::string out = absl::StrFormat(
      "# %s of timeline %u from %s (%d records before the latest checkpoint's REDO location "
      "%s, or fewer) to the end of valid WAL; records near %s's checkpoint, redo and minimum "
      "recovery point and near the LSNs of the violation are listed, the rest elided\n",
      WalDumperName(version), c->checkPointCopy.ThisTimeLineID, wal::LsnToString(start), kBefore,
      wal::LsnToString(c->checkPointCopy.redo), name);
  const std::vector<scenarios::ScannedRecord>& recs = scan.records;
  std::set<size_t> shown;
  for (size_t i = 0; i < recs.size(); ++i) {
    bool near = recs.size() <= kListAll || i < 2 || i + 2 >= recs.size();
    for (wal::XLogRecPtr p : keep) near = near || (recs[i].start <= p && p <= recs[i].end);
    if (!near) continue;
    for (size_t j = i >= kContext ? i - kContext : 0; j <= i + kContext && j < recs.size(); ++j) {
      shown.insert(j);
    }
  }
  size_t next = 0;
  for (size_t i : shown) {
    if (i > next) absl::StrAppend(&out, "... ", i - next, " record(s) not listed\n");
    absl::StrAppend(&out, WalDumpLine(recs[i].record, recs[i].start, version), "\n");
    next = i + 1;
  }
  if (next < recs.size()) absl::StrAppend(&out, "... ", recs.size() - next, " record(s) not listed\n");
  if (recs.empty()) {
    absl::StrAppend(&out, "# no record at ", wal::LsnToString(start), ": ", scan.stop_reason, "\n");
  } else {
    absl::StrAppend(&out, WalDumpErrorLine(recs.back().start, scan.stop_reason, version), "\n");
  }
  return out;
}

absl::Status StateDumps::Write(const std::string& dir) const {
  for (const NodeDump& d : dumps_) {
    absl::Status st = WriteText(absl::StrCat(dir, "/", d.name, ".pg_controldata"), d.controldata);
    if (st.ok()) st = WriteText(absl::StrCat(dir, "/", d.name, ".", d.waldump_name), d.waldump);
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace replsim::tools
