#include "tools/sweep_record.h"

#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sim/stable_hash.h"
#include "tools/build_info.h"
#include "tools/json.h"

namespace replsim::tools {
namespace {

std::string Hex(uint64_t v) { return absl::StrFormat("%016x", v); }

bool ParseHex(const std::string& s, uint64_t* v) {
  return s.size() == 16 && absl::SimpleHexAtoi(s, v);
}

}  // namespace

uint64_t HashBytes(const std::string& bytes) {
  sim::StableHasher h;
  h.AddString(bytes);
  return h.Finish();
}

uint64_t SweepIdentity::Key() const {
  sim::StableHasher h;
  h.AddU64(scenario_hash);
  h.AddString(profile);
  h.AddString(switches);
  h.AddString(scheduler);
  h.AddU64(first);
  h.AddU64(last);
  h.AddU64(static_cast<uint64_t>(shard_index));
  h.AddU64(static_cast<uint64_t>(shard_count));
  h.AddString(version);
  return h.Finish();
}

std::string SweepIdentity::KeyHex() const { return Hex(Key()); }

std::string SweepIdentity::DifferenceFrom(const SweepIdentity& o, absl::string_view ours) const {
  std::vector<std::string> d;
  if (o.scenario_hash != scenario_hash) {
    d.push_back(absl::StrCat("the scenario file's contents (hash ", Hex(o.scenario_hash), "; ",
                             ours == "this sweep" ? "now" : absl::StrCat(ours, ":"), " ",
                             Hex(scenario_hash), ")"));
  }
  if (o.profile != profile) {
    d.push_back(absl::StrCat("profile ", o.profile, " (", ours, ": ", profile, ")"));
  }
  if (o.switches != switches) {
    d.push_back(absl::StrCat("switches \"", o.switches, "\" (", ours, ": \"", switches, "\")"));
  }
  if (o.scheduler != scheduler) {
    d.push_back(absl::StrCat("scheduler \"", o.scheduler, "\" (", ours, ": \"", scheduler, "\")"));
  }
  if (o.first != first || o.last != last) {
    d.push_back(absl::StrCat("seeds ", o.first, "..", o.last, " (", ours, ": ", first, "..",
                             last, ")"));
  }
  if (o.shard_index != shard_index || o.shard_count != shard_count) {
    d.push_back(absl::StrCat("shard ", o.shard_index, "/", o.shard_count, " (", ours, ": ",
                             shard_index, "/", shard_count, ")"));
  }
  if (o.version != version) {
    d.push_back(absl::StrCat("another replsim build (", o.version, "; ",
                             ours == "this sweep" ? "this one" : ours, ": ", version, ")"));
  }
  return absl::StrJoin(d, ", ");
}

std::string ReplayCommand(const std::string& path, uint64_t seed, const std::string& profile,
                          const std::string& switches, const std::string& scheduler) {
  std::string cmd =
      absl::StrCat("bazel run //tools:replsim -- replay ", path, " --seed ", seed);
  if (!profile.empty()) absl::StrAppend(&cmd, " --profile ", profile);
  if (!switches.empty()) absl::StrAppend(&cmd, " --switches ", switches);
  if (!scheduler.empty()) absl::StrAppend(&cmd, " --scheduler ", scheduler);
  return cmd;
}

std::string RecordToJson(const SweepIdentity& id, const SeedRecord& r) {
  return absl::StrCat(
      "{\"sweep\":", JsonString(id.KeyHex()), ",\"seed\":", r.seed,
      ",\"scenario\":", JsonString(id.scenario_path), ",\"scenario_name\":",
      JsonString(id.scenario_name), ",\"scenario_hash\":", JsonString(Hex(id.scenario_hash)),
      ",\"profile\":", JsonString(id.profile), ",\"switches\":", JsonString(id.switches),
      ",\"scheduler\":", JsonString(id.scheduler), ",\"seeds\":", JsonString(absl::StrCat(id.first, "..", id.last)),
      ",\"shard\":", JsonString(absl::StrCat(id.shard_index, "/", id.shard_count)),
      ",\"version\":", JsonString(id.version), ",\"outcome\":", JsonString(r.outcome),
      ",\"invariant\":", JsonString(r.invariant),
      ",\"fingerprint\":", JsonString(Hex(r.fingerprint)), ",\"message\":",
      JsonString(r.message), ",\"replay\":",
      JsonString(ReplayCommand(id.scenario_path, r.seed, id.profile, id.switches, id.scheduler)), "}");
}

absl::StatusOr<SweepIdentity> IdentityFromJson(const JsonObject& o) {
  auto get = [&](const char* k) {
    auto it = o.find(k);
    return it == o.end() ? std::string() : it->second;
  };
  SweepIdentity id;
  id.scenario_path = get("scenario");
  id.scenario_name = get("scenario_name");
  id.profile = get("profile");
  id.switches = get("switches");
  id.scheduler = get("scheduler");
  id.version = get("version");
  const std::string seeds = get("seeds"), shard = get("shard");
  const size_t dots = seeds.find(".."), slash = shard.find('/');
  if (!ParseHex(get("scenario_hash"), &id.scenario_hash) || dots == std::string::npos ||
      !absl::SimpleAtoi(seeds.substr(0, dots), &id.first) ||
      !absl::SimpleAtoi(seeds.substr(dots + 2), &id.last) || slash == std::string::npos ||
      !absl::SimpleAtoi(shard.substr(0, slash), &id.shard_index) ||
      !absl::SimpleAtoi(shard.substr(slash + 1), &id.shard_count)) {
    return absl::InvalidArgumentError(
        "no sweep identity (expected scenario_hash, seeds A..B, shard i/n)");
  }
  return id;
}

absl::StatusOr<ParsedRecord> RecordFromJson(const std::string& line) {
  absl::StatusOr<JsonObject> o = ParseFlatJsonObject(line);
  if (!o.ok()) return o.status();
  auto get = [&](const char* k) {
    auto it = o->find(k);
    return it == o->end() ? std::string() : it->second;
  };
  ParsedRecord p;
  p.sweep_key = get("sweep");
  absl::StatusOr<SweepIdentity> id = IdentityFromJson(*o);
  SeedRecord& r = p.record;
  r.outcome = get("outcome");
  r.invariant = get("invariant");
  r.message = get("message");
  if (!id.ok() || p.sweep_key.size() != 16 || !absl::SimpleAtoi(get("seed"), &r.seed) ||
      !ParseHex(get("fingerprint"), &r.fingerprint) ||
      (r.outcome != "safety" && r.outcome != "liveness" && r.outcome != "crash")) {
    return absl::InvalidArgumentError(
        "not a replsim seed record (expected sweep, seed, scenario_hash, seeds, shard, "
        "outcome safety|liveness|crash, fingerprint)");
  }
  p.identity = *std::move(id);
  return p;
}

}  // namespace replsim::tools
