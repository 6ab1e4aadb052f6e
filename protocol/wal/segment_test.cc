#include "protocol/wal/segment.h"

#include "gtest/gtest.h"

namespace replsim::wal {
namespace {

TEST(SegmentTest, SegmentArithmetic) {
  XLogRecPtr p = 0x300AB38;
  EXPECT_EQ(XLByteToSeg(p), 3u);
  EXPECT_EQ(XLogSegmentOffset(p), 0xAB38u);
  EXPECT_EQ(XLogSegNoOffsetToRecPtr(3, 0xAB38), p);
  EXPECT_TRUE(XLByteInSeg(p, 3));
  EXPECT_FALSE(XLByteInSeg(0x4000000, 3));
  // A record ending exactly at a segment boundary belongs to the previous one.
  EXPECT_EQ(XLByteToPrevSeg(0x4000000), 3u);
  EXPECT_EQ(XLogSegmentsPerXLogId(), 256u);
}

TEST(SegmentTest, PageArithmetic) {
  EXPECT_EQ(XLogPageStart(0x300AB38), 0x300A000u);
  EXPECT_EQ(XLogPageOffset(0x300AB38), 0xB38u);
  EXPECT_TRUE(IsXLogPageBoundary(0x3002000));
  EXPECT_FALSE(IsXLogPageBoundary(0x3002001));
  EXPECT_EQ(XLogPageBytesLeft(0x3002000), 8192u);
  EXPECT_EQ(XLogPageBytesLeft(0x3001FF8), 8u);
}

TEST(SegmentTest, FileNamesRoundTrip) {
  struct Case {
    TimeLineID tli;
    XLogSegNo segno;
    const char* name;
  };
  const Case kCases[] = {
      {1, 3, "000000010000000000000003"},
      {2, 0xFF, "0000000200000000000000FF"},
      {2, 0x100, "000000020000000100000000"},
      {0xABCDEF01, 0x12345678ABull, "ABCDEF0112345678000000AB"},
  };
  for (const Case& c : kCases) {
    std::string name = XLogFileName(c.tli, c.segno);
    EXPECT_EQ(name, c.name);
    absl::StatusOr<XLogFileId> id = ParseXLogFileName(name);
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(id->tli, c.tli);
    EXPECT_EQ(id->segno, c.segno);
  }
}

TEST(SegmentTest, RejectsBadFileNames) {
  const char* kBad[] = {
      "00000001000000000000003",    // 23 characters
      "0000000100000000000000033",  // 25
      "00000001000000000000000a",   // lower case
      "00000001000000000000000G",
      "000000010000000000000100",   // segment part 0x100 >= 256
      "00000002.history",
  };
  for (const char* name : kBad) {
    absl::StatusOr<XLogFileId> id = ParseXLogFileName(name);
    EXPECT_FALSE(id.ok()) << name;
    if (!id.ok()) {
      EXPECT_NE(id.status().message().find(name), std::string::npos);
    }
  }
}

TEST(SegmentTest, HistoryFileNames) {
  EXPECT_EQ(TLHistoryFileName(2), "00000002.history");
  EXPECT_EQ(TLHistoryFileName(0x1A), "0000001A.history");
  EXPECT_EQ(*ParseTLHistoryFileName("0000001A.history"), 0x1Au);
  EXPECT_FALSE(ParseTLHistoryFileName("0000001a.history").ok());
  EXPECT_FALSE(ParseTLHistoryFileName("00000002.histor").ok());
  EXPECT_FALSE(ParseTLHistoryFileName("000000010000000000000003").ok());
}

}  // namespace
}  // namespace replsim::wal
