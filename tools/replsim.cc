// replsim: run, sweep, replay and the bundled suite.
//
//   replsim run FILE --seed N [--profile P] [--switches S] [--trace F --trace_format text|json|perfetto]
//   replsim sweep FILE --seeds A..B [--profile P] [--jobs N] [--shard i/n] [--failures F]
//   replsim replay FILE --seed N
//   replsim suite [DIR]
//
// Exit codes: 0 everything as expected, 1 a safety violation, 2 a liveness
// violation (and no safety one), 3 replsim crashed (a sweep worker died),
// 4 bad input.
#include <malloc.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "tools/cli_common.h"
#include "tools/suite.h"
#include "tools/sweep.h"
#include "tools/trace_output.h"

ABSL_FLAG(int64_t, seed, -1, "the seed (run, replay)");
ABSL_FLAG(std::string, seeds, "", "seed range A..B, inclusive (sweep); default: the scenario's");
ABSL_FLAG(std::string, profile, "", "behaviour profile overriding the scenario's (pg-9.2.4, pg-15, ...)");
ABSL_FLAG(std::string, switches, "", "switch overrides on top of the profile: 985bd7d497=off,...");
ABSL_FLAG(std::string, trace, "", "write the run's trace to this file (run)");
ABSL_FLAG(std::string, trace_format, "text", "text, json or perfetto");
ABSL_FLAG(int32_t, jobs, 1, "worker processes (sweep)");
ABSL_FLAG(std::string, shard, "", "i/n: run every n-th seed starting at the i-th (sweep)");
ABSL_FLAG(std::string, failures, "", "append failing seeds here, fsynced (sweep)");

namespace replsim::tools {
namespace {

scenarios::RunOptions OptionsFromFlags() {
  scenarios::RunOptions o;
  o.profile = absl::GetFlag(FLAGS_profile);
  o.switches = absl::GetFlag(FLAGS_switches);
  return o;
}

int Run(const std::string& file, bool replay) {
  auto scenario = scenarios::LoadScenarioFile(ResolveUserPath(file));
  if (!scenario.ok()) return BadInput(scenario.status().message());
  const int64_t seed = absl::GetFlag(FLAGS_seed);
  if (seed < 0) return BadInput("--seed N is required (a whole number >= 0)");
  scenarios::RunOptions options = OptionsFromFlags();
  const std::string trace_path = absl::GetFlag(FLAGS_trace);
  options.keep_trace = !trace_path.empty();
  if (replay) {
    options.sink = [](const sim::TraceEvent& e) {
      std::printf("%s\n", sim::FormatTraceEvent(e).c_str());
    };
  }
  auto report = scenarios::RunScenario(*scenario, static_cast<uint64_t>(seed), options);
  if (!report.ok()) return BadInput(report.status().message());
  if (!trace_path.empty()) {
    absl::Status st = WriteTrace(report->trace, absl::GetFlag(FLAGS_trace_format),
                                 ResolveUserPath(trace_path));
    if (!st.ok()) return BadInput(st.message());
  }
  PrintRunReport(*scenario, *report, file);
  return ExitCodeFor(*report);
}

int Sweep(const std::string& file) {
  auto scenario = scenarios::LoadScenarioFile(ResolveUserPath(file));
  if (!scenario.ok()) return BadInput(scenario.status().message());
  SweepOptions o;
  o.label = scenario->name();
  const std::string range = absl::GetFlag(FLAGS_seeds);
  if (range.empty()) {
    o.first = scenario->default_seeds().first();
    o.last = scenario->default_seeds().last();
  } else if (absl::Status st = ParseSeedRange(range, &o.first, &o.last); !st.ok()) {
    return BadInput(st.message());
  }
  if (absl::Status st = ShardFromFlagOrEnv(absl::GetFlag(FLAGS_shard), &o.shard_index,
                                           &o.shard_count);
      !st.ok()) {
    return BadInput(st.message());
  }
  o.jobs = absl::GetFlag(FLAGS_jobs);
  if (o.jobs < 1 || o.jobs > 256) return BadInput("--jobs: expected 1..256");
  o.failures_path = ResolveUserPath(absl::GetFlag(FLAGS_failures));
  o.show_progress = StderrIsTerminal();
  const scenarios::RunOptions base = OptionsFromFlags();
  // Reject a bad profile before forking workers.
  auto probe = scenarios::RunScenario(*scenario, o.first, base);
  if (!probe.ok()) return BadInput(probe.status().message());
  auto result = RunSweep(o, [&](uint64_t seed) { return RunSeed(*scenario, seed, base); });
  if (!result.ok()) return BadInput(result.status().message());
  PrintSweepSummary(*scenario, probe->profile, o, *result, file);
  return ExitCodeFor(*result);
}

}  // namespace
}  // namespace replsim::tools

int main(int argc, char** argv) {
#ifdef __GLIBC__
  // A seed allocates and frees a few MiB; by default glibc hands the top of the
  // heap back to the kernel after every seed and faults it in again for the
  // next. Keeping up to 256 MiB costs nothing a sweep notices.
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
#endif
  absl::SetProgramUsageMessage(
      "replsim COMMAND ...\n"
      "  run FILE --seed N      one run: outcome, fingerprint, first violation\n"
      "  sweep FILE --seeds A..B [--jobs N] [--shard i/n] [--failures F]\n"
      "  replay FILE --seed N   the full trace, then the fingerprint\n"
      "  suite [DIR]            every bundled scenario over its default seeds");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  using replsim::tools::BadInput;
  if (args.size() < 2) return BadInput("missing command: run, sweep, replay or suite (see --help)");
  const std::string cmd = args[1];
  if (cmd == "suite") {
    if (args.size() > 3) return BadInput("suite takes at most one directory");
    return replsim::tools::RunSuite(args.size() == 3 ? args[2] : "");
  }
  if (cmd != "run" && cmd != "sweep" && cmd != "replay") {
    return BadInput(absl::StrCat("unknown command \"", cmd,
                                 "\"; expected run, sweep, replay or suite"));
  }
  if (args.size() != 3) return BadInput(absl::StrCat(cmd, " takes exactly one scenario FILE"));
  if (cmd == "sweep") return replsim::tools::Sweep(args[2]);
  return replsim::tools::Run(args[2], cmd == "replay");
}
