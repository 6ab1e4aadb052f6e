// RunOutputs: the files `run` and `replay` write from a run's events, and
// replay's filtered trace.
#include "tools/run_outputs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace replsim::tools {

absl::StatusOr<std::unique_ptr<RunOutputs>> RunOutputs::FromFlags(const CommandLine& cl,
                                                                  const LoadedScenario& s) {
  auto out = std::make_unique<RunOutputs>();
  if (cl.Has("html")) {
    out->html_path_ = ResolveUserPath(cl.Get("html"));
    if (out->html_path_.empty()) return absl::InvalidArgumentError("--html needs a file name");
    out->html_ = std::make_unique<HtmlDiagram>();
  }
  if (cl.Has("logs")) {
    out->logs_dir_ = ResolveUserPath(cl.Get("logs"));
    if (out->logs_dir_.empty()) return absl::InvalidArgumentError("--logs needs a directory");
    out->logs_ = std::make_unique<NodeLogs>();
  }
  if (cl.Has("until")) {
    double seconds = 0;
    if (!absl::SimpleAtod(cl.Get("until"), &seconds) || !std::isfinite(seconds) || seconds < 0 ||
        seconds > 1e9) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--until: expected seconds of virtual time (0.25, 12), got \"", cl.Get("until"), "\""));
    }
    out->until_ns_ = static_cast<int64_t>(std::llround(seconds * 1e9));
  }
  if (cl.Has("node")) {
    out->node_ = cl.Get("node");
    std::vector<std::string> names;
    for (const auto& n : s.scenario.nodes()) names.push_back(n.name());
    if (std::find(names.begin(), names.end(), out->node_) == names.end()) {
      return absl::InvalidArgumentError(absl::StrCat("--node: ", s.path, " has no node \"",
                                                     out->node_, "\"; its nodes are ",
                                                     absl::StrJoin(names, ", ")));
    }
  }
  out->grep_ = cl.Get("grep");
  return out;
}

bool RunOutputs::Shown(const sim::TraceEvent& e, const std::string& line) const {
  if (until_ns_ >= 0 && e.time.nanos() > until_ns_) return false;
  if (!node_.empty() && e.host != node_) return false;
  return grep_.empty() || absl::StrContains(line, grep_);
}

EventSink RunOutputs::ReplayPrinter(FILE* out) {
  return [this, out](const sim::TraceEvent& e) {
    if (until_ns_ >= 0 && e.time.nanos() > until_ns_) {
      cut_ = true;
      return;
    }
    const std::string line = sim::FormatTraceEvent(e);
    if (!Shown(e, line)) return;
    std::fputs(line.c_str(), out);
    std::fputc('\n', out);
  };
}

EventSink RunOutputs::Wrap(EventSink sink) {
  if (html_ == nullptr && logs_ == nullptr) return sink;
  return [this, sink = std::move(sink)](const sim::TraceEvent& e) {
    if (sink) sink(e);
    if (html_ != nullptr) html_->Add(e);
    if (logs_ != nullptr) logs_->Add(e);
  };
}

absl::Status RunOutputs::Finish(const LoadedScenario& s, const RunSetup& setup,
                                const scenarios::RunReport& report) {
  if (cut_) {
    std::printf("... the trace stops at --until %.9fs; the run went on to %.9fs\n",
                until_ns_ / 1e9, report.end_time.nanos() / 1e9);
  }
  if (html_ != nullptr) {
    const std::string title =
        absl::StrCat(s.scenario.name(), "  ", setup.description, "  seed ", report.seed);
    absl::Status st = html_->Write(
        html_path_, DiagramRunFrom(title, ReplayCommandFor(s.path, report.seed, setup), report));
    if (!st.ok()) return st;
  }
  if (logs_ != nullptr) return logs_->Write(logs_dir_);
  return absl::OkStatus();
}

}  // namespace replsim::tools
