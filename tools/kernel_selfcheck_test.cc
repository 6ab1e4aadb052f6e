#include "tools/kernel_selfcheck.h"

#include <set>

#include "gtest/gtest.h"

namespace replsim::tools {
namespace {

TEST(KernelSelfCheckTest, SameSeedSameRunDifferentSeedsDiffer) {
  std::set<uint64_t> fps;
  for (uint64_t s = 1; s <= 50; ++s) {
    SelfCheckRun a = RunKernelSelfCheck(s);
    SelfCheckRun b = RunKernelSelfCheck(s);
    EXPECT_EQ(a.fingerprint, b.fingerprint) << s;
    EXPECT_EQ(a.unseed, b.unseed) << s;
    EXPECT_GT(a.events, 50u);
    fps.insert(a.fingerprint);
  }
  EXPECT_EQ(fps.size(), 50u);
}

}  // namespace
}  // namespace replsim::tools
