#include "tools/merge.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/cli_common.h"
#include "tools/json.h"

namespace replsim::tools {
namespace {

constexpr size_t kMaxSentencesPerKind = 20;  // then "... and N more"

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Everything but the shard index: what every shard of one campaign shares.
std::string CampaignKey(const SweepIdentity& id) {
  return absl::StrCat(id.scenario_hash, "\x1f", id.profile, "\x1f", id.switches, "\x1f", id.scheduler, "\x1f",
                      id.first,
                      "..", id.last, "\x1f", id.shard_count, "\x1f", id.version);
}

std::string ShardName(const SweepIdentity& id) {
  return absl::StrCat(id.shard_index, "/", id.shard_count);
}

bool InShard(const SweepIdentity& id, uint64_t seed) {
  return seed >= id.first && seed <= id.last &&
         (seed - id.first) % static_cast<uint64_t>(id.shard_count) ==
             static_cast<uint64_t>(id.shard_index);
}

// Whether shard j/m and shard i/n of the range first..last share a seed:
// an offset r <= last-first with r = i (mod n) and r = j (mod m).
bool SplitsOverlap(uint64_t span, uint64_t i, uint64_t n, uint64_t j, uint64_t m) {
  if ((i > j ? i - j : j - i) % std::gcd(n, m) != 0) return false;
  // r mod m repeats after m/gcd steps of n.
  const uint64_t steps = m / std::gcd(n, m);
  for (uint64_t k = 0, r = i; k < steps && r <= span; ++k) {
    if (r % m == j) return true;
    if (span - r < n) break;
    r += n;
  }
  return false;
}

// One input's classified contents, before the checks.
struct Loaded {
  std::vector<ShardReport> reports;
  std::vector<MergedRecord> records;  // failures files' and reports' own
};

void LoadReport(const std::string& path, Loaded* in, MergeResult* m) {
  std::string text = ReadAll(path);
  absl::StatusOr<JsonObject> o = ParseJsonObjectKeepingNested(text);
  auto get = [&](const char* k) {
    auto it = o->find(k);
    return it == o->end() ? std::string() : it->second;
  };
  if (o.ok() && get("command") == "merge") {
    m->warnings.push_back(absl::StrCat(path, ": a merge's own report; not read"));
    return;
  }
  if (!o.ok() || get("command") != "sweep") {
    m->problems.push_back(absl::StrCat(path, ": not the --report of a replsim sweep (",
                                       o.ok()
                                           ? absl::StrCat("\"command\" is \"", get("command"), "\"")
                                           : std::string(o.status().message()),
                                       ")"));
    return;
  }
  ShardReport r;
  r.path = path;
  absl::StatusOr<SweepIdentity> id = IdentityFromJson(*o);
  absl::StatusOr<std::vector<std::string>> failures = SplitJsonArray(get("failures"));
  if (!id.ok() || !absl::SimpleAtoi(get("seeds_total"), &r.seeds_total) ||
      !absl::SimpleAtoi(get("seeds_done"), &r.seeds_done) || !failures.ok()) {
    m->problems.push_back(absl::StrCat(
        path, ": a sweep report without its identity, seeds_total, seeds_done or failures"));
    return;
  }
  r.identity = *std::move(id);
  if (get("interrupted") != "null") r.interrupted = get("interrupted");
  (void)absl::SimpleAtod(get("seconds"), &r.seconds);
  for (const std::string& f : *failures) {
    absl::StatusOr<ParsedRecord> p = RecordFromJson(f);
    if (!p.ok()) {
      m->problems.push_back(
          absl::StrCat(path, ": a failure that is not a seed record: ", p.status().message()));
      continue;
    }
    in->records.push_back(MergedRecord{p->identity, p->record, path});
  }
  in->reports.push_back(std::move(r));
}

void LoadFailures(const std::string& path, Loaded* in, MergeResult* m) {
  std::ifstream file(path);
  std::string line;
  for (int n = 1; std::getline(file, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    absl::StatusOr<ParsedRecord> p = RecordFromJson(line);
    if (!p.ok()) {
      // A task killed mid-write leaves a cut line; its resumed sweep ran the
      // seed again and wrote it whole.
      m->warnings.push_back(absl::StrCat(path, ":", n,
                                         ": skipped a line that is not a seed record (cut "
                                         "short when a task was killed?)"));
      continue;
    }
    in->records.push_back(MergedRecord{p->identity, p->record, path});
  }
}

absl::Status LoadInputs(const std::vector<std::string>& paths, Loaded* in, MergeResult* m) {
  for (const std::string& p : paths) {
    struct stat st;
    if (stat(p.c_str(), &st) != 0) {
      return absl::InvalidArgumentError(absl::StrCat(p, ": no such file or directory"));
    }
    std::vector<std::string> files;
    if (S_ISDIR(st.st_mode)) {
      if (DIR* d = opendir(p.c_str())) {
        while (const dirent* e = readdir(d)) {
          const std::string name = e->d_name;
          if (absl::EndsWith(name, ".json") || absl::EndsWith(name, ".jsonl")) {
            files.push_back(absl::StrCat(p, absl::EndsWith(p, "/") ? "" : "/", name));
          }
        }
        closedir(d);
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) {
        m->problems.push_back(
            absl::StrCat(p, ": no shard results in it (*.json reports, *.jsonl failures files)"));
      }
    } else {
      files.push_back(p);
    }
    for (const std::string& f : files) {
      m->inputs.push_back(f);
      if (absl::EndsWith(f, ".json")) {
        LoadReport(f, in, m);
      } else {
        LoadFailures(f, in, m);
      }
    }
  }
  return absl::OkStatus();
}

// The campaign: the identity (but the shard index) most reports share, or
// most records when there is no report; the first seen on a tie.
bool ChooseCampaign(const Loaded& in, SweepIdentity* campaign) {
  std::vector<const SweepIdentity*> ids;
  for (const ShardReport& r : in.reports) ids.push_back(&r.identity);
  if (ids.empty()) {
    for (const MergedRecord& r : in.records) ids.push_back(&r.identity);
  }
  if (ids.empty()) return false;
  std::map<std::string, size_t> count;
  for (const SweepIdentity* id : ids) ++count[CampaignKey(*id)];
  const SweepIdentity* best = ids[0];
  for (const SweepIdentity* id : ids) {
    if (count[CampaignKey(*id)] > count[CampaignKey(*best)]) best = id;
  }
  *campaign = *best;
  campaign->shard_index = 0;
  return true;
}

// Adds `sentences` to `out`, at most kMaxSentencesPerKind of them.
void AddCapped(const std::vector<std::string>& sentences, const std::string& more,
               std::vector<std::string>* out) {
  for (size_t i = 0; i < sentences.size() && i < kMaxSentencesPerKind; ++i) {
    out->push_back(sentences[i]);
  }
  if (sentences.size() > kMaxSentencesPerKind) {
    out->push_back(
        absl::StrCat("... and ", sentences.size() - kMaxSentencesPerKind, " more ", more));
  }
}

// What `id` ran that the campaign `c` did not, in words; "" when it ran a
// shard of the same campaign, though perhaps of another split.
std::string ForeignDifference(const SweepIdentity& c, const SweepIdentity& id) {
  SweepIdentity ours = c;
  ours.shard_index = id.shard_index;
  ours.shard_count = id.shard_count;
  std::string why = ours.DifferenceFrom(id, "the campaign");
  if (!why.empty() && id.shard_count != c.shard_count) {
    absl::StrAppend(&why, ", a ", id.shard_count, "-way split (the campaign: ", c.shard_count,
                    "-way)");
  }
  return why;
}

// The reports of other campaigns: overlapping splits and something else.
void CheckForeignReport(const ShardReport& r, const SweepIdentity& c,
                        std::vector<std::string>* problems) {
  if (std::string why = ForeignDifference(c, r.identity); !why.empty()) {
    problems->push_back(
        absl::StrCat(r.path, " (shard ", ShardName(r.identity), ") ran something else: ", why));
    return;
  }
  std::vector<std::string> overlapped;
  for (int i = 0; i < c.shard_count && overlapped.size() < 8; ++i) {
    if (SplitsOverlap(c.last - c.first, i, c.shard_count, r.identity.shard_index,
                      r.identity.shard_count)) {
      overlapped.push_back(absl::StrCat(i, "/", c.shard_count));
    }
  }
  problems->push_back(absl::StrCat(
      r.path, " is overlapping: shard ", ShardName(r.identity), " of a ", r.identity.shard_count,
      "-way split, while the campaign is split ", c.shard_count,
      " ways; its seeds are also those of shard(s) ", absl::StrJoin(overlapped, ", ")));
}

}  // namespace

size_t MergeResult::failing() const {
  return std::count_if(records.begin(), records.end(),
                       [](const MergedRecord& r) { return r.record.outcome != "crash"; });
}

size_t MergeResult::crashed() const { return records.size() - failing(); }

absl::StatusOr<MergeResult> MergeShards(const std::vector<std::string>& paths) {
  MergeResult m;
  Loaded in;
  if (absl::Status st = LoadInputs(paths, &in, &m); !st.ok()) return st;
  m.have_campaign = ChooseCampaign(in, &m.campaign);
  if (!m.have_campaign) {
    m.problems.push_back("no shard results: no sweep report and no seed record in the inputs");
    return m;
  }
  const SweepIdentity& c = m.campaign;
  const std::string key = CampaignKey(c);
  m.seeds_total = c.last - c.first + 1;

  // Reports: one per shard of the campaign.
  std::vector<std::string> missing, unfinished, overlapping;
  std::map<int, std::vector<const ShardReport*>> by_index;
  std::set<uint64_t> foreign_reports;  // their records are said with them
  for (const ShardReport& r : in.reports) {
    if (CampaignKey(r.identity) == key) {
      by_index[r.identity.shard_index].push_back(&r);
    } else {
      CheckForeignReport(r, c, &m.problems);
      foreign_reports.insert(r.identity.Key());
    }
  }
  // Records: the campaign's, one per seed; which shards have any.
  std::map<uint64_t, MergedRecord> by_seed;
  std::map<int, size_t> records_of_shard;
  std::map<std::string, std::string> foreign;  // failures file -> what differs
  std::set<uint64_t> conflicting;
  for (const MergedRecord& r : in.records) {
    if (CampaignKey(r.identity) != key) {
      if (foreign_reports.count(r.identity.Key()) == 0) {
        std::string why = ForeignDifference(c, r.identity);
        foreign.emplace(
            r.source,
            why.empty()
                ? absl::StrCat("shard ", ShardName(r.identity), " of a ", r.identity.shard_count,
                               "-way split (the campaign: ", c.shard_count, "-way)")
                : why);
      }
      continue;
    }
    if (!InShard(r.identity, r.record.seed)) {
      m.problems.push_back(absl::StrCat(r.source, ": seed ", r.record.seed, " is not one of shard ",
                                        ShardName(r.identity)));
      continue;
    }
    ++records_of_shard[r.identity.shard_index];
    auto [it, fresh] = by_seed.emplace(r.record.seed, r);
    const SeedRecord& a = it->second.record;
    if (!fresh && conflicting.count(r.record.seed) == 0 &&
        (a.outcome != r.record.outcome || a.invariant != r.record.invariant ||
         a.fingerprint != r.record.fingerprint || a.message != r.record.message)) {
      m.problems.push_back(absl::StrCat("seed ", r.record.seed, " has two different records (",
                                        it->second.source, ": ", a.message, "; ", r.source, ": ",
                                        r.record.message,
                                        "): the same build ran it twice and differed"));
      conflicting.insert(r.record.seed);
    }
  }
  for (const auto& [file, why] : foreign) {
    m.problems.push_back(absl::StrCat(file, " holds records of another sweep: ", why));
  }
  for (int i = 0; i < c.shard_count; ++i) {
    const std::string name = absl::StrCat(i, "/", c.shard_count);
    auto it = by_index.find(i);
    if (it == by_index.end()) {
      if (records_of_shard.count(i) == 0) {
        missing.push_back(absl::StrCat("shard ", name,
                                       " is missing: no report and no records (its task "
                                       "never ran, or wrote elsewhere)"));
      } else {
        unfinished.push_back(absl::StrCat(
            "shard ", name, " is unfinished: no report, but ", records_of_shard[i],
            " record(s) in a failures file (its task is still running, or was killed before "
            "the end: rerun it to resume)"));
      }
      continue;
    }
    std::vector<const ShardReport*>& reports = it->second;
    if (reports.size() > 1) {
      std::vector<std::string> files;
      for (const ShardReport* r : reports) files.push_back(r->path);
      overlapping.push_back(
          absl::StrCat("shard ", name, " is overlapping: reported ", reports.size(), " times, by ",
                       absl::StrJoin(files, " and "), " (more than one task ran it)"));
    }
    const ShardReport* best = *std::max_element(
        reports.begin(), reports.end(),
        [](const ShardReport* a, const ShardReport* b) { return a->seeds_done < b->seeds_done; });
    m.shards.push_back(*best);
    m.seeds_done += best->seeds_done;
    if (!best->finished()) {
      unfinished.push_back(absl::StrCat(
          "shard ", name, " is unfinished: ", best->seeds_done, " of ", best->seeds_total,
          " seeds done", best->interrupted.empty() ? "" : " (interrupted by ", best->interrupted,
          best->interrupted.empty() ? "" : ")", " in ", best->path, "; rerun its task to resume"));
    }
  }
  AddCapped(missing, "shards missing", &m.problems);
  AddCapped(unfinished, "shards unfinished", &m.problems);
  AddCapped(overlapping, "shards overlapping", &m.problems);
  for (auto& [seed, r] : by_seed) m.records.push_back(std::move(r));
  return m;
}

int MergeExitCode(const MergeResult& m) {
  if (!m.problems.empty()) return kExitBadInput;
  int code = kExitOk;
  for (const MergedRecord& r : m.records) {
    if (r.record.outcome == "crash") return kExitCrash;
    if (r.record.outcome == "safety") code = kExitSafety;
    if (r.record.outcome == "liveness" && code == kExitOk) code = kExitLiveness;
  }
  return code;
}

}  // namespace replsim::tools
