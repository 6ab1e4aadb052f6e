// What LoadScenarioFile and ParseScenario say about a file that is no
// scenario at all: a directory, a device such as /dev/zero (once read until
// memory ran out), a FIFO, a file over the 1 MiB cap, an empty one. Each used
// to fail late or as "0:0: expected a scenario name".
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {
namespace {

constexpr size_t kCap = 1 << 20;  // the cap scenario.proto documents
constexpr char kExpected[] = "expected a scenario (name, profile, nodes, steps, ...)";

const char kGood[] = R"(name: "t"
profile: "pg-15"
nodes { name: "p" role: PRIMARY }
steps { start { node: "p" } }
)";

std::string Temp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

std::string LoadError(const std::string& path) {
  auto s = LoadScenarioFile(path);
  return s.ok() ? "loaded" : std::string(s.status().message());
}

TEST(ScenarioFileTest, ADirectoryIsRefusedAsOne) {
  // It used to read as an empty file: "dir:0:0: expected a scenario name".
  const std::string dir = Temp("a_directory");
  rmdir(dir.c_str());
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  EXPECT_EQ(LoadError(dir), dir + ": is a directory; expected a regular file (a scenario)");
}

TEST(ScenarioFileTest, DevicesAndFifosAreRefusedUnread) {
  // Read until memory ran out.
  EXPECT_EQ(LoadError("/dev/zero"),
            "/dev/zero: is a character device; expected a regular file (a scenario)");
  // Opened for reading, a FIFO without a writer blocked forever.
  const std::string fifo = Temp("a_fifo");
  unlink(fifo.c_str());
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(LoadError(fifo), fifo + ": is a FIFO; expected a regular file (a scenario)");
}

TEST(ScenarioFileTest, AFileOverTheCapIsRefusedAndOneAtItLoads) {
  std::string at_cap = kGood;
  at_cap += "#" + std::string(kCap - at_cap.size() - 2, '-') + "\n";
  ASSERT_EQ(at_cap.size(), kCap);
  const std::string ok = Temp("at_cap.textproto");
  Write(ok, at_cap);
  EXPECT_EQ(LoadError(ok), "loaded");
  const std::string big = Temp("over_cap.textproto");
  Write(big, at_cap + "\n");
  EXPECT_EQ(LoadError(big),
            big + ": 1048577 bytes; expected a scenario file of at most 1048576 bytes (1 MiB)");
  auto s = ParseScenario(at_cap + "\n", "t.textproto");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(std::string(s.status().message()),
            "t.textproto: 1048577 bytes; expected a scenario file of at most 1048576 bytes "
            "(1 MiB)");
}

TEST(ScenarioFileTest, AnEmptyFileSaysSo) {
  const std::string empty = Temp("empty.textproto");
  Write(empty, "");
  EXPECT_EQ(LoadError(empty), empty + ": the file is empty; " + kExpected);
  auto s = ParseScenario("", "t.textproto");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(std::string(s.status().message()),
            std::string("t.textproto: the file is empty; ") + kExpected);
  s = ParseScenario("# a comment\n\n  # another\n", "t.textproto");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(std::string(s.status().message()),
            std::string("t.textproto: the file has only comments and blank lines; ") + kExpected);
}

TEST(ScenarioFileTest, AMissingFieldHasNoMadeUpLocation) {
  // It used to be "t.textproto:0:0: ...".
  auto s = ParseScenario("profile: \"pg-15\"\n", "t.textproto");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(std::string(s.status().message()), "t.textproto: expected a scenario name");
}

TEST(ScenarioFileTest, ALinkToAScenarioLoads) {
  const std::string link = Temp("link.textproto");
  unlink(link.c_str());
  const std::string target =
      std::filesystem::absolute("scenarios/clean_switchover.textproto").string();
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  EXPECT_EQ(LoadError(link), "loaded");
}

}  // namespace
}  // namespace replsim::scenarios
