// File: scenarios/loader_test_cases.h
//
// What the loader's tests share: the smallest scenario that loads (a
// primary started, a standby not yet made from it) to append a line to,
// and a table of inputs the loader must refuse, each with its message.
#ifndef REPLSIM_SCENARIOS_LOADER_TEST_CASES_H_
#define REPLSIM_SCENARIOS_LOADER_TEST_CASES_H_

#include <cstddef>
#include <string>

#include "gtest/gtest.h"
#include "scenarios/scenario_loader.h"

namespace replsim::scenarios {

// Its line 6 is the first a test appends.
inline constexpr char kGood[] = R"(name: "t"
profile: "pg-15"
nodes { name: "p" role: PRIMARY }
nodes { name: "s" role: STANDBY upstream: "p" }
steps { start { node: "p" } }
)";

struct BadCase {
  std::string text;   // parsed as "t.textproto"
  std::string error;  // expected message (with location)
};

// Each case is refused, with exactly its message.
template <size_t N>
void ExpectRefused(const BadCase (&cases)[N]) {
  for (const BadCase& c : cases) {
    auto s = ParseScenario(c.text, "t.textproto");
    if (s.ok()) {
      ADD_FAILURE() << "loaded:\n" << c.text;
      continue;
    }
    EXPECT_EQ(std::string(s.status().message()), c.error) << c.text;
  }
}

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_LOADER_TEST_CASES_H_
