// File: scenarios/scenario_loader.h
//
// Reads a scenario file (text-format scenario.proto) and checks it. Every
// error names the file, line and column and what was expected, e.g.
//   scenarios/x.textproto:12:3: unknown profile "pg-9.9"; expected one of: ...
// A scenario that loads is safe to run: names resolve, ranges are ordered,
// the profile and switches exist, and nothing in it quietly tests less than
// it says (scenario_limits.h). Only a regular file of at most 1 MiB is read
// (scenario_file.h).
#ifndef REPLSIM_SCENARIOS_SCENARIO_LOADER_H_
#define REPLSIM_SCENARIOS_SCENARIO_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "scenarios/scenario.pb.h"

namespace replsim::scenarios {

// `display_name` names the file in errors.
absl::StatusOr<Scenario> ParseScenario(const std::string& text,
                                       const std::string& display_name);
absl::StatusOr<Scenario> LoadScenarioFile(const std::string& path);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_SCENARIO_LOADER_H_
