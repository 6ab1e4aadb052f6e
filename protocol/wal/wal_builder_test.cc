#include "protocol/wal/wal_builder.h"

#include "gtest/gtest.h"
#include "protocol/wal/byte_codec.h"
#include "protocol/wal/wal_test_util.h"

namespace replsim::wal {
namespace {

using testing::Noop;
using testing::Stream;

XLogPageHeaderData HeaderAt(const WalBuffer& buf, XLogRecPtr page) {
  std::vector<uint8_t> bytes(kSizeOfXLogLongPHD);
  EXPECT_TRUE(buf.Read(page, absl::MakeSpan(bytes)));
  return *DecodePageHeader(bytes);
}

TEST(WalBuilderTest, FirstRecordOfASegmentFollowsTheLongHeader) {
  Stream s(0x3000000);
  EXPECT_EQ(s.builder.NextRecordStart(), 0x3000028u);
  XLogInsertResult r = s.Insert(MakeSwitchRecord());  // at segment start
  EXPECT_FALSE(r.inserted);
  EXPECT_EQ(r.EndRecPtr, 0x3000000u);
  r = s.Insert(Noop(10));  // 24 + 2 + 10 = 36 bytes
  EXPECT_TRUE(r.inserted);
  EXPECT_EQ(r.ReadRecPtr, 0x3000028u);
  EXPECT_EQ(r.EndRecPtr, 0x3000028u + 40);
  XLogPageHeaderData h = HeaderAt(s.buffer, 0x3000000);
  EXPECT_EQ(h.xlp_info, XLP_LONG_HEADER | XLP_BKP_REMOVABLE);
  EXPECT_EQ(h.xlp_sysid, testing::kSysid);
  EXPECT_EQ(h.xlp_seg_size, kWalSegSize);
  EXPECT_EQ(h.xlp_xlog_blcksz, kXLogBlcksz);
  EXPECT_EQ(h.xlp_pageaddr, 0x3000000u);
  std::vector<uint8_t> rec(24);
  ASSERT_TRUE(s.buffer.Read(0x3000028, absl::MakeSpan(rec)));
  EXPECT_EQ(LoadXLogRecord(rec).xl_prev, 0x2000100u);
}

TEST(WalBuilderTest, SpanningRecordSetsContrecordAndRemLen) {
  Stream s(0x3000000);
  s.Insert(Noop(100));
  // 20000 bytes of data: header 24 + data header 5 + 20000 = 20029 bytes.
  XLogInsertResult r = s.Insert(Noop(20000));
  uint32_t first_part = 0x2000 - (r.ReadRecPtr - 0x3000000);
  XLogPageHeaderData p1 = HeaderAt(s.buffer, 0x3002000);
  EXPECT_EQ(p1.xlp_info, XLP_FIRST_IS_CONTRECORD | XLP_BKP_REMOVABLE);
  EXPECT_EQ(p1.xlp_rem_len, 20029 - first_part);
  XLogPageHeaderData p2 = HeaderAt(s.buffer, 0x3004000);
  EXPECT_EQ(p2.xlp_rem_len, 20029 - first_part - (8192 - 24));
  EXPECT_EQ(r.EndRecPtr,
            MaxAlign(0x3004000 + 24 + p2.xlp_rem_len));
  // The next record starts there, on the same page, with no header.
  EXPECT_EQ(s.Insert(Noop(1)).ReadRecPtr, r.EndRecPtr);
}

TEST(WalBuilderTest, RecordEndingAtPageEndLeavesNextPageClean) {
  Stream s(0x3000000);
  // Fill page 0 exactly: 8192 - 40 = 8152 bytes = 24 + 5 + 8123.
  XLogInsertResult r = s.Insert(Noop(8123));
  EXPECT_EQ(r.EndRecPtr, 0x3002000u);
  EXPECT_FALSE(s.buffer.HasPage(0x3002000));
  EXPECT_EQ(s.builder.NextRecordStart(), 0x3002018u);
  r = s.Insert(Noop(1));
  EXPECT_EQ(r.ReadRecPtr, 0x3002018u);
  EXPECT_EQ(HeaderAt(s.buffer, 0x3002000).xlp_info, XLP_BKP_REMOVABLE);
  EXPECT_EQ(HeaderAt(s.buffer, 0x3002000).xlp_rem_len, 0u);
}

TEST(WalBuilderTest, SwitchConsumesTheRestOfTheSegment) {
  Stream s(0x3000000);
  s.Insert(Noop(100));
  XLogInsertResult sw = s.Insert(MakeSwitchRecord());
  EXPECT_TRUE(sw.inserted);
  EXPECT_EQ(sw.EndRecPtr, 0x4000000u);
  // Pages after the switch record are all zero, headers included.
  std::vector<uint8_t> page(kXLogBlcksz, 1);
  ASSERT_TRUE(s.buffer.Read(0x3FFE000, absl::MakeSpan(page)));
  EXPECT_EQ(page, std::vector<uint8_t>(kXLogBlcksz, 0));
  // A second switch right away inserts nothing.
  EXPECT_FALSE(s.Insert(MakeSwitchRecord()).inserted);
  // The shutdown checkpoint then lands at segment start + 0x28, REDO there.
  EXPECT_EQ(s.builder.NextRecordStart(), 0x4000028u);
  CheckPoint cp;
  cp.redo = s.builder.NextRecordStart();
  XLogInsertResult ck = s.Insert(MakeCheckpointRecord(cp, true));
  EXPECT_EQ(ck.ReadRecPtr, 0x4000028u);
  EXPECT_EQ(ck.EndRecPtr, 0x4000028u + 120);
  std::vector<uint8_t> hdr(24);
  ASSERT_TRUE(s.buffer.Read(0x4000028, absl::MakeSpan(hdr)));
  EXPECT_EQ(LoadXLogRecord(hdr).xl_prev, sw.ReadRecPtr);
}

TEST(WalBuilderTest, RecordCrossingASegmentContinuesUnderALongHeader) {
  Stream s(0x3FFE000 + 0x1000);  // mid-page, near the segment end
  XLogInsertResult r = s.Insert(Noop(9000));
  EXPECT_EQ(r.ReadRecPtr, 0x3FFF000u);
  XLogPageHeaderData h = HeaderAt(s.buffer, 0x4000000);
  EXPECT_EQ(h.xlp_info,
            XLP_LONG_HEADER | XLP_FIRST_IS_CONTRECORD | XLP_BKP_REMOVABLE);
  EXPECT_EQ(h.xlp_rem_len, 24 + 5 + 9000 - 0x1000);
  EXPECT_EQ(r.EndRecPtr, MaxAlign(0x4000000 + 40 + h.xlp_rem_len));
}

TEST(WalBuilderTest, NewTimelineAppliesToPagesStartedAfterwards) {
  Stream s(0x3000000);
  s.Insert(Noop(8000));
  s.builder.SetTimeLine(2);
  s.builder.set_bkp_removable(false);
  s.Insert(Noop(8000));  // continues onto page 0x3002000
  XLogPageHeaderData h = HeaderAt(s.buffer, 0x3002000);
  EXPECT_EQ(h.xlp_tli, 2u);
  EXPECT_EQ(h.xlp_info, XLP_FIRST_IS_CONTRECORD);
  EXPECT_EQ(HeaderAt(s.buffer, 0x3000000).xlp_tli, 1u);
}

TEST(WalBuilderTest, EveryBuiltRecordReadsBack) {
  Stream s(0x3000000);
  std::vector<XLogInsertResult> placed;
  for (int i = 0; i < 400; ++i) {
    size_t len = (i * 7919) % 12000;
    placed.push_back(s.Insert(i % 97 == 96 ? MakeSwitchRecord() : Noop(len, i)));
  }
  auto reader = s.Reader();
  reader->XLogBeginRead(0x3000000);
  for (const XLogInsertResult& p : placed) {
    if (!p.inserted) continue;
    absl::StatusOr<const WalRecord*> rec = reader->XLogReadRecord();
    ASSERT_TRUE(rec.ok()) << LsnToString(p.ReadRecPtr) << ": " << rec.status();
    EXPECT_EQ(reader->ReadRecPtr(), p.ReadRecPtr);
    EXPECT_EQ(reader->EndRecPtr(), p.EndRecPtr);
  }
  EXPECT_EQ(reader->XLogReadRecord().status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace replsim::wal
