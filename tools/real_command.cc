// `replsim real` and `replsim diff` (see real_command.h).
#include "tools/real_command.h"

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/cli_common.h"
#include "tools/node_logs.h"
#include "tools/real_check.h"
#include "tools/real_proc.h"
#include "tools/real_runner.h"
#include "tools/sim_outcome.h"
#include "tools/sweep.h"

namespace replsim::tools {
namespace {

struct RealSetup {
  LoadedScenario scenario;
  std::string bindir;
  int runs = 1;
  std::string out;  // --out, resolved; empty: none
};

// Bad input (exit 4) before any server starts: the file, the steps a real
// run cannot perform, --runs, the installation.
int PrepareReal(const CommandLine& cl, int default_runs, RealSetup* r) {
  absl::StatusOr<LoadedScenario> s = LoadScenarioForCli(cl.positional[0]);
  if (!s.ok()) return BadInput(s.status().message());
  r->scenario = *std::move(s);
  if (absl::Status st =
          real::CheckRealScenario(ResolveUserPath(cl.positional[0]), r->scenario.path);
      !st.ok()) {
    return BadInput(st.message());
  }
  absl::StatusOr<int64_t> runs =
      ParseIntFlag("--runs", cl.Get("runs", absl::StrCat(default_runs)), 1, 10000);
  if (!runs.ok()) return BadInput(runs.status().message());
  r->runs = static_cast<int>(*runs);
  absl::StatusOr<std::string> bindir = real::FindPostgres15();
  if (!bindir.ok()) return BadInput(bindir.status().message());
  r->bindir = *bindir;
  r->out = ResolveUserPath(cl.Get("out"));
  return kExitOk;
}

void WriteRun(const std::string& out, const std::string& side, const std::string& id,
              const RunOutcome& o, const std::map<std::string, std::string>& logs) {
  if (out.empty()) return;
  const std::string dir = absl::StrCat(out, "/", side, "-", id);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (const auto& [node, text] : logs) {
    (void)real::WriteFileAs(real::RunAs(), absl::StrCat(dir, "/", node, ".log"), text);
  }
  (void)real::WriteFileAs(real::RunAs(), absl::StrCat(dir, "/outcome.txt"),
                          absl::StrCat(o.Class(), "\n\n", o.Record()));
}

int InterruptExit() { return 128 + real::Interrupted(); }

// Runs the scenario `setup.runs` times; class -> (count, first run's record).
struct Seen {
  int count = 0;
  std::string first;   // "run 2" / "seed 17"
  std::string record;  // its outcome record
};
using Classes = std::map<std::string, Seen>;

// kExitOk, or the exit code to stop with; prints one line per run.
int RunRealRuns(const RealSetup& setup, bool print_records, Classes* classes, int* failed) {
  real::InstallInterruptHandlers();
  absl::StatusOr<std::unique_ptr<real::DataDirTemplate>> tmpl =
      real::DataDirTemplate::Make(setup.bindir);
  if (!tmpl.ok()) {
    real::RestoreInterruptHandlers();
    if (absl::IsCancelled(tmpl.status())) return InterruptExit();
    std::fprintf(stderr, "replsim: %s\n", std::string(tmpl.status().message()).c_str());
    return kExitCrash;
  }
  for (int i = 1; i <= setup.runs; ++i) {
    real::RealRunOptions o;
    o.bindir = setup.bindir;
    o.template_dir = (*tmpl)->datadir();
    o.run = i;
    o.on_dir = [i](const std::string& dir) {
      std::fprintf(stderr, "real: run %d in %s\n", i, dir.c_str());
    };
    absl::StatusOr<real::RealRunResult> r = real::RunReal(setup.scenario.scenario, o);
    if (!r.ok()) {
      real::RestoreInterruptHandlers();
      if (absl::IsCancelled(r.status())) {
        std::fprintf(stderr, "replsim: %s; every server of the run stopped, its files removed\n",
                     std::string(r.status().message()).c_str());
        return InterruptExit();
      }
      std::fprintf(stderr, "replsim: run %d could not run PostgreSQL: %s\n", i,
                   std::string(r.status().message()).c_str());
      return kExitCrash;
    }
    const std::string cls = r->outcome.Class();
    Seen& seen = (*classes)[cls];
    if (seen.count++ == 0) {
      seen.first = absl::StrCat("run ", i);
      seen.record = r->outcome.Record();
    }
    if (!r->failure.empty()) ++*failed;
    std::printf("run %d (%.1f s): %s\n", i, r->seconds, cls.c_str());
    if (!r->failure.empty()) std::printf("  failed: %s\n", r->failure.c_str());
    if (print_records) std::printf("%s", r->outcome.Record().c_str());
    std::fflush(stdout);
    WriteRun(setup.out, "real", absl::StrCat(i), r->outcome, r->logs);
  }
  real::RestoreInterruptHandlers();
  return kExitOk;
}

}  // namespace

int RealCommand(const CommandLine& cl) {
  RealSetup setup;
  if (int rc = PrepareReal(cl, 1, &setup); rc != kExitOk) return rc;
  Classes classes;
  int failed = 0;
  if (int rc = RunRealRuns(setup, /*print_records=*/true, &classes, &failed); rc != kExitOk) {
    return rc;
  }
  std::printf("%s on PostgreSQL 15 (%s): %d run(s), %zu outcome class(es), %d with a failed step\n",
              setup.scenario.scenario.name().c_str(), setup.bindir.c_str(), setup.runs,
              classes.size(), failed);
  return failed > 0 ? kExitLiveness : kExitOk;
}

int DiffCommand(const CommandLine& cl) {
  RealSetup setup;
  if (int rc = PrepareReal(cl, 2, &setup); rc != kExitOk) return rc;
  const scenarios::Scenario& s = setup.scenario.scenario;
  uint64_t first = s.default_seeds().first(), last = s.default_seeds().last();
  if (cl.Has("seeds")) {
    if (absl::Status st = ParseSeedRange(cl.Get("seeds"), &first, &last); !st.ok()) {
      return BadInput(st.message());
    }
  }
  if (last < first || last - first >= 100000) {
    return BadInput(absl::StrCat("--seeds: expected A..B with A <= B and at most 100000 seeds, "
                                 "got ", first, "..", last));
  }
  scenarios::RunOptions options;
  options.profile = "pg-15";
  options.keep_trace = true;
  options.fingerprint = false;
  Classes sim;
  for (uint64_t seed = first; seed <= last; ++seed) {
    absl::StatusOr<scenarios::RunReport> r = scenarios::RunScenario(s, seed, options);
    if (!r.ok()) return BadInput(r.status().message());
    const RunOutcome o = SimOutcome(s, *r);
    Seen& seen = sim[o.Class()];
    if (seen.count++ == 0) {
      seen.first = absl::StrCat("seed ", seed);
      seen.record = o.Record();
      NodeLogs logs;
      for (const sim::TraceEvent& e : r->trace) logs.Add(e);
      std::map<std::string, std::string> texts;
      for (const scenarios::Node& n : s.nodes()) texts[n.name()] = logs.LogOf(n.name());
      WriteRun(setup.out, "sim", absl::StrCat(seed), o, texts);
    }
  }
  Classes real_runs;
  int failed = 0;
  if (int rc = RunRealRuns(setup, /*print_records=*/false, &real_runs, &failed); rc != kExitOk) {
    return rc;
  }
  std::map<std::string, std::pair<const Seen*, const Seen*>> all;
  for (const auto& [c, seen] : real_runs) all[c].first = &seen;
  for (const auto& [c, seen] : sim) all[c].second = &seen;
  const uint64_t seeds = last - first + 1;
  std::printf("\n%s: %d run(s) on PostgreSQL 15, seeds %llu..%llu under pg-15\n",
              s.name().c_str(), setup.runs, static_cast<unsigned long long>(first),
              static_cast<unsigned long long>(last));
  std::printf("%9s %11s  outcome class\n", "real", "simulated");
  int one_sided = 0;
  for (const auto& [c, sides] : all) {
    const std::string r = absl::StrFormat("%d/%d", sides.first ? sides.first->count : 0,
                                          setup.runs);
    const std::string m = absl::StrFormat("%d/%llu", sides.second ? sides.second->count : 0,
                                          static_cast<unsigned long long>(seeds));
    const char* mark = sides.first == nullptr ? "  [simulated only]"
                       : sides.second == nullptr ? "  [real only]"
                                                 : "";
    if (sides.first == nullptr || sides.second == nullptr) ++one_sided;
    std::printf("%9s %11s  %s%s\n", r.c_str(), m.c_str(), c.c_str(), mark);
  }
  if (one_sided == 0) {
    std::printf("agree: every outcome class was seen on both sides\n");
    return kExitOk;
  }
  std::printf("disagree: %d class(es) seen on one side only\n", one_sided);
  for (const auto& [c, sides] : all) {
    if (sides.first != nullptr && sides.second != nullptr) continue;
    const Seen* seen = sides.first != nullptr ? sides.first : sides.second;
    std::printf("\n%s (%s, first %s):\n%s", sides.first ? "real only" : "simulated only",
                c.c_str(), seen->first.c_str(), seen->record.c_str());
  }
  return kExitSafety;
}

}  // namespace replsim::tools
