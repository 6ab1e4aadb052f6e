// README.md's table of behaviour switches per profile is generated from
// AllSwitches() and AllProfiles(): this test fails, printing the table as it
// must read, when the README's copy differs from the code.
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "protocol/node/behavior.h"

namespace replsim::node {
namespace {

constexpr char kBegin[] =
    "<!-- switches table: generated from protocol/node/behavior.cc; "
    "bazel test //protocol/node:behavior_readme_test prints it -->\n";
constexpr char kEnd[] = "<!-- end of switches table -->\n";

// One row per switch, one column per profile ("on" where the profile's
// release has the commit's behaviour).
std::string SwitchTable() {
  std::string out = "| commit | switch | first releases |";
  std::string rule = "|---|---|---|";
  for (const ProfileInfo& p : AllProfiles()) {
    absl::StrAppend(&out, " ", absl::StripPrefix(p.name, "pg-"), " |");
    rule += "---|";
  }
  absl::StrAppend(&out, "\n", rule, "\n");
  for (const SwitchInfo& s : AllSwitches()) {
    absl::StrAppend(&out, "| ", s.commit, " | `", s.field, "` | ", s.first_release, " |");
    for (const ProfileInfo& p : AllProfiles()) {
      const Behavior b = *Behavior::ForProfile(p.name);
      absl::StrAppend(&out, b.*(s.member) ? " on |" : " - |");
    }
    out += "\n";
  }
  return out;
}

TEST(BehaviorReadmeTest, TheReadmeTableMatchesTheProfiles) {
  std::ifstream in("README.md");
  ASSERT_TRUE(in.good()) << "README.md is not in the runfiles";
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string readme = buf.str();
  const size_t begin = readme.find(kBegin);
  const size_t end = readme.find(kEnd);
  const std::string want = SwitchTable();
  ASSERT_TRUE(begin != std::string::npos && end != std::string::npos && begin < end)
      << "README.md lacks the markers; put this between\n"
      << kBegin << want << kEnd;
  const std::string have = readme.substr(begin + sizeof(kBegin) - 1,
                                         end - begin - (sizeof(kBegin) - 1));
  EXPECT_EQ(have, want) << "README.md's switches table is stale; it must read:\n" << want;
}

TEST(BehaviorReadmeTest, TheTableShowsEachProfilesSwitches) {
  const std::string table = SwitchTable();
  // 9.4.7 is the first 9.4 with 1d4a0ab19a; 9.4.0 has neither durability fix.
  EXPECT_TRUE(absl::StrContains(
      table, "| 1d4a0ab19a | `xlog_durable_rename` | 9.6.0; 9.1.21/9.2.16/9.3.12/9.4.7/9.5.2 |"
             " - | - | - | - | - | - | - | - | - | - | on | on | on |\n"))
      << table;
  EXPECT_TRUE(absl::StrContains(table, "| 9.0.2 | 9.0.3 |")) << table;
}

}  // namespace
}  // namespace replsim::node
