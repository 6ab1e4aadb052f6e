// CheckWalPrefix over files written straight into two hosts' disks: a
// standby's segment that is a prefix of its upstream's (followed by unwritten
// zeros) passes; one byte that differs is a WAL_PREFIX violation naming the
// LSN, the segment and the offset.
#include "scenarios/checkers.h"

#include <string>

#include "gtest/gtest.h"
#include "sim/disk/disk.h"

namespace replsim::scenarios {
namespace {

constexpr char kSegment[] = "/pgdata/pg_wal/000000010000000000000001";

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

std::string Wal(size_t n, char fill) { return std::string(n, fill); }

TEST(CheckWalPrefixTest, APrefixFollowedByUnwrittenZerosHolds) {
  Harness t(1, "pg-15");
  t.Node("primary");
  t.Node("standby");
  WriteSegment(t, "primary", Wal(8192, 'a') + Wal(8192, 'b'));
  WriteSegment(t, "standby", Wal(8192, 'a') + std::string(8192, '\0'));
  EXPECT_TRUE(CheckWalPrefix(t, "standby", "primary").empty());
}

TEST(CheckWalPrefixTest, ADifferentByteIsAViolationAtItsLsn) {
  Harness t(1, "pg-15");
  t.Node("primary");
  t.Node("standby");
  std::string standby = Wal(8192, 'a');
  standby[100] = 'x';
  WriteSegment(t, "primary", Wal(8192, 'a'));
  WriteSegment(t, "standby", standby + std::string(8192, '\0'));
  std::vector<Violation> v = CheckWalPrefix(t, "standby", "primary");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].invariant, WAL_PREFIX);
  EXPECT_NE(v[0].message.find("at 0/1000064 (segment 000000010000000000000001, offset 100)"),
            std::string::npos)
      << v[0].message;
}

}  // namespace
}  // namespace replsim::scenarios
