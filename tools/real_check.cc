// The checks `replsim real` makes before any server starts.
#include "tools/real_check.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_location.h"
#include "tools/real_proc.h"

namespace replsim::tools::real {
namespace {

constexpr const char* kPrograms[] = {"initdb",   "pg_ctl", "postgres",       "pg_basebackup",
                                     "psql",     "pgbench", "pg_controldata"};

bool HasPrograms(const std::string& dir) {
  for (const char* p : kPrograms) {
    if (access(absl::StrCat(dir, "/", p).c_str(), X_OK) != 0) return false;
  }
  return true;
}

std::string PgConfigBindir() {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen("pg_config --bindir 2>/dev/null", "r"), pclose);
  if (p == nullptr) return "";
  char buf[512] = {};
  if (fgets(buf, sizeof buf, p.get()) == nullptr) return "";
  return std::string(absl::StripAsciiWhitespace(buf));
}

bool IsRelease15(const std::string& dir) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(
      popen(absl::StrCat(dir, "/postgres --version 2>/dev/null").c_str(), "r"), pclose);
  char buf[256] = {};
  return p != nullptr && fgets(buf, sizeof buf, p.get()) != nullptr &&
         absl::StrContains(buf, "PostgreSQL) 15.");
}

}  // namespace

absl::StatusOr<std::string> FindPostgres15() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("REPLSIM_PG_BINDIR"); env != nullptr && *env != '\0') {
    candidates.push_back(env);
  }
  if (std::string d = PgConfigBindir(); !d.empty()) candidates.push_back(d);
  candidates.push_back("/usr/lib/postgresql/15/bin");
  for (const std::string& d : candidates) {
    if (HasPrograms(d) && IsRelease15(d)) return d;
  }
  return absl::FailedPreconditionError(
      "PostgreSQL 15 is not installed (looked in $REPLSIM_PG_BINDIR, pg_config --bindir and "
      "/usr/lib/postgresql/15/bin for initdb, pg_ctl, postgres, pg_basebackup, psql, pgbench "
      "and pg_controldata of release 15): install Debian's package with "
      "`apt-get install postgresql-15` (tools/setup.sh does)");
}

absl::Status CheckRealScenario(const std::string& path, const std::string& display) {
  // The caller has loaded the file already (LoadScenarioForCli): this
  // second parse is for the locations only.
  const std::string text = ReadFileOr(path);
  scenarios::Scenario s;
  scenarios::ParseTree tree;
  if (absl::Status st = scenarios::ParseTextWithLocations(text, display, &s, &tree); !st.ok()) {
    return st;
  }
  const scenarios::ScenarioLocator c(display, &tree);
  for (int i = 0; i < s.steps_size(); ++i) {
    const scenarios::Step& st = s.steps(i);
    const char* why = nullptr;
    switch (st.op_case()) {
      case scenarios::Step::kCrash:
        why = "crash: a host crash loses the page cache (and may tear pages); a real run "
              "cannot do that faithfully without pulling the plug";
        break;
      case scenarios::Step::kDiskFault:
        why = "disk_fault: simulated disk faults (EIO, ENOSPC) have no faithful real "
              "counterpart here";
        break;
      case scenarios::Step::kPartition:
        why = "partition: a real run would need iptables or tc in a network namespace, "
              "which replsim does not set up";
        break;
      case scenarios::Step::kDropConnections:
        why = "drop_connections: a real run would need iptables in a network namespace, "
              "which replsim does not set up";
        break;
      default:
        break;
    }
    if (why != nullptr) {
      return c.Error(&tree, s, "steps", i,
                     absl::StrCat("step ", i + 1, " cannot run on real PostgreSQL: ", why));
    }
  }
  for (int i = 0; i < s.nodes_size(); ++i) {
    if (s.nodes(i).role() == scenarios::Node::RECEIVEXLOG) {
      return c.Error(&tree, s, "nodes", i,
                     absl::StrCat("node ", s.nodes(i).name(),
                                  ": RECEIVEXLOG nodes are not run on real PostgreSQL"));
    }
  }
  const scenarios::FaultModel& f = s.faults();
  const scenarios::ParseTree* ft = c.Child(&tree, s, "faults", -1);
  for (const auto& [field, r] :
       {std::pair{"fsync_eio_per_million", f.fsync_eio_per_million()},
        std::pair{"crash_sector_persist_percent", f.crash_sector_persist_percent()},
        std::pair{"packet_loss_per_million", f.packet_loss_per_million()},
        std::pair{"latency_spike_per_million", f.latency_spike_per_million()}}) {
    if (r.max() > 0) {
      return c.Error(ft, f, field, -1,
                     absl::StrCat("faults.", field,
                                  ": a drawn fault real PostgreSQL cannot be made to meet"));
    }
  }
  return absl::OkStatus();
}

}  // namespace replsim::tools::real
