// File: scenarios/scenario_file.h
//
// Reading a scenario file before it is parsed: only a regular file of at
// most kMaxScenarioFileBytes is read (a directory, a device such as
// /dev/zero or a FIFO is refused unread, by what it is), and a text with
// nothing to parse says so instead of failing as a scenario without a name.
#ifndef REPLSIM_SCENARIOS_SCENARIO_FILE_H_
#define REPLSIM_SCENARIOS_SCENARIO_FILE_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace replsim::scenarios {

// 1 MiB: the bundled scenarios are a few KiB each.
constexpr size_t kMaxScenarioFileBytes = size_t{1} << 20;

// The contents of the regular file at `path`.
absl::StatusOr<std::string> ReadScenarioFile(const std::string& path);

// The text is not over the cap and has something besides comments and
// blank lines. `display_name` names the file in errors.
absl::Status CheckScenarioText(const std::string& text, const std::string& display_name);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_SCENARIO_FILE_H_
