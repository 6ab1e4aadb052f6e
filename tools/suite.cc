#include "tools/suite.h"

#include <dirent.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "scenarios/scenario_loader.h"
#include "tools/cli_common.h"
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

int RunSuite(const std::string& dir_arg) {
  const std::string dir = dir_arg.empty() ? "scenarios" : ResolveUserPath(dir_arg);
  const std::vector<std::string> files = ScenarioFiles(dir);
  if (files.empty()) return BadInput(absl::StrCat(dir, ": no *.textproto scenario files"));
  std::printf("%-30s %-26s %-10s %-8s %-9s %-22s %s\n", "scenario", "profile", "seeds",
              "failing", "expected", "verdict", "seeds/s");
  int exit_code = kExitOk;
  std::vector<std::string> notes;
  for (const std::string& file : files) {
    auto s = scenarios::LoadScenarioFile(file);
    if (!s.ok()) {
      std::printf("%-30s %s\n", file.c_str(), "BAD INPUT (see below)");
      notes.push_back(std::string(s.status().message()));
      exit_code = std::max(exit_code, kExitBadInput);
      continue;
    }
    std::vector<scenarios::Expectation> rows(s->expect().begin(), s->expect().end());
    if (rows.empty()) rows.emplace_back();
    for (const scenarios::Expectation& row : rows) {
      scenarios::RunOptions options;
      options.profile = row.profile().empty() ? s->profile() : row.profile();
      options.switches = absl::StrJoin(row.switches(), ",");
      SweepOptions o;
      o.first = s->default_seeds().first();
      o.last = s->default_seeds().last();
      o.jobs = 2;
      o.label = s->name();
      auto r = RunSweep(o, [&](uint64_t seed) { return RunSeed(*s, seed, options); });
      if (!r.ok()) {
        notes.push_back(std::string(r.status().message()));
        exit_code = std::max(exit_code, kExitBadInput);
        continue;
      }
      // Tolerated outcomes never reach the failure list (RunSeed skips them).
      const bool found = !r->failures.empty();
      const bool as_expected = found == row.violations_expected();
      // The row's label names every switch it runs with, the scenario's own
      // (which apply to its own profile) included.
      std::vector<std::string> switches;
      if (options.profile == s->profile()) {
        switches.assign(s->switches().begin(), s->switches().end());
      }
      switches.insert(switches.end(), row.switches().begin(), row.switches().end());
      const std::string profile =
          switches.empty() ? options.profile
                           : absl::StrCat(options.profile, " ", absl::StrJoin(switches, ","));
      const bool crashed = !r->crashes.empty();
      const char* verdict = crashed       ? "REPLSIM CRASHED"
                            : as_expected ? (found ? "found, as expected" : "clean, as expected")
                                          : (found ? "UNEXPECTED FAILURES" : "NOT REPRODUCED");
      std::printf("%-30s %-26s %-10s %-8zu %-9s %-22s %.0f\n", s->name().c_str(),
                  profile.c_str(), absl::StrCat(o.first, "..", o.last).c_str(),
                  r->failures.size(), row.violations_expected() ? "failures" : "none",
                  verdict, r->seeds_per_second());
      std::fflush(stdout);
      if (found) {
        notes.push_back(absl::StrCat(s->name(), " (", profile, "): first failing seed ",
                                     r->failures.front().first, ": ",
                                     r->failures.front().second.violation, "\n    ",
                                     ReplayCommand(file, r->failures.front().first, options)));
      }
      for (const WorkerCrash& c : r->crashes) {
        notes.push_back(absl::StrCat(s->name(), " (", profile, "): REPLSIM CRASHED at seed ",
                                     c.seed, ": the worker running it was ", c.how, ", and ",
                                     c.seeds_lost, " seed(s) of its share were not run (a bug in "
                                     "replsim, not a finding)\n    ",
                                     ReplayCommand(file, c.seed, options)));
      }
      if (crashed) {
        exit_code = std::max(exit_code, kExitCrash);
      } else if (!as_expected) {
        exit_code = std::max(exit_code, found ? ExitCodeFor(*r) : kExitSafety);
      }
    }
  }
  if (!notes.empty()) std::printf("\n");
  for (const std::string& n : notes) std::printf("%s\n", n.c_str());
  std::printf("\nsuite: %s\n", exit_code == kExitOk ? "every row as expected"
                                                    : "some rows not as expected");
  return exit_code;
}

}  // namespace replsim::tools
