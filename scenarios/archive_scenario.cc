#include "scenarios/archive_scenario.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "protocol/wal/segment.h"
#include "protocol/xlog/xlog_io.h"
#include "sim/distributions.h"
#include "sim/fault/fault_plan.h"

namespace replsim::scenarios {
namespace {

constexpr size_t kPage = 8192;

// xlp_pageaddr (little-endian, at offset 8 of every page header).
uint64_t PageAddr(const std::string& b, size_t off) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[off + 8 + i]);
  return v;
}

}  // namespace

ArchiveHost::ArchiveHost(Harness& t, const Scenario& s)
    : t_(t), host_(s.archive().host()), dir_(ArchiveDirectory(s.archive())) {
  for (const Node& n : s.nodes()) nodes_.push_back(n.name());
  t_.cluster().AddHost(host_);
}

void ArchiveHost::Start() {
  if (!t_.cluster().IsAlive(t_.cluster().FindByName(host_, "archive_server"))) {
    archive::ArchiveServerConfig c;
    c.directories = {dir_};
    c.faults = faults_;
    t_.cluster().Spawn(host_, "archive_server",
                       [c](os::Os& os) -> os::Task<> { co_await archive::ArchiveServerMain(os, c); });
  }
}

void ArchiveHost::Fault(const ArchiveFault& f, sim::Rng& rng) {
  const uint32_t lo = f.duration_ms().min();
  const uint32_t hi = std::max(lo, f.duration_ms().max());
  switch (f.kind()) {
    case ArchiveFault::FAIL: faults_->fail_puts += static_cast<int>(f.count()); break;
    case ArchiveFault::DOWN:
      t_.cluster().CrashHost(host_);
      t_.RunFor(os::Milliseconds(sim::UniformInt(rng, lo, hi)));
      t_.cluster().RestartHost(host_);
      Start();
      break;
    case ArchiveFault::FULL: {
      sim::fault::FaultPlan plan(t_.cluster());
      const os::Instant now = t_.world().now();
      plan.FillDiskAt(now, host_);
      plan.FreeDiskAt(now + os::Milliseconds(sim::UniformInt(rng, lo, hi)), host_);
      break;
    }
    default: break;
  }
}

std::vector<Violation> ArchiveHost::CheckArchivePrefix() {
  std::vector<Violation> out;
  os::Result<std::vector<std::string>> names = t_.cluster().host(host_).disk().List(dir_);
  if (!names.ok()) return out;
  const std::set<std::string> present(names->begin(), names->end());
  std::set<wal::TimeLineID> tlis;
  const int version = t_.behavior().server_version_num;
  for (const std::string& name : *names) {
    absl::StatusOr<wal::XLogFileId> id = wal::ParseXLogFileName(name);
    if (!id.ok()) continue;
    tlis.insert(id->tli);
    std::optional<std::string> archived = ReadHostFile(t_.cluster(), host_, dir_ + "/" + name);
    if (!archived.has_value()) continue;
    const uint64_t seg_start = wal::XLogSegNoOffsetToRecPtr(id->segno, 0);
    for (const std::string& node : nodes_) {
      const PgNode* n = t_.FindNode(node);
      if (n == nullptr) continue;
      std::optional<std::string> local = n->ReadFile(
          xlog::XLogFilePath(n->config().data_dir, version, id->tli, id->segno));
      if (!local.has_value()) continue;
      for (size_t off = 0; off < archived->size() && off + 16 <= local->size(); off += kPage) {
        if (PageAddr(*local, off) != seg_start + off) continue;
        const size_t len = std::min({kPage, archived->size() - off, local->size() - off});
        if (archived->compare(off, len, *local, off, len) == 0) continue;
        Violation v;
        v.invariant = ARCHIVE_PREFIX;
        v.time = t_.world().now();
        v.message = absl::StrCat("archived ", name, " differs from ", node, "'s at offset ", off,
                                 ": not a byte prefix of the WAL of timeline ", id->tli);
        out.push_back(std::move(v));
        break;
      }
    }
  }
  for (wal::TimeLineID tli : tlis) {
    if (tli <= 1 || present.count(wal::TLHistoryFileName(tli)) > 0) continue;
    Violation v;
    v.invariant = ARCHIVE_PREFIX;
    v.time = t_.world().now();
    v.message = absl::StrCat("the archive has WAL of timeline ", tli, " but not ",
                             wal::TLHistoryFileName(tli));
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace replsim::scenarios
