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
#include "scenarios/scenario_location.h"

namespace replsim::scenarios {

// `display_name` names the file in errors.
absl::StatusOr<Scenario> ParseScenario(const std::string& text,
                                       const std::string& display_name);
absl::StatusOr<Scenario> LoadScenarioFile(const std::string& path);
// Parses text-format `text` into `m` (any message), recording where each
// field is into `tree`; InvalidArgument "file:line:col: ..." at the first
// syntax error. No semantic checks.
absl::Status ParseTextWithLocations(const std::string& text, const std::string& display_name,
                                    google::protobuf::Message* m, ParseTree* tree);
// The checks ParseScenario makes once the text has parsed, for a scenario
// that is part of another file (a fuzz spec's template) or built in memory
// (a generated schedule); `c` locates the errors.
absl::Status ValidateScenario(const Scenario& s, const ScenarioLocator& c);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_SCENARIO_LOADER_H_
