// `replsim merge`'s results: the table and signatures on stdout, --report
// (one JSON document) and --junit (one testcase per shard, one error per
// problem). See tools/merge.h.
#include <cinttypes>
#include <cstdio>
#include <map>
#include <regex>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/cli_common.h"
#include "tools/json.h"
#include "tools/merge.h"
#include "tools/reports.h"
#include "tools/sweep_progress.h"

namespace replsim::tools {
namespace {

constexpr size_t kSeedsShown = 20;  // per signature, on stdout

std::string JsonStrings(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) absl::StrAppend(&out, out.empty() ? "" : ",", JsonString(s));
  return absl::StrCat("[", out, "]");
}

std::string ShownSeeds(const std::vector<uint64_t>& seeds) {
  std::vector<uint64_t> shown(seeds.begin(), seeds.begin() + std::min(seeds.size(), kSeedsShown));
  std::string out = absl::StrJoin(shown, ", ");
  if (seeds.size() > kSeedsShown) absl::StrAppend(&out, ", ... (", seeds.size(), " in all)");
  return out;
}

// The shard's results as a sweep's, for JunitXml.
SweepResult ShardResult(const MergeResult& m, const ShardReport& shard) {
  SweepResult r;
  r.seeds_total = shard.seeds_total;
  r.seeds_resumed = shard.seeds_done;
  r.seconds = shard.seconds;
  for (const MergedRecord& rec : m.records) {
    if (rec.identity.shard_index != shard.identity.shard_index) continue;
    if (rec.record.outcome == "crash") {
      r.crashes.push_back(CrashFromRecord(rec.record));
    } else {
      r.failures.emplace_back(rec.record.seed, OutcomeFromRecord(rec.record));
    }
  }
  return r;
}

std::string FirstReplay(const MergeResult& m) {
  if (m.records.empty()) return "";
  const MergedRecord& r = m.records.front();
  return ReplayCommand(r.identity.scenario_path, r.record.seed, r.identity.profile,
                       r.identity.switches, r.identity.scheduler);
}

}  // namespace

std::string NormaliseMessage(absl::string_view message) {
  static const auto* kRules = new std::vector<std::pair<std::regex, std::string>>{
      {std::regex(R"(\b[0-9A-F]{24}\b)"), "<segment>"},
      {std::regex(R"(\b[0-9A-F]+/[0-9A-F]+\b)"), "<lsn>"},
      {std::regex(R"(\b\d+\.\d+s\b)"), "<time>"},
      {std::regex(R"(\b(PID|pid) \d+\b)"), "$1 <pid>"},
      {std::regex(R"(\b\d+\b)"), "N"},
  };
  std::string out(message);
  for (const auto& [re, with] : *kRules) out = std::regex_replace(out, re, with);
  return out;
}

std::vector<Signature> Signatures(const MergeResult& m) {
  std::map<std::tuple<std::string, std::string, std::string>, Signature> by_key;
  for (const MergedRecord& r : m.records) {  // in seed order
    const std::string message = NormaliseMessage(r.record.message);
    Signature& s = by_key[{r.record.outcome, r.record.invariant, message}];
    s.outcome = r.record.outcome;
    s.invariant = r.record.invariant;
    s.message = message;
    s.seeds.push_back(r.record.seed);
  }
  std::vector<Signature> out;
  for (auto& [key, s] : by_key) out.push_back(std::move(s));
  std::stable_sort(out.begin(), out.end(), [](const Signature& a, const Signature& b) {
    return a.seeds.size() != b.seeds.size() ? a.seeds.size() > b.seeds.size()
                                            : a.seeds.front() < b.seeds.front();
  });
  return out;
}

std::string MergeReportJson(const MergeResult& m) {
  const SweepIdentity& c = m.campaign;
  std::vector<std::string> shards, signatures, records;
  std::vector<uint64_t> failing_seeds;
  for (const ShardReport& s : m.shards) {
    shards.push_back(absl::StrCat(
        "{\"shard\":", JsonString(absl::StrCat(s.identity.shard_index, "/", c.shard_count)),
        ",\"report\":", JsonString(s.path), ",\"seeds_total\":", s.seeds_total,
        ",\"seeds_done\":", s.seeds_done, ",\"finished\":", s.finished() ? "true" : "false", "}"));
  }
  for (const Signature& s : Signatures(m)) {
    signatures.push_back(absl::StrCat(
        "{\"outcome\":", JsonString(s.outcome), ",\"invariant\":", JsonString(s.invariant),
        ",\"message\":", JsonString(s.message), ",\"count\":", s.seeds.size(), ",\"seeds\":[",
        absl::StrJoin(s.seeds, ","), "]}"));
  }
  for (const MergedRecord& r : m.records) {
    records.push_back(RecordToJson(r.identity, r.record));
    if (r.record.outcome != "crash") failing_seeds.push_back(r.record.seed);
  }
  const std::string replay = FirstReplay(m);
  return absl::StrCat(
      "{\"command\":\"merge\",\"inputs\":", JsonStrings(m.inputs),
      ",\"scenario\":", JsonString(c.scenario_path),
      ",\"scenario_name\":", JsonString(c.scenario_name), ",\"scenario_hash\":",
      JsonString(m.have_campaign ? absl::StrFormat("%016x", c.scenario_hash) : ""),
      ",\"profile\":", JsonString(c.profile), ",\"switches\":", JsonString(c.switches),
      ",\"seeds\":", JsonString(m.have_campaign ? absl::StrCat(c.first, "..", c.last) : ""),
      ",\"shard_count\":", m.have_campaign ? c.shard_count : 0,
      ",\"version\":", JsonString(c.version), ",\"seeds_total\":", m.seeds_total,
      ",\"seeds_done\":", m.seeds_done, ",\"failing\":", m.failing(), ",\"crashed\":", m.crashed(),
      ",\"failing_seeds\":[", absl::StrJoin(failing_seeds, ","), "],\"signatures\":[",
      absl::StrJoin(signatures, ",\n"),
      "],\"first_replay\":", replay.empty() ? "null" : JsonString(replay),
      ",\"problems\":", JsonStrings(m.problems), ",\"warnings\":", JsonStrings(m.warnings),
      ",\"shards\":[", absl::StrJoin(shards, ",\n"), "],\"failures\":[",
      absl::StrJoin(records, ",\n"), "],\"exit_code\":", MergeExitCode(m), "}\n");
}

std::string MergeJunitXml(const MergeResult& m) {
  std::vector<SuiteRow> rows;
  for (const ShardReport& s : m.shards) rows.push_back(SweepRow(s.identity, ShardResult(m, s)));
  for (const std::string& p : m.problems) {
    SuiteRow row;
    row.identity = m.campaign;
    row.identity.shard_count = 1;  // the campaign as a whole
    row.bad_input = p;
    row.verdict = "not mergeable";
    rows.push_back(std::move(row));
  }
  return JunitXml("replsim merge", rows);
}

void PrintMerge(const MergeResult& m) {
  const SweepIdentity& c = m.campaign;
  for (const std::string& w : m.warnings) std::printf("warning: %s\n", w.c_str());
  if (m.have_campaign) {
    const std::string profile =
        c.switches.empty() ? c.profile : absl::StrCat(c.profile, " ", c.switches);
    std::printf("%-22s %-26s %-16s %-8s %-22s %-8s %s\n", "scenario", "profile", "seeds", "shards",
                "done", "failing", "crashed");
    std::printf("%-22s %-26s %-16s %-8s %-22s %-8zu %zu\n", c.scenario_name.c_str(),
                profile.c_str(), absl::StrCat(c.first, "..", c.last).c_str(),
                absl::StrCat(m.shards.size(), "/", c.shard_count).c_str(),
                absl::StrCat(m.seeds_done, "/", m.seeds_total).c_str(), m.failing(), m.crashed());
    std::printf("built by %s\n", c.version.c_str());
  }
  for (const Signature& s : Signatures(m)) {
    // A violation's message starts with its invariant; a crash's says so.
    std::printf("%zu x %s: %s\n  seeds %s\n", s.seeds.size(), s.outcome.c_str(), s.message.c_str(),
                ShownSeeds(s.seeds).c_str());
  }
  if (!m.records.empty()) std::printf("replay the first: %s\n", FirstReplay(m).c_str());
  if (!m.problems.empty()) {
    std::printf("NOT MERGEABLE as one campaign (%zu problem(s)):\n", m.problems.size());
    for (const std::string& p : m.problems) std::printf("  %s\n", p.c_str());
  }
}

int RunMerge(const CommandLine& cl) {
  std::vector<std::string> paths;
  for (const std::string& p : cl.positional) paths.push_back(ResolveUserPath(p));
  absl::StatusOr<MergeResult> m = MergeShards(paths);
  if (!m.ok()) return BadInput(m.status().message());
  PrintMerge(*m);
  if (cl.Has("report")) {
    if (absl::Status st = WriteReportFile("--report", cl.Get("report"), MergeReportJson(*m));
        !st.ok()) {
      return BadInput(st.message());
    }
  }
  if (cl.Has("junit")) {
    if (absl::Status st = WriteReportFile("--junit", cl.Get("junit"), MergeJunitXml(*m));
        !st.ok()) {
      return BadInput(st.message());
    }
  }
  return MergeExitCode(*m);
}

}  // namespace replsim::tools
