// replay's --until, --node and --grep, and their bad values.
#include "tools/run_outputs.h"

#include <cstdio>

#include "gtest/gtest.h"

namespace replsim::tools {
namespace {

LoadedScenario TwoNodes() {
  LoadedScenario s;
  s.path = "x.textproto";
  s.scenario.add_nodes()->set_name("primary");
  s.scenario.add_nodes()->set_name("standby");
  return s;
}

std::string Printed(const std::vector<std::string>& args) {
  absl::StatusOr<CommandLine> cl = ParseCommandLine(args);
  EXPECT_TRUE(cl.ok()) << cl.status();
  auto out = RunOutputs::FromFlags(*cl, TwoNodes());
  EXPECT_TRUE(out.ok()) << out.status();
  FILE* f = std::tmpfile();
  EventSink print = (*out)->ReplayPrinter(f);
  sim::Trace t(true);
  t.Emit(os::Instant::FromNanos(100000000), "primary", "walsender", "log").Str("message", "a");
  t.Emit(os::Instant::FromNanos(200000000), "standby", "walreceiver", "log").Str("message", "b");
  t.Emit(os::Instant::FromNanos(300000000), "primary", "walsender", "log").Str("message", "c");
  for (const auto& e : t.events()) print(e);
  std::rewind(f);
  std::string text;
  for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) text += static_cast<char>(c);
  std::fclose(f);
  return text;
}

TEST(RunOutputsTest, ReplayStopsAtUntilAndKeepsOnlyTheNodeAndTheGreppedLines) {
  const std::vector<std::string> base = {"replay", "x.textproto", "--seed", "1"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> a = base;
    a.insert(a.end(), more.begin(), more.end());
    return Printed(a);
  };
  EXPECT_EQ(with({}),
            "     0.100000000 primary walsender log message=a\n"
            "     0.200000000 standby walreceiver log message=b\n"
            "     0.300000000 primary walsender log message=c\n");
  EXPECT_EQ(with({"--until", "0.2"}),
            "     0.100000000 primary walsender log message=a\n"
            "     0.200000000 standby walreceiver log message=b\n");
  EXPECT_EQ(with({"--node", "primary"}),
            "     0.100000000 primary walsender log message=a\n"
            "     0.300000000 primary walsender log message=c\n");
  EXPECT_EQ(with({"--grep", "message=b"}), "     0.200000000 standby walreceiver log message=b\n");
}

TEST(RunOutputsTest, BadValuesAreClearErrors) {
  auto error = [](std::vector<std::string> args) {
    absl::StatusOr<CommandLine> cl = ParseCommandLine(args);
    if (!cl.ok()) return std::string(cl.status().message());
    auto out = RunOutputs::FromFlags(*cl, TwoNodes());
    return out.ok() ? std::string("ok") : std::string(out.status().message());
  };
  EXPECT_EQ(error({"replay", "x", "--node", "nosuch"}),
            "--node: x.textproto has no node \"nosuch\"; its nodes are primary, standby");
  EXPECT_EQ(error({"replay", "x", "--until", "-1"}),
            "--until: expected seconds of virtual time (0.25, 12), got \"-1\"");
  EXPECT_EQ(error({"run", "x", "--grep", "a"}), "--grep does not apply to run; it is for replay");
}

}  // namespace
}  // namespace replsim::tools
