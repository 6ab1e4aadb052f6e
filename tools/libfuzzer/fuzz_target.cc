// The coverage-guided fuzzer: a libFuzzer target whose input bytes decode
// into a schedule of a fuzz spec (byte_choices.h, scenarios/
// fuzz_generator.h), run like one seed of `replsim fuzz`, with replsim's
// own code as coverage (edge_coverage.h), so that libFuzzer keeps and
// mutates the schedules that reach code no earlier one did.
//
//   replsim_libfuzzer [--spec=FILE] [--profile=P] [--switches=S] [--out=DIR]
//                     [--stop_on_violation] [--max_per_signature=N]
//                     [libFuzzer flags and corpus directories]
//
// Flags that start with "--" are replsim's (libFuzzer ignores them);
// REPLSIM_LIBFUZZER_SPEC, _PROFILE, _SWITCHES and _OUT stand in for them.
// Each violation is written as DIR/<signature>/<seed>-<input hash>.textproto
// (the first --max_per_signature of each signature, 5 by default), the
// same files `replsim fuzz` writes, and fuzzing goes on unless
// --stop_on_violation (then it aborts, and libFuzzer reports a crash). A
// crash of replsim itself is a libFuzzer crash, and its schedule is written
// to DIR/CRASH/ (crash_reproducer.h). At exit, each signature is printed
// once with its count and the execution that first found it.
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "scenarios/fuzz_generator.h"
#include "scenarios/fuzz_spec_loader.h"
#include "scenarios/state_coverage.h"
#include "tools/cli_common.h"
#include "tools/crash_handler.h"
#include "tools/fuzz_reproducer.h"
#include "tools/fuzz_shrink.h"
#include "tools/libfuzzer/byte_choices.h"
#include "tools/libfuzzer/crash_reproducer.h"
#include "tools/libfuzzer/edge_coverage.h"
#include "tools/sweep_record.h"

extern "C" int LLVMFuzzerRunDriver(int* argc, char*** argv,
                                   int (*callback)(const uint8_t* data, size_t size));

namespace replsim::tools::libfuzzer {
namespace {

constexpr char kDefaultSpec[] = "scenarios/fuzz/primary_standby.textproto";
constexpr char kDefaultProfile[] = "pg-9.3beta2";

struct Finding {
  SeedOutcome::Kind kind = SeedOutcome::Kind::kOk;
  uint64_t count = 0;
  uint64_t first_execution = 0;
  std::string first_path;
  std::string example;
};

struct Target {
  std::string spec_path;
  scenarios::FuzzSpec spec;
  RunSetup setup;
  std::string out_dir;
  bool stop_on_violation = false;
  uint64_t max_per_signature = 5;
  uint64_t executions = 0;
  std::map<std::string, Finding> findings;
  // Protocol states reached (scenarios/state_coverage.h): each key a run
  // reaches is a libFuzzer feature (NoteFeature), so an input that reaches
  // a state no earlier one did is kept as one that reaches new code is.
  scenarios::StateCoverage states;
};
Target* target = nullptr;

std::string FlagOrEnv(int argc, char** argv, const std::string& name, const char* env,
                      const std::string& fallback) {
  const std::string prefix = absl::StrCat("--", name, "=");
  for (int i = 1; i < argc; ++i) {
    if (absl::StartsWith(argv[i], prefix)) return std::string(argv[i] + prefix.size());
  }
  const char* e = env != nullptr ? std::getenv(env) : nullptr;
  return e != nullptr ? std::string(e) : fallback;
}

void Record(const SeedOutcome& o, uint64_t seed, const scenarios::GeneratedSchedule& g,
            const std::string& name) {
  Target& t = *target;
  const std::string sig = FailureSignature(o);
  Finding& f = t.findings[sig];
  if (++f.count == 1) {
    f.kind = o.kind;
    f.first_execution = t.executions;
    f.example = o.violation;
  }
  if (f.count <= t.max_per_signature) {
    const std::string path = absl::StrCat(ReproducerDir(t.out_dir, sig), "/", name);
    const std::string text = ReproducerText(
        g, path, seed, t.setup, absl::StrCat("replsim_libfuzzer ", t.spec_path),
        absl::StrFormat("execution %d\nfirst violation: %s\nfingerprint: %016x", t.executions,
                        o.violation, o.fingerprint));
    if (absl::Status st = WriteReproducer(path, text); !st.ok()) {
      std::fprintf(stderr, "replsim-libfuzzer: %s\n", std::string(st.message()).c_str());
    } else if (f.count == 1) {
      f.first_path = path;
      std::fprintf(stderr,
                   "replsim-libfuzzer: execution %" PRIu64 ": new signature (%s) %s\n"
                   "  reproducer: %s\n",
                   t.executions, OutcomeName(o.kind), sig.c_str(), path.c_str());
    }
  }
  if (t.stop_on_violation) {
    DisarmCrashReproducer();  // its reproducer is the one just written
    std::fprintf(stderr, "replsim-libfuzzer: --stop_on_violation: aborting\n");
    std::fflush(stderr);
    std::abort();
  }
}

int TestOneInput(const uint8_t* data, size_t size) {
  Target& t = *target;
  if (t.executions++ == 0) InstallCrashReproducer(ReproducerDir(t.out_dir, ""));
  ResetEdgeHistory();
  // The run's seed is the first two bytes (65,536 runs of each schedule:
  // network delays, scheduling), the schedule's choices the bytes after;
  // each keeps its bytes when libFuzzer mutates the other's.
  ByteChoices choices(data, size);
  const uint64_t seed = choices.Below(uint64_t{1} << 16);
  absl::StatusOr<scenarios::GeneratedSchedule> g =
      scenarios::GenerateSchedule(t.spec, seed, choices, t.setup.profile, t.setup.switches);
  if (!g.ok()) return 0;
  const std::string name = absl::StrFormat(
      "%d-%016x.textproto", seed,
      HashBytes(std::string(reinterpret_cast<const char*>(data), size)));
  ArmCrashReproducer(name, ReproducerText(*g, absl::StrCat(ReproducerDir(t.out_dir, ""), "/", name),
                                          seed, t.setup,
                                          absl::StrCat("replsim_libfuzzer ", t.spec_path),
                                          "replsim crashed while running this schedule"));
  scenarios::RunOptions options = t.setup.options;
  // Each trace event moves the state tuples (postmaster x walsender x
  // walreceiver x startup per node; the phase of every node when a fault
  // fires); every key this run reaches is a feature. Chained inside
  // WithSelftestCrash, which the tests use to crash a run.
  t.states.BeginRun();
  options.sink = WithSelftestCrash([&t](const sim::TraceEvent& e) { t.states.Observe(e); });
  const SeedOutcome o = RunSeed(g->scenario, seed, options);
  EdgesSeen();  // adds this execution's edges to the summary's count
  if (o.kind != SeedOutcome::Kind::kOk) Record(o, seed, *g, name);
  DisarmCrashReproducer();
  return 0;
}

void PrintSummary() {
  const Target& t = *target;
  std::printf("replsim-libfuzzer: %s under %s: %" PRIu64 " executions, %zu edges, "
              "%" PRIu64 " blocks entered, %zu protocol states (%zu node states, %zu fault "
              "phases), %zu signature(s)\n",
              t.spec.name().c_str(), t.setup.description.c_str(), t.executions, EdgesSeen(),
              BlocksEntered(), t.states.distinct(), t.states.node_states(),
              t.states.fault_phases(), t.findings.size());
  for (const auto& [sig, f] : t.findings) {
    std::printf("%5" PRIu64 " x (%s) %s\n        first at execution %" PRIu64 ": %s\n"
                "        reproducer: %s\n",
                f.count, OutcomeName(f.kind), sig.c_str(), f.first_execution, f.example.c_str(),
                f.first_path.c_str());
  }
  if (!t.findings.empty()) std::printf("reproducers are in %s/<signature>/\n", t.out_dir.c_str());
  std::fflush(stdout);
}

int Main(int argc, char** argv) {
  static constexpr const char* kOurs[] = {"--spec=",   "--profile=", "--switches=",
                                          "--out=",    "--max_per_signature=",
                                          "--stop_on_violation"};
  for (int i = 1; i < argc; ++i) {
    if (!absl::StartsWith(argv[i], "--")) continue;
    bool known = false;
    for (const char* f : kOurs) known |= absl::StartsWith(argv[i], f);
    if (!known) {
      return BadInput(absl::StrCat(argv[i], ": unknown flag; replsim_libfuzzer takes --spec=, "
                                   "--profile=, --switches=, --out=, --max_per_signature=, "
                                   "--stop_on_violation, and libFuzzer's -flags"));
    }
  }
  target = new Target;
  Target& t = *target;
  t.spec_path = FlagOrEnv(argc, argv, "spec", "REPLSIM_LIBFUZZER_SPEC", kDefaultSpec);
  absl::StatusOr<scenarios::FuzzSpec> spec =
      scenarios::LoadFuzzSpecFile(ResolveUserPath(t.spec_path));
  if (!spec.ok()) return BadInput(spec.status().message());
  t.spec = *std::move(spec);
  absl::StatusOr<RunSetup> setup = SetupRun(
      t.spec.scenario(), FlagOrEnv(argc, argv, "profile", "REPLSIM_LIBFUZZER_PROFILE", kDefaultProfile),
      FlagOrEnv(argc, argv, "switches", "REPLSIM_LIBFUZZER_SWITCHES", ""));
  if (!setup.ok()) return BadInput(setup.status().message());
  t.setup = *std::move(setup);
  if (auto g = scenarios::GenerateSchedule(t.spec, 0, t.setup.profile, t.setup.switches); !g.ok()) {
    return BadInput(g.status().message());
  }
  t.out_dir = FlagOrEnv(argc, argv, "out", "REPLSIM_LIBFUZZER_OUT",
                        absl::StrCat("libfuzzer-out/", t.spec.name()));
  const std::string max = FlagOrEnv(argc, argv, "max_per_signature", nullptr, "5");
  if (!absl::SimpleAtoi(max, &t.max_per_signature)) {
    return BadInput(absl::StrCat("--max_per_signature=", max, ": expected a number"));
  }
  for (int i = 1; i < argc; ++i) {
    t.stop_on_violation |= std::string(argv[i]) == "--stop_on_violation";
  }
  std::error_code ec;
  std::filesystem::create_directories(ResolveUserPath(t.out_dir), ec);
  // Under `bazel run`, libFuzzer's corpus directories and artifacts are the
  // user's paths too.
  if (const char* wd = std::getenv("BUILD_WORKING_DIRECTORY"); wd != nullptr) {
    if (chdir(wd) != 0) return BadInput(absl::StrCat(wd, ": cannot change to it"));
  }
  std::fprintf(stderr, "replsim-libfuzzer: spec %s under %s; reproducers go to %s/\n",
               t.spec_path.c_str(), t.setup.description.c_str(), t.out_dir.c_str());
  RegisterCoverageCounters();
  t.states.set_on_reach([](const std::string& key) { NoteFeature(HashBytes(key)); });
  std::atexit(PrintSummary);
  // libFuzzer's defaults for this target, before the user's flags (a later
  // flag wins): a schedule reads about 100 bytes, and inputs start at full
  // length rather than growing from 4 bytes over thousands of executions.
  std::vector<char*> args = {argv[0], const_cast<char*>("-max_len=256"),
                             const_cast<char*>("-len_control=0")};
  args.insert(args.end(), argv + 1, argv + argc);
  args.push_back(nullptr);
  int n = static_cast<int>(args.size()) - 1;
  char** a = args.data();
  return LLVMFuzzerRunDriver(&n, &a, TestOneInput);
}

}  // namespace
}  // namespace replsim::tools::libfuzzer

int main(int argc, char** argv) { return replsim::tools::libfuzzer::Main(argc, argv); }
