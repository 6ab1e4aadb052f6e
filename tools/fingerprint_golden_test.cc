// File: tools/fingerprint_golden_test.cc
//
// Speed work must not change what a run does. This test runs the first 200
// default seeds of every bundled scenario under every expectation row
// (profile and switches, as the suite runs them) and compares each run's
// fingerprint (the hash of every trace event's raw fields, sim/trace.h),
// event count and end time with tools/testdata/fingerprints.golden, a file
// written by this test from the code before an optimisation.
//
// The test runs every 4th of those seeds (the whole set takes minutes on
// a shared machine); `-- --all` runs them all.
//
// A deliberate change of behaviour (a new draw, a new trace event, another
// default scheduler) changes the file; regenerate it from the new code with
//   bazel run //tools:fingerprint_golden_test -- --update
// (it writes the file in the source tree) and commit it with that change,
// never with a change meant to be only faster.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <utility>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"

namespace replsim::tools {
namespace {

constexpr int kSeedsPerRow = 200;
constexpr const char* kGolden = "tools/testdata/fingerprints.golden";
const char* const kScenarios[] = {
    "clean_switchover",         "crash_failover",
    "receivexlog_slot_shutdown_hang", "shutdown_wait_never_completes",
    "smart_switchover",         "switchover_rebuild",
    "sync_commit_failover",     "walrcv_exit_without_fsync",
    "walsnd_sends_unflushed_wal", "walsnd_shutdown_drops_tail",
    "walsnd_stop_ping_flood",
};

bool g_update = false;
bool g_all = false;

// One line per run: scenario, profile, switches, seed, fingerprint, events,
// end time in ns; every `step`th seed.
std::vector<std::string> Lines(int step) {
  std::vector<std::string> out;
  for (const char* name : kScenarios) {
    auto s = scenarios::LoadScenarioFile(absl::StrFormat("scenarios/%s.textproto", name));
    if (!s.ok()) {
      ADD_FAILURE() << s.status();
      continue;
    }
    std::vector<scenarios::Expectation> rows(s->expect().begin(), s->expect().end());
    if (rows.empty()) rows.emplace_back();
    for (const scenarios::Expectation& e : rows) {
      scenarios::RunOptions o;
      o.profile = e.profile();
      o.switches = absl::StrJoin(e.switches(), ",");
      const uint64_t first = s->default_seeds().first();
      for (uint64_t seed = first; seed < first + kSeedsPerRow; seed += step) {
        auto r = scenarios::RunScenario(*s, seed, o);
        if (!r.ok()) {
          ADD_FAILURE() << name << " seed " << seed << ": " << r.status();
          break;
        }
        out.push_back(absl::StrFormat("%s %s %s %d %016x %d %d", name,
                              scenarios::RunProfile(*s, o), o.switches.empty() ? "-" : o.switches,
                              seed, r->fingerprint, r->events, r->end_time.nanos()));
      }
    }
  }
  return out;
}

// The key of a line: scenario, profile, switches, seed.
std::string Key(const std::string& line) {
  size_t end = 0;
  for (int k = 0; k < 4 && end != std::string::npos; ++k) end = line.find(' ', end + 1);
  return line.substr(0, end);
}

TEST(FingerprintGoldenTest, EverySeedAsBeforeTheOptimisation) {
  const int step = g_update || g_all ? 1 : 4;
  const std::vector<std::string> got = Lines(step);
  if (g_update) {
    // bazel run: write into the source tree.
    const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
    ASSERT_NE(ws, nullptr) << "--update needs `bazel run`";
    std::ofstream out(absl::StrFormat("%s/%s", ws, kGolden));
    for (const std::string& l : got) out << l << "\n";
    std::printf("wrote %s/%s\n", ws, kGolden);
    return;
  }
  std::ifstream in(kGolden);
  ASSERT_TRUE(in) << kGolden;
  std::map<std::string, std::pair<int, std::string>> want;  // key -> (line number, line)
  std::string l;
  for (int n = 1; std::getline(in, l); ++n) want[Key(l)] = {n, l};
  ASSERT_EQ(got.size() * step, want.size()) << "runs here vs lines in " << kGolden;
  int differing = 0;
  for (const std::string& g : got) {
    auto it = want.find(Key(g));
    if (it == want.end()) {
      ADD_FAILURE() << "not in " << kGolden << ": " << g;
    } else if (it->second.second != g && ++differing <= 10) {
      ADD_FAILURE() << kGolden << ":" << it->second.first << ": expected\n  "
                    << it->second.second << "\ngot\n  " << g;
    }
  }
  EXPECT_EQ(differing, 0) << "runs that differ from " << kGolden;
}

}  // namespace
}  // namespace replsim::tools

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--update") replsim::tools::g_update = true;
    if (std::string(argv[i]) == "--all") replsim::tools::g_all = true;
  }
  return RUN_ALL_TESTS();
}
