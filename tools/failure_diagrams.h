// File: tools/failure_diagrams.h
//
// `sweep`/`fuzz --html-dir DIR`: the space-time diagram (tools/html_diagram.h)
// of the first failing seed of each violation signature, run again with the
// diagram attached: DIR/<SIGNATURE-hash>-<seed>.html. Later seeds of a
// signature get no page (replay them with --html).
#ifndef REPLSIM_TOOLS_FAILURE_DIAGRAMS_H_
#define REPLSIM_TOOLS_FAILURE_DIAGRAMS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scenarios/scenario.pb.h"
#include "tools/cli_common.h"
#include "tools/flags.h"
#include "tools/sweep.h"

namespace replsim::tools {

// The scenario a seed ran (a sweep's one file, or fuzz's generated one) and
// the path its replay command names.
struct SeedScenario {
  scenarios::Scenario scenario;
  std::string path;
};
using ScenarioOfSeed = std::function<absl::StatusOr<SeedScenario>(uint64_t seed)>;

// `signatures[i]` is failures[i]'s; `dir_name(signature)` a file-name stem.
// Returns signature -> the page written. InvalidArgument names a file that
// cannot be written.
absl::StatusOr<std::map<std::string, std::string>> WriteFailureDiagrams(
    const std::string& dir, const std::vector<std::pair<uint64_t, SeedOutcome>>& failures,
    const std::vector<std::string>& signatures,
    const std::function<std::string(const std::string&)>& dir_name, const ScenarioOfSeed& scenario,
    const RunSetup& setup);

// --html-dir DIR (the pages above) and --report-html OUT.html
// (tools/sweep_plots.h) of sweep and fuzz, each when given.
absl::Status WriteSweepPages(const CommandLine& cl, const SweepIdentity& id,
                             const SweepResult& r, const std::vector<std::string>& signatures,
                             const std::function<std::string(const std::string&)>& dir_name,
                             const ScenarioOfSeed& scenario, const RunSetup& setup);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_FAILURE_DIAGRAMS_H_
