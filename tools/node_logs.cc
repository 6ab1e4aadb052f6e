// NodeLogs: trace log events as PostgreSQL server log lines, per node.
#include "tools/node_logs.h"

#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"

namespace replsim::tools {
namespace {

constexpr int64_t kPostgresEpochUnixSeconds = 946684800;  // 2000-01-01 00:00:00 UTC

std::string Timestamp(int64_t ns) {
  const absl::Time t = absl::FromUnixSeconds(kPostgresEpochUnixSeconds) + absl::Nanoseconds(ns);
  return absl::FormatTime("%Y-%m-%d %H:%M:%E3S UTC", t, absl::UTCTimeZone());
}

std::string Field(const sim::TraceEvent& e, const char* key) {
  const sim::TraceField* f = e.Find(key);
  return f == nullptr ? "" : f->s;
}

}  // namespace

void NodeLogs::Add(const sim::TraceEvent& e) {
  if (e.process == "backend" && e.kind == "msg_received" && Field(e, "msg") == "Query") {
    const std::string q = Field(e, "text");
    if (absl::StartsWith(q, "IDENTIFY_SYSTEM") || absl::StrContains(q, "REPLICATION") ||
        absl::StartsWith(q, "TIMELINE_HISTORY") || absl::StartsWith(q, "BASE_BACKUP")) {
      walsenders_.insert({e.host, e.pid});
    }
  }
  if (e.kind != "log") return;
  std::string level = Field(e, "kind");
  if (absl::StartsWith(level, "DEBUG")) return;
  if (level == "pq") level = "LOG";  // COMMERROR is logged at LOG
  std::string type = e.process;
  if (e.process == "backend") {
    type = walsenders_.count({e.host, e.pid}) > 0 ? "walsender" : "client backend";
  }
  // A message of several lines continues with a tab at each line's start,
  // as elog.c's append_with_tabs writes it.
  absl::StrAppend(&logs_[e.host], Timestamp(e.time.nanos()), " [", e.pid, "] ", type, ": ",
                  level, ":  ", absl::StrReplaceAll(Field(e, "message"), {{"\n", "\n\t"}}),
                  "\n");
}

std::string NodeLogs::LogOf(const std::string& node) const {
  auto it = logs_.find(node);
  return it == logs_.end() ? "" : it->second;
}

absl::Status NodeLogs::Write(const std::string& dir) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat(dir, ": cannot create: ", ec.message()));
  for (const auto& [node, text] : logs_) {
    const std::string path = absl::StrCat(dir, "/", node, ".log");
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out.good()) return absl::InvalidArgumentError(absl::StrCat(path, ": write failed"));
  }
  return absl::OkStatus();
}

}  // namespace replsim::tools
