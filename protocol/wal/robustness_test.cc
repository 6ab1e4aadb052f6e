// Garbage and truncated inputs into every decoder, over many seeds: each must
// return a clear error (or a value) and never crash, read out of bounds or
// loop forever. Run under --config=asan as well.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocol/wal/byte_codec.h"
#include "protocol/wal/timeline_history.h"
#include "protocol/wal/wal_test_util.h"

namespace replsim::wal {
namespace {

// splitmix64: a tiny deterministic generator local to this test.
struct SplitMix64 {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
};

std::vector<uint8_t> Garbage(SplitMix64& rng, size_t max_len) {
  std::vector<uint8_t> v(rng.Below(max_len + 1));
  // Mostly small values so that lengths and ids sometimes look plausible.
  for (uint8_t& b : v) b = rng.Below(4) == 0 ? rng.Next() : rng.Below(4);
  return v;
}

constexpr int kSeeds = 2000;

TEST(RobustnessTest, RecordAndBodyDecoders) {
  int ok = 0;
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    SplitMix64 rng{seed};
    std::vector<uint8_t> bytes = Garbage(rng, 200);
    if (bytes.size() >= 4 && rng.Below(2)) StoreU32(bytes.data(), bytes.size());
    absl::StatusOr<WalRecord> rec = DecodeXLogRecord(bytes, 0x3000028);
    if (rec.ok()) {
      ++ok;
      (void)DecodeHeapInsert(*rec);
      (void)DecodeXactCommit(*rec);
    } else {
      EXPECT_FALSE(rec.status().message().empty());
    }
    (void)CheckRecordCrc(bytes, 0x3000028);
    (void)DecodePageHeader(bytes);
    (void)DecodeCheckPoint(bytes);
    (void)DecodeEndOfRecovery(bytes);
  }
  EXPECT_GT(ok, 0);  // some garbage is a well-formed record
}

TEST(RobustnessTest, TextParsers) {
  const std::string kAlphabet = "0123456789ABCDEFabcxyz/\t\n #.history";
  for (uint64_t seed = 0; seed < kSeeds; ++seed) {
    SplitMix64 rng{seed};
    std::string s(rng.Below(40), ' ');
    for (char& c : s) c = kAlphabet[rng.Below(kAlphabet.size())];
    (void)ParseLsn(s);
    (void)ParseXLogFileName(s);
    (void)ParseTLHistoryFileName(s);
    absl::StatusOr<TimeLineHistory> h =
        ParseTimeLineHistory(1 + rng.Below(5), s);
    if (h.ok()) {
      EXPECT_EQ(h->front().end, InvalidXLogRecPtr);
      (void)tliOfPointInHistory(rng.Next(), *h);
    }
  }
}

// A valid stream, then random corruption or truncation: reading must stop
// with an error at or before the damage, never crash.
TEST(RobustnessTest, ReaderOverCorruptedStreams) {
  for (uint64_t seed = 0; seed < 300; ++seed) {
    SplitMix64 rng{seed};
    testing::Stream s(0x3000000 + rng.Below(3) * kXLogBlcksz);
    int n = 5 + rng.Below(20);
    for (int i = 0; i < n; ++i) {
      s.Insert(rng.Below(15) == 0 ? MakeSwitchRecord()
                                  : testing::Noop(rng.Below(20000), i));
    }
    XLogRecPtr first = 0x3000000;
    XLogRecPtr last = s.valid_upto;
    int damage = 1 + rng.Below(8);
    for (int d = 0; d < damage; ++d) {
      XLogRecPtr at = first + rng.Below(last - first);
      std::vector<uint8_t> junk = Garbage(rng, 16);
      if (s.buffer.HasPage(at) && s.buffer.HasPage(at + junk.size())) {
        s.buffer.Write(at, junk);
      }
    }
    if (rng.Below(2)) s.valid_upto = first + rng.Below(last - first + 1);
    auto reader = s.Reader();
    reader->XLogBeginRead(first);
    int steps = 0;
    absl::StatusOr<const WalRecord*> r;
    while ((r = reader->XLogReadRecord()).ok()) {
      ASSERT_LT(++steps, 1000);
      ASSERT_LE(reader->EndRecPtr(), 0x3000000 + 4ull * kWalSegSize);
    }
    EXPECT_FALSE(r.status().message().empty());
  }
}

TEST(RobustnessTest, ReaderOverRandomPages) {
  for (uint64_t seed = 0; seed < 300; ++seed) {
    SplitMix64 rng{seed};
    WalBuffer buf;
    std::vector<uint8_t> page(kXLogBlcksz);
    for (int p = 0; p < 3; ++p) {
      for (uint8_t& b : page) b = rng.Below(3) == 0 ? rng.Next() : 0;
      // Sometimes a plausible header so validation goes deeper.
      if (rng.Below(2)) {
        XLogPageHeaderData h;
        h.xlp_info = static_cast<uint16_t>(rng.Below(16));
        h.xlp_tli = 1;
        h.xlp_pageaddr = 0x3000000 + p * kXLogBlcksz;
        h.xlp_rem_len = static_cast<uint32_t>(rng.Below(30000));
        h.xlp_seg_size = kWalSegSize;
        h.xlp_xlog_blcksz = kXLogBlcksz;
        StorePageHeader(h, absl::MakeSpan(page));
      }
      buf.Write(0x3000000 + p * kXLogBlcksz, page);
    }
    XLogReaderState reader(
        XLogReaderOptions{}, [&buf](XLogRecPtr p, uint32_t n, absl::Span<uint8_t> out) {
          return ReadPageFromWalBuffer(buf, 0x3000000 + 3 * kXLogBlcksz, 1, p,
                                       n, out);
        });
    reader.XLogBeginRead(0x3000000 + 8 * rng.Below(kXLogBlcksz / 8));
    int steps = 0;
    while (reader.XLogReadRecord().ok()) ASSERT_LT(++steps, 1000);
  }
}

}  // namespace
}  // namespace replsim::wal
