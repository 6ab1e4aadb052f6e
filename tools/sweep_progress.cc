#include "tools/sweep_progress.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace replsim::tools {
namespace {

constexpr char kMagic[] = "replsim sweep progress v2";

std::string ProgressPath(const std::string& failures_path) {
  return failures_path + ".progress";
}

// The identity a progress file was written for, and its done positions.
struct ProgressFile {
  SweepIdentity id;
  std::string key;
  uint64_t prefix = 0;
  std::vector<uint64_t> extra;
};

bool ReadProgressFile(const std::string& path, ProgressFile* f) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line) || line != kMagic) return false;
  bool have_done = false;
  while (std::getline(in, line)) {
    const size_t sp = line.find(' ');
    const std::string k = line.substr(0, sp);
    const std::string v = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (k == "key") {
      f->key = v;
    } else if (k == "scenario_hash") {
      if (!absl::SimpleHexAtoi(v, &f->id.scenario_hash)) return false;
    } else if (k == "profile") {
      f->id.profile = v;
    } else if (k == "switches") {
      f->id.switches = v;
    } else if (k == "scheduler") {
      f->id.scheduler = v;
    } else if (k == "version") {
      f->id.version = v;
    } else if (k == "seeds") {
      std::vector<std::string> ab = absl::StrSplit(v, "..");
      if (ab.size() != 2 || !absl::SimpleAtoi(ab[0], &f->id.first) ||
          !absl::SimpleAtoi(ab[1], &f->id.last)) {
        return false;
      }
    } else if (k == "shard") {
      std::vector<std::string> in = absl::StrSplit(v, '/');
      if (in.size() != 2 || !absl::SimpleAtoi(in[0], &f->id.shard_index) ||
          !absl::SimpleAtoi(in[1], &f->id.shard_count)) {
        return false;
      }
    } else if (k == "done") {
      have_done = absl::SimpleAtoi(v, &f->prefix);
    } else if (k == "extra") {
      for (absl::string_view p : absl::StrSplit(v, ' ', absl::SkipEmpty())) {
        uint64_t n = 0;
        if (!absl::SimpleAtoi(p, &n)) return false;
        f->extra.push_back(n);
      }
    }
  }
  return have_done && !f->key.empty();
}

}  // namespace

void SweepProgress::MarkDone(uint64_t p) {
  if (p < prefix) return;
  if (p != prefix) {
    extra.insert(p);
    return;
  }
  ++prefix;
  while (!extra.empty() && *extra.begin() == prefix) {
    extra.erase(extra.begin());
    ++prefix;
  }
}

SeedRecord CrashRecord(const WorkerCrash& c) {
  SeedRecord r;
  r.seed = c.seed;
  r.outcome = "crash";
  r.message = absl::StrCat("replsim crashed (a bug in replsim, not a finding): the worker "
                           "running this seed was ",
                           c.how, c.last_words.empty() ? "" : ": ", c.last_words);
  return r;
}

WorkerCrash CrashFromRecord(const SeedRecord& r) {
  WorkerCrash c;
  c.seed = r.seed;
  c.how = r.message;
  return c;
}

SeedOutcome OutcomeFromRecord(const SeedRecord& r) {
  SeedOutcome o;
  o.kind = r.outcome == "safety" ? SeedOutcome::Kind::kSafety : SeedOutcome::Kind::kLiveness;
  o.fingerprint = r.fingerprint;
  o.invariant = r.invariant;
  o.violation = r.message;
  return o;
}

SweepProgress LoadProgress(const std::string& failures_path, const SweepIdentity& id,
                           uint64_t base, uint64_t stride, uint64_t count) {
  SweepProgress p;
  if (failures_path.empty()) return p;
  auto position = [&](uint64_t seed, uint64_t* pos) {
    if (seed < base || (seed - base) % stride != 0) return false;
    *pos = (seed - base) / stride;
    return *pos < count;
  };
  const std::string key = id.KeyHex();
  ProgressFile f;
  const std::string path = ProgressPath(failures_path);
  if (access(path.c_str(), F_OK) == 0) {
    if (!ReadProgressFile(path, &f)) {
      p.note = absl::StrCat(path, " is not a progress file this replsim wrote; starting afresh");
    } else if (f.key != key) {
      std::string why = id.DifferenceFrom(f.id);
      if (why.empty()) why = "another sweep";
      p.note = absl::StrCat(path, " was left by another sweep: ", why, "; starting afresh");
    } else {
      p.prefix = std::min(f.prefix, count);
      for (uint64_t q : f.extra) {
        if (q < count) p.MarkDone(q);
      }
    }
  }
  // The failures file: each line of this sweep is a done seed with its result.
  std::ifstream in(failures_path);
  std::string line;
  absl::btree_set<uint64_t> seen;  // a seed's first line is its result
  while (std::getline(in, line)) {
    absl::StatusOr<ParsedRecord> r = RecordFromJson(line);
    uint64_t pos = 0;
    if (!r.ok() || r->sweep_key != key || !position(r->record.seed, &pos) ||
        !seen.insert(pos).second) {
      continue;
    }
    if (r->record.outcome == "crash") {
      p.crashes.push_back(CrashFromRecord(r->record));
    } else {
      p.failures.emplace_back(r->record.seed, OutcomeFromRecord(r->record));
    }
    p.MarkDone(pos);
  }
  if (p.done() > 0) {
    p.note = absl::StrFormat("resuming: %d of %d seeds were done by an earlier run of this "
                             "sweep (%s), %d of them failing or crashed",
                             p.done(), count, path, seen.size());
  }
  return p;
}

bool SaveProgress(const std::string& failures_path, const SweepIdentity& id,
                  const SweepProgress& p) {
  if (failures_path.empty()) return true;
  const std::string path = ProgressPath(failures_path);
  std::string text = absl::StrFormat(
      "%s\nkey %s\nscenario %s\nscenario_hash %016x\nprofile %s\nswitches %s\nscheduler %s\nseeds %d..%d\n"
      "shard %d/%d\nversion %s\ndone %d\nextra",
      kMagic, id.KeyHex(), id.scenario_path, id.scenario_hash, id.profile, id.switches, id.scheduler,
      id.first, id.last, id.shard_index, id.shard_count, id.version, p.prefix);
  for (uint64_t q : p.extra) absl::StrAppend(&text, " ", q);
  text += "\n";
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  bool ok = true;
  for (size_t off = 0; ok && off < text.size();) {
    const ssize_t n = write(fd, text.data() + off, text.size() - off);
    ok = n > 0;
    off += ok ? static_cast<size_t>(n) : 0;
  }
  ok = ok && fsync(fd) == 0;
  close(fd);
  return ok && rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace replsim::tools
