#include "tools/suite.h"

#include <dirent.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/build_info.h"
#include "tools/cli_common.h"
#include "tools/reports.h"
#include "tools/sweep.h"

namespace replsim::tools {
namespace {

std::vector<std::string> ScenarioFiles(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (absl::EndsWith(name, ".textproto")) out.push_back(absl::StrCat(dir, "/", name));
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

int RunSuite(const CommandLine& cl) {
  const std::string dir_arg = cl.positional.empty() ? "" : cl.positional[0];
  const std::string dir = dir_arg.empty() ? "scenarios" : ResolveUserPath(dir_arg);
  const std::string shown_dir = dir_arg.empty() ? "scenarios" : dir_arg;
  absl::StatusOr<int64_t> jobs = ParseIntFlag("--jobs", cl.Get("jobs", "2"), 1, 256);
  if (!jobs.ok()) return BadInput(jobs.status().message());
  WarnIfMoreJobsThanCores(static_cast<int>(*jobs));
  const std::vector<std::string> files = ScenarioFiles(dir);
  if (files.empty()) return BadInput(absl::StrCat(dir, ": no *.textproto scenario files"));
  std::printf("%-30s %-26s %-10s %-8s %-9s %-22s %s\n", "scenario", "profile", "seeds",
              "failing", "expected", "verdict", "seeds/s");
  // What decides the exit code, most severe first: interrupted, a crash, bad
  // input, a row not as expected.
  int interrupted_by = 0;
  bool any_crash = false, any_bad_input = false, any_row_off = false;
  std::vector<std::string> notes;
  std::vector<SuiteRow> rows;
  for (const std::string& file : files) {
    const std::string shown = absl::StrCat(shown_dir, file.substr(dir.size()));
    auto s = LoadScenarioForCli(file);
    if (!s.ok()) {
      std::printf("%-30s %s\n", shown.c_str(), "BAD INPUT (see below)");
      notes.push_back(std::string(s.status().message()));
      any_bad_input = true;
      SuiteRow row;
      row.identity.scenario_path = shown;
      row.bad_input = std::string(s.status().message());
      row.verdict = "BAD INPUT";
      rows.push_back(row);
      continue;
    }
    s->path = shown;
    std::vector<scenarios::Expectation> expect(s->scenario.expect().begin(),
                                               s->scenario.expect().end());
    if (expect.empty()) expect.emplace_back();
    for (const scenarios::Expectation& e : expect) {
      SuiteRow row;
      row.violations_expected = e.violations_expected();
      absl::StatusOr<RunSetup> setup =
          SetupRun(s->scenario, e.profile(), absl::StrJoin(e.switches(), ","));
      SweepOptions o;
      SweepIdentity& id = o.identity;
      id.scenario_path = s->path;
      id.scenario_name = s->scenario.name();
      id.scenario_hash = s->hash;
      id.first = s->scenario.default_seeds().first();
      id.last = s->scenario.default_seeds().last();
      id.version = BuildVersion();
      o.jobs = static_cast<int>(*jobs);
      absl::StatusOr<SweepResult> r = absl::InvalidArgumentError("");
      if (setup.ok()) {
        id.profile = setup->profile;
        id.switches = setup->switches;
        const scenarios::RunOptions options = setup->options;
        r = RunSweep(o, [&](uint64_t seed) { return RunSeed(s->scenario, seed, options); });
      }
      if (!setup.ok() || !r.ok()) {
        const absl::Status& st = setup.ok() ? r.status() : setup.status();
        notes.push_back(absl::StrCat(shown, ": ", st.message()));
        any_bad_input = true;
        row.identity = id;
        row.bad_input = std::string(st.message());
        row.verdict = "BAD INPUT";
        rows.push_back(row);
        continue;
      }
      const bool found = !r->failures.empty();
      const bool crashed = !r->crashes.empty();
      row.identity = id;
      row.result = *r;
      row.as_expected = !crashed && r->interrupted_by == 0 && found == e.violations_expected();
      row.verdict = r->interrupted_by != 0 ? "INTERRUPTED"
                    : crashed              ? "REPLSIM CRASHED"
                    : row.as_expected ? (found ? "found, as expected" : "clean, as expected")
                                      : (found ? "UNEXPECTED FAILURES" : "NOT REPRODUCED");
      const std::string profile =
          id.switches.empty() ? id.profile : absl::StrCat(id.profile, " ", id.switches);
      std::printf("%-30s %-26s %-10s %-8zu %-9s %-22s %.0f\n", id.scenario_name.c_str(),
                  profile.c_str(), absl::StrCat(id.first, "..", id.last).c_str(),
                  r->failures.size(), e.violations_expected() ? "failures" : "none",
                  row.verdict.c_str(), r->seeds_per_second());
      std::fflush(stdout);
      if (found) {
        const uint64_t seed = r->failures.front().first;
        notes.push_back(absl::StrCat(
            id.scenario_name, " (", profile, "): first failing seed ", seed, ": ",
            r->failures.front().second.violation, "\n    ",
            ReplayCommand(id.scenario_path, seed, id.profile, id.switches, id.scheduler)));
      }
      for (const WorkerCrash& c : r->crashes) {
        notes.push_back(absl::StrCat(
            id.scenario_name, " (", profile, "): REPLSIM CRASHED at seed ", c.seed, ": ", c.how,
            c.last_words.empty() ? "" : ": ", c.last_words,
            " (a bug in replsim, not a finding)\n    ",
            ReplayCommand(id.scenario_path, c.seed, id.profile, id.switches, id.scheduler)));
      }
      rows.push_back(row);
      any_crash |= crashed;
      any_row_off |= !row.as_expected;
      interrupted_by = r->interrupted_by;
      if (interrupted_by != 0) break;
    }
    if (interrupted_by != 0) break;
  }
  const int exit_code = interrupted_by != 0 ? 128 + interrupted_by
                        : any_crash         ? kExitCrash
                        : any_bad_input     ? kExitBadInput
                        : any_row_off       ? kExitSuiteRow
                                            : kExitOk;
  if (!notes.empty()) std::printf("\n");
  for (const std::string& n : notes) std::printf("%s\n", n.c_str());
  std::printf("\nsuite: %s\n", exit_code == kExitOk ? "every row as expected"
                                                    : "some rows not as expected");
  if (absl::Status st = WriteSuiteReports(cl, rows, exit_code); !st.ok()) {
    return BadInput(st.message());
  }
  return exit_code;
}

}  // namespace replsim::tools
