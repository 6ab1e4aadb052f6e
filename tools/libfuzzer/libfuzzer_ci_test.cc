// The coverage-guided fuzzer end to end, as CI runs it: the instrumented
// target (built by a plain `bazel test //...`) runs a CI-sized campaign
// under pg-9.3beta2; its coverage reaches libFuzzer (the corpus grows
// beyond the seed inputs), replsim never crashes, and every reproducer it
// writes replays without the fuzzer to the same violation and
// fingerprint. A CHECK failure inside a run is a libFuzzer crash with the
// schedule written as a scenario file.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "tools/cli_common.h"
#include "tools/fuzz_shrink.h"

namespace replsim::tools {
namespace {

namespace fs = std::filesystem;

// The CI run's size. An execution costs about 32 ms of CPU (the campaign
// measured in README), so 20,000 would take 11 minutes of one core; 1,000
// take about 35 s idle, and finish inside the test's 900 s on a loaded
// machine. LIBFUZZER_CI_RUNS overrides.
constexpr int kCiRuns = 1000;
constexpr char kBinary[] = "tools/libfuzzer/replsim_libfuzzer";

struct Result {
  int status = -1;  // the exit status, or -1 when it did not exit
  std::string output;
};

Result RunCommand(const std::string& command) {
  Result r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int w = pclose(p);
  r.status = WIFEXITED(w) ? WEXITSTATUS(w) : -1;
  return r;
}

std::string TmpDir(const std::string& name) {
  const char* t = std::getenv("TEST_TMPDIR");
  const std::string d = absl::StrCat(t != nullptr ? t : "/tmp", "/", name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LibFuzzerCiTest, CoverageGuidesTheSearchAndReproducersReplay) {
  int runs = kCiRuns;
  if (const char* e = std::getenv("LIBFUZZER_CI_RUNS")) ASSERT_TRUE(absl::SimpleAtoi(e, &runs));
  const std::string dir = TmpDir("ci");
  fs::create_directories(dir + "/corpus");
  const Result r = RunCommand(absl::StrCat(kBinary, " --out=", dir, "/out --profile=pg-9.3beta2 -seed=1",
                                    " -runs=", runs, " -artifact_prefix=", dir, "/ ", dir,
                                    "/corpus"));
  std::printf("%s\n", r.output.substr(r.output.size() > 6000 ? r.output.size() - 6000 : 0).c_str());
  ASSERT_EQ(r.status, 0) << "replsim crashed, or the run failed";
  EXPECT_NE(r.output.find(absl::StrCat(runs, " executions")), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.output, m, std::regex(R"(, (\d+) edges, (\d+) blocks entered)")));
  EXPECT_GT(std::stoull(m[1]), 1000u) << "the model's code is instrumented";
  // The protocol states the runs reached, each a libFuzzer feature too.
  ASSERT_TRUE(std::regex_search(r.output, m, std::regex(R"(, (\d+) protocol states \((\d+) node)")));
  EXPECT_GT(std::stoull(m[1]), 20u) << "the state counter saw the runs";
  // Inputs libFuzzer kept for new coverage, beyond the first (empty) one.
  size_t kept = 0;
  for (const auto& f : fs::directory_iterator(dir + "/corpus")) kept += f.is_regular_file();
  EXPECT_GT(kept, 10u) << "coverage reached libFuzzer";

  // The first reproducer of each signature replays to its violation and
  // fingerprint with the scenario file alone.
  int replayed = 0;
  for (const auto& sig_dir : fs::directory_iterator(dir + "/out")) {
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(sig_dir)) files.push_back(f.path());
    ASSERT_FALSE(files.empty());
    std::sort(files.begin(), files.end());
    const std::string text = Slurp(files.front());
    std::smatch seed, fp, first;
    ASSERT_TRUE(std::regex_search(text, seed, std::regex(R"(--seed (\d+))"))) << text;
    ASSERT_TRUE(std::regex_search(text, fp, std::regex(R"(# fingerprint: ([0-9a-f]{16}))")));
    ASSERT_TRUE(std::regex_search(text, first, std::regex(R"(# first violation: (.*))")));
    absl::StatusOr<scenarios::Scenario> s = scenarios::ParseScenario(text, files.front());
    ASSERT_TRUE(s.ok()) << s.status();
    absl::StatusOr<RunSetup> setup = SetupRun(*s, "pg-9.3beta2", "");
    ASSERT_TRUE(setup.ok());
    const SeedOutcome o = RunSeed(*s, std::stoull(seed[1]), setup->options);
    EXPECT_EQ(o.violation, first[1].str()) << files.front();
    EXPECT_EQ(absl::StrFormat("%016x", o.fingerprint), fp[1].str()) << files.front();
    EXPECT_EQ(SignatureDir(FailureSignature(o)), sig_dir.path().filename().string());
    ++replayed;
  }
  std::printf("replayed the first reproducer of %d signature(s)\n", replayed);
}

TEST(LibFuzzerCiTest, ACheckFailureIsACrashWithItsScheduleWritten) {
  const std::string dir = TmpDir("crash");
  const Result r = RunCommand(absl::StrCat("REPLSIM_SELFTEST_CRASH_AFTER_EVENTS=200 ", kBinary, " --out=",
                                    dir, "/out -seed=1 -runs=5 -artifact_prefix=", dir, "/"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("deadly signal"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("a deliberate crash"), std::string::npos) << r.output;
  int inputs = 0;
  for (const auto& f : fs::directory_iterator(dir)) {
    inputs += f.path().filename().string().rfind("crash-", 0) == 0;
  }
  EXPECT_EQ(inputs, 1) << "libFuzzer wrote the crashing input";
  std::vector<fs::path> schedules;
  for (const auto& f : fs::directory_iterator(dir + "/out/CRASH")) schedules.push_back(f.path());
  ASSERT_EQ(schedules.size(), 1u);
  const std::string text = Slurp(schedules[0]);
  EXPECT_NE(text.find("# replsim crashed while running this schedule"), std::string::npos);
  EXPECT_NE(r.output.find(schedules[0].filename().string()), std::string::npos)
      << "the crash report names the schedule";
  absl::StatusOr<scenarios::Scenario> s = scenarios::ParseScenario(text, schedules[0]);
  ASSERT_TRUE(s.ok()) << s.status();
}

}  // namespace
}  // namespace replsim::tools
