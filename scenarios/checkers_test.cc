// CheckWalPrefix over WAL written straight into two hosts' disks: a
// standby's segment that is a prefix of its upstream's passes, also when a
// recycled file keeps an older segment's bytes past the standby's valid WAL;
// valid WAL on both sides that differs is a WAL_PREFIX violation naming the
// LSN, the segment and the offset.
#include "scenarios/checkers.h"

#include <string>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "protocol/wal/wal_test_util.h"
#include "sim/disk/disk.h"

namespace replsim::scenarios {
namespace {

constexpr char kSegment[] = "/pgdata/pg_wal/000000010000000000000001";
constexpr wal::XLogRecPtr kSegStart = 0x1000000;

void WriteSegment(Harness& t, const std::string& host, const std::string& bytes) {
  sim::disk::Disk& disk = t.cluster().host(host).disk();
  ASSERT_EQ(disk.MakeDir("/pgdata"), os::Errno::kOk);
  ASSERT_EQ(disk.MakeDir("/pgdata/pg_wal"), os::Errno::kOk);
  os::Result<sim::disk::InodeId> id = disk.Open(kSegment, os::kOpenReadWrite | os::kOpenCreate);
  ASSERT_TRUE(id.ok());
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  ASSERT_TRUE(disk.Write(*id, 0, absl::MakeConstSpan(p, bytes.size())).ok());
  disk.Release(*id);
}

// `records` records of WAL from the start of segment 1 (of segment `seg`'s
// addresses when it is not 1: a recycled file's old contents), as bytes.
std::string Wal(int records, wal::XLogSegNo seg = 1, uint8_t fill = 0x5A) {
  const wal::XLogRecPtr start = wal::XLogSegNoOffsetToRecPtr(seg, 0);
  wal::testing::Stream s(start, 1, start - 0x100);
  for (int i = 0; i < records; ++i) s.Insert(wal::testing::Noop(500, fill));
  std::string out(s.builder.CurrInsertPos() - start, '\0');
  EXPECT_TRUE(
      s.buffer.Read(start, absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), out.size())));
  return out;
}

TEST(CheckWalPrefixTest, APrefixHolds) {
  Harness t(1, "pg-15");
  t.Node("primary");
  t.Node("standby");
  WriteSegment(t, "primary", Wal(40));
  WriteSegment(t, "standby", Wal(40).substr(0, Wal(20).size()));
  EXPECT_TRUE(CheckWalPrefix(t, "standby", "primary").empty());
}

TEST(CheckWalPrefixTest, StaleBytesOfARecycledFilePastTheValidWalAreNoWal) {
  Harness t(1, "pg-15");
  t.Node("primary");
  t.Node("standby");
  WriteSegment(t, "primary", Wal(40));
  // The standby's file was segment 5 before it was recycled as segment 1:
  // past the 20 records it received, the old bytes remain, on the same page
  // and on pages whose headers name segment 5.
  const std::string valid = Wal(20);
  const std::string old = Wal(60, 5, 0x77);
  WriteSegment(t, "standby", valid + old.substr(valid.size()));
  EXPECT_TRUE(CheckWalPrefix(t, "standby", "primary").empty());
}

TEST(CheckWalPrefixTest, DifferentValidWalIsAViolationAtItsLsn) {
  Harness t(1, "pg-15");
  t.Node("primary");
  t.Node("standby");
  // Both files are valid WAL of segment 1, but not the same WAL: the records
  // carry other bytes from the first one's payload on.
  WriteSegment(t, "primary", Wal(40, 1, 0x5A));
  WriteSegment(t, "standby", Wal(40, 1, 0x33));
  const std::string a = Wal(1, 1, 0x5A), b = Wal(1, 1, 0x33);
  size_t first = 0;
  while (a[first] == b[first]) ++first;
  std::vector<Violation> v = CheckWalPrefix(t, "standby", "primary");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].invariant, WAL_PREFIX);
  EXPECT_NE(v[0].message.find(absl::StrFormat("at 0/%X (segment 000000010000000000000001, "
                                              "offset %d)",
                                              0x1000000 + first, first)),
            std::string::npos)
      << v[0].message;
}

}  // namespace
}  // namespace replsim::scenarios
