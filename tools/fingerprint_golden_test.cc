// File: tools/fingerprint_golden_test.cc
//
// Speed work must not change what a run does. This test runs the first 200
// default seeds of every bundled scenario under every expectation row
// (profile and switches, as the suite runs them) and compares each run's
// fingerprint (the hash of every trace event's raw fields, sim/trace.h),
// event count and end time with tools/testdata/fingerprints.golden, a file
// written by this test from the code before an optimisation.
//
// A deliberate change of behaviour (a new draw, a new trace event, another
// default scheduler) changes the file; regenerate it from the new code with
//   bazel run //tools:fingerprint_golden_test -- --update
// (it writes the file in the source tree) and commit it with that change,
// never with a change meant to be only faster.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
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

// One line per run: scenario, profile, switches, seed, fingerprint, events,
// end time in ns.
std::string Lines() {
  std::string out;
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
      for (uint64_t seed = first; seed < first + kSeedsPerRow; ++seed) {
        auto r = scenarios::RunScenario(*s, seed, o);
        if (!r.ok()) {
          ADD_FAILURE() << name << " seed " << seed << ": " << r.status();
          break;
        }
        absl::StrAppendFormat(&out, "%s %s %s %d %016x %d %d\n", name,
                              scenarios::RunProfile(*s, o), o.switches.empty() ? "-" : o.switches,
                              seed, r->fingerprint, r->events, r->end_time.nanos());
      }
    }
  }
  return out;
}

TEST(FingerprintGoldenTest, EverySeedAsBeforeTheOptimisation) {
  const std::string got = Lines();
  if (g_update) {
    // bazel run: write into the source tree.
    const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
    ASSERT_NE(ws, nullptr) << "--update needs `bazel run`";
    std::ofstream(absl::StrFormat("%s/%s", ws, kGolden)) << got;
    std::printf("wrote %s/%s\n", ws, kGolden);
    return;
  }
  std::ifstream in(kGolden);
  ASSERT_TRUE(in) << kGolden;
  std::stringstream want;
  want << in.rdbuf();
  std::istringstream g(got), w(want.str());
  std::string gl, wl;
  int line = 0, differing = 0;
  while (std::getline(w, wl)) {
    ++line;
    if (!std::getline(g, gl)) gl = "(missing)";
    if (gl != wl && ++differing <= 10) {
      ADD_FAILURE() << kGolden << ":" << line << ": expected\n  " << wl << "\ngot\n  " << gl;
    }
  }
  EXPECT_FALSE(std::getline(g, gl)) << "more runs than " << kGolden << " has: " << gl;
  EXPECT_EQ(differing, 0) << "runs that differ from " << kGolden;
}

}  // namespace
}  // namespace replsim::tools

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--update") replsim::tools::g_update = true;
  }
  return RUN_ALL_TESTS();
}
