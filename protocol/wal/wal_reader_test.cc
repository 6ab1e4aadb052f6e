#include "protocol/wal/wal_reader.h"

#include "gtest/gtest.h"
#include "protocol/wal/byte_codec.h"
#include "protocol/wal/wal_test_util.h"

namespace replsim::wal {
namespace {

using testing::Noop;
using testing::Stream;

void Patch(WalBuffer& buf, XLogRecPtr at, std::vector<uint8_t> bytes) {
  buf.Write(at, bytes);
}

std::vector<uint8_t> U16(uint16_t v) { return {uint8_t(v), uint8_t(v >> 8)}; }
std::vector<uint8_t> U32(uint32_t v) {
  std::vector<uint8_t> b(4);
  StoreU32(b.data(), v);
  return b;
}

// Three records: a small one, one spanning pages 0-2, a small one.
struct ThreeRecords {
  ThreeRecords() : s(0x3000000) {
    a = s.Insert(Noop(100));
    b = s.Insert(Noop(20000));
    c = s.Insert(Noop(10));
  }
  // Reads until an error; returns it and counts the records read.
  absl::Status ReadAll(int* n) {
    auto reader = s.Reader();
    reader->XLogBeginRead(0x3000000);
    *n = 0;
    while (true) {
      absl::StatusOr<const WalRecord*> r = reader->XLogReadRecord();
      if (!r.ok()) return r.status();
      ++*n;
    }
  }
  Stream s;
  XLogInsertResult a, b, c;
};

TEST(WalReaderTest, WaitsForDataAndResumesWhereItStopped) {
  ThreeRecords t;
  XLogRecPtr visible = 0x3000000;
  auto reader = t.s.Reader(&visible);
  reader->XLogBeginRead(0x3000000);
  std::vector<XLogRecPtr> starts;
  for (visible = 0x3000000; visible <= t.c.EndRecPtr; visible += 64) {
    while (true) {
      absl::StatusOr<const WalRecord*> r = reader->XLogReadRecord();
      if (!r.ok()) {
        ASSERT_EQ(r.status().code(), absl::StatusCode::kUnavailable)
            << r.status();
        break;
      }
      starts.push_back(reader->ReadRecPtr());
      EXPECT_LE(reader->EndRecPtr(), visible + 64);
    }
  }
  EXPECT_EQ(starts, (std::vector<XLogRecPtr>{t.a.ReadRecPtr, t.b.ReadRecPtr,
                                             t.c.ReadRecPtr}));
}

TEST(WalReaderTest, CorruptionIsReportedInPostgresWords) {
  struct Case {
    const char* name;
    void (*corrupt)(ThreeRecords&);
    int records_before;
    const char* message;
  };
  const Case kCases[] = {
      {"crc", [](ThreeRecords& t) { Patch(t.s.buffer, t.c.ReadRecPtr + 30, {0xEE}); },
       2, "incorrect resource manager data checksum in record at 0/3004F18"},
      {"rmid", [](ThreeRecords& t) { Patch(t.s.buffer, t.c.ReadRecPtr + 17, {100}); },
       2, "invalid resource manager ID 100 at 0/3004F18"},
      {"zero length", [](ThreeRecords& t) { Patch(t.s.buffer, t.c.ReadRecPtr, U32(0)); },
       2, "invalid record length at 0/3004F18: wanted 24, got 0"},
      {"magic of continuation page",
       [](ThreeRecords& t) { Patch(t.s.buffer, 0x3002000, U16(0xD075)); }, 1,
       "invalid magic number D075 in log segment 000000010000000000000003, "
       "offset 8192"},
      {"no contrecord flag",
       [](ThreeRecords& t) { Patch(t.s.buffer, 0x3002002, U16(XLP_BKP_REMOVABLE)); },
       1, "there is no contrecord flag at 0/30000A8"},
      {"rem_len",
       [](ThreeRecords& t) { Patch(t.s.buffer, 0x3002010, U32(5)); }, 1,
       "invalid contrecord length 5 (expected 12005) at 0/30000A8"},
      {"recycled page",
       [](ThreeRecords& t) { Patch(t.s.buffer, 0x3004008, {0, 0x40, 0, 1}); },
       1, "unexpected pageaddr 0/1004000 in log segment "
          "000000010000000000000003, offset 16384"},
  };
  for (const Case& c : kCases) {
    ThreeRecords t;
    ASSERT_EQ(t.a.ReadRecPtr, 0x3000028u);
    ASSERT_EQ(t.b.ReadRecPtr, 0x30000A8u);
    ASSERT_EQ(t.c.ReadRecPtr, 0x3004F18u);
    c.corrupt(t);
    int n = 0;
    absl::Status st = t.ReadAll(&n);
    EXPECT_EQ(n, c.records_before) << c.name;
    EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << c.name;
    EXPECT_EQ(st.message(), c.message) << c.name;
  }
}

TEST(WalReaderTest, PrevLinkMustChainExceptAfterBeginRead) {
  ThreeRecords t;
  // Replace c by the same record claiming a (not b) as its predecessor.
  WalRecord wrong = Noop(10);
  wrong.header.xl_prev = t.a.ReadRecPtr;
  Patch(t.s.buffer, t.c.ReadRecPtr, EncodeXLogRecord(wrong));
  int n = 0;
  EXPECT_EQ(t.ReadAll(&n).message(),
            "record with incorrect prev-link 0/3000028 at 0/3004F18");
  EXPECT_EQ(n, 2);
  // Starting right at the record only requires xl_prev < its address.
  auto reader = t.s.Reader();
  reader->XLogBeginRead(t.c.ReadRecPtr);
  EXPECT_TRUE(reader->XLogReadRecord().ok());
  wrong.header.xl_prev = 0x310000010;
  Patch(t.s.buffer, t.c.ReadRecPtr, EncodeXLogRecord(wrong));
  reader->XLogBeginRead(t.c.ReadRecPtr);
  EXPECT_EQ(reader->XLogReadRecord().status().message(),
            "record with incorrect prev-link 3/10000010 at 0/3004F18");
}

TEST(WalReaderTest, ErrorsLeaveTheReaderWhereItWas) {
  ThreeRecords t;
  Patch(t.s.buffer, 0x3004008, {0, 0x40, 0, 1});
  auto reader = t.s.Reader();
  reader->XLogBeginRead(0x3000000);
  ASSERT_TRUE(reader->XLogReadRecord().ok());
  EXPECT_FALSE(reader->XLogReadRecord().ok());
  EXPECT_EQ(reader->abortedRecPtr(), t.b.ReadRecPtr);
  EXPECT_EQ(reader->missingContrecPtr(), 0x3004000u);
  EXPECT_EQ(reader->EndRecPtr(), t.b.ReadRecPtr);
  Patch(t.s.buffer, 0x3004008, {0, 0x40, 0, 3});  // repaired
  absl::StatusOr<const WalRecord*> r = reader->XLogReadRecord();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(reader->ReadRecPtr(), t.b.ReadRecPtr);
  EXPECT_EQ(reader->abortedRecPtr(), InvalidXLogRecPtr);
}

TEST(WalReaderTest, BadStartingPoints) {
  ThreeRecords t;
  auto reader = t.s.Reader();
  reader->XLogBeginRead(0x3002000);  // page whose first bytes continue b
  EXPECT_EQ(reader->XLogReadRecord().status().message(),
            "contrecord is requested by 0/3002018");
  reader->XLogBeginRead(0x3002010);  // inside the page header
  EXPECT_EQ(reader->XLogReadRecord().status().message(),
            "invalid record offset at 0/3002010");
}

TEST(WalReaderTest, FollowsAnOverwrittenContrecord) {
  // b was cut off at page 0x3004000; recovery wrote a new record there,
  // flagged XLP_FIRST_IS_OVERWRITE_CONTRECORD, chained to a.
  ThreeRecords t;
  WalBuilder builder(Stream::Options(), 1, 0x3004000, t.a.ReadRecPtr);
  XLogInsertResult o = builder.Insert(Noop(8), &t.s.buffer);
  Patch(t.s.buffer, 0x3004002,
        U16(XLP_BKP_REMOVABLE | XLP_FIRST_IS_OVERWRITE_CONTRECORD));
  t.s.valid_upto = o.EndRecPtr;
  auto reader = t.s.Reader();
  reader->XLogBeginRead(0x3000000);
  ASSERT_TRUE(reader->XLogReadRecord().ok());
  absl::StatusOr<const WalRecord*> r = reader->XLogReadRecord();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(reader->ReadRecPtr(), 0x3004018u);
  EXPECT_EQ(reader->overwrittenRecPtr(), t.b.ReadRecPtr);
}

TEST(WalReaderTest, SwitchJumpsToTheNextSegment) {
  Stream s(0x3000000);
  s.Insert(Noop(10));
  XLogInsertResult sw = s.Insert(MakeSwitchRecord());
  XLogInsertResult next = s.Insert(Noop(10));
  auto reader = s.Reader();
  reader->XLogBeginRead(0x3000000);
  ASSERT_TRUE(reader->XLogReadRecord().ok());
  ASSERT_TRUE(reader->XLogReadRecord().ok());
  EXPECT_EQ(reader->ReadRecPtr(), sw.ReadRecPtr);
  EXPECT_EQ(reader->EndRecPtr(), 0x4000000u);
  ASSERT_TRUE(reader->XLogReadRecord().ok());
  EXPECT_EQ(reader->ReadRecPtr(), next.ReadRecPtr);
  EXPECT_EQ(next.ReadRecPtr, 0x4000028u);
}

TEST(WalReaderTest, ReadsRecordsSpanningSegmentBoundaries) {
  Stream s(0x3000000);
  std::vector<XLogRecPtr> starts;
  while (s.valid_upto < 0x5000000 + 100000) {
    starts.push_back(s.Insert(Noop(60000)).ReadRecPtr);
  }
  auto reader = s.Reader();
  reader->XLogBeginRead(0x3000000);
  int crossings = 0;
  for (XLogRecPtr start : starts) {
    absl::StatusOr<const WalRecord*> r = reader->XLogReadRecord();
    ASSERT_TRUE(r.ok()) << LsnToString(start) << ": " << r.status();
    EXPECT_EQ(reader->ReadRecPtr(), start);
    if (XLByteToSeg(start) != XLByteToSeg(reader->EndRecPtr())) ++crossings;
  }
  EXPECT_EQ(crossings, 2);
  // Starting mid-segment validates that segment's first page too.
  reader->XLogBeginRead(starts.back());
  EXPECT_TRUE(reader->XLogReadRecord().ok());
  s.buffer.Write(0x5000000, {0, 0});  // break segment 5's long header magic
  reader->XLogBeginRead(starts.back());
  EXPECT_EQ(reader->XLogReadRecord().status().message(),
            "invalid magic number 0000 in log segment "
            "000000010000000000000005, offset 0");
}

TEST(WalReaderTest, ChecksSystemIdentifierOfEachSegment) {
  Stream s(0x3000000);
  s.Insert(Noop(10));
  XLogReaderOptions options;
  options.system_identifier = 42;
  const WalBuffer* buf = &s.buffer;
  XLogRecPtr end = s.valid_upto;
  XLogReaderState reader(options, [buf, end](XLogRecPtr p, uint32_t n,
                                             absl::Span<uint8_t> out) {
    return ReadPageFromWalBuffer(*buf, end, 1, p, n, out);
  });
  reader.XLogBeginRead(0x3000028);
  EXPECT_EQ(reader.XLogReadRecord().status().message(),
            "WAL file is from different database system: WAL file database "
            "system identifier is 7712202343776888185, pg_control database "
            "system identifier is 42");
}

TEST(WalReaderTest, TimelineGoingBackwardsIsRejected) {
  Stream s(0x3000000, /*tli=*/2);
  s.Insert(Noop(8000));
  s.builder.SetTimeLine(1);
  s.Insert(Noop(8000));
  auto reader = s.Reader();
  reader->XLogBeginRead(0x3000000);
  ASSERT_TRUE(reader->XLogReadRecord().ok());
  EXPECT_EQ(reader->XLogReadRecord().status().message(),
            "out-of-sequence timeline ID 1 (after 2) in log segment "
            "000000010000000000000003, offset 8192");
}

}  // namespace
}  // namespace replsim::wal
