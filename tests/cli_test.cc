// The replsim binary as a user meets it: exit codes tell outcomes apart, bad
// input names what was wrong, and run and replay agree on the fingerprint.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace {

struct Result {
  int code = -1;
  std::string out;  // stdout and stderr
};

std::string TempFile(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string p = std::string(tmp != nullptr ? tmp : "/tmp") + "/" + name;
  std::remove(p.c_str());
  std::remove((p + ".progress").c_str());
  return p;
}

// `env`: VAR=value assignments for the command, or "".
Result Replsim(const std::string& args, const std::string& env = "") {
  Result r;
  const std::string cmd = env + (env.empty() ? "" : " ") + "tools/replsim " + args + " 2>&1";
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
  const std::string failures = TempFile("cli_failures");
  Result sweep = Replsim(std::string("sweep ") + kScenario +
                         " --seeds 7500..8500 --jobs 2 --profile pg-9.3beta2 --failures " +
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
    if (!absl::StrContains(line, "\"seed\":" + seed + ",")) continue;
    const size_t f = line.find("\"fingerprint\":\"");
    if (f != std::string::npos) recorded = line.substr(f + 15, 16);
  }
  EXPECT_EQ(recorded, FingerprintOf(r.out)) << "failures file: " << failures;
}

// The command a sweep prints, pasted as it is (less `bazel run ... --`),
// gives the same violation and fingerprint: with the profile and switches.
TEST(CliTest, APrintedReplayCommandReproducesTheFailure) {
  const std::string failures = TempFile("paste_failures");
  Result sweep = Replsim(std::string("sweep scenarios/walsnd_shutdown_drops_tail.textproto ") +
                         "--seeds 1..40 --switches e0b581acd2=off --failures " + failures);
  ASSERT_EQ(sweep.code, 1) << sweep.out;
  const std::string prefix = "replay the first: bazel run //tools:replsim -- ";
  const size_t at = sweep.out.find(prefix);
  ASSERT_NE(at, std::string::npos) << sweep.out;
  const size_t end = sweep.out.find('\n', at);
  std::string pasted = sweep.out.substr(at + prefix.size(), end - at - prefix.size());
  EXPECT_TRUE(absl::StrContains(pasted, "--profile pg-15 --switches e0b581acd2=off")) << pasted;
  pasted.replace(0, std::string("replay").size(), "run");
  Result r = Replsim(pasted);
  EXPECT_EQ(r.code, 1) << pasted << "\n" << r.out;
  const std::string seed_line = sweep.out.substr(sweep.out.find("\nseed ") + 1);
  const std::string violation = seed_line.substr(seed_line.find(": ") + 2,
                                                 seed_line.find('\n') - seed_line.find(": ") - 2);
  EXPECT_TRUE(absl::StrContains(r.out, violation.substr(violation.find(": ") + 2))) << r.out;
  std::ifstream in(failures);
  std::string first;
  std::getline(in, first);
  EXPECT_TRUE(absl::StrContains(first, "\"fingerprint\":\"" + FingerprintOf(r.out) + "\""))
      << first << "\n" << r.out;
  EXPECT_TRUE(absl::StrContains(first, "\"replay\":\"bazel run //tools:replsim -- " +
                                           std::string("replay scenarios/walsnd_shutdown_drops_tail"
                                                       ".textproto --seed ")))
      << first;
}

// --scheduler changes the run (another order of same-time events gives
// another trace), is part of the sweep's identity, and travels in the replay
// command, which reproduces the failure with it.
TEST(CliTest, ASchedulerOverrideTravelsInTheReplayCommand) {
  Result fifo = Replsim(std::string("run ") + kScenario + " --seed 3 --scheduler fifo");
  Result pct = Replsim(std::string("run ") + kScenario + " --seed 3 --scheduler pct:3");
  EXPECT_EQ(fifo.code, 0) << fifo.out;
  EXPECT_EQ(pct.code, 0) << pct.out;
  EXPECT_NE(FingerprintOf(fifo.out), FingerprintOf(pct.out));
  EXPECT_TRUE(absl::StrContains(pct.out, "seed 3  scheduler pct:3\n")) << pct.out;

  const std::string failures = TempFile("sched_failures");
  Result sweep = Replsim(std::string("sweep scenarios/walsnd_shutdown_drops_tail.textproto ") +
                         "--seeds 1..40 --switches e0b581acd2=off --scheduler cpu_time=on,pct:3 "
                         "--failures " + failures);
  ASSERT_EQ(sweep.code, 1) << sweep.out;
  const std::string prefix = "replay the first: bazel run //tools:replsim -- ";
  const size_t at = sweep.out.find(prefix);
  ASSERT_NE(at, std::string::npos) << sweep.out;
  std::string pasted =
      sweep.out.substr(at + prefix.size(), sweep.out.find('\n', at) - at - prefix.size());
  EXPECT_TRUE(absl::StrContains(pasted, "--scheduler pct:3,cpu_time=on")) << pasted;
  pasted.replace(0, std::string("replay").size(), "run");
  Result r = Replsim(pasted);
  EXPECT_EQ(r.code, 1) << pasted << "\n" << r.out;
  std::ifstream in(failures);
  std::string line;
  bool recorded = false;
  while (std::getline(in, line)) {
    if (absl::StrContains(line, "\"fingerprint\":\"" + FingerprintOf(r.out))) recorded = true;
  }
  EXPECT_TRUE(recorded) << "failures file " << failures << " has no fingerprint of " << r.out;
  // The same sweep under another scheduler is another sweep: it starts afresh.
  Result other = Replsim(std::string("sweep scenarios/walsnd_shutdown_drops_tail.textproto ") +
                         "--seeds 1..40 --switches e0b581acd2=off --scheduler fifo "
                         "--failures " + failures);
  EXPECT_TRUE(absl::StrContains(other.out, "scheduler \"pct:3,cpu_time=on\"")) << other.out;
}

TEST(CliTest, HelpAndVersionExitZeroAndUsageErrorsExitFour) {
  Result help = Replsim("--help");
  EXPECT_EQ(help.code, 0) << help.out;
  EXPECT_TRUE(absl::StrContains(help.out, "unseed")) << help.out;
  EXPECT_TRUE(absl::StrContains(help.out, "--failures FILE")) << help.out;
  Result version = Replsim("--version");
  EXPECT_EQ(version.code, 0) << version.out;
  EXPECT_TRUE(absl::StartsWith(version.out, "replsim ")) << version.out;
  EXPECT_TRUE(absl::StrContains(version.out, "(git ")) << version.out;
  struct Case {
    std::string args;
    std::string message;
  } cases[] = {
      {std::string("run ") + kScenario + " --seed abc", "--seed: expected a whole number"},
      {std::string("run ") + kScenario + " --seed 18446744073709551616",
       "--seed: expected a whole number 0..18446744073709551615"},
      {std::string("run ") + kScenario + " --bogus 1", "unknown flag --bogus"},
      {std::string("sweep ") + kScenario + " --seed 3", "--seed does not apply to sweep"},
      {std::string("sweep ") + kScenario + " --trace /tmp/x", "--trace does not apply to sweep"},
      {std::string("replay ") + kScenario + " --seed 1 --trace_format json",
       "--trace_format does not apply to replay"},
      {std::string("run ") + kScenario + " --seed 1 --seed 2", "--seed is given twice"},
      {std::string("sweep ") + kScenario + " --jobs 0", "--jobs: expected a whole number 1..256"},
      {std::string("run ") + kScenario + " --seed", "--seed needs a value"},
      {"run", "run takes FILE"},
  };
  for (const Case& c : cases) {
    Result r = Replsim(c.args);
    EXPECT_EQ(r.code, 4) << c.args << "\n" << r.out;
    EXPECT_TRUE(absl::StrContains(r.out, c.message)) << c.args << "\n" << r.out;
  }
}

TEST(CliTest, SeedsFromTwoToTheSixtyThreeUpRunEverywhere) {
  Result r = Replsim(std::string("run ") + kScenario +
                     " --seed 9223372036854775808 --profile pg-15");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "seed 9223372036854775808")) << r.out;
  Result s = Replsim(std::string("sweep ") + kScenario +
                     " --seeds 18446744073709551614..18446744073709551615 --profile pg-15");
  EXPECT_EQ(s.code, 0) << s.out;
}

TEST(CliTest, TheScenariosOwnSwitchesStayUnderAnotherProfile) {
  // The scenario sets 59455018a8=on for its profile pg-9.4beta3; under
  // --profile pg-9.4.7 (which lacks the fix) the switch still applies.
  Result r = Replsim(
      "run scenarios/receivexlog_slot_shutdown_hang.textproto --seed 1 --profile pg-9.4.7");
  EXPECT_TRUE(absl::StrContains(r.out, "profile pg-9.4.7 +59455018a8")) << r.out;
  Result off = Replsim(
      "run scenarios/receivexlog_slot_shutdown_hang.textproto --seed 1 --profile pg-9.4.7 "
      "--switches 59455018a8=off");
  EXPECT_TRUE(absl::StrContains(off.out, "profile pg-9.4.7 +59455018a8 -59455018a8")) << off.out;
}

TEST(CliTest, ACrashIsReportedWithItsSeedAndTheTraceUpToIt) {
  const std::string trace = TempFile("crash_trace.txt");
  Result run = Replsim(std::string("run ") + kScenario + " --seed 5 --profile pg-15 --trace " +
                           trace,
                       "REPLSIM_SELFTEST_CRASH_AFTER_EVENTS=200");
  EXPECT_EQ(run.code, 3) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "replsim crashed running seed 5 of clean_switchover"))
      << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "reproduce: bazel run //tools:replsim -- replay " +
                                             std::string(kScenario) + " --seed 5 --profile pg-15"))
      << run.out;
  std::ifstream in(trace);
  size_t lines = 0;
  for (std::string l; std::getline(in, l);) ++lines;
  EXPECT_EQ(lines, 200u) << "the trace up to the crash, flushed";

  Result replay = Replsim(std::string("replay ") + kScenario + " --seed 5 --profile pg-15",
                          "REPLSIM_SELFTEST_CRASH_AFTER_EVENTS=200");
  EXPECT_EQ(replay.code, 3) << replay.out;
  EXPECT_TRUE(absl::StrContains(replay.out, "REPLSIM CRASHED")) << replay.out;

  Result sweep = Replsim(std::string("sweep ") + kScenario + " --seeds 1..4 --profile pg-15",
                         "REPLSIM_SELFTEST_CRASH_AFTER_EVENTS=200");
  EXPECT_EQ(sweep.code, 3) << sweep.out;
  for (const char* seed : {"1", "2", "3", "4"}) {
    EXPECT_TRUE(absl::StrContains(sweep.out, std::string("REPLSIM CRASHED at seed ") + seed))
        << sweep.out;
  }
}

TEST(CliTest, ReportsForCi) {
  const std::string json = TempFile("report.json");
  const std::string junit = TempFile("report.xml");
  Result sweep = Replsim(std::string("sweep ") + kScenario +
                         " --seeds 7965..7975 --profile pg-9.3beta2 --report " + json +
                         " --junit " + junit);
  EXPECT_EQ(sweep.code, 1) << sweep.out;
  std::ifstream j(json);
  std::string report((std::istreambuf_iterator<char>(j)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(absl::StrContains(report, "\"command\":\"sweep\"")) << report;
  EXPECT_TRUE(absl::StrContains(report, "\"seeds_total\":11")) << report;
  EXPECT_TRUE(absl::StrContains(report, "\"seed\":7971")) << report;
  EXPECT_TRUE(absl::StrContains(report, "\"exit_code\":1")) << report;
  std::ifstream x(junit);
  std::string xml((std::istreambuf_iterator<char>(x)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(absl::StrContains(xml, "<testcase classname=\"clean_switchover\" "
                                     "name=\"pg-9.3beta2 seeds 7965..7975\""))
      << xml;
  EXPECT_TRUE(absl::StrContains(xml, "tests=\"1\" failures=\"1\"")) << xml;
  EXPECT_TRUE(absl::StrContains(xml, "--seed 7971 --profile pg-9.3beta2")) << xml;
}

TEST(CliTest, ASuiteRowNotAsExpectedHasItsOwnExitCode) {
  const std::string dir = TempFile("suite_dir");
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  std::ifstream in(kScenario);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // pg-15 is expected to lose the tail on some of seeds 1..3: it does not.
  const size_t at = text.find("expect {");
  text = text.substr(0, at) +
         "expect { profile: \"pg-15\" violations_expected: true }\n";
  text = std::regex_replace(text, std::regex("default_seeds \\{[^}]*\\}"),
                            "default_seeds { first: 1 last: 3 }");
  std::ofstream(dir + "/bug.textproto") << text;
  const std::string junit = dir + "/suite.xml";
  Result r = Replsim("suite " + dir + " --junit " + junit);
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "NOT REPRODUCED")) << r.out;
  std::ifstream x(junit);
  std::string xml((std::istreambuf_iterator<char>(x)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(absl::StrContains(xml, "<failure message=\"NOT REPRODUCED\"")) << xml;
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
      {std::string("sweep ") + kScenario + " --seeds 1..2 --scheduler sideways",
       "--scheduler: \"sideways\": expected one of fifo, random, pct"},
  };
  for (const Case& c : cases) {
    Result r = Replsim(c.args);
    EXPECT_EQ(r.code, 4) << c.args << "\n" << r.out;
    EXPECT_TRUE(absl::StrContains(r.out, c.message)) << c.args << "\n" << r.out;
  }
}

}  // namespace
