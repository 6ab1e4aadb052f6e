// Pinned values: StableHasher must never change, or every recorded fingerprint
// and every named stream changes with it. If one of these fails, the change to
// stable_hash.h is the bug.
#include "sim/stable_hash.h"

#include <string>

#include "gtest/gtest.h"

namespace replsim::sim {
namespace {

TEST(StableHashTest, Mix64MatchesSplitMix64Finaliser) {
  // splitmix64 seeded with 0 yields Mix64(0x9E3779B97F4A7C15) first; the
  // published first output is 0xE220A8397B1DCDAF.
  EXPECT_EQ(Mix64(0x9E3779B97F4A7C15ULL), 0xE220A8397B1DCDAFULL);
}

TEST(StableHashTest, PinnedValues) {
  EXPECT_EQ(StableHasher().Finish(), StableHasher().Finish());
  StableHasher h;
  h.AddU64(1);
  h.AddString("walsender");
  h.AddI64(-5);
  // Pinned from an independent Python implementation of the same algorithm.
  const uint64_t pinned = h.Finish();
  StableHasher again;
  again.AddU64(1);
  again.AddString("walsender");
  again.AddI64(-5);
  EXPECT_EQ(again.Finish(), pinned);
  EXPECT_EQ(pinned, 0xBB43F9247F1571ACULL) << std::hex << pinned;
}

TEST(StableHashTest, StringBoundariesMatter) {
  StableHasher a, b;
  a.AddString("ab");
  a.AddString("c");
  b.AddString("a");
  b.AddString("bc");
  EXPECT_NE(a.Finish(), b.Finish());
}

TEST(StableHashTest, OrderMatters) {
  StableHasher a, b;
  a.AddU64(1);
  a.AddU64(2);
  b.AddU64(2);
  b.AddU64(1);
  EXPECT_NE(a.Finish(), b.Finish());
}

TEST(StableHashTest, SeedSeparatesHashers) {
  EXPECT_NE(StableHasher(1).Finish(), StableHasher(2).Finish());
  EXPECT_NE(StableHashString("net"), StableHashString("disk"));
}

TEST(StableHashTest, IsConstexpr) {
  static_assert(StableHashString("x") == StableHashString("x"));
}

// At compile time AddString reads byte by byte; at run time eight at a time.
TEST(StableHashTest, RunTimeWordsEqualCompileTimeBytes) {
  constexpr uint64_t k0 = StableHashString("");
  constexpr uint64_t k7 = StableHashString("primary");
  constexpr uint64_t k8 = StableHashString("walsende");
  constexpr uint64_t k17 = StableHashString("signal_delivered!");
  std::string s0, s7 = "primary", s8 = "walsende", s17 = "signal_delivered!";
  EXPECT_EQ(StableHashString(s0), k0);
  EXPECT_EQ(StableHashString(s7), k7);
  EXPECT_EQ(StableHashString(s8), k8);
  EXPECT_EQ(StableHashString(s17), k17);
}

}  // namespace
}  // namespace replsim::sim
