// File: tools/cli_common.h
//
// Pieces the replsim subcommands share: input paths as the user typed them
// (bazel run changes the working directory), clear bad-input errors with exit
// code 4, a scenario with the identity of its file, a run's profile and
// switches as they decide its behaviour, sharding from flags or Bazel's
// environment, and the report and summary printers. Every replay command
// printed carries the scenario path, seed, profile and switches.
#ifndef REPLSIM_TOOLS_CLI_COMMON_H_
#define REPLSIM_TOOLS_CLI_COMMON_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "scenarios/runner.h"
#include "scenarios/scenario.pb.h"
#include "tools/sweep.h"
#include "tools/sweep_record.h"

namespace replsim::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitSafety = 1;
inline constexpr int kExitLiveness = 2;
inline constexpr int kExitCrash = 3;  // replsim itself failed: a replsim bug
inline constexpr int kExitBadInput = 4;
inline constexpr int kExitSuiteRow = 5;  // a suite row not as expected
// 128 + the signal: a sweep stopped by SIGINT (130) or SIGTERM (143).

// Prints "replsim: <message>" to stderr and returns kExitBadInput.
int BadInput(absl::string_view message);
// A relative path is taken from where the user ran `bazel run`
// (BUILD_WORKING_DIRECTORY) when set. Empty stays empty.
std::string ResolveUserPath(const std::string& path);
bool StderrIsTerminal();
// Says on stderr when --jobs is more than the machine's cores.
void WarnIfMoreJobsThanCores(int jobs);

// A scenario file as the user named it, loaded, and the hash of its bytes.
struct LoadedScenario {
  std::string path;  // as typed: what replay commands show
  scenarios::Scenario scenario;
  uint64_t hash = 0;
};
absl::StatusOr<LoadedScenario> LoadScenarioForCli(const std::string& path);

// A run's profile and switches as they decide its behaviour.
struct RunSetup {
  scenarios::RunOptions options;  // what RunScenario is given
  std::string profile;            // the profile's name
  std::string switches;           // canonical (scenarios::CanonicalSwitches)
  std::string scheduler;          // canonical --scheduler, "" for the scenario's
  std::string description;        // "pg-9.3beta2 -985bd7d497"
};
// InvalidArgument for an unknown profile or a bad switch.
absl::StatusOr<RunSetup> SetupRun(const scenarios::Scenario& s, const std::string& profile,
                                  const std::string& switches,
                                  const std::string& scheduler = "");
std::string ReplayCommandFor(const std::string& path, uint64_t seed, const RunSetup& setup);
// Writes the run's --scheduler override into `s`'s scheduler block and takes
// it out of setup->options, for commands that write scenario files (fuzz
// reproducers, shrunk scenarios), so the file alone reproduces the run.
absl::Status EmbedScheduler(scenarios::Scenario* s, RunSetup* setup);
// --shard i/n (`flag`); else --shard_count N (`count_flag`) with i from
// JOB_COMPLETION_INDEX, as each pod of a Kubernetes Indexed Job has it;
// else TEST_SHARD_INDEX/TEST_TOTAL_SHARDS (and touches
// TEST_SHARD_STATUS_FILE, as Bazel asks); else 0/1. Empty means not given.
absl::Status ShardFromFlagOrEnv(const std::string& flag, const std::string& count_flag,
                                int* index, int* count);

// One seed as a sweep sees it: run without a fingerprint; a failing seed is
// run again with one, and a rerun that finds anything else is reported as
// NONDETERMINISM (a replsim bug, never a PostgreSQL one).
SeedOutcome RunSeed(const scenarios::Scenario& s, uint64_t seed,
                    const scenarios::RunOptions& options);
using ScenarioRun =
    std::function<absl::StatusOr<scenarios::RunReport>(const scenarios::RunOptions&)>;
SeedOutcome RunSeedWith(const ScenarioRun& run, const scenarios::RunOptions& options);
// "CLEAN_SWITCHOVER at 12.000000s: ..." for a sweep's one-line result.
std::string ViolationLine(const scenarios::Violation& v);

void PrintRunReport(const LoadedScenario& s, const RunSetup& setup,
                    const scenarios::RunReport& r);
int ExitCodeFor(const scenarios::RunReport& r);

void PrintSweepSummary(const SweepIdentity& id, const SweepResult& r);
// 130/143 when interrupted, kExitCrash when a seed crashed replsim, else the
// worst failure's code.
int ExitCodeFor(const SweepResult& r);
// One line per crashed seed: the seed, how it died, the replay command.
void PrintCrashes(const SweepIdentity& id, const SweepResult& r);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_CLI_COMMON_H_
