// File: tools/html_diagram.h
//
// A run as a self-contained HTML space-time diagram (`run`/`replay --html
// OUT.html`): one file, its script and style inline, nothing fetched. Lanes
// per node and process, time flowing down, arrows for the protocol messages
// (msg_sent -> msg_received, TCP segments folded in), marks for signals,
// fsyncs, faults and crashes, the violation at its place with its text;
// zoom, pan, filters, search, hover and an LSN panel. The page's script
// (tools/html/*.js) builds all that from the trace events embedded as JSON.
//
//   HtmlDiagram d;
//   options.sink = [&](const sim::TraceEvent& e) { d.Add(e); };
//   ... RunScenario ...
//   d.Write(path, DiagramRunFrom(title, replay, report));
#ifndef REPLSIM_TOOLS_HTML_DIAGRAM_H_
#define REPLSIM_TOOLS_HTML_DIAGRAM_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "scenarios/runner.h"
#include "sim/trace.h"

namespace replsim::tools {

// What the page says about the run besides its events.
struct DiagramRun {
  std::string title;    // "clean_switchover  pg-9.3beta2  seed 2649"
  std::string outcome;  // "SAFETY VIOLATION (CLEAN_SWITCHOVER)", "ok"
  std::string replay;   // the command that replays it
  std::vector<scenarios::Violation> violations;
  // Set when replsim crashed during the run: what to say at the last event.
  std::string crash;
};
DiagramRun DiagramRunFrom(std::string title, std::string replay,
                          const scenarios::RunReport& report);

class HtmlDiagram {
 public:
  // Keeps the event (as a compact JSON array).
  void Add(const sim::TraceEvent& e);
  // The page with every event added so far. InvalidArgument names a file
  // that cannot be written.
  absl::Status Write(const std::string& path, const DiagramRun& run) const;
  // The page's text.
  std::string Page(const DiagramRun& run) const;

 private:
  std::string events_;  // "[...],[...]"
};

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_HTML_DIAGRAM_H_
