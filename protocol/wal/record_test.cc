#include "protocol/wal/record.h"

#include <string>

#include "gtest/gtest.h"
#include "protocol/wal/byte_codec.h"
#include "protocol/wal/rmgr.h"
#include "protocol/wal/segment.h"

namespace replsim::wal {
namespace {

constexpr XLogRecPtr kAt = 0x3005EA0;

WalRecord RichRecord() {
  WalRecord rec;
  rec.header.xl_xid = 725;
  rec.header.xl_prev = 0x3004660;
  rec.header.xl_info = 0x10;
  rec.header.xl_rmid = RM_BTREE_ID;
  XLogBlockRef b0;
  b0.block_id = 0;
  b0.rnode = {1663, 5, 16389};
  b0.blkno = 1;
  b0.has_image = true;
  b0.hole_offset = 100;
  b0.bimg_info = BKPIMAGE_HAS_HOLE | BKPIMAGE_APPLY;
  b0.image.assign(kBlcksz - 4000, 0xAB);
  b0.data = {1, 2, 3};
  XLogBlockRef b2;  // same relation: encoded with BKPBLOCK_SAME_REL
  b2.block_id = 2;
  b2.rnode = b0.rnode;
  b2.blkno = 0;
  b2.will_init = true;
  b2.data = {9};
  XLogBlockRef b3;  // a compressed image with a hole carries hole_length
  b3.block_id = 3;
  b3.forknum = FSM_FORKNUM;
  b3.rnode = {1663, 5, 16384};
  b3.has_image = true;
  b3.hole_offset = 40;
  b3.hole_length = 7000;
  b3.bimg_info = BKPIMAGE_HAS_HOLE | BKPIMAGE_COMPRESS_PGLZ;
  b3.image.assign(300, 0x5A);
  rec.blocks = {b0, b2, b3};
  rec.record_origin = 7;
  rec.toplevel_xid = 700;
  rec.main_data.assign(300, 0x11);  // > 255: XLR_BLOCK_ID_DATA_LONG
  return rec;
}

TEST(RecordTest, RoundTripsEveryHeaderKind) {
  WalRecord rec = RichRecord();
  std::vector<uint8_t> bytes = EncodeXLogRecord(rec);
  absl::StatusOr<WalRecord> back = DecodeXLogRecord(bytes, kAt);
  ASSERT_TRUE(back.ok()) << back.status();
  rec.header.xl_tot_len = bytes.size();
  rec.header.xl_crc = LoadU32(bytes.data() + kXLogRecordCrcOffset);
  EXPECT_EQ(*back, rec);
  EXPECT_TRUE(CheckRecordCrc(bytes, kAt).ok());
  EXPECT_EQ(back->fpi_len(), (kBlcksz - 4000) + 300);
  EXPECT_EQ(EncodeXLogRecord(*back), bytes);
}

TEST(RecordTest, HeaderLayoutAndSameRel) {
  WalRecord rec = RichRecord();
  std::vector<uint8_t> bytes = EncodeXLogRecord(rec);
  EXPECT_EQ(LoadU32(bytes.data()), bytes.size());
  EXPECT_EQ(LoadU32(bytes.data() + 4), 725u);
  EXPECT_EQ(LoadU64(bytes.data() + 8), 0x3004660u);
  EXPECT_EQ(bytes[16], 0x10);
  EXPECT_EQ(bytes[17], RM_BTREE_ID);
  EXPECT_EQ(bytes[18], 0);
  EXPECT_EQ(bytes[19], 0);
  // Block 0: id, fork_flags = HAS_IMAGE|HAS_DATA, data_length 3, image
  // header (length, hole_offset, bimg_info), rnode, blkno = 4+5+12+4 bytes.
  EXPECT_EQ(bytes[24], 0);
  EXPECT_EQ(bytes[25], BKPBLOCK_HAS_IMAGE | BKPBLOCK_HAS_DATA);
  // Block 2 follows at 24 + 25 with SAME_REL, so no RelFileNode.
  EXPECT_EQ(bytes[49], 2);
  EXPECT_EQ(bytes[50], BKPBLOCK_HAS_DATA | BKPBLOCK_WILL_INIT | BKPBLOCK_SAME_REL);
}

TEST(RecordTest, CrcCoversBodyThenHeader) {
  WalRecord rec;
  rec.header.xl_rmid = RM_XLOG_ID;
  rec.main_data = {1, 2, 3, 4};
  std::vector<uint8_t> bytes = EncodeXLogRecord(rec);
  pg_crc32c crc = Crc32cInit();
  crc = Crc32cComp(crc, absl::MakeSpan(bytes).subspan(24));
  crc = Crc32cComp(crc, absl::MakeSpan(bytes).subspan(0, 20));
  EXPECT_EQ(LoadU32(bytes.data() + 20), Crc32cFin(crc));
  bytes[27] ^= 1;
  EXPECT_EQ(CheckRecordCrc(bytes, 0x3000028).message(),
            "incorrect resource manager data checksum in record at 0/3000028");
}

// A record of header + the given body bytes (xl_tot_len consistent).
std::vector<uint8_t> WithBody(std::vector<uint8_t> body) {
  std::vector<uint8_t> out(kSizeOfXLogRecord);
  out.insert(out.end(), body.begin(), body.end());
  StoreU32(out.data(), out.size());
  return out;
}

TEST(RecordTest, DecodeErrorsUseXlogreaderWording) {
  struct Case {
    const char* name;
    std::vector<uint8_t> body;
    const char* message;
  };
  const Case kCases[] = {
      {"short data header cut", {255}, "record with invalid length at 0/3005EA0"},
      {"data longer than record", {255, 10, 1, 2},
       "record with invalid length at 0/3005EA0"},
      {"trailing bytes", {255, 1, 1, 2}, "record with invalid length at 0/3005EA0"},
      {"invalid block id", {100, 0, 0, 0}, "invalid block_id 100 at 0/3005EA0"},
      {"out of order",
       {1, 0x80 | 0x20, 1, 0, 0, 0, 0, 0, 7, 1, 0x80, 0, 0, 0, 0, 0, 0},
       "BKPBLOCK_SAME_REL set but no previous rel at 0/3005EA0"},
      {"has data no len", {0, 0x20, 0, 0}, "BKPBLOCK_HAS_DATA set, but no data included at 0/3005EA0"},
      {"len without flag", {0, 0x00, 5, 0},
       "BKPBLOCK_HAS_DATA not set, but data length is 5 at 0/3005EA0"},
      // Uncompressed and shorter than a page implies a hole.
      {"image no hole short", {0, 0x10, 0, 0, 0x10, 0, 0, 0, 0},
       "BKPIMAGE_HAS_HOLE not set, but hole offset 0 length 8176 at "
       "0/3005EA0"},
      {"hole at 0", {0, 0x10, 0, 0, 0x10, 0, 0, 0, BKPIMAGE_HAS_HOLE},
       "BKPIMAGE_HAS_HOLE set, but hole offset 0 length 8176 block image "
       "length 16 at 0/3005EA0"},
      {"compressed full", {0, 0x10, 0, 0, 0x00, 0x20, 0, 0, BKPIMAGE_COMPRESS_LZ4},
       "BKPIMAGE_COMPRESSED set, but block image length 8192 at 0/3005EA0"},
  };
  for (const Case& c : kCases) {
    absl::StatusOr<WalRecord> r = DecodeXLogRecord(WithBody(c.body), kAt);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().message(), c.message) << c.name;
  }
}

TEST(RecordTest, OutOfOrderBlockIds) {
  // Two blocks with ids 1 then 1.
  std::vector<uint8_t> body;
  ByteWriter w(&body);
  for (int i = 0; i < 2; ++i) {
    w.U8(1);
    w.U8(0);
    w.U16(0);
    w.U32(1);
    w.U32(2);
    w.U32(3);
    w.U32(4);
  }
  EXPECT_EQ(DecodeXLogRecord(WithBody(body), kAt).status().message(),
            "out-of-order block_id 1 at 0/3005EA0");
}

TEST(RecordTest, TotLenMustMatchTheBytes) {
  std::vector<uint8_t> bytes = EncodeXLogRecord(RichRecord());
  bytes.pop_back();
  EXPECT_EQ(DecodeXLogRecord(bytes, kAt).status().message(),
            "record with invalid length at 0/3005EA0");
  EXPECT_FALSE(DecodeXLogRecord({}, kAt).ok());
}

TEST(RecordTest, RmgrNames) {
  EXPECT_EQ(RmgrName(RM_XLOG_ID), "XLOG");
  EXPECT_EQ(RmgrName(RM_XACT_ID), "Transaction");
  EXPECT_EQ(RmgrName(RM_HEAP_ID), "Heap");
  EXPECT_EQ(RmgrName(RM_BTREE_ID), "Btree");
  EXPECT_EQ(RmgrName(21), "LogicalMessage");
  EXPECT_TRUE(RmgrIdIsValid(21));
  EXPECT_FALSE(RmgrIdIsValid(22));
  EXPECT_FALSE(RmgrIdIsValid(127));
  EXPECT_TRUE(RmgrIdIsValid(128));
}

}  // namespace
}  // namespace replsim::wal
