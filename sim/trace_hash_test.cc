// Pinned values: TraceHasher may change only on purpose (it changes every
// fingerprint anyone has recorded). The pinned numbers come from an
// independent Python implementation of the algorithm in trace_hash.h.
#include "sim/trace_hash.h"

#include <string>

#include "gtest/gtest.h"

namespace replsim::sim {
namespace {

TEST(TraceHashTest, Mum64IsTheFoldedProduct) {
  EXPECT_EQ(Mum64(0, 12345), 0u);
  EXPECT_EQ(Mum64(1, 0xFFFFFFFFFFFFFFFFULL), 0xFFFFFFFFFFFFFFFFULL);
  // 2^63 * 4 = 2^65: low half 0, high half 2.
  EXPECT_EQ(Mum64(1ULL << 63, 4), 2u);
}

TEST(TraceHashTest, PinnedValues) {
  EXPECT_EQ(TraceHasher().Finish(), 0x7DE53DE772EA694CULL);
  TraceHasher h;
  h.AddU64(1);
  h.AddString("walsender");
  h.AddI64(-5);
  EXPECT_EQ(h.Finish(), 0x528F22FA5D10827EULL) << std::hex << h.Finish();
  TraceHasher empty;
  empty.AddString("");
  EXPECT_EQ(empty.Finish(), 0x248870B868DB9486ULL);
  TraceHasher word;
  word.AddString("12345678");
  EXPECT_EQ(word.Finish(), 0xE42EC520830FDAF3ULL);
}

TEST(TraceHashTest, StringBoundariesMatter) {
  TraceHasher a, b;
  a.AddString("ab");
  a.AddString("c");
  b.AddString("a");
  b.AddString("bc");
  EXPECT_NE(a.Finish(), b.Finish());
}

TEST(TraceHashTest, AStringIsNotTheNumbersItIsMadeOf) {
  // "\x01" is the word 1, but a string also feeds its length.
  TraceHasher s, n;
  s.AddString(std::string("\x01", 1));
  n.AddU64(1);
  EXPECT_NE(s.Finish(), n.Finish());
}

TEST(TraceHashTest, OrderMatters) {
  TraceHasher a, b;
  a.AddU64(1);
  a.AddU64(2);
  b.AddU64(2);
  b.AddU64(1);
  EXPECT_NE(a.Finish(), b.Finish());
}

TEST(TraceHashTest, EveryInputBitReachesTheOutput) {
  // Flipping any one bit of a fed word changes the result, and changes about
  // half of its bits (the finaliser's avalanche), never few of them.
  TraceHasher base;
  base.AddU64(0x0123456789ABCDEFULL);
  base.AddU64(42);
  const uint64_t ref = base.Finish();
  for (int bit = 0; bit < 64; ++bit) {
    TraceHasher h;
    h.AddU64(0x0123456789ABCDEFULL ^ (1ULL << bit));
    h.AddU64(42);
    const int changed = __builtin_popcountll(h.Finish() ^ ref);
    EXPECT_GE(changed, 12) << "bit " << bit;
    EXPECT_LE(changed, 52) << "bit " << bit;
  }
}

}  // namespace
}  // namespace replsim::sim
