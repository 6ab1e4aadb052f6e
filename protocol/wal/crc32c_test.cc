#include "protocol/wal/crc32c.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace replsim::wal {
namespace {

absl::Span<const uint8_t> Bytes(const std::string& s) {
  return absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(s.data()),
                             s.size());
}

std::vector<uint8_t> Fill(int n, int (*f)(int)) {
  std::vector<uint8_t> v(n);
  for (int i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(f(i));
  return v;
}

struct Vector {
  const char* name;
  std::vector<uint8_t> input;
  uint32_t crc;
};

// Published CRC-32C check values (RFC 3720 appendix B.4 and the "check"
// value of the Castagnoli catalogue entry).
TEST(Crc32cTest, StandardVectors) {
  std::string check = "123456789";
  const Vector kVectors[] = {
      {"empty", {}, 0x00000000u},
      {"check 123456789", {check.begin(), check.end()}, 0xE3069283u},
      {"32 zero bytes", Fill(32, [](int) { return 0; }), 0x8A9136AAu},
      {"32 0xFF bytes", Fill(32, [](int) { return 0xFF; }), 0x62A8AB43u},
      {"32 ascending", Fill(32, [](int i) { return i; }), 0x46DD794Eu},
      {"32 descending", Fill(32, [](int i) { return 31 - i; }), 0x113FDB5Cu},
  };
  for (const Vector& v : kVectors) {
    EXPECT_EQ(Crc32c(v.input), v.crc) << v.name;
  }
}

TEST(Crc32cTest, IncrementalEqualsOneShotForEverySplit) {
  std::string text = "The quick brown fox jumps over the lazy dog";
  uint32_t whole = Crc32c(Bytes(text));
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    pg_crc32c crc = Crc32cInit();
    crc = Crc32cComp(crc, Bytes(text).subspan(0, cut));
    crc = Crc32cComp(crc, Bytes(text).subspan(cut));
    EXPECT_EQ(Crc32cFin(crc), whole) << "cut at " << cut;
  }
}

TEST(Crc32cTest, PortableTableAgreesWithCrc32cCompAtEveryLengthAndAlignment) {
  std::vector<uint8_t> data = Fill(96, [](int i) { return i * 131 + 17; });
  for (size_t start = 0; start < 9; ++start) {
    for (size_t len = 0; start + len <= data.size(); ++len) {
      absl::Span<const uint8_t> piece = absl::MakeConstSpan(data).subspan(start, len);
      EXPECT_EQ(Crc32cComp(0x12345678u, piece), Crc32cCompPortable(0x12345678u, piece))
          << start << "+" << len;
    }
  }
}

TEST(Crc32cTest, DetectsSingleBitFlips) {
  std::vector<uint8_t> data = Fill(64, [](int i) { return i * 7; });
  uint32_t base = Crc32c(data);
  for (size_t i = 0; i < data.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      data[i] ^= static_cast<uint8_t>(1 << bit);
      EXPECT_NE(Crc32c(data), base) << i << ":" << bit;
      data[i] ^= static_cast<uint8_t>(1 << bit);
    }
  }
}

}  // namespace
}  // namespace replsim::wal
