#include "tools/reports.h"

#include <csignal>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/cli_common.h"
#include "tools/json.h"
#include "tools/sweep_progress.h"

namespace replsim::tools {
namespace {


std::string SignalName(int sig) {
  if (sig == 0) return "null";
  return JsonString(sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal");
}

// The identity's fields and the counts, without braces.
std::string SweepFieldsJson(const SweepIdentity& id, const SweepResult& r) {
  std::string failures;
  for (const auto& [seed, o] : r.failures) {
    if (!failures.empty()) failures += ",";
    failures += RecordToJson(
        id, SeedRecord{seed, OutcomeName(o.kind), o.invariant, o.fingerprint, o.violation});
  }
  for (const WorkerCrash& c : r.crashes) {
    if (!failures.empty()) failures += ",";
    failures += RecordToJson(id, CrashRecord(c));
  }
  return absl::StrFormat(
      "\"sweep\":%s,\"scenario\":%s,\"scenario_name\":%s,\"scenario_hash\":\"%016x\","
      "\"profile\":%s,\"switches\":%s,\"seeds\":\"%d..%d\",\"shard\":\"%d/%d\",\"version\":%s,"
      "\"seeds_total\":%d,\"seeds_done\":%d,\"seeds_run\":%d,\"seeds_resumed\":%d,"
      "\"failing\":%d,\"crashed\":%d,\"interrupted\":%s,\"seconds\":%.3f,"
      "\"seeds_per_second\":%.1f,\"parent_peak_rss_mib\":%.1f,"
      "\"worker_peak_rss_mib\":%.1f,\"parent_cpu_seconds\":%.3f,"
      "\"worker_cpu_seconds\":%.3f,\"failures\":[%s]",
      JsonString(id.KeyHex()), JsonString(id.scenario_path), JsonString(id.scenario_name),
      id.scenario_hash, JsonString(id.profile), JsonString(id.switches), id.first, id.last,
      id.shard_index, id.shard_count, JsonString(id.version), r.seeds_total, r.seeds_done(),
      r.seeds_run, r.seeds_resumed, r.failures.size(), r.crashes.size(),
      SignalName(r.interrupted_by), r.seconds, r.seeds_per_second(),
      r.parent_peak_rss_mib, r.worker_peak_rss_mib, r.parent_cpu_seconds, r.worker_cpu_seconds,
      failures);
}

}  // namespace

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 allows no control characters but tab, CR and LF.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t' || c == '\r') {
          out += c;
        }
    }
  }
  return out;
}

absl::Status WriteReportFile(const std::string& flag, const std::string& path,
                             const std::string& text) {
  std::ofstream out(ResolveUserPath(path), std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": cannot write ", path));
  }
  return absl::OkStatus();
}

std::string SweepReportJson(const SweepIdentity& id, const SweepResult& r) {
  return absl::StrCat("{\"command\":\"sweep\",", SweepFieldsJson(id, r),
                      ",\"exit_code\":", ExitCodeFor(r), "}\n");
}

std::string SuiteReportJson(const std::vector<SuiteRow>& rows, int exit_code) {
  std::string out = "{\"command\":\"suite\",\"rows\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const SuiteRow& row = rows[i];
    absl::StrAppend(&out, i ? ",\n" : "\n", "{\"violations_expected\":",
                    row.violations_expected ? "true" : "false",
                    ",\"as_expected\":", row.as_expected ? "true" : "false",
                    ",\"verdict\":", JsonString(row.verdict));
    if (!row.bad_input.empty()) {
      absl::StrAppend(&out, ",\"scenario\":", JsonString(row.identity.scenario_path),
                      ",\"bad_input\":", JsonString(row.bad_input), "}");
    } else {
      absl::StrAppend(&out, ",", SweepFieldsJson(row.identity, row.result), "}");
    }
  }
  absl::StrAppend(&out, "\n],\"exit_code\":", exit_code, "}\n");
  return out;
}

std::string JunitXml(const std::string& suite_name, const std::vector<SuiteRow>& rows) {
  size_t failures = 0, errors = 0;
  double seconds = 0;
  std::string cases;
  for (const SuiteRow& row : rows) {
    const SweepIdentity& id = row.identity;
    std::string name = id.profile;
    if (!id.switches.empty()) absl::StrAppend(&name, " ", id.switches);
    absl::StrAppend(&name, " seeds ", id.first, "..", id.last);
    if (id.shard_count > 1) absl::StrAppend(&name, " shard ", id.shard_index, "/", id.shard_count);
    seconds += row.result.seconds;
    absl::StrAppendFormat(&cases, "  <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\">\n",
                          XmlEscape(id.scenario_name.empty() ? id.scenario_path
                                                             : id.scenario_name),
                          XmlEscape(name), row.result.seconds);
    if (!row.bad_input.empty()) {
      ++errors;
      absl::StrAppendFormat(&cases, "    <error message=\"%s\"/>\n", XmlEscape(row.bad_input));
    } else if (!row.as_expected) {
      ++failures;
      std::string body;
      for (const auto& [seed, o] : row.result.failures) {
        absl::StrAppend(&body, "seed ", seed, ": ", o.violation, "\n  ",
                        ReplayCommand(id.scenario_path, seed, id.profile, id.switches, id.scheduler), "\n");
      }
      for (const WorkerCrash& c : row.result.crashes) {
        absl::StrAppend(&body, "seed ", c.seed, ": REPLSIM CRASHED: ", c.how,
                        c.last_words.empty() ? "" : ": ", c.last_words, "\n  ",
                        ReplayCommand(id.scenario_path, c.seed, id.profile, id.switches, id.scheduler), "\n");
      }
      absl::StrAppendFormat(&cases, "    <failure message=\"%s\">%s</failure>\n",
                            XmlEscape(row.verdict), XmlEscape(body));
    }
    cases += "  </testcase>\n";
  }
  return absl::StrFormat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"%s\" "
      "tests=\"%d\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n%s</testsuite>\n"
      "</testsuites>\n",
      XmlEscape(suite_name), rows.size(), failures, errors, seconds, cases);
}

absl::Status WriteSweepReports(const CommandLine& cl, const SweepIdentity& id,
                               const SweepResult& r) {
  if (cl.Has("report")) {
    if (absl::Status st = WriteReportFile("--report", cl.Get("report"), SweepReportJson(id, r));
        !st.ok()) {
      return st;
    }
  }
  if (cl.Has("junit")) {
    return WriteReportFile("--junit", cl.Get("junit"),
                           JunitXml("replsim sweep", {SweepRow(id, r)}));
  }
  return absl::OkStatus();
}

SuiteRow SweepRow(const SweepIdentity& id, const SweepResult& r) {
  SuiteRow row;
  row.identity = id;
  row.result = r;
  const bool finished = r.interrupted_by == 0 && r.seeds_done() == r.seeds_total;
  row.as_expected = r.failures.empty() && r.crashes.empty() && finished;
  row.verdict = row.as_expected ? "clean"
                                : absl::StrCat(r.failures.size(), " failing, ", r.crashes.size(),
                                               " crashed",
                                               r.interrupted_by ? ", interrupted"
                                               : finished       ? ""
                                                                : ", unfinished");
  return row;
}

absl::Status WriteSuiteReports(const CommandLine& cl, const std::vector<SuiteRow>& rows,
                               int exit_code) {
  if (cl.Has("report")) {
    if (absl::Status st =
            WriteReportFile("--report", cl.Get("report"), SuiteReportJson(rows, exit_code));
        !st.ok()) {
      return st;
    }
  }
  if (cl.Has("junit")) {
    return WriteReportFile("--junit", cl.Get("junit"), JunitXml("replsim suite", rows));
  }
  return absl::OkStatus();
}

}  // namespace replsim::tools
