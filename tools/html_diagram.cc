// HtmlDiagram: the trace events and the run's facts as JSON inside the page
// template (tools/html/), written as one self-contained file.
#include "tools/html_diagram.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "tools/html/diagram_assets.h"
#include "tools/json.h"
#include "tools/trace_output.h"

namespace replsim::tools {
namespace {

// JSON placed inside <script>: "</script>" in a string must not end it.
std::string ForScript(const std::string& json) {
  return absl::StrReplaceAll(json, {{"</", "<\\/"}, {"<!--", "<\\!--"}});
}

std::string HtmlEscape(absl::string_view s) {
  return absl::StrReplaceAll(s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}});
}

std::string ViolationsJson(const std::vector<scenarios::Violation>& vs) {
  std::string out = "[";
  for (const scenarios::Violation& v : vs) {
    if (out.size() > 1) out += ",";
    absl::StrAppend(&out, "{\"time_ns\":", v.time.nanos(), ",\"invariant\":",
                    JsonString(scenarios::InvariantName(v.invariant)),
                    ",\"message\":", JsonString(v.message), ",\"evidence\":",
                    JsonString(v.evidence), ",\"liveness\":", v.liveness ? "true" : "false",
                    ",\"tolerated\":", v.tolerated ? "true" : "false", "}");
  }
  return out + "]";
}

}  // namespace

DiagramRun DiagramRunFrom(std::string title, std::string replay,
                          const scenarios::RunReport& report) {
  DiagramRun d;
  d.title = std::move(title);
  d.replay = std::move(replay);
  d.violations = report.violations;
  const scenarios::Violation* v = report.first_violation();
  d.outcome = v == nullptr ? "ok"
                           : absl::StrCat(v->liveness ? "LIVENESS" : "SAFETY", " VIOLATION (",
                                          scenarios::InvariantName(v->invariant), ")");
  return d;
}

void HtmlDiagram::Add(const sim::TraceEvent& e) {
  if (!events_.empty()) events_ += ",\n";
  absl::StrAppend(&events_, "[", e.time.nanos(), ",", JsonString(e.host), ",",
                  JsonString(e.process), ",", e.pid, ",", JsonString(e.kind), ",",
                  TraceFieldsJson(e), ",", static_cast<int>(e.severity), "]");
}

std::string HtmlDiagram::Page(const DiagramRun& run) const {
  const std::string data = absl::StrCat(
      "const RUN = ",
      ForScript(absl::StrCat("{\"title\":", JsonString(run.title), ",\"outcome\":",
                             JsonString(run.outcome), ",\"replay\":", JsonString(run.replay),
                             ",\"violations\":", ViolationsJson(run.violations),
                             ",\"crash\":", JsonString(run.crash), "}")),
      ";\nconst EVENTS = [\n", ForScript(events_), "];");
  return absl::StrReplaceAll(kDiagramHtml, {{"/*REPLSIM_TITLE*/", HtmlEscape(run.title)},
                                            {"/*REPLSIM_CSS*/", kDiagramCss},
                                            {"/*REPLSIM_DATA*/", data},
                                            {"/*REPLSIM_JS*/", kDiagramJs}});
}

absl::Status HtmlDiagram::Write(const std::string& path, const DiagramRun& run) const {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return absl::InvalidArgumentError(absl::StrCat(path, ": cannot write the diagram"));
  const std::string page = Page(run);
  const bool ok = std::fwrite(page.data(), 1, page.size(), f) == page.size();
  if (std::fclose(f) != 0 || !ok) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": write failed"));
  }
  return absl::OkStatus();
}

}  // namespace replsim::tools
