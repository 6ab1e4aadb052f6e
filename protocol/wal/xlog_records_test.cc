#include "protocol/wal/xlog_records.h"

#include "gtest/gtest.h"
#include "protocol/wal/rmgr.h"

namespace replsim::wal {
namespace {

CheckPoint SampleCheckPoint() {
  CheckPoint cp;
  cp.redo = 0x300AAC0;
  cp.ThisTimeLineID = 1;
  cp.PrevTimeLineID = 1;
  cp.fullPageWrites = true;
  cp.nextXid = 728;
  cp.nextOid = 16391;
  cp.nextMulti = 1;
  cp.nextMultiOffset = 0;
  cp.oldestXid = 716;
  cp.oldestXidDB = 1;
  cp.oldestMulti = 1;
  cp.oldestMultiDB = 1;
  cp.time = 0x6B073F39;
  return cp;
}

TEST(XlogRecordsTest, CheckPointIs88BytesWithPaddingAtPgOffsets) {
  std::vector<uint8_t> b = EncodeCheckPoint(SampleCheckPoint());
  ASSERT_EQ(b.size(), kSizeOfCheckPoint);
  EXPECT_EQ(b[16], 1);      // fullPageWrites
  EXPECT_EQ(b[24], 0xD8);   // nextXid low byte (728 = 0x2D8)
  EXPECT_EQ(b[32], 0x07);   // nextOid 0x4007
  EXPECT_EQ(b[44], 0xCC);   // oldestXid 716 = 0x2CC
  EXPECT_EQ(b[64], 0x39);   // time
  EXPECT_EQ(*DecodeCheckPoint(b), SampleCheckPoint());
  b.push_back(0);
  EXPECT_EQ(DecodeCheckPoint(b).status().message(),
            "CheckPoint: wanted 88 bytes, got 89");
}

TEST(XlogRecordsTest, CheckpointRecordIs114Bytes) {
  WalRecord rec = MakeCheckpointRecord(SampleCheckPoint(), /*shutdown=*/true);
  EXPECT_EQ(EncodeXLogRecord(rec).size(), 114u);
  EXPECT_EQ(rec.info(), XLOG_CHECKPOINT_SHUTDOWN);
  EXPECT_EQ(MakeCheckpointRecord(SampleCheckPoint(), false).info(),
            XLOG_CHECKPOINT_ONLINE);
}

TEST(XlogRecordsTest, SimpleRecordSizes) {
  struct Case {
    const char* name;
    WalRecord rec;
    size_t tot_len;
    uint8_t rmid;
    uint8_t info;
  };
  xl_end_of_recovery eor{1234567, 2, 1};
  const Case kCases[] = {
      {"switch", MakeSwitchRecord(), 24, RM_XLOG_ID, XLOG_SWITCH},
      {"noop", MakeNoopRecord(), 24, RM_XLOG_ID, XLOG_NOOP},
      {"noop 5", MakeNoopRecord(std::vector<uint8_t>(5, 1)), 31, RM_XLOG_ID,
       XLOG_NOOP},
      {"end of recovery", MakeEndOfRecoveryRecord(eor), 42, RM_XLOG_ID,
       XLOG_END_OF_RECOVERY},
      {"commit", MakeCommitRecord(727, 1), 34, RM_XACT_ID, XLOG_XACT_COMMIT},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(EncodeXLogRecord(c.rec).size(), c.tot_len) << c.name;
    EXPECT_EQ(c.rec.rmid(), c.rmid) << c.name;
    EXPECT_EQ(c.rec.info(), c.info) << c.name;
  }
  EXPECT_EQ(*DecodeEndOfRecovery(MakeEndOfRecoveryRecord(eor).main_data), eor);
  EXPECT_FALSE(DecodeEndOfRecovery({1, 2, 3}).ok());
}

TEST(XlogRecordsTest, CommitRoundTrip) {
  WalRecord rec = MakeCommitRecord(727, 817416240682049);
  absl::StatusOr<WalRecord> back =
      DecodeXLogRecord(EncodeXLogRecord(rec), 0x300AA98);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->header.xl_xid, 727u);
  absl::StatusOr<XactCommit> c = DecodeXactCommit(*back);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->xact_time, 817416240682049);
  EXPECT_EQ(c->xinfo, 0u);
  EXPECT_FALSE(DecodeXactCommit(MakeSwitchRecord()).ok());
}

TEST(XlogRecordsTest, HeapInsertMatchesPostgresLayout) {
  HeapInsert ins;
  ins.rnode = {1663, 5, 16384};
  ins.blkno = 0;
  ins.offnum = 1;
  ins.init_page = true;
  ins.t_infomask2 = 2;
  ins.t_infomask = 0x0802;
  ins.t_hoff = 24;
  ins.tuple_data = {0x00, 0x64, 0x00, 0x00, 0x00, 0x07, 0x77, 0x31};
  WalRecord rec = MakeHeapInsertRecord(725, ins);
  std::vector<uint8_t> bytes = EncodeXLogRecord(rec);
  // Same size and body as the fixture's first INSERT+INIT at 0/3005EA0.
  ASSERT_EQ(bytes.size(), 62u);
  const std::vector<uint8_t> kBody = {
      0x00, 0x60, 0x0d, 0x00, 0x7f, 0x06, 0x00, 0x00, 0x05, 0x00, 0x00,
      0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x03,
      0x02, 0x00, 0x02, 0x08, 0x18, 0x00, 0x64, 0x00, 0x00, 0x00, 0x07,
      0x77, 0x31, 0x01, 0x00, 0x00};
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + 24, bytes.end()), kBody);
  EXPECT_EQ(bytes[16], XLOG_HEAP_INIT_PAGE);
  absl::StatusOr<WalRecord> back = DecodeXLogRecord(bytes, 0x3005EA0);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*DecodeHeapInsert(*back), ins);
  EXPECT_FALSE(DecodeHeapInsert(MakeCommitRecord(1, 1)).ok());
}

}  // namespace
}  // namespace replsim::wal
