// restore_command: a standby with no primary_conninfo replays what the
// primary archived, segment by segment as each arrives in the archive
// ("restored log file ... from archive"), and is caught up once the last
// segment is archived; the archive is tried before pg_wal (a segment in
// both is restored from the archive), and a streaming standby whose
// upstream is gone falls back to the archive.
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenarios/harness/harness.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

std::string Text(const std::string& profile, const std::string& standby_extra,
                 const std::string& steps) {
  return absl::StrCat(R"(name: "restore"
profile: ")", profile, R"("
archive { host: "archive" }
nodes {
  name: "primary"
  role: PRIMARY
  settings { name: "max_wal_senders" value: "5" }
  settings { name: "archive_mode" value: "on" }
  settings { name: "archive_command" value: "scp %p archive:/wal/%f" }
}
nodes {
  name: "standby"
  role: STANDBY
  upstream: "primary"
  settings { name: "restore_command" value: "scp archive:/wal/%f %p" }
  )", standby_extra, R"(
}
workload { sessions: 1 think_ms: 5 row_bytes: 100 transactions: 20 }
steps { start { node: "primary" } }
steps { base_backup { node: "standby" upstream: "primary" } }
steps { start { node: "standby" } }
)", steps, R"(
invariants: WAL_PREFIX
invariants: NO_PANIC
invariants: LIVENESS
invariants: ARCHIVE_PREFIX
)");
}

struct Played {
  RunReport report;
  std::vector<std::string> standby_log;
};

Played Play(const std::string& text, const std::string& profile) {
  absl::StatusOr<Scenario> s = ParseScenario(text, "restore.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
  Played out;
  if (!s.ok()) return out;
  RunOptions o;
  o.profile = profile;
  o.fingerprint = false;
  o.on_end = [&out](const Harness& h) {
    for (const LogLine& l : h.logs()) {
      if (l.host == "standby") out.standby_log.push_back(l.message);
    }
  };
  absl::StatusOr<RunReport> r = RunScenario(*s, 1, o);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return out;
  out.report = *std::move(r);
  return out;
}

int Count(const std::vector<std::string>& log, const std::string& what) {
  int n = 0;
  for (const std::string& l : log) n += l.find(what) != std::string::npos;
  return n;
}

constexpr char kSwitches[] = R"(
steps { delay_ms { min: 500 max: 500 } switch_wal { node: "primary" } }
steps { stop_workload {} }
steps { switch_wal { node: "primary" } }
steps { wait_for_catch_up { node: "standby" timeout_s: 60 } }
)";

TEST(ArchiveRestoreTest, ArchiveOnlyStandbyReplaysFromTheArchive) {
  for (const char* profile : {"pg-15"}) {
    Played r = Play(Text(profile, "archive_only: true", kSwitches), profile);
    const Violation* v = r.report.first_violation();
    EXPECT_EQ(v, nullptr) << profile << ": " << (v ? v->message : "");
    EXPECT_GE(Count(r.standby_log, "from archive"), 2) << profile;
    EXPECT_EQ(Count(r.standby_log, "started streaming WAL"), 0) << profile;
  }
}

}  // namespace
}  // namespace replsim::scenarios
