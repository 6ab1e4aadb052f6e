// WriteFailureDiagrams: the first failing seed of each signature, rerun
// with the HTML diagram attached.
#include "tools/failure_diagrams.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "scenarios/runner.h"
#include "tools/html_diagram.h"
#include "tools/reports.h"
#include "tools/sweep_plots.h"

namespace replsim::tools {

absl::StatusOr<std::map<std::string, std::string>> WriteFailureDiagrams(
    const std::string& dir, const std::vector<std::pair<uint64_t, SeedOutcome>>& failures,
    const std::vector<std::string>& signatures,
    const std::function<std::string(const std::string&)>& dir_name, const ScenarioOfSeed& scenario,
    const RunSetup& setup) {
  std::map<std::string, std::string> pages;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  for (size_t i = 0; i < failures.size() && i < signatures.size(); ++i) {
    if (pages.count(signatures[i]) > 0) continue;
    const uint64_t seed = failures[i].first;
    absl::StatusOr<SeedScenario> s = scenario(seed);
    if (!s.ok()) return s.status();
    HtmlDiagram d;
    scenarios::RunOptions o = setup.options;
    o.sink = [&d](const sim::TraceEvent& e) { d.Add(e); };
    absl::StatusOr<scenarios::RunReport> r = scenarios::RunScenario(s->scenario, seed, o);
    if (!r.ok()) return r.status();
    const std::string path = absl::StrCat(dir, "/", dir_name(signatures[i]), "-", seed, ".html");
    const std::string title =
        absl::StrCat(s->scenario.name(), "  ", setup.description, "  seed ", seed);
    if (absl::Status st =
            d.Write(path, DiagramRunFrom(title, ReplayCommandFor(s->path, seed, setup), *r));
        !st.ok()) {
      return st;
    }
    pages[signatures[i]] = path;
  }
  return pages;
}

absl::Status WriteSweepPages(const CommandLine& cl, const SweepIdentity& id,
                             const SweepResult& r, const std::vector<std::string>& signatures,
                             const std::function<std::string(const std::string&)>& dir_name,
                             const ScenarioOfSeed& scenario, const RunSetup& setup) {
  std::map<std::string, std::string> pages;
  if (cl.Has("html-dir")) {
    absl::StatusOr<std::map<std::string, std::string>> p = WriteFailureDiagrams(
        ResolveUserPath(cl.Get("html-dir")), r.failures, signatures, dir_name, scenario, setup);
    if (!p.ok()) return p.status();
    pages = *std::move(p);
  }
  if (!cl.Has("report-html")) return absl::OkStatus();
  const std::string out = ResolveUserPath(cl.Get("report-html"));
  // Links relative to the report, so the two can move together.
  const std::filesystem::path base = std::filesystem::absolute(out).parent_path();
  for (auto& [sig, path] : pages) {
    std::error_code ec;
    const std::filesystem::path rel =
        std::filesystem::relative(std::filesystem::absolute(path), base, ec);
    if (!ec && !rel.empty()) path = rel.string();
  }
  PlotRow row{id, setup.description, r, signatures, pages};
  return WriteReportFile("--report-html", cl.Get("report-html"),
                         SweepPlotsHtml(absl::StrCat("replsim ", cl.command, " of ",
                                                     id.scenario_name, " under ",
                                                     setup.description),
                                        {row}));
}

}  // namespace replsim::tools
