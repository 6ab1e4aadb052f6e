// File: tools/cli_common.h
//
// Pieces the replsim subcommands share: input paths as the user typed them
// (bazel run changes the working directory), clear bad-input errors with exit
// code 4, sharding from flags or Bazel's environment, and the report and
// summary printers.
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

namespace replsim::tools {

inline constexpr int kExitOk = 0;
inline constexpr int kExitSafety = 1;
inline constexpr int kExitLiveness = 2;
inline constexpr int kExitCrash = 3;  // replsim itself failed: a replsim bug
inline constexpr int kExitBadInput = 4;

// Prints "replsim: <message>" to stderr and returns kExitBadInput.
int BadInput(absl::string_view message);
// A relative path is taken from where the user ran `bazel run`
// (BUILD_WORKING_DIRECTORY) when set. Empty stays empty.
std::string ResolveUserPath(const std::string& path);
bool StderrIsTerminal();
// --shard i/n, else TEST_SHARD_INDEX/TEST_TOTAL_SHARDS (and touches
// TEST_SHARD_STATUS_FILE, as Bazel asks), else 0/1.
absl::Status ShardFromFlagOrEnv(const std::string& flag, int* index, int* count);

// One seed as a sweep sees it: run without a fingerprint; a failing seed is
// run again with one, and a rerun that finds anything else is reported as
// NONDETERMINISM (a replsim bug, never a PostgreSQL one).
SeedOutcome RunSeed(const scenarios::Scenario& s, uint64_t seed,
                    const scenarios::RunOptions& options);
using ScenarioRun =
    std::function<absl::StatusOr<scenarios::RunReport>(const scenarios::RunOptions&)>;
SeedOutcome RunSeedWith(const ScenarioRun& run, const scenarios::RunOptions& options);
std::string ReplayCommand(const std::string& file, uint64_t seed,
                          const scenarios::RunOptions& options);

void PrintRunReport(const scenarios::Scenario& s, const scenarios::RunReport& r,
                    const std::string& file);
int ExitCodeFor(const scenarios::RunReport& r);

void PrintSweepSummary(const scenarios::Scenario& s, const std::string& profile,
                       const SweepOptions& o, const SweepResult& r,
                       const std::string& file);
// kExitCrash when a worker died, else the worst failure's code.
int ExitCodeFor(const SweepResult& r);
// One line per dead worker: the seed, how it died, the replay command.
void PrintCrashes(const SweepResult& r, const std::string& profile, const std::string& file);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_CLI_COMMON_H_
