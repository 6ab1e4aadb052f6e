// replsim: the command-line tool.
//
//   replsim suite [--seeds A..B]   the main job (see below)
//   replsim run --seed N           one run: outcome, fingerprint, unseed
//
// Until the scenario suite exists (scenarios/, a later issue), `suite` runs the
// kernel self-check over a seed range, each seed twice, and reports whether
// every pair matched. It says so at the top of its output.
#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "tools/kernel_selfcheck.h"

ABSL_FLAG(std::string, seeds, "1..200", "seed range A..B (inclusive) for suite");
ABSL_FLAG(int64_t, seed, 1, "the seed for run");

namespace replsim::tools {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitSafety = 1;
constexpr int kExitBadInput = 4;

bool ParseSeedRange(const std::string& text, uint64_t* a, uint64_t* b,
                    std::string* error) {
  std::vector<std::string> parts = absl::StrSplit(text, "..");
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], a) ||
      !absl::SimpleAtoi(parts[1], b)) {
    *error = "--seeds: expected A..B with whole numbers A <= B, got \"" + text + "\"";
    return false;
  }
  if (*a > *b) {
    *error = "--seeds: the range " + text + " is empty (A > B)";
    return false;
  }
  return true;
}

int Suite() {
  uint64_t a = 0, b = 0;
  std::string error;
  if (!ParseSeedRange(absl::GetFlag(FLAGS_seeds), &a, &b, &error)) {
    std::fprintf(stderr, "replsim: %s\n", error.c_str());
    return kExitBadInput;
  }
  std::printf(
      "replsim suite: no scenario suite exists yet; running the kernel "
      "self-check instead\n(processes, events, random delays and a kill; each "
      "seed twice, fingerprints compared)\n\n");
  uint64_t mismatches = 0, events = 0;
  for (uint64_t s = a; s <= b; ++s) {
    SelfCheckRun x = RunKernelSelfCheck(s);
    SelfCheckRun y = RunKernelSelfCheck(s);
    events += x.events;
    if (x.fingerprint != y.fingerprint || x.unseed != y.unseed) {
      ++mismatches;
      std::printf("seed %" PRIu64 ": NONDETERMINISTIC %016" PRIx64 " vs %016" PRIx64
                  "\n",
                  s, x.fingerprint, y.fingerprint);
    }
    if (s == b) break;  // b may be UINT64_MAX
  }
  std::printf("%-18s %-8s %-12s %-12s %s\n", "check", "seeds", "events",
              "mismatches", "verdict");
  std::printf("%-18s %-8" PRIu64 " %-12" PRIu64 " %-12" PRIu64 " %s\n",
              "kernel_selfcheck", b - a + 1, events, mismatches,
              mismatches == 0 ? "deterministic" : "NONDETERMINISTIC");
  return mismatches == 0 ? kExitOk : kExitSafety;
}

int Run() {
  const int64_t seed = absl::GetFlag(FLAGS_seed);
  if (seed < 0) {
    std::fprintf(stderr, "replsim: --seed must be >= 0, got %" PRId64 "\n", seed);
    return kExitBadInput;
  }
  SelfCheckRun r = RunKernelSelfCheck(static_cast<uint64_t>(seed));
  std::printf("kernel_selfcheck seed=%" PRId64 " events=%" PRIu64
              " end=%.9fs\nfingerprint %016" PRIx64 "\nunseed %016" PRIx64 "\n",
              seed, r.events, r.end_time_ns / 1e9, r.fingerprint, r.unseed);
  return kExitOk;
}

}  // namespace
}  // namespace replsim::tools

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "replsim COMMAND [flags]\n  suite [--seeds A..B]   the bundled suite "
      "(for now: the kernel self-check)\n  run --seed N           one run");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::fprintf(stderr, "replsim: missing command (suite, run); see --help\n");
    return replsim::tools::kExitBadInput;
  }
  const std::string cmd = args[1];
  if (cmd == "suite") return replsim::tools::Suite();
  if (cmd == "run") return replsim::tools::Run();
  std::fprintf(stderr, "replsim: unknown command \"%s\" (expected suite or run)\n",
               cmd.c_str());
  return replsim::tools::kExitBadInput;
}
