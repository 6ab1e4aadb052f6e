#include "tools/cli_common.h"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <csignal>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scheduler_override.h"
#include "tools/crash_handler.h"
#include "tools/flags.h"

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

void WarnIfMoreJobsThanCores(int jobs) {
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  if (cores > 0 && jobs > cores) {
    std::fprintf(stderr,
                 "replsim: warning: --jobs %d is more than this machine's %ld cores; the "
                 "workers will share them (no faster, and seeds/s per worker drops)\n",
                 jobs, cores);
  }
}

absl::StatusOr<LoadedScenario> LoadScenarioForCli(const std::string& path) {
  const std::string resolved = ResolveUserPath(path);
  absl::StatusOr<scenarios::Scenario> s = scenarios::LoadScenarioFile(resolved);
  if (!s.ok()) return s.status();
  std::ifstream in(resolved, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  LoadedScenario out;
  out.path = path;
  out.scenario = *std::move(s);
  out.hash = HashBytes(bytes.str());
  return out;
}

absl::StatusOr<RunSetup> SetupRun(const scenarios::Scenario& s, const std::string& profile,
                                  const std::string& switches, const std::string& scheduler) {
  RunSetup setup;
  setup.options.profile = profile;
  setup.options.switches = switches;
  absl::StatusOr<node::Behavior> b = scenarios::ResolveBehavior(s, setup.options);
  if (!b.ok()) return b.status();
  setup.profile = scenarios::RunProfile(s, setup.options);
  setup.switches = scenarios::CanonicalSwitches(*b);
  setup.description = b->description;
  absl::StatusOr<std::string> canonical = scenarios::CanonicalSchedulerOverride(scheduler);
  if (!canonical.ok()) return canonical.status();
  setup.scheduler = *canonical;
  setup.options.scheduler = *canonical;
  if (SelftestCrashAfterEvents() > 0) {
    setup.options.sink = WithSelftestCrash(nullptr);
  }
  return setup;
}

std::string ReplayCommandFor(const std::string& path, uint64_t seed, const RunSetup& setup) {
  return ReplayCommand(path, seed, setup.profile, setup.switches, setup.scheduler);
}

absl::Status EmbedScheduler(scenarios::Scenario* s, RunSetup* setup) {
  absl::StatusOr<scenarios::Scheduler> k =
      scenarios::ApplySchedulerOverride(s->scheduler(), setup->options.scheduler);
  if (!k.ok()) return k.status();
  if (!setup->options.scheduler.empty()) *s->mutable_scheduler() = *std::move(k);
  setup->options.scheduler.clear();
  return absl::OkStatus();
}

absl::Status ShardFromFlagOrEnv(const std::string& flag, const std::string& count_flag,
                                int* index, int* count) {
  if (!flag.empty() && !count_flag.empty()) {
    return absl::InvalidArgumentError("give --shard i/n or --shard_count N, not both");
  }
  if (!flag.empty()) return ParseShard(flag, index, count);
  if (!count_flag.empty()) {
    absl::StatusOr<int64_t> n = ParseIntFlag("--shard_count", count_flag, 1, 1 << 30);
    if (!n.ok()) return n.status();
    const char* i = std::getenv("JOB_COMPLETION_INDEX");
    if (i == nullptr) {
      return absl::InvalidArgumentError(
          "--shard_count takes the shard's index from JOB_COMPLETION_INDEX (set in each pod "
          "of a Kubernetes Indexed Job), which is not set; give --shard i/n");
    }
    if (absl::Status st = ParseShard(absl::StrCat(i, "/", *n), index, count); !st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "JOB_COMPLETION_INDEX=", i, " is not a shard of --shard_count ", *n,
          " (expected 0..", *n - 1, ": the Job's completions and --shard_count must agree)"));
    }
    return absl::OkStatus();
  }
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

std::string ViolationLine(const scenarios::Violation& v) {
  return absl::StrFormat("%s at %.6fs: %s", scenarios::InvariantName(v.invariant),
                         v.time.nanos() / 1e9, v.message);
}

namespace {

SeedOutcome OutcomeOf(const absl::StatusOr<scenarios::RunReport>& r) {
  SeedOutcome o;
  if (!r.ok()) {
    o.kind = SeedOutcome::Kind::kSafety;
    o.invariant = "RUN_FAILED";
    o.violation = std::string(r.status().message());
    return o;
  }
  o.fingerprint = r->fingerprint;
  if (const scenarios::Violation* v = r->first_violation()) {
    o.kind = v->liveness ? SeedOutcome::Kind::kLiveness : SeedOutcome::Kind::kSafety;
    o.invariant = scenarios::InvariantName(v->invariant);
    o.violation = ViolationLine(*v);
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
    o.invariant = "NONDETERMINISM";
    o.violation = absl::StrFormat(
        "NONDETERMINISM: this seed ran twice in one process and differed: %d events, "
        "\"%s\"; then %d events, \"%s\"",
        first->events, OutcomeOf(first).violation, events_again, o2.violation);
    o.fingerprint = o2.fingerprint;
    return o;
  }
  return o2;
}

void PrintRunReport(const LoadedScenario& s, const RunSetup& setup,
                    const scenarios::RunReport& r) {
  std::printf("scenario %s  profile %s  seed %" PRIu64 "%s\n", s.scenario.name().c_str(),
              r.profile.c_str(), r.seed,
              setup.scheduler.empty() ? "" : ("  scheduler " + setup.scheduler).c_str());
  const scenarios::Violation* v = r.first_violation();
  if (v == nullptr) {
    std::printf("outcome: ok (%zu tolerated outcome(s))\n", r.violations.size());
  } else {
    std::printf("outcome: %s VIOLATION (%s)\n", v->liveness ? "LIVENESS" : "SAFETY",
                scenarios::InvariantName(v->invariant));
    std::printf("  at %.9fs: %s\n", v->time.nanos() / 1e9, v->message.c_str());
    if (!v->evidence.empty()) std::printf("  evidence: %s\n", v->evidence.c_str());
    std::printf("  replay: %s\n", ReplayCommandFor(s.path, r.seed, setup).c_str());
  }
  for (const scenarios::Violation& t : r.violations) {
    if (t.tolerated) {
      std::printf("  tolerated (the scenario's expect row lists it): %s: %s\n",
                  scenarios::InvariantName(t.invariant), t.message.c_str());
    }
  }
  std::printf("events %" PRIu64 "  virtual time %.6fs\nfingerprint %016" PRIx64
              "  (a hash of the whole trace)\nunseed %016" PRIx64
              "  (the random streams' state at the end; see --help)\n",
              r.events, r.end_time.nanos() / 1e9, r.fingerprint, r.unseed);
}

int ExitCodeFor(const scenarios::RunReport& r) {
  const scenarios::Violation* v = r.first_violation();
  if (v == nullptr) return kExitOk;
  return v->liveness ? kExitLiveness : kExitSafety;
}

void PrintSweepSummary(const SweepIdentity& id, const SweepResult& r) {
  if (!r.resume_note.empty()) std::printf("%s\n", r.resume_note.c_str());
  if (r.already_done) {
    std::printf("this sweep was already done by an earlier run; its result:\n");
  }
  const std::string profile =
      id.switches.empty() ? id.profile : absl::StrCat(id.profile, " ", id.switches);
  std::printf("%-22s %-26s %-16s %-10s %-10s %-8s %s\n", "scenario", "profile", "seeds",
              "done", "failing", "crashed", "seeds/s");
  std::string range = absl::StrCat(id.first, "..", id.last);
  if (id.shard_count > 1) absl::StrAppend(&range, " ", id.shard_index, "/", id.shard_count);
  std::printf("%-22s %-26s %-16s %-10s %-10zu %-8zu %.0f\n", id.scenario_name.c_str(),
              profile.c_str(), range.c_str(),
              absl::StrCat(r.seeds_done(), "/", r.seeds_total).c_str(), r.failures.size(),
              r.crashes.size(), r.seeds_per_second());
  if (!r.already_done) {
    std::printf("peak RSS: parent %.1f MiB, largest worker %.1f MiB; CPU: parent %.2f s, "
                "workers %.2f s, in %.2f s\n",
                r.parent_peak_rss_mib, r.worker_peak_rss_mib, r.parent_cpu_seconds,
                r.worker_cpu_seconds, r.seconds);
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
    std::printf("replay the first: %s\n",
                ReplayCommand(id.scenario_path, r.failures.front().first, id.profile,
                              id.switches, id.scheduler)
                    .c_str());
  }
  PrintCrashes(id, r);
  if (r.interrupted_by != 0) {
    std::printf("INTERRUPTED by %s after %" PRIu64 " of %" PRIu64
                " seeds: the summary above covers only those; %s\n",
                r.interrupted_by == SIGINT ? "SIGINT" : "SIGTERM", r.seeds_done(),
                r.seeds_total,
                "progress is saved beside the failures file, and the same command resumes");
  }
}

void PrintCrashes(const SweepIdentity& id, const SweepResult& r) {
  for (const WorkerCrash& c : r.crashes) {
    std::printf("REPLSIM CRASHED at seed %" PRIu64
                " (a bug in replsim, not a finding): %s%s%s\n  see it with: %s\n",
                c.seed, c.how.c_str(), c.last_words.empty() ? "" : ": ",
                c.last_words.c_str(),
                ReplayCommand(id.scenario_path, c.seed, id.profile, id.switches, id.scheduler).c_str());
  }
}

int ExitCodeFor(const SweepResult& r) {
  if (r.interrupted_by != 0) return 128 + r.interrupted_by;
  if (!r.crashes.empty()) return kExitCrash;
  int code = kExitOk;
  for (const auto& [seed, o] : r.failures) {
    if (o.kind == SeedOutcome::Kind::kSafety) return kExitSafety;
    if (o.kind == SeedOutcome::Kind::kLiveness) code = kExitLiveness;
  }
  return code;
}

}  // namespace replsim::tools
