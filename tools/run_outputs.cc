// RunOutputs: the files `run` and `replay` write from a run's events, and
// replay's filtered trace.
#include "tools/run_outputs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace replsim::tools {
namespace {

absl::StatusOr<int64_t> VirtualTimeFlag(const std::string& flag, const std::string& text) {
  double seconds = 0;
  if (!absl::SimpleAtod(text, &seconds) || !std::isfinite(seconds) || seconds < 0 ||
      seconds > 1e9) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": expected seconds of virtual time (0.25, 12), got \"", text, "\""));
  }
  return static_cast<int64_t>(std::llround(seconds * 1e9));
}

}  // namespace

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
    absl::StatusOr<int64_t> ns = VirtualTimeFlag("--until", cl.Get("until"));
    if (!ns.ok()) return ns.status();
    out->until_ns_ = *ns;
  }
  for (const auto& n : s.scenario.nodes()) out->node_names_.push_back(n.name());
  out->dump_dir_ = ResolveUserPath(cl.Get("dump-dir", cl.Get("logs")));
  if (cl.Has("dump-at")) {
    absl::StatusOr<int64_t> ns = VirtualTimeFlag("--dump-at", cl.Get("dump-at"));
    if (!ns.ok()) return ns.status();
    if (out->dump_dir_.empty()) {
      return absl::InvalidArgumentError("--dump-at needs a directory: --dump-dir DIR or --logs DIR");
    }
    out->dump_at_ = std::make_unique<StateDumps>(
        out->node_names_, *ns, std::vector<wal::XLogRecPtr>{},
        absl::StrCat("asked for with --dump-at ", cl.Get("dump-at")));
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

void RunOutputs::AttachDumps(scenarios::RunOptions* options) {
  if (dump_at_ != nullptr) dump_at_->Attach(options);
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

void RunOutputs::WriteAfterCrash(const std::string& title, const std::string& replay) const {
  if (html_ == nullptr) return;
  DiagramRun run;
  run.title = title;
  run.outcome = "REPLSIM CRASHED (a bug in replsim, not a finding): the events up to the crash";
  run.replay = replay;
  run.crash = "replsim crashed after this event";
  (void)html_->Write(html_path_, run);
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
  if (logs_ != nullptr) {
    if (absl::Status st = logs_->Write(logs_dir_); !st.ok()) return st;
  }
  return WriteDumps(s, setup, report);
}

absl::Status RunOutputs::WriteDumps(const LoadedScenario& s, const RunSetup& setup,
                                    const scenarios::RunReport& report) {
  if (dump_dir_.empty()) return absl::OkStatus();
  std::error_code ec;
  std::filesystem::create_directories(dump_dir_, ec);
  if (dump_at_ != nullptr) return dump_at_->Write(dump_dir_);
  const scenarios::Violation* v = report.first_violation();
  if (v == nullptr) return absl::OkStatus();
  // The moment of the violation is known only now: the run is a function of
  // (scenario, seed, behaviour), so it runs again with the dumper alone.
  StateDumps at_violation(node_names_, v->time.nanos(), LsnsIn(v->message),
                          absl::StrCat("at the first violation: ", ViolationLine(*v)));
  scenarios::RunOptions o = setup.options;
  o.sink = nullptr;
  o.keep_trace = false;
  o.fingerprint = false;
  at_violation.Attach(&o);
  absl::StatusOr<scenarios::RunReport> again = scenarios::RunScenario(s.scenario, report.seed, o);
  if (!again.ok()) return again.status();
  return at_violation.Write(dump_dir_);
}

}  // namespace replsim::tools
