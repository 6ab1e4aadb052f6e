#include "protocol/wal/lsn.h"

#include "gtest/gtest.h"

namespace replsim::wal {
namespace {

TEST(LsnTest, FormatsLikePostgres) {
  struct Case {
    XLogRecPtr lsn;
    const char* text;
  };
  const Case kCases[] = {
      {0, "0/0"},
      {0x300AB38, "0/300AB38"},
      {0x100000000ull, "1/0"},
      {0x1234567800ABCDEFull, "12345678/ABCDEF"},
      {~0ull, "FFFFFFFF/FFFFFFFF"},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(LsnToString(c.lsn), c.text);
    absl::StatusOr<XLogRecPtr> back = ParseLsn(c.text);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, c.lsn) << c.text;
  }
}

TEST(LsnTest, ParsesLowerCaseAndLeadingZeros) {
  EXPECT_EQ(*ParseLsn("a/b"), 0xA0000000Bull);
  EXPECT_EQ(*ParseLsn("00000000/0300ab38"), 0x300AB38ull);
}

TEST(LsnTest, RejectsMalformedTextWithReason) {
  struct Case {
    const char* text;
    const char* reason;
  };
  const Case kCases[] = {
      {"", "high part"},
      {"/1", "high part"},
      {"123456789/0", "high part"},
      {"0", "expected '/'"},
      {"0-3000000", "expected '/'"},
      {"0/", "low part"},
      {"0/123456789", "low part"},
      {"0/3x", "trailing"},
      {"0/1 ", "trailing"},
      {"g/0", "high part"},
      {" 0/1", "high part"},
  };
  for (const Case& c : kCases) {
    absl::StatusOr<XLogRecPtr> r = ParseLsn(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("invalid input syntax for type pg_lsn"),
              std::string::npos);
    EXPECT_NE(r.status().message().find(c.reason), std::string::npos)
        << c.text << " -> " << r.status();
  }
}

TEST(LsnTest, MaxAlignRoundsUpToEight) {
  EXPECT_EQ(MaxAlign(0), 0u);
  EXPECT_EQ(MaxAlign(1), 8u);
  EXPECT_EQ(MaxAlign(8), 8u);
  EXPECT_EQ(MaxAlign(114), 120u);
  EXPECT_EQ(MaxAlign(0x300AB32), 0x300AB38u);
  EXPECT_TRUE(XLogRecPtrIsInvalid(InvalidXLogRecPtr));
}

}  // namespace
}  // namespace replsim::wal
