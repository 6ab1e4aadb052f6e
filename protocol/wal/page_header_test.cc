#include "protocol/wal/page_header.h"

#include "gtest/gtest.h"

namespace replsim::wal {
namespace {

XLogPageHeaderData LongHeader() {
  XLogPageHeaderData h;
  h.xlp_info = XLP_LONG_HEADER | XLP_BKP_REMOVABLE;
  h.xlp_tli = 1;
  h.xlp_pageaddr = 0x3000000;
  h.xlp_sysid = 7712202343776888185ull;
  h.xlp_seg_size = kWalSegSize;
  h.xlp_xlog_blcksz = kXLogBlcksz;
  return h;
}

XLogPageHeaderData ShortHeader(XLogRecPtr page, uint32_t rem_len) {
  XLogPageHeaderData h;
  h.xlp_info = XLP_BKP_REMOVABLE | (rem_len ? XLP_FIRST_IS_CONTRECORD : 0);
  h.xlp_tli = 1;
  h.xlp_pageaddr = page;
  h.xlp_rem_len = rem_len;
  return h;
}

// The first 40 and the 24 bytes at 0x2000 of the PostgreSQL 15 fixture
// segment 000000010000000000000003.
TEST(PageHeaderTest, EncodesTheBytesPostgresWrote) {
  const std::vector<uint8_t> kLong = {
      0x10, 0xd1, 0x06, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x79, 0xa5, 0xc1, 0xb0, 0x2b, 0x3f,
      0x07, 0x6b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x00};
  const std::vector<uint8_t> kShort = {
      0x10, 0xd1, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x03,
      0x00, 0x00, 0x00, 0x00, 0x35, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(EncodePageHeader(LongHeader()), kLong);
  EXPECT_EQ(EncodePageHeader(ShortHeader(0x3002000, 0x635)), kShort);
  EXPECT_EQ(*DecodePageHeader(kLong), LongHeader());
  EXPECT_EQ(*DecodePageHeader(kShort), ShortHeader(0x3002000, 0x635));
  EXPECT_EQ(LongHeader().size(), kSizeOfXLogLongPHD);
  EXPECT_EQ(ShortHeader(0, 0).size(), kSizeOfXLogShortPHD);
}

TEST(PageHeaderTest, DecodeNeedsEnoughBytes) {
  std::vector<uint8_t> bytes = EncodePageHeader(LongHeader());
  EXPECT_FALSE(DecodePageHeader(absl::MakeSpan(bytes).subspan(0, 23)).ok());
  EXPECT_FALSE(DecodePageHeader(absl::MakeSpan(bytes).subspan(0, 39)).ok());
  EXPECT_TRUE(DecodePageHeader(absl::MakeSpan(bytes).subspan(0, 40)).ok());
}

TEST(PageHeaderTest, ValidationMessagesAreXlogreaders) {
  PageValidationContext ctx;
  ctx.system_identifier = 7712202343776888185ull;
  ctx.file_tli = 1;
  struct Case {
    const char* name;
    XLogRecPtr at;
    XLogPageHeaderData hdr;
    const char* message;  // empty = valid
  };
  auto with = [](XLogPageHeaderData h, auto f) {
    f(h);
    return h;
  };
  const Case kCases[] = {
      {"long ok", 0x3000000, LongHeader(), ""},
      {"short ok", 0x3002000, ShortHeader(0x3002000, 0x635), ""},
      {"magic", 0x3002000,
       with(ShortHeader(0x3002000, 0), [](auto& h) { h.xlp_magic = 0xD075; }),
       "invalid magic number D075 in log segment 000000010000000000000003, "
       "offset 8192"},
      {"info bits", 0x3002000,
       with(ShortHeader(0x3002000, 0), [](auto& h) { h.xlp_info = 0x10; }),
       "invalid info bits 0010 in log segment 000000010000000000000003, "
       "offset 8192"},
      {"short at segment start", 0x3000000, ShortHeader(0x3000000, 0),
       "invalid info bits 0004 in log segment 000000010000000000000003, "
       "offset 0"},
      {"sysid", 0x3000000,
       with(LongHeader(), [](auto& h) { h.xlp_sysid = 42; }),
       "WAL file is from different database system: WAL file database system "
       "identifier is 42, pg_control database system identifier is "
       "7712202343776888185"},
      {"seg size", 0x3000000,
       with(LongHeader(), [](auto& h) { h.xlp_seg_size = 1 << 20; }),
       "WAL file is from different database system: incorrect segment size "
       "in page header"},
      {"blcksz", 0x3000000,
       with(LongHeader(), [](auto& h) { h.xlp_xlog_blcksz = 4096; }),
       "WAL file is from different database system: incorrect XLOG_BLCKSZ in "
       "page header"},
      {"pageaddr (recycled segment)", 0x3002000, ShortHeader(0x1002000, 0),
       "unexpected pageaddr 0/1002000 in log segment "
       "000000010000000000000003, offset 8192"},
  };
  for (const Case& c : kCases) {
    absl::Status s = ValidatePageHeader(ctx, c.at, c.hdr);
    if (std::string(c.message).empty()) {
      EXPECT_TRUE(s.ok()) << c.name << ": " << s;
    } else {
      EXPECT_EQ(s.message(), c.message) << c.name;
    }
  }
}

TEST(PageHeaderTest, TimelineMayNotGoBackwardsOnLaterPages) {
  PageValidationContext ctx;
  ctx.file_tli = 2;
  ctx.latest_page_ptr = 0x3002000;
  ctx.latest_page_tli = 2;
  XLogPageHeaderData h = ShortHeader(0x3004000, 0);
  h.xlp_tli = 1;
  EXPECT_EQ(ValidatePageHeader(ctx, 0x3004000, h).message(),
            "out-of-sequence timeline ID 1 (after 2) in log segment "
            "000000020000000000000003, offset 16384");
  // Re-reading an earlier page is not checked.
  h.xlp_pageaddr = 0x3002000;
  EXPECT_TRUE(ValidatePageHeader(ctx, 0x3002000, h).ok());
  h.xlp_pageaddr = 0x3004000;
  h.xlp_tli = 3;
  EXPECT_TRUE(ValidatePageHeader(ctx, 0x3004000, h).ok());
}

}  // namespace
}  // namespace replsim::wal
