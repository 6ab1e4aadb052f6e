// File: tools/run_outputs.h
//
// What `run` and `replay` write besides their report, chosen by flags:
// --html OUT.html, the run as a space-time diagram (tools/html_diagram.h).
// Each output sees every trace event as the run emits it.
#ifndef REPLSIM_TOOLS_RUN_OUTPUTS_H_
#define REPLSIM_TOOLS_RUN_OUTPUTS_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "scenarios/runner.h"
#include "sim/trace.h"
#include "tools/cli_common.h"
#include "tools/flags.h"
#include "tools/html_diagram.h"

namespace replsim::tools {

using EventSink = std::function<void(const sim::TraceEvent&)>;

class RunOutputs {
 public:
  // InvalidArgument for a flag value that cannot be used.
  static absl::StatusOr<std::unique_ptr<RunOutputs>> FromFlags(const CommandLine& cl);

  // `sink` (may be empty), then every output.
  EventSink Wrap(EventSink sink);
  // Writes the outputs once the run is over.
  absl::Status Finish(const LoadedScenario& s, const RunSetup& setup,
                      const scenarios::RunReport& report);

 private:
  std::string html_path_;
  std::unique_ptr<HtmlDiagram> html_;
};

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_RUN_OUTPUTS_H_
