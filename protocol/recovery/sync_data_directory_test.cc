// 2ce439f337 (Behavior::sync_data_directory_after_crash): after a crash of
// the server's processes, WAL they had written but not fsynced is still in
// the page cache. Crash recovery replays it either way; only with the
// commit is it made durable before the server goes on, so a later host
// crash cannot take it while keeping the WAL written after it.
#include <vector>

#include "gtest/gtest.h"
#include "protocol/recovery/recovery_test_util.h"
#include "protocol/wal/xlog_records.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::recovery::testing {
namespace {

struct Outcome {
  uint64_t max_replayed_row = 0;
  std::vector<uint8_t> tail_of_segment_1;  // rows 4, 5 and the switch
  std::vector<uint8_t> start_of_segment_2;  // rows 6, 7
};

// Rows 1..3 are durable; rows 4, 5, an XLOG_SWITCH and rows 6, 7 (in
// segment 2) were written by the crashed server and never fsynced. The
// startup process runs crash recovery; then the host loses power.
Outcome RecoverThenLosePower(bool sync_data_directory_after_crash, const WalStream& wal,
                             wal::XLogRecPtr durable_end, wal::XLogRecPtr seg2) {
  RecoveryWorld w;
  w.shm->behavior.sync_data_directory_after_crash = sync_data_directory_after_crash;
  w.MakeDataDir(wal, durable_end, node::DBState::DB_IN_PRODUCTION, /*checkpoint=*/0,
                /*standby_signal=*/false);
  w.RunProcess([&](os::Os& os) -> os::Task<> {
    CHECK(co_await xlog::XLogWriteRaw(os, kDataDir, 150000, 1, durable_end,
                                      wal.Bytes(durable_end, wal.end())) == os::Errno::kOk);
  });
  w.StartPostmaster();
  w.RunFor(os::Seconds(2));
  CHECK(w.pm.startup_exit.has_value() && w.pm.startup_exit->code == 0);
  Outcome out;
  out.max_replayed_row = w.shm->XLogCtl.max_replayed_row;
  w.cluster.CrashHost("h");
  w.cluster.RestartHost("h");
  out.tail_of_segment_1.resize(seg2 - durable_end);
  out.start_of_segment_2.resize(wal.end() - seg2);
  w.RunProcess([&](os::Os& os) -> os::Task<> {
    CHECK(co_await xlog::XLogRead(os, kDataDir, 150000, 1, durable_end,
                                  absl::MakeSpan(out.tail_of_segment_1)) == os::Errno::kOk);
    CHECK(co_await xlog::XLogRead(os, kDataDir, 150000, 1, seg2,
                                  absl::MakeSpan(out.start_of_segment_2)) == os::Errno::kOk);
  });
  return out;
}

TEST(SyncDataDirectoryTest, CrashRecoveryMakesThePageCachesWalDurableOnlyWithTheFix) {
  WalStream wal;
  for (uint64_t row = 1; row <= 3; ++row) wal.Append(RowInsert(row));
  const wal::XLogRecPtr durable_end = wal.end();
  for (uint64_t row = 4; row <= 5; ++row) wal.Append(RowInsert(row));
  const wal::XLogRecPtr seg2 = wal.Append(wal::MakeSwitchRecord());
  ASSERT_EQ(seg2, 2 * wal::kWalSegSize);
  for (uint64_t row = 6; row <= 7; ++row) wal.Append(RowInsert(row));
  const std::vector<uint8_t> tail = wal.Bytes(durable_end, seg2);
  const std::vector<uint8_t> rows_6_7 = wal.Bytes(seg2, wal.end());
  const std::vector<uint8_t> zeros(tail.size(), 0);

  // With it (9.4.2+, 15): every row replayed, and all of it survives.
  Outcome fixed = RecoverThenLosePower(true, wal, durable_end, seg2);
  EXPECT_EQ(fixed.max_replayed_row, 7u);
  EXPECT_EQ(fixed.tail_of_segment_1, tail);
  EXPECT_EQ(fixed.start_of_segment_2, rows_6_7);

  // Without it the same rows are replayed from the page cache, and the
  // end-of-recovery checkpoint's flush fsyncs segment 2 only: the power
  // loss takes rows 4 and 5 and keeps rows 6 and 7 after the hole.
  Outcome old = RecoverThenLosePower(false, wal, durable_end, seg2);
  EXPECT_EQ(old.max_replayed_row, 7u);
  EXPECT_EQ(old.tail_of_segment_1, zeros);
  EXPECT_EQ(old.start_of_segment_2, rows_6_7);
}

}  // namespace
}  // namespace replsim::recovery::testing
