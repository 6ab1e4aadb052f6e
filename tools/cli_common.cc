#include "tools/cli_common.h"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace replsim::tools {

int BadInput(absl::string_view message) {
  std::fprintf(stderr, "replsim: %.*s\n", static_cast<int>(message.size()),
               message.data());
  return kExitBadInput;
}

std::string ResolveUserPath(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (wd == nullptr) return path;
  const std::string candidate = absl::StrCat(wd, "/", path);
  // Bundled files are also reachable from the runfiles tree.
  if (access(candidate.c_str(), F_OK) == 0 || access(path.c_str(), F_OK) != 0) {
    return candidate;
  }
  return path;
}

bool StderrIsTerminal() { return isatty(2) != 0; }

absl::Status ShardFromFlagOrEnv(const std::string& flag, int* index, int* count) {
  if (!flag.empty()) return ParseShard(flag, index, count);
  const char* i = std::getenv("TEST_SHARD_INDEX");
  const char* n = std::getenv("TEST_TOTAL_SHARDS");
  if (i != nullptr && n != nullptr) {
    if (const char* status = std::getenv("TEST_SHARD_STATUS_FILE")) {
      std::ofstream touch(status);
    }
    return ParseShard(absl::StrCat(i, "/", n), index, count);
  }
  *index = 0;
  *count = 1;
  return absl::OkStatus();
}

namespace {

SeedOutcome OutcomeOf(const absl::StatusOr<scenarios::RunReport>& r) {
  SeedOutcome o;
  if (!r.ok()) {
    o.kind = SeedOutcome::Kind::kSafety;
    o.violation = std::string(r.status().message());
    return o;
  }
  o.fingerprint = r->fingerprint;
  if (const scenarios::Violation* v = r->first_violation()) {
    o.kind = v->liveness ? SeedOutcome::Kind::kLiveness : SeedOutcome::Kind::kSafety;
    o.violation = absl::StrFormat("%s at %.6fs: %s", scenarios::InvariantName(v->invariant),
                                  v->time.nanos() / 1e9, v->message);
  }
  return o;
}

}  // namespace

SeedOutcome RunSeed(const scenarios::Scenario& s, uint64_t seed,
                    const scenarios::RunOptions& options) {
  return RunSeedWith(
      [&](const scenarios::RunOptions& o) { return scenarios::RunScenario(s, seed, o); },
      options);
}

SeedOutcome RunSeedWith(const ScenarioRun& run, const scenarios::RunOptions& options) {
  // A sweep shows the fingerprint of failing seeds only, so a seed runs
  // without one and only a failing seed runs again with it. The second run
  // must find exactly what the first did, which checks determinism for free.
  scenarios::RunOptions unhashed = options;
  unhashed.fingerprint = false;
  auto first = run(unhashed);
  SeedOutcome o = OutcomeOf(first);
  if (!first.ok() || o.kind == SeedOutcome::Kind::kOk) return o;
  scenarios::RunOptions hashed = options;
  hashed.fingerprint = true;
  auto again = run(hashed);
  SeedOutcome o2 = OutcomeOf(again);
  const uint64_t events_again = again.ok() ? again->events : 0;
  if (o2.kind != o.kind || o2.violation != o.violation || events_again != first->events) {
    o.kind = SeedOutcome::Kind::kSafety;
    o.violation = absl::StrFormat(
        "NONDETERMINISM: this seed ran twice in one process and differed: %d events, "
        "\"%s\"; then %d events, \"%s\"",
        first->events, OutcomeOf(first).violation, events_again, o2.violation);
    o.fingerprint = o2.fingerprint;
    return o;
  }
  return o2;
}

std::string ReplayCommand(const std::string& file, uint64_t seed,
                          const scenarios::RunOptions& options) {
  std::string cmd = absl::StrCat("bazel run //tools:replsim -- replay ", file, " --seed ", seed);
  if (!options.profile.empty()) absl::StrAppend(&cmd, " --profile ", options.profile);
  if (!options.switches.empty()) absl::StrAppend(&cmd, " --switches ", options.switches);
  return cmd;
}

void PrintRunReport(const scenarios::Scenario& s, const scenarios::RunReport& r,
                    const std::string& file) {
  std::printf("scenario %s  profile %s  seed %" PRIu64 "\n", s.name().c_str(),
              r.profile.c_str(), r.seed);
  const scenarios::Violation* v = r.first_violation();
  if (v == nullptr) {
    std::printf("outcome: ok (%zu tolerated outcome(s))\n", r.violations.size());
  } else {
    std::printf("outcome: %s VIOLATION (%s)\n", v->liveness ? "LIVENESS" : "SAFETY",
                scenarios::InvariantName(v->invariant));
    std::printf("  at %.9fs: %s\n", v->time.nanos() / 1e9, v->message.c_str());
    if (!v->evidence.empty()) std::printf("  evidence: %s\n", v->evidence.c_str());
    scenarios::RunOptions o;
    o.profile = r.profile.substr(0, r.profile.find(' '));
    std::printf("  replay: %s\n", ReplayCommand(file, r.seed, o).c_str());
  }
  for (const scenarios::Violation& t : r.violations) {
    if (t.tolerated) {
      std::printf("  tolerated: %s: %s\n", scenarios::InvariantName(t.invariant),
                  t.message.c_str());
    }
  }
  std::printf("events %" PRIu64 "  virtual time %.6fs\nfingerprint %016" PRIx64
              "\nunseed %016" PRIx64 "\n",
              r.events, r.end_time.nanos() / 1e9, r.fingerprint, r.unseed);
}

int ExitCodeFor(const scenarios::RunReport& r) {
  const scenarios::Violation* v = r.first_violation();
  if (v == nullptr) return kExitOk;
  return v->liveness ? kExitLiveness : kExitSafety;
}

void PrintSweepSummary(const scenarios::Scenario& s, const std::string& profile,
                       const SweepOptions& o, const SweepResult& r,
                       const std::string& file) {
  std::printf("%-22s %-14s %-14s %-8s %-9s %s\n", "scenario", "profile", "seeds", "run",
              "failing", "seeds/s");
  std::printf("%-22s %-14s %-14s %-8" PRIu64 " %-9zu %.0f\n", s.name().c_str(),
              profile.c_str(), absl::StrCat(o.first, "..", o.last).c_str(), r.seeds_run,
              r.failures.size(), r.seeds_per_second());
  if (r.seeds_skipped > 0) {
    std::printf("(resumed: %" PRIu64 " seeds were done by an earlier run)\n", r.seeds_skipped);
  }
  size_t shown = 0;
  for (const auto& [seed, outcome] : r.failures) {
    if (++shown > 10) {
      std::printf("... and %zu more\n", r.failures.size() - 10);
      break;
    }
    std::printf("seed %" PRIu64 ": %s\n", seed, outcome.violation.c_str());
  }
  if (!r.failures.empty()) {
    scenarios::RunOptions opt;
    opt.profile = profile.substr(0, profile.find(' '));
    std::printf("replay the first: %s\n",
                ReplayCommand(file, r.failures.front().first, opt).c_str());
  }
  PrintCrashes(r, profile, file);
}

void PrintCrashes(const SweepResult& r, const std::string& profile, const std::string& file) {
  for (const WorkerCrash& c : r.crashes) {
    scenarios::RunOptions opt;
    opt.profile = profile.substr(0, profile.find(' '));
    std::printf("REPLSIM CRASHED at seed %" PRIu64 ": the worker running it was %s, and %" PRIu64
                " seed(s) of its share were not run. This is a bug in replsim, not a finding; "
                "see it with: %s\n",
                c.seed, c.how.c_str(), c.seeds_lost, ReplayCommand(file, c.seed, opt).c_str());
  }
}

int ExitCodeFor(const SweepResult& r) {
  if (!r.crashes.empty()) return kExitCrash;
  int code = kExitOk;
  for (const auto& [seed, o] : r.failures) {
    if (o.kind == SeedOutcome::Kind::kSafety) return kExitSafety;
    if (o.kind == SeedOutcome::Kind::kLiveness) code = kExitLiveness;
  }
  return code;
}

}  // namespace replsim::tools
