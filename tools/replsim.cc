// replsim: run, replay, sweep, merge, the bundled suite, real and diff (`replsim --help`).
//
// Exit codes: 0 everything as expected, 1 a safety violation, 2 a liveness
// violation (and no safety one), 3 replsim itself crashed (a bug in replsim,
// reported with its seed), 4 bad input or usage, 5 a suite row not as
// expected, 130/143 a sweep interrupted by SIGINT/SIGTERM.
#include <malloc.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "scenarios/runner.h"
#include "tools/build_info.h"
#include "tools/cli_common.h"
#include "tools/crash_handler.h"
#include "tools/failure_diagrams.h"
#include "tools/flags.h"
#include "tools/fuzz_shrink.h"
#include "tools/merge.h"
#include "tools/real_command.h"
#include "tools/reports.h"
#include "tools/run_outputs.h"
#include "tools/suite.h"
#include "tools/sweep.h"
#include "tools/trace_output.h"

namespace replsim::tools {
namespace {

int Run(const CommandLine& cl, bool replay) {
  if (!cl.Has("seed")) return BadInput("--seed N is required (a whole number >= 0)");
  absl::StatusOr<uint64_t> seed = ParseSeed("--seed", cl.Get("seed"));
  if (!seed.ok()) return BadInput(seed.status().message());
  absl::StatusOr<LoadedScenario> s = LoadScenarioForCli(cl.positional[0]);
  if (!s.ok()) return BadInput(s.status().message());
  absl::StatusOr<RunSetup> setup =
      SetupRun(s->scenario, cl.Get("profile"), cl.Get("switches"), cl.Get("scheduler"));
  if (!setup.ok()) return BadInput(setup.status().message());

  absl::StatusOr<std::unique_ptr<RunOutputs>> outputs = RunOutputs::FromFlags(cl, *s);
  if (!outputs.ok()) return BadInput(outputs.status().message());
  std::function<void(const sim::TraceEvent&)> sink;
  std::unique_ptr<TraceWriter> writer;
  if (cl.Has("trace")) {
    auto w = TraceWriter::Open(cl.Get("trace_format", "text"), ResolveUserPath(cl.Get("trace")));
    if (!w.ok()) return BadInput(w.status().message());
    writer = *std::move(w);
    sink = [w = writer.get()](const sim::TraceEvent& e) { w->Write(e); };
    setup->options.wait_observer = writer->wait_observer();
  } else if (cl.Has("trace_format")) {
    return BadInput("--trace_format needs --trace FILE");
  }
  if (replay) sink = (*outputs)->ReplayPrinter();
  setup->options.sink = WithSelftestCrash((*outputs)->Wrap(sink));
  (*outputs)->AttachDumps(&setup->options);
  const std::string replay_cmd = ReplayCommandFor(s->path, *seed, *setup);
  InstallCrashHandler(
      absl::StrCat("replsim crashed running seed ", *seed, " of ", s->scenario.name(), " under ",
                   setup->description, ": a bug in replsim, not a finding",
                   writer ? absl::StrCat("; the trace up to the crash is in ", cl.Get("trace"))
                          : "",
                   "\n  reproduce: ", replay_cmd),
      [w = writer.get(), o = outputs->get(),
       title = absl::StrCat(s->scenario.name(), "  ", setup->description, "  seed ", *seed),
       replay_cmd] {
        if (w != nullptr) (void)w->Finish();
        o->WriteAfterCrash(title, replay_cmd);
      });
  auto report = scenarios::RunScenario(s->scenario, *seed, setup->options);
  if (!report.ok()) return BadInput(report.status().message());
  if (writer) {
    for (const scenarios::Violation& v : report->violations) {
      writer->MarkViolation(v.time.nanos(), ViolationLine(v), v.evidence);
    }
    if (absl::Status st = writer->Finish(); !st.ok()) return BadInput(st.message());
  }
  if (absl::Status st = (*outputs)->Finish(*s, *setup, *report); !st.ok()) {
    return BadInput(st.message());
  }
  PrintRunReport(*s, *setup, *report);
  return ExitCodeFor(*report);
}

int Sweep(const CommandLine& cl) {
  absl::StatusOr<LoadedScenario> s = LoadScenarioForCli(cl.positional[0]);
  if (!s.ok()) return BadInput(s.status().message());
  absl::StatusOr<RunSetup> setup =
      SetupRun(s->scenario, cl.Get("profile"), cl.Get("switches"), cl.Get("scheduler"));
  if (!setup.ok()) return BadInput(setup.status().message());
  SweepOptions o;
  SweepIdentity& id = o.identity;
  id.scenario_path = s->path;
  id.scenario_name = s->scenario.name();
  id.scenario_hash = s->hash;
  id.profile = setup->profile;
  id.switches = setup->switches;
  id.scheduler = setup->scheduler;
  id.version = BuildVersion();
  if (!cl.Has("seeds")) {
    id.first = s->scenario.default_seeds().first();
    id.last = s->scenario.default_seeds().last();
    if (id.first > id.last) {
      return BadInput(absl::StrCat(s->path, ": default_seeds ", id.first, "..", id.last,
                                   " is empty; give --seeds A..B"));
    }
  } else if (absl::Status st = ParseSeedRange(cl.Get("seeds"), &id.first, &id.last); !st.ok()) {
    return BadInput(st.message());
  }
  if (absl::Status st = ShardFromFlagOrEnv(cl.Get("shard"), cl.Get("shard_count"),
                                           &id.shard_index, &id.shard_count);
      !st.ok()) {
    return BadInput(st.message());
  }
  absl::StatusOr<int64_t> jobs = ParseIntFlag("--jobs", cl.Get("jobs", "1"), 1, 256);
  if (!jobs.ok()) return BadInput(jobs.status().message());
  o.jobs = static_cast<int>(*jobs);
  WarnIfMoreJobsThanCores(o.jobs);
  o.failures_path = ResolveUserPath(cl.Get("failures"));
  o.show_progress = StderrIsTerminal();
  o.progress_lines = !o.show_progress;
  const scenarios::RunOptions options = setup->options;
  auto result = RunSweep(o, [&](uint64_t seed) { return RunSeed(s->scenario, seed, options); });
  if (!result.ok()) return BadInput(result.status().message());
  PrintSweepSummary(id, *result);
  if (absl::Status st = WriteSweepReports(cl, id, *result); !st.ok()) {
    return BadInput(st.message());
  }
  std::vector<std::string> signatures;
  for (const auto& [seed, outcome] : result->failures) {
    signatures.push_back(FailureSignature(outcome));
  }
  if (absl::Status st = WriteSweepPages(
          cl, id, *result, signatures, SignatureDir,
          [&](uint64_t) -> absl::StatusOr<SeedScenario> {
            return SeedScenario{s->scenario, s->path};
          },
          *setup);
      !st.ok()) {
    return BadInput(st.message());
  }
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
  using namespace replsim::tools;  // NOLINT: main only
  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<CommandLine> cl = ParseCommandLine(args);
  if (!cl.ok()) return BadInput(cl.status().message());
  if (cl->help || cl->command == "help") {
    std::fputs(UsageText().c_str(), stdout);
    return kExitOk;
  }
  if (cl->version) {
    std::printf("%s\n", BuildVersion().c_str());
    return kExitOk;
  }
  if (cl->command == "suite") return RunSuite(*cl);
  if (cl->command == "sweep") return Sweep(*cl);
  if (cl->command == "fuzz") return FuzzCommand(*cl);
  if (cl->command == "shrink") return ShrinkCommand(*cl);
  if (cl->command == "merge") return RunMerge(*cl);
  if (cl->command == "real") return RealCommand(*cl);
  if (cl->command == "diff") return DiffCommand(*cl);
  return Run(*cl, cl->command == "replay");
}
