// Scans every source file of sim/ and protocol/ (passed as arguments by
// tests/BUILD.bazel) for the nondeterminism design.md forbids, and checks the
// scanner itself against snippets that must and must not be flagged.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/determinism_rules.h"

namespace replsim::tests {
namespace {

std::vector<std::string>* g_files = nullptr;  // determinism-ok: test harness

TEST(DeterminismScanTest, SourcesFollowTheRules) {
  ASSERT_NE(g_files, nullptr);
  ASSERT_GE(g_files->size(), 10u) << "the scan list looks empty: check tests/BUILD.bazel";
  std::string report;
  int findings = 0;
  for (const std::string& path : *g_files) {
    std::ifstream in(path);
    ASSERT_TRUE(in) << "cannot read " << path;
    std::stringstream buf;
    buf << in.rdbuf();
    for (const Finding& f : ScanSource(path, buf.str())) {
      report += FormatFinding(f) + "\n";
      ++findings;
    }
  }
  EXPECT_EQ(findings, 0) << "nondeterminism in sim/ or protocol/ (mark a line "
                            "`// determinism-ok: <why>` only if it cannot reach a run):\n"
                         << report;
}

struct Case {
  const char* code;
  bool flagged;
};

TEST(DeterminismScanTest, ScannerFlagsWhatItMust) {
  const Case kCases[] = {
      {"auto t = std::chrono::steady_clock::now();", true},
      {"auto t = std::chrono::system_clock::now();", true},
      {"absl::Time t = absl::Now();", true},
      {"gettimeofday(&tv, nullptr);", true},
      {"time_t t = time(nullptr);", true},
      {"std::random_device rd;", true},
      {"int x = rand() % 6;", true},
      {"srand(42);", true},
      {"std::mt19937 gen(1);", true},
      {"std::uniform_int_distribution<int> d(0, 9);", true},
      {"std::exponential_distribution<> e(1.0);", true},
      {"absl::BitGen gen;", true},
      {"std::thread t([]{});", true},
      {"#include <thread>", true},
      {"std::unordered_map<int, int> m;", true},
      {"absl::flat_hash_map<std::string, int> m;", true},
      {"size_t h = std::hash<std::string>()(s);", true},
      {"std::set<Process*> live;", true},
      {"std::map<const Socket*, int> owner;", true},
      {"thread_local int depth;", true},
      {"static int counter = 0;", true},
      {"static std::vector<int> cache;", true},
      {"const char* home = getenv(\"HOME\");", true},
      {"// FIXME later\nint x; // FIXME", true},
      {"if (!co_await comm.PutCopyData(p)) {", true},
      {"while (co_await Next()) {", true},
      // Fine:
      {"bool ok = co_await comm.PutCopyData(p);", false},
      {"os::Instant now = queue.now();", false},
      {"uint64_t v = rng.Below(6);", false},
      {"static constexpr int kMax = 4;", false},
      {"static const char* Name(Kind k);", false},
      {"static Rng FromState(const State& s);", false},
      {"static_assert(sizeof(int) == 4);", false},
      {"auto x = static_cast<int>(y);", false},
      {"absl::btree_map<Pid, int> by_pid;", false},
      {"std::set<int> ids;", false},
      {"// std::thread is banned here", false},
      {"int operand(int x);", false},
      {"double t = runtime(x);", false},
      {"std::thread t; // determinism-ok: test", false},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(!ScanSource("x.cc", c.code).empty(), c.flagged) << c.code;
  }
}

TEST(DeterminismScanTest, FindingNamesFileLineAndReplacement) {
  auto f = ScanSource("sim/net/tcp.cc", "int a;\nstd::thread t;\n");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].line, 2);
  std::string s = FormatFinding(f[0]);
  EXPECT_NE(s.find("sim/net/tcp.cc:2:"), std::string::npos) << s;
  EXPECT_NE(s.find("single-threaded"), std::string::npos) << s;
}

}  // namespace
}  // namespace replsim::tests

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  std::vector<std::string> files(argv + 1, argv + argc);
  replsim::tests::g_files = &files;
  return RUN_ALL_TESTS();
}
