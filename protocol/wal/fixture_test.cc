// Decodes and rebuilds real PostgreSQL 15 WAL (testdata/, copied from
// /work/shared/fixtures; see its README): every record must match what
// pg_waldump printed, and placing the decoded records again with WalBuilder
// must give back the very same bytes.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "protocol/wal/byte_codec.h"
#include "protocol/wal/rmgr.h"
#include "protocol/wal/timeline_history.h"
#include "protocol/wal/wal_builder.h"
#include "protocol/wal/wal_reader.h"
#include "protocol/wal/xlog_records.h"

namespace replsim::wal {
namespace {

constexpr XLogRecPtr kStart = 0x3000000;
constexpr XLogRecPtr kEnd = 0x300AB38;
constexpr XLogRecPtr kPrevOfFirst = 0x2000100;

std::string ReadFile(const std::string& name) {
  std::ifstream in("protocol/wal/testdata/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<uint8_t> WalBytes() {
  std::string s = ReadFile("pg15_wal_0-3000000_to_0-300AB38.bin");
  return std::vector<uint8_t>(s.begin(), s.end());
}

struct DumpLine {
  std::string rmgr;
  uint32_t rec_len, tot_len;
  TransactionId xid;
  XLogRecPtr lsn, prev;
  std::string desc;
  std::vector<std::string> blkrefs;  // "id rel spc/db/rel blk N"
};

std::vector<DumpLine> ParseDump(std::string* error_line) {
  std::istringstream in(ReadFile("pg15_wal.pg_waldump.txt"));
  const std::regex kLine(
      R"(rmgr: (\S+)\s+len \(rec/tot\):\s+(\d+)/\s*(\d+), tx:\s+(\d+), )"
      R"(lsn: ([0-9A-F]+/[0-9A-F]+), prev ([0-9A-F]+/[0-9A-F]+), desc: (.*))");
  const std::regex kBlk(R"(blkref #(\d+): rel (\d+/\d+/\d+) blk (\d+))");
  std::vector<DumpLine> out;
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, kLine)) {
      *error_line = line;
      continue;
    }
    DumpLine d;
    d.rmgr = m[1];
    d.rec_len = std::stoul(m[2]);
    d.tot_len = std::stoul(m[3]);
    d.xid = std::stoul(m[4]);
    d.lsn = *ParseLsn(m[5].str());
    d.prev = *ParseLsn(m[6].str());
    d.desc = m[7];
    for (std::sregex_iterator it(line.begin(), line.end(), kBlk), e; it != e;
         ++it) {
      d.blkrefs.push_back((*it)[1].str() + " rel " + (*it)[2].str() + " blk " +
                          (*it)[3].str());
    }
    out.push_back(d);
  }
  return out;
}

class FixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<uint8_t> wal = WalBytes();
    ASSERT_EQ(wal.size(), kEnd - kStart);
    buffer_.Write(kStart, wal);
    // pg_waldump read the bytes zero-padded to a whole segment.
    buffer_.WriteZeros(kEnd, kStart + kWalSegSize - kEnd);
    sysid_ = LoadU64(wal.data() + 24);
  }

  XLogReaderState Reader(XLogRecPtr valid_upto) {
    XLogReaderOptions options;
    options.system_identifier = sysid_;
    return XLogReaderState(
        options, [this, valid_upto](XLogRecPtr p, uint32_t n,
                                    absl::Span<uint8_t> out) {
          return ReadPageFromWalBuffer(buffer_, valid_upto, 1, p, n, out);
        });
  }

  WalBuffer buffer_;
  uint64_t sysid_ = 0;
};

TEST_F(FixtureTest, EveryRecordMatchesPgWaldump) {
  std::string error_line;
  std::vector<DumpLine> dump = ParseDump(&error_line);
  ASSERT_EQ(dump.size(), 309u);
  EXPECT_EQ(error_line,
            "pg_waldump: error: error in WAL record at 0/300AAC0: invalid "
            "record length at 0/300AB38: wanted 24, got 0");

  XLogReaderState reader = Reader(kStart + kWalSegSize);
  reader.XLogBeginRead(kStart);
  for (const DumpLine& d : dump) {
    absl::StatusOr<const WalRecord*> rec = reader.XLogReadRecord();
    ASSERT_TRUE(rec.ok()) << LsnToString(d.lsn) << ": " << rec.status();
    const WalRecord& r = **rec;
    SCOPED_TRACE(LsnToString(d.lsn));
    EXPECT_EQ(reader.ReadRecPtr(), d.lsn);
    EXPECT_EQ(r.header.xl_prev, d.prev);
    EXPECT_EQ(RmgrName(r.rmid()), d.rmgr);
    EXPECT_EQ(r.header.xl_tot_len, d.tot_len);
    EXPECT_EQ(r.header.xl_tot_len - r.fpi_len(), d.rec_len);
    EXPECT_EQ(r.header.xl_xid, d.xid);
    std::vector<std::string> blkrefs;
    for (const XLogBlockRef& b : r.blocks) {
      blkrefs.push_back(absl::StrFormat("%u rel %u/%u/%u blk %u", b.block_id,
                                        b.rnode.spcNode, b.rnode.dbNode,
                                        b.rnode.relNode, b.blkno));
    }
    EXPECT_EQ(blkrefs, d.blkrefs);
    // Full-page images are flagged "FPW" by pg_waldump.
    EXPECT_EQ(r.fpi_len() > 0, d.desc.find(" FPW") != std::string::npos);
    // Re-encoding the decoded record gives the original bytes.
    EXPECT_EQ(EncodeXLogRecord(r), std::vector<uint8_t>(
                                       reader.record_bytes().begin(),
                                       reader.record_bytes().end()));
  }
  EXPECT_EQ(reader.EndRecPtr(), kEnd);
  absl::StatusOr<const WalRecord*> end = reader.XLogReadRecord();
  EXPECT_EQ(end.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(end.status().message(),
            "invalid record length at 0/300AB38: wanted 24, got 0");
}

TEST_F(FixtureTest, WithoutPaddingTheReaderWaitsAtTheEnd) {
  XLogReaderState reader = Reader(kEnd);
  reader.XLogBeginRead(kStart);
  int n = 0;
  absl::StatusOr<const WalRecord*> rec;
  while ((rec = reader.XLogReadRecord()).ok()) ++n;
  EXPECT_EQ(n, 309);
  EXPECT_EQ(rec.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(reader.EndRecPtr(), kEnd);
}

TEST_F(FixtureTest, ShutdownCheckpointValues) {
  XLogReaderState reader = Reader(kEnd);
  reader.XLogBeginRead(0x300AAC0);
  absl::StatusOr<const WalRecord*> rec = reader.XLogReadRecord();
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_EQ((*rec)->info(), XLOG_CHECKPOINT_SHUTDOWN);
  absl::StatusOr<CheckPoint> cp = DecodeCheckPoint((*rec)->main_data);
  ASSERT_TRUE(cp.ok()) << cp.status();
  // "redo 0/300AAC0; tli 1; prev tli 1; fpw true; xid 0:728; oid 16391;
  //  multi 1; offset 0; oldest xid 716 in DB 1; oldest multi 1 in DB 1;
  //  oldest/newest commit timestamp xid: 0/0; oldest running xid 0"
  EXPECT_EQ(cp->redo, 0x300AAC0u);
  EXPECT_EQ(cp->ThisTimeLineID, 1u);
  EXPECT_EQ(cp->PrevTimeLineID, 1u);
  EXPECT_TRUE(cp->fullPageWrites);
  EXPECT_EQ(cp->nextXid >> 32, 0u);
  EXPECT_EQ(static_cast<uint32_t>(cp->nextXid), 728u);
  EXPECT_EQ(cp->nextOid, 16391u);
  EXPECT_EQ(cp->nextMulti, 1u);
  EXPECT_EQ(cp->nextMultiOffset, 0u);
  EXPECT_EQ(cp->oldestXid, 716u);
  EXPECT_EQ(cp->oldestXidDB, 1u);
  EXPECT_EQ(cp->oldestMulti, 1u);
  EXPECT_EQ(cp->oldestMultiDB, 1u);
  EXPECT_EQ(cp->oldestCommitTsXid, 0u);
  EXPECT_EQ(cp->newestCommitTsXid, 0u);
  EXPECT_EQ(cp->oldestActiveXid, 0u);
  // Rebuilding the record from the decoded values gives the same bytes.
  WalRecord again = MakeCheckpointRecord(*cp, /*shutdown=*/true);
  again.header.xl_prev = 0x300AA98;
  EXPECT_EQ(EncodeXLogRecord(again),
            std::vector<uint8_t>(reader.record_bytes().begin(),
                                 reader.record_bytes().end()));
}

TEST_F(FixtureTest, BuilderReproducesTheSegmentBytes) {
  XLogReaderState reader = Reader(kEnd);
  reader.XLogBeginRead(kStart);
  WalBuilderOptions options;
  options.system_identifier = sysid_;
  WalBuilder builder(options, /*tli=*/1, kStart, kPrevOfFirst);
  WalBuffer rebuilt;
  absl::StatusOr<const WalRecord*> rec;
  while ((rec = reader.XLogReadRecord()).ok()) {
    XLogInsertResult r = builder.Insert(**rec, &rebuilt);
    EXPECT_EQ(r.ReadRecPtr, reader.ReadRecPtr());
    EXPECT_EQ(r.EndRecPtr, reader.EndRecPtr());
  }
  std::vector<uint8_t> bytes(kEnd - kStart);
  ASSERT_TRUE(rebuilt.Read(kStart, absl::MakeSpan(bytes)));
  EXPECT_TRUE(bytes == WalBytes());
  EXPECT_EQ(builder.CurrInsertPos(), kEnd);
}

TEST(FixtureHistoryTest, ParsesAndWritesBackTheSameBytes) {
  std::string content = ReadFile("00000002.history");
  absl::StatusOr<TimeLineHistory> h = ParseTimeLineHistory(2, content);
  ASSERT_TRUE(h.ok()) << h.status();
  TimeLineHistory want = {{2, kEnd, InvalidXLogRecPtr},
                          {1, InvalidXLogRecPtr, kEnd}};
  EXPECT_EQ(*h, want);
  EXPECT_EQ(WriteTimeLineHistory(std::nullopt, 1, kEnd,
                                 "no recovery target specified"),
            content);
}

}  // namespace
}  // namespace replsim::wal
