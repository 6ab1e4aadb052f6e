// The replsim binary as a user meets it: exit codes tell outcomes apart, bad
// input names what was wrong, and run and replay agree on the fingerprint.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace {

struct Result {
  int code = -1;
  std::string out;  // stdout and stderr
};

Result Replsim(const std::string& args) {
  Result r;
  const std::string cmd = "tools/replsim " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string FingerprintOf(const std::string& out) {
  const size_t at = out.rfind("fingerprint ");
  return at == std::string::npos ? "" : out.substr(at + 12, 16);
}

constexpr char kScenario[] = "scenarios/clean_switchover.textproto";

TEST(CliTest, SweepFindsAFailingSeedThatRunAndReplayReproduce) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string failures = std::string(tmp != nullptr ? tmp : "/tmp") + "/cli_failures";
  std::remove(failures.c_str());
  std::remove((failures + ".progress").c_str());
  Result sweep = Replsim(std::string("sweep ") + kScenario +
                         " --seeds 5000..6000 --jobs 2 --profile pg-9.3beta2 --failures " +
                         failures);
  EXPECT_EQ(sweep.code, 1) << sweep.out;
  const size_t at = sweep.out.find("replay the first: ");
  ASSERT_NE(at, std::string::npos) << sweep.out;
  const size_t seed_at = sweep.out.find("--seed ", at);
  ASSERT_NE(seed_at, std::string::npos);
  const std::string seed =
      sweep.out.substr(seed_at + 7, sweep.out.find(' ', seed_at + 7) - seed_at - 7);
  Result r = Replsim(std::string("run ") + kScenario + " --seed " + seed +
                     " --profile pg-9.3beta2");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "SAFETY VIOLATION (CLEAN_SWITCHOVER)")) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "replay: bazel run //tools:replsim -- replay")) << r.out;
  Result replay = Replsim(std::string("replay ") + kScenario + " --seed " + seed +
                          " --profile pg-9.3beta2");
  EXPECT_TRUE(absl::StrContains(replay.out, "walsender exiting at shutdown")) << replay.out;
  EXPECT_EQ(FingerprintOf(replay.out), FingerprintOf(r.out));
  EXPECT_FALSE(FingerprintOf(r.out).empty());
  // The sweep ran seeds without hashing their traces and reran the failing
  // one with it: the fingerprint it recorded is the one run reports.
  std::ifstream in(failures);
  std::string line, recorded;
  while (std::getline(in, line)) {
    if (!absl::StrContains(line, " seed=" + seed + " ")) continue;
    const size_t f = line.find("fingerprint=");
    if (f != std::string::npos) recorded = line.substr(f + 12, 16);
  }
  EXPECT_EQ(recorded, FingerprintOf(r.out)) << "failures file: " << failures;
}

TEST(CliTest, RunOfAFixedProfileIsOk) {
  Result r = Replsim(std::string("run ") + kScenario + " --seed 17 --profile pg-15");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "outcome: ok")) << r.out;
}

TEST(CliTest, BadInputIsExitCodeFourWithAClearMessage) {
  struct Case {
    std::string args;
    std::string message;
  } cases[] = {
      {std::string("run ") + kScenario + " --seed 1 --profile pg-9.9", "unknown profile \"pg-9.9\""},
      {std::string("run ") + kScenario, "--seed N is required"},
      {std::string("sweep ") + kScenario + " --seeds 9..1", "--seeds: the range 9..1 is empty"},
      {std::string("sweep ") + kScenario + " --seeds 1..2 --shard 2/2", "--shard: expected i/n"},
      {"run scenarios/nope.textproto --seed 1", "scenarios/nope.textproto: cannot open"},
      {"frobnicate", "unknown command \"frobnicate\""},
      {std::string("run ") + kScenario + " --seed 1 --switches 985bd7d497=maybe",
       "bad switch override"},
  };
  for (const Case& c : cases) {
    Result r = Replsim(c.args);
    EXPECT_EQ(r.code, 4) << c.args << "\n" << r.out;
    EXPECT_TRUE(absl::StrContains(r.out, c.message)) << c.args << "\n" << r.out;
  }
}

}  // namespace
