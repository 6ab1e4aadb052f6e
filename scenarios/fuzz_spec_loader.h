// File: scenarios/fuzz_spec_loader.h
//
// Reads a fuzz spec (text-format fuzz_spec.proto) and checks it, with the
// scenario loader's file:line:col errors:
//   scenarios/fuzz/x.textproto:14:3: every operation has weight 0; ...
// A spec that loads can generate: its template passes every check a
// scenario file does (scenario_loader.h) and starts its PRIMARY, it has at
// least one operation kind with a weight, and its limits are not zero.
#ifndef REPLSIM_SCENARIOS_FUZZ_SPEC_LOADER_H_
#define REPLSIM_SCENARIOS_FUZZ_SPEC_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "scenarios/fuzz_spec.pb.h"

namespace replsim::scenarios {

// `display_name` names the file in errors.
absl::StatusOr<FuzzSpec> ParseFuzzSpec(const std::string& text, const std::string& display_name);
// Only a regular file of at most 1 MiB is read (scenario_file.h).
absl::StatusOr<FuzzSpec> LoadFuzzSpecFile(const std::string& path);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_FUZZ_SPEC_LOADER_H_
