// `replsim fuzz`: runs each seed's generated schedule (scenarios/
// fuzz_generator.h) through the sweep machinery (forked workers, crash
// isolation, SIGINT), then writes every failing seed's scenario under
// DIR/<signature>/<seed>.textproto, shrinks the first of each signature
// and prints each signature once with its count and smallest reproducer.
#include <algorithm>
#include <filesystem>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "scenarios/fuzz_generator.h"
#include "scenarios/fuzz_spec_loader.h"
#include "scenarios/state_coverage.h"
#include "tools/cli_common.h"
#include "tools/failure_diagrams.h"
#include "tools/fuzz_reproducer.h"
#include "tools/fuzz_shrink.h"
#include "tools/reports.h"
#include "tools/sweep_record.h"

namespace replsim::tools {
namespace {

// A CLEAN_SWITCHOVER violation outside the invariant's precondition (a
// standby not streaming when the primary stopped) is most likely PostgreSQL
// behaving as designed: it is labelled so, and still counted in the exit
// code like any failure, since only a spec's own `tolerated` list may
// tolerate an outcome.
bool ByDesign(const std::string& signature) {
  return absl::StrContains(signature, "outside CLEAN_SWITCHOVER's precondition");
}

// What the run's own message shows to be a real PostgreSQL release's
// behaviour (RunState says which: the 15 postmaster that waits for its
// checkpointer after a stop during crash recovery; a standby that refuses a
// timeline forked before its WAL's end): labelled, and counted like any
// failure.
bool RealBehaviour(const std::string& signature) {
  return absl::StrContains(signature, "hangs so too: a smart or fast stop during crash recovery") ||
         absl::StrContains(signature, "refuses to follow, as PostgreSQL does when");
}

const char* Label(const std::string& signature) {
  if (ByDesign(signature)) {
    return "  [outside the invariant's precondition: likely PostgreSQL's design; a spec may "
           "tolerate it]";
  }
  if (RealBehaviour(signature)) return "  [what PostgreSQL does too: a spec may tolerate it]";
  return "";
}

struct Group {
  std::vector<uint64_t> seeds;
  SeedOutcome::Kind kind = SeedOutcome::Kind::kOk;
  std::string smallest;  // path of the reproducer with the fewest steps
  int smallest_steps = 0;
  std::string example;   // the first seed's violation line
};

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out.good()) return absl::InvalidArgumentError(absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

// Protocol states: each worker process appends the states new to it to
// DIR/.states/<pid>.txt, one per line; the union is the run's count.
void AppendStates(const std::string& dir, scenarios::StateCoverage& cov) {
  const std::vector<std::string> fresh = cov.TakeNew();
  if (fresh.empty()) return;
  std::ofstream out(ResolveUserPath(absl::StrCat(dir, "/", getpid(), ".txt")),
                    std::ios::binary | std::ios::app);
  for (const std::string& k : fresh) out << k << '\n';
}

scenarios::StateCoverage ReadStates(const std::string& dir) {
  scenarios::StateCoverage all;
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(ResolveUserPath(dir), ec)) {
    std::ifstream in(f.path(), std::ios::binary);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) all.Add(line);
    }
  }
  return all;
}

// The --report JSON gains "protocol_states" (reports.cc writes the rest).
absl::Status AddStatesToReport(const std::string& path, const scenarios::StateCoverage& c) {
  std::ifstream in(ResolveUserPath(path), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string json = text.str();
  const size_t end = json.rfind('}');
  if (end == std::string::npos) return absl::InvalidArgumentError(path + ": not a JSON object");
  json.insert(end, absl::StrCat(",\"protocol_states\":{\"distinct\":", c.distinct(),
                                ",\"node_states\":", c.node_states(), ",\"fault_phases\":",
                                c.fault_phases(), "}"));
  return WriteFile(path, json);
}

}  // namespace

int FuzzCommand(const CommandLine& cl) {
  const std::string spec_path = cl.positional[0];
  absl::StatusOr<scenarios::FuzzSpec> spec =
      scenarios::LoadFuzzSpecFile(ResolveUserPath(spec_path));
  if (!spec.ok()) return BadInput(spec.status().message());
  absl::StatusOr<RunSetup> setup =
      SetupRun(spec->scenario(), cl.Get("profile"), cl.Get("switches"), cl.Get("scheduler"));
  if (!setup.ok()) return BadInput(setup.status().message());
  // Reproducers carry the scheduler in their own scheduler block.
  if (absl::Status st = EmbedScheduler(spec->mutable_scenario(), &*setup); !st.ok()) {
    return BadInput(st.message());
  }
  if (!cl.Has("seeds")) return BadInput("--seeds A..B is required");
  SweepOptions o;
  SweepIdentity& id = o.identity;
  if (absl::Status st = ParseSeedRange(cl.Get("seeds"), &id.first, &id.last); !st.ok()) {
    return BadInput(st.message());
  }
  // The template must generate under this profile (its settings exist there).
  if (auto g = scenarios::GenerateSchedule(*spec, id.first, setup->profile, setup->switches);
      !g.ok()) {
    return BadInput(g.status().message());
  }
  std::ifstream in(ResolveUserPath(spec_path), std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  id.scenario_path = spec_path;
  id.scenario_name = spec->name();
  id.scenario_hash = HashBytes(bytes.str());
  id.profile = setup->profile;
  id.switches = setup->switches;
  id.scheduler = setup->scheduler;
  id.version = BuildVersion();
  absl::StatusOr<int64_t> jobs = ParseIntFlag("--jobs", cl.Get("jobs", "1"), 1, 256);
  if (!jobs.ok()) return BadInput(jobs.status().message());
  o.jobs = static_cast<int>(*jobs);
  WarnIfMoreJobsThanCores(o.jobs);
  o.show_progress = StderrIsTerminal();
  o.progress_lines = !o.show_progress;
  const std::string out_dir = cl.Get("out", absl::StrCat("fuzz-out/", spec->name()));
  const scenarios::RunOptions options = setup->options;
  const std::string states_dir = absl::StrCat(out_dir, "/.states");
  std::error_code states_ec;
  std::filesystem::remove_all(ResolveUserPath(states_dir), states_ec);
  std::filesystem::create_directories(ResolveUserPath(states_dir), states_ec);
  scenarios::StateCoverage coverage;  // each worker has its own copy
  scenarios::RunOptions observed = options;
  observed.sink = [&coverage](const sim::TraceEvent& e) { coverage.Observe(e); };
  auto generate = [&](uint64_t seed) {
    return scenarios::GenerateSchedule(*spec, seed, setup->profile, setup->switches);
  };
  auto result = RunSweep(o, [&](uint64_t seed) {
    auto g = generate(seed);
    if (!g.ok()) {
      return SeedOutcome{SeedOutcome::Kind::kSafety, 0, "GENERATE_FAILED",
                         std::string(g.status().message())};
    }
    coverage.BeginRun();
    SeedOutcome outcome = RunSeed(g->scenario, seed, observed);
    AppendStates(states_dir, coverage);
    return outcome;
  });
  if (!result.ok()) return BadInput(result.status().message());

  std::map<std::string, Group> groups;
  auto write_seed = [&](const std::string& dir, uint64_t seed,
                        const std::string& what) -> absl::StatusOr<std::string> {
    auto g = generate(seed);
    if (!g.ok()) return g.status();
    const std::string path = absl::StrCat(dir, "/", seed, ".textproto");
    const std::string text = ReproducerText(*g, path, seed, *setup,
                                            absl::StrCat("replsim fuzz ", spec_path), what);
    if (absl::Status st = WriteReproducer(path, text); !st.ok()) return st;
    return path;
  };
  for (const auto& [seed, outcome] : result->failures) {
    const std::string sig = FailureSignature(outcome);
    Group& grp = groups[sig];
    const std::string dir = ReproducerDir(out_dir, sig);
    auto path = write_seed(dir, seed, absl::StrCat("first violation: ", outcome.violation));
    if (!path.ok()) return BadInput(path.status().message());
    const int steps = generate(seed)->scenario.steps_size();
    if (grp.seeds.empty() || steps < grp.smallest_steps) {
      grp.smallest = *path;
      grp.smallest_steps = steps;
    }
    if (grp.seeds.empty()) {
      grp.kind = outcome.kind;
      grp.example = outcome.violation;
      // Shrink the first failure of each signature.
      const scenarios::Scenario s = generate(seed)->scenario;
      const ShrinkResult r = Shrink(s, seed, options, sig);
      const std::string min_path = absl::StrCat(dir, "/", seed, ".min.textproto");
      const std::string text = ScheduleFileText(
          scenarios::GeneratedSchedule{r.scenario, {}, {}, 0, 0},
          absl::StrCat("shrunk by replsim fuzz from ", *path, "\nsignature: ", sig,
                       "\nreproduce: ", ReplayCommandFor(min_path, seed, *setup)));
      if (absl::Status st = WriteReproducer(min_path, text); !st.ok()) {
        return BadInput(st.message());
      }
      std::printf("shrunk seed %" PRIu64 " in %d runs: %d steps, %.3fs -> %d steps, %.3fs: %s\n",
                  seed, r.runs, r.steps_before, r.seconds_before, r.steps_after,
                  r.seconds_after, min_path.c_str());
      if (r.steps_after < grp.smallest_steps) {
        grp.smallest = min_path;
        grp.smallest_steps = r.steps_after;
      }
    }
    grp.seeds.push_back(seed);
  }
  for (const WorkerCrash& c : result->crashes) {
    auto path = write_seed(ReproducerDir(out_dir, ""), c.seed,
                           absl::StrCat("replsim crashed: ", c.how, ": ", c.last_words));
    std::printf("REPLSIM CRASHED at seed %" PRIu64 " (a bug in replsim): %s: %s\n  scenario: %s\n",
                c.seed, c.how.c_str(), c.last_words.c_str(),
                path.ok() ? path->c_str() : std::string(path.status().message()).c_str());
  }
  std::printf("%s under %s: seeds %" PRIu64 "..%" PRIu64 ", %" PRIu64 " run, %zu failing, "
              "%zu crashed, %.0f seeds/s, %zu signature(s)\n",
              spec->name().c_str(), setup->description.c_str(), id.first, id.last,
              result->seeds_done(), result->failures.size(), result->crashes.size(),
              result->seeds_per_second(), groups.size());
  int code = result->crashes.empty() ? kExitOk : kExitCrash;
  for (const auto& [sig, grp] : groups) {
    std::printf("%5zu x %s%s\n        first seed %" PRIu64 ": %s\n        smallest: %s (%d steps)\n"
                "        replay: %s\n",
                grp.seeds.size(), sig.c_str(),
                Label(sig),
                grp.seeds.front(), grp.example.c_str(), grp.smallest.c_str(), grp.smallest_steps,
                ReplayCommandFor(grp.smallest, grp.seeds.front(), *setup).c_str());
    if (code == kExitCrash) continue;
    if (grp.kind == SeedOutcome::Kind::kSafety) code = kExitSafety;
    if (grp.kind == SeedOutcome::Kind::kLiveness && code == kExitOk) code = kExitLiveness;
  }
  const scenarios::StateCoverage states = ReadStates(states_dir);
  std::printf("protocol states reached: %zu (%zu node states: pmState x walsender x "
              "walreceiver x startup; %zu fault phases: which postmaster state each node "
              "was in when a fault fired)\n",
              states.distinct(), states.node_states(), states.fault_phases());
  if (!groups.empty()) std::printf("reproducers are in %s/<signature>/\n", out_dir.c_str());
  if (absl::Status st = WriteSweepReports(cl, id, *result); !st.ok()) return BadInput(st.message());
  std::vector<std::string> signatures;
  for (const auto& [seed, outcome] : result->failures) {
    signatures.push_back(FailureSignature(outcome));
  }
  if (absl::Status st = WriteSweepPages(
          cl, id, *result, signatures, SignatureDir,
          [&](uint64_t seed) -> absl::StatusOr<SeedScenario> {
            auto g = generate(seed);
            if (!g.ok()) return g.status();
            const std::string sig = FailureSignature(
                std::find_if(result->failures.begin(), result->failures.end(),
                             [&](const auto& f) { return f.first == seed; })->second);
            return SeedScenario{g->scenario, absl::StrCat(out_dir, "/", SignatureDir(sig), "/",
                                                          seed, ".textproto")};
          },
          *setup);
      !st.ok()) {
    return BadInput(st.message());
  }
  if (cl.Has("report")) {
    if (absl::Status st = AddStatesToReport(cl.Get("report"), states); !st.ok()) {
      return BadInput(st.message());
    }
  }
  if (result->interrupted_by != 0) return 128 + result->interrupted_by;
  return code;
}

}  // namespace replsim::tools
