// RunOutputs: the files `run` and `replay` write from a run's events.
#include "tools/run_outputs.h"

#include "absl/strings/str_cat.h"

namespace replsim::tools {

absl::StatusOr<std::unique_ptr<RunOutputs>> RunOutputs::FromFlags(const CommandLine& cl) {
  auto out = std::make_unique<RunOutputs>();
  if (cl.Has("html")) {
    out->html_path_ = ResolveUserPath(cl.Get("html"));
    if (out->html_path_.empty()) return absl::InvalidArgumentError("--html needs a file name");
    out->html_ = std::make_unique<HtmlDiagram>();
  }
  return out;
}

EventSink RunOutputs::Wrap(EventSink sink) {
  if (html_ == nullptr) return sink;
  return [this, sink = std::move(sink)](const sim::TraceEvent& e) {
    if (sink) sink(e);
    html_->Add(e);
  };
}

absl::Status RunOutputs::Finish(const LoadedScenario& s, const RunSetup& setup,
                                const scenarios::RunReport& report) {
  if (html_ != nullptr) {
    const std::string title =
        absl::StrCat(s.scenario.name(), "  ", setup.description, "  seed ", report.seed);
    absl::Status st = html_->Write(
        html_path_, DiagramRunFrom(title, ReplayCommandFor(s.path, report.seed, setup), report));
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace replsim::tools
