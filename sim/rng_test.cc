// Pinned vectors for the generator and the named streams. The expected values
// come from an independent Python implementation of xoshiro256** and
// splitmix64 (and from the published splitmix64 output for seed 0).
#include "sim/rng.h"

#include <set>

#include "gtest/gtest.h"

namespace replsim::sim {
namespace {

TEST(RngTest, SplitMix64MatchesPublishedVector) {
  SplitMix64 sm(0);
  EXPECT_EQ(sm.Next(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(sm.Next(), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(sm.Next(), 0x06C45D188009454FULL);
}

TEST(RngTest, Xoshiro256StarStarFromKnownState) {
  Rng r = Rng::FromState({1, 2, 3, 4});
  EXPECT_EQ(r.Next(), 0x2D00ULL);
  EXPECT_EQ(r.Next(), 0x0ULL);
  EXPECT_EQ(r.Next(), 0x5A007080ULL);
  EXPECT_EQ(r.Next(), 0x10E0000000009D80ULL);
  EXPECT_EQ(r.Next(), 0x10E0B61CE1009D80ULL);
  EXPECT_EQ(r.Next(), 0x0870021CE143AD00ULL);
}

TEST(RngTest, SeedExpandsThroughSplitMix64) {
  Rng r(42);
  EXPECT_EQ(r.Next(), 0x15780B2E0C2EC716ULL);
  EXPECT_EQ(r.Next(), 0x6104D9866D113A7EULL);
  EXPECT_EQ(r.Next(), 0xAE17533239E499A1ULL);
}

TEST(RngTest, NamedStreamIsPinned) {
  Rng net = Rng::ForStream(7, "net");
  EXPECT_EQ(net.Next(), 0x6A9FFC37A9CCAFFDULL);
  EXPECT_EQ(net.Next(), 0xEA49F04036EE4C95ULL);
  EXPECT_EQ(net.Next(), 0x06D82822C5A8A989ULL);
}

TEST(RngTest, StreamsAreIndependentOfEachOthersDraws) {
  // Drawing from "disk" must not shift "net".
  Rng net_a = Rng::ForStream(7, "net");
  Rng disk = Rng::ForStream(7, "disk");
  for (int i = 0; i < 1000; ++i) disk.Next();
  Rng net_b = Rng::ForStream(7, "net");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(net_a.Next(), net_b.Next());
}

TEST(RngTest, DifferentNamesAndSeedsGiveDifferentStreams) {
  std::set<uint64_t> firsts;
  for (uint64_t seed : {0, 1, 2}) {
    for (const char* name : {"net", "disk", "scheduler", "workload"}) {
      firsts.insert(Rng::ForStream(seed, name).Next());
    }
  }
  EXPECT_EQ(firsts.size(), 12u);
}

TEST(RngTest, BelowStaysInRangeAndHitsEveryValue) {
  Rng r(1);
  std::set<uint64_t> seen;
  for (int i = 0; i < 10000; ++i) {
    uint64_t v = r.Below(7);
    ASSERT_LT(v, 7u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(r.Below(1), 0u);
}

TEST(RngTest, BelowIsUnbiasedForAnAwkwardBound) {
  // bound = 3 * 2^62: next() % bound would put half of all draws below 2^62
  // (those values have two preimages); the right share is one third.
  Rng r(3);
  const uint64_t bound = 3ULL << 62;
  int low = 0;
  const int n = 30000;
  for (int i = 0; i < n; ++i) low += r.Below(bound) < (1ULL << 62) ? 1 : 0;
  EXPECT_NEAR(low, n / 3, n / 50);
}

TEST(RngTest, StateDigestTracksDraws) {
  Rng a(9), b(9);
  EXPECT_EQ(a.StateDigest(), b.StateDigest());
  a.Next();
  EXPECT_NE(a.StateDigest(), b.StateDigest());
  b.Next();
  EXPECT_EQ(a.StateDigest(), b.StateDigest());
}

}  // namespace
}  // namespace replsim::sim
