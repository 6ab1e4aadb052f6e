// File: tools/run_outputs.h
//
// What `run` and `replay` write besides their report, chosen by flags:
// - --html OUT.html: the run as a space-time diagram (tools/html_diagram.h);
// - --logs DIR: each node's server log (tools/node_logs.h);
// - --dump-at T, and at the first violation when --logs DIR or --dump-dir
//   DIR is given: each node's pg_controldata and pg_waldump listings
//   (tools/state_dumps.h), in --dump-dir DIR, else beside the logs;
// - replay's trace on stdout, cut by --until T (seconds of virtual time),
//   --node NAME (that node's events) and --grep TEXT (lines containing it).
// Each output sees every trace event as the run emits it.
#ifndef REPLSIM_TOOLS_RUN_OUTPUTS_H_
#define REPLSIM_TOOLS_RUN_OUTPUTS_H_

#include <cstdint>
#include <cstdio>
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
#include "tools/node_logs.h"
#include "tools/state_dumps.h"

namespace replsim::tools {

using EventSink = std::function<void(const sim::TraceEvent&)>;

class RunOutputs {
 public:
  // InvalidArgument for a flag value that cannot be used (a --node the
  // scenario does not have, a --until that is not a time).
  static absl::StatusOr<std::unique_ptr<RunOutputs>> FromFlags(const CommandLine& cl,
                                                               const LoadedScenario& s);

  // replay's printer: each event that passes --until, --node and --grep,
  // one line each, to `out`.
  EventSink ReplayPrinter(FILE* out = stdout);
  // `sink` (may be empty), then every output.
  EventSink Wrap(EventSink sink);
  // Chains the --dump-at dumper, if asked for, into options (its sink and
  // harness hooks).
  void AttachDumps(scenarios::RunOptions* options);
  // From the crash handler: the --html page with the events up to the
  // crash and a crash mark after the last one (no-op without --html).
  void WriteAfterCrash(const std::string& title, const std::string& replay) const;
  // Writes the outputs once the run is over.
  absl::Status Finish(const LoadedScenario& s, const RunSetup& setup,
                      const scenarios::RunReport& report);

 private:
  bool Shown(const sim::TraceEvent& e, const std::string& line) const;
  absl::Status WriteDumps(const LoadedScenario& s, const RunSetup& setup,
                          const scenarios::RunReport& report);

  std::string html_path_, logs_dir_;
  std::unique_ptr<HtmlDiagram> html_;
  std::unique_ptr<NodeLogs> logs_;
  // Where dumps go (empty: none); the --dump-at dumper, if asked for.
  std::string dump_dir_;
  std::vector<std::string> node_names_;
  std::unique_ptr<StateDumps> dump_at_;
  int64_t until_ns_ = -1;  // -1: no --until
  bool cut_ = false;       // --until left events out
  std::string node_, grep_;
};

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_RUN_OUTPUTS_H_
