// The workload's row: its size, its layout, and how many fit on a page.
#include "protocol/postmaster/workload_tuple.h"

#include "gtest/gtest.h"
#include "protocol/wal/xlog_records.h"

namespace replsim::postmaster {
namespace {

TEST(WorkloadTupleTest, RowsPerPageFollowTheTupleSize) {
  // 8168 bytes after the page header; MAXALIGN(24 + row) + a line pointer each.
  EXPECT_EQ(HeapTuplesPerPage(8), 226);           // 32 + 4
  EXPECT_EQ(HeapTuplesPerPage(100), 61);          // 128 + 4
  EXPECT_EQ(HeapTuplesPerPage(1000), 7);          // 1024 + 4
  EXPECT_EQ(HeapTuplesPerPage(kMaxRowBytes), 4);  // 2032 + 4: TOAST's four per page
  EXPECT_EQ(kMaxRowBytes, 2008);
}

TEST(WorkloadTupleTest, DataIsRowBytesLongWithTheRightVarlenaHeader) {
  const wal::HeapInsert two_ints = MakeWorkloadTuple(7, 1, 8);
  ASSERT_EQ(two_ints.tuple_data.size(), 8u);
  EXPECT_EQ(two_ints.t_infomask2, 2);
  EXPECT_EQ(two_ints.t_infomask, 0x0800);  // no varwidth column
  EXPECT_EQ(two_ints.tuple_data[0], 7);    // xid, little-endian int4
  EXPECT_EQ(two_ints.tuple_data[4], 1);    // session

  const wal::HeapInsert short_text = MakeWorkloadTuple(7, 1, 100);
  ASSERT_EQ(short_text.tuple_data.size(), 100u);
  EXPECT_EQ(short_text.t_infomask2, 3);
  EXPECT_EQ(short_text.t_infomask, 0x0802);          // HEAP_HASVARWIDTH
  EXPECT_EQ(short_text.tuple_data[8], 92 << 1 | 1);  // 1-byte header: 92 bytes

  const wal::HeapInsert long_text = MakeWorkloadTuple(7, 1, 1000);
  ASSERT_EQ(long_text.tuple_data.size(), 1000u);
  const uint32_t header = long_text.tuple_data[8] | long_text.tuple_data[9] << 8 |
                          long_text.tuple_data[10] << 16 |
                          static_cast<uint32_t>(long_text.tuple_data[11]) << 24;
  EXPECT_EQ(header, 992u << 2);  // 4-byte header, uncompressed: 992 bytes
}

TEST(WorkloadTupleTest, RowsFillPagesInOrder) {
  // 61 rows of 100 bytes per page: row 61 starts block 1 and initializes it.
  EXPECT_EQ(MakeWorkloadTuple(60, 0, 100).blkno, 0u);
  EXPECT_EQ(MakeWorkloadTuple(60, 0, 100).offnum, 61);
  EXPECT_FALSE(MakeWorkloadTuple(60, 0, 100).init_page);
  EXPECT_EQ(MakeWorkloadTuple(61, 0, 100).blkno, 1u);
  EXPECT_EQ(MakeWorkloadTuple(61, 0, 100).offnum, 1);
  EXPECT_TRUE(MakeWorkloadTuple(61, 0, 100).init_page);
}

TEST(WorkloadTupleTest, TheInsertRecordCarriesTheWholeRow) {
  const wal::HeapInsert ins = MakeWorkloadTuple(1234, 3, 500);
  const wal::WalRecord rec = wal::MakeHeapInsertRecord(1234, ins);
  absl::StatusOr<wal::HeapInsert> back = wal::DecodeHeapInsert(rec);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, ins);
  ASSERT_EQ(rec.blocks.size(), 1u);
  EXPECT_EQ(rec.blocks[0].data.size(), wal::kSizeOfHeapHeader + 500u);
}

}  // namespace
}  // namespace replsim::postmaster
