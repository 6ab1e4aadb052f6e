// The startup side of WalRcvData's state machine (reference §2.1) and the
// history files in pg_wal.
#include "protocol/recovery/walreceiverfuncs.h"

#include "gtest/gtest.h"
#include "protocol/recovery/recovery_test_util.h"
#include "protocol/recovery/timeline_files.h"

namespace replsim::recovery::testing {
namespace {

using node::PMSignalReason;
using node::WalRcvState;

TEST(WalRcvFuncsTest, RequestRoundsDownAndSignalsThePostmasterOnce) {
  RecoveryWorld w;
  node::NodeShmem& shm = *w.shm;
  w.RunProcess([&](os::Os& os) -> os::Task<> {
    RequestXLogStreaming(os, shm, 1, 0x30AB38, "host=p");
    co_return;
  });
  EXPECT_EQ(shm.WalRcv.walRcvState, WalRcvState::WALRCV_STARTING);
  EXPECT_EQ(shm.WalRcv.receiveStart, 0u);  // segment 0's start
  EXPECT_EQ(shm.WalRcv.receivedUpto, 0u);
  EXPECT_EQ(shm.WalRcv.conninfo, "host=p");
  EXPECT_TRUE(shm.PMSignalState.PMSignalFlags[static_cast<int>(
      PMSignalReason::PMSIGNAL_START_WALRECEIVER)]);

  // A WAITING walreceiver is restarted through its latch, not the postmaster.
  shm.PMSignalState.PMSignalFlags[static_cast<int>(PMSignalReason::PMSIGNAL_START_WALRECEIVER)] =
      false;
  shm.WalRcv.walRcvState = WalRcvState::WALRCV_WAITING;
  shm.WalRcv.receivedUpto = 0x3000000;
  w.RunProcess([&](os::Os& os) -> os::Task<> {
    std::unique_ptr<os::Latch> latch = os.NewSharedLatch();
    shm.WalRcv.latch = latch.get();
    RequestXLogStreaming(os, shm, 2, 0x3000100, "host=p");
    EXPECT_TRUE(latch->is_set());
    shm.WalRcv.latch = nullptr;
    co_return;
  });
  EXPECT_EQ(shm.WalRcv.walRcvState, WalRcvState::WALRCV_RESTARTING);
  EXPECT_EQ(shm.WalRcv.receiveStart, 0x3000000u);
  EXPECT_EQ(shm.WalRcv.receiveStartTLI, 2u);
  EXPECT_EQ(shm.WalRcv.receivedTLI, 2u);  // new timeline: reset
  EXPECT_FALSE(shm.PMSignalState.PMSignalFlags[static_cast<int>(
      PMSignalReason::PMSIGNAL_START_WALRECEIVER)]);
}

TEST(WalRcvFuncsTest, StartRequestExpiresAfterTenWholeSeconds) {
  RecoveryWorld w;
  node::NodeShmem& shm = *w.shm;
  std::vector<std::pair<int64_t, bool>> seen;  // (second, streaming)
  w.RunProcess([&](os::Os& os) -> os::Task<> {
    RequestXLogStreaming(os, shm, 1, 0x1000000, "host=p");
    for (int i = 0; i < 13; ++i) {
      seen.emplace_back(i, WalRcvStreaming(os, shm));
      co_await os.Sleep(os::Seconds(1));
    }
  });
  // Still STARTING at +10 s; STOPPED once 11 whole seconds have passed.
  ASSERT_EQ(seen.size(), 13u);
  EXPECT_TRUE(seen[10].second);
  EXPECT_FALSE(seen[12].second);
  EXPECT_EQ(shm.WalRcv.walRcvState, WalRcvState::WALRCV_STOPPED);
}

TEST(WalRcvFuncsTest, ShutdownSignalsAStreamingWalReceiverAndWaitsForStopped) {
  RecoveryWorld w;
  node::NodeShmem& shm = *w.shm;
  os::Instant stopped_at;
  w.cluster.Spawn("h", "walreceiver", [&](os::Os& os) -> os::Task<> {
    shm.WalRcv.pid = os.MyPid();
    shm.WalRcv.walRcvState = WalRcvState::WALRCV_STREAMING;
    bool term = false;
    os.SetSignalHandler(os::Signal::kSIGTERM, [&] { term = true; });
    while (!term) co_await os.Sleep(os::Milliseconds(250));
    shm.WalRcv.walRcvState = WalRcvState::WALRCV_STOPPED;
    shm.WalRcv.pid = 0;
  });
  w.RunProcess([&](os::Os& os) -> os::Task<> {
    co_await os.Sleep(os::Milliseconds(10));
    co_await ShutdownWalRcv(os, shm, []() -> os::Task<> { co_return; });
    stopped_at = os.Monotonic();
  });
  EXPECT_EQ(shm.WalRcv.walRcvState, WalRcvState::WALRCV_STOPPED);
  EXPECT_GT(stopped_at.nanos(), 0);
}

TEST(TimelineFilesTest, NewestTimelineStopsAtAGapAndChildrenCopyTheirParent) {
  RecoveryWorld w;
  WalStream wal;
  w.MakeDataDir(wal, kBootstrapEnd, node::DBState::DB_SHUTDOWNED, 0, false);
  std::optional<std::string> h3;
  w.RunProcess([&](os::Os& os) -> os::Task<> {
    EXPECT_EQ(*co_await findNewestTimeLine(os, kDataDir, 150000, 1), 1u);
    EXPECT_TRUE((co_await writeTimeLineHistory(os, kDataDir, 2, 1, 0x300AB38,
                                               "no recovery target specified", 150000)).ok());
    EXPECT_TRUE((co_await writeTimeLineHistory(os, kDataDir, 3, 2, 0x4000100,
                                               "no recovery target specified", 150000)).ok());
    EXPECT_EQ(*co_await findNewestTimeLine(os, kDataDir, 150000, 1), 3u);
    // A file for 5 without one for 4 is not seen (RW-17).
    EXPECT_TRUE((co_await writeTimeLineHistoryFile(os, kDataDir, 5, "1\t0/1\tx\n", 150000)).ok());
    EXPECT_EQ(*co_await findNewestTimeLine(os, kDataDir, 150000, 1), 3u);
    absl::StatusOr<wal::TimeLineHistory> hist =
        co_await readTimeLineHistory(os, kDataDir, 150000, 3);
    EXPECT_TRUE(hist.ok());
    EXPECT_EQ(hist->size(), 3u);
    EXPECT_EQ(*wal::tliOfPointInHistory(0x300AB38, *hist), 2u);
  });
  h3 = w.ReadFile("/pgdata/pg_wal/00000003.history");
  ASSERT_TRUE(h3.has_value());
  EXPECT_EQ(*h3, "1\t0/300AB38\tno recovery target specified\n\n"
                 "2\t0/4000100\tno recovery target specified\n");
  // The temp file was renamed away.
  EXPECT_FALSE(w.ReadFile("/pgdata/pg_wal/xlogtemp.1").has_value());
}

TEST(TimelineFilesTest, AHistoryFilesNameSurvivesAHostCrashOnlyWithTheDurableRename) {
  // 1d4a0ab19a: writeTimeLineHistory installs the file with
  // durable_link_or_rename; before it (9.4.0 and older) with link or rename
  // alone, so a power loss can take the new name (and the file) back.
  for (const bool durable : {true, false}) {
    RecoveryWorld w;
    WalStream wal;
    w.MakeDataDir(wal, kBootstrapEnd, node::DBState::DB_SHUTDOWNED, 0, false);
    w.RunProcess([&](os::Os& os) -> os::Task<> {
      EXPECT_TRUE((co_await writeTimeLineHistory(os, kDataDir, 2, 1, 0x300AB38,
                                                 "no recovery target specified", 150000,
                                                 durable)).ok());
    });
    EXPECT_TRUE(w.ReadFile("/pgdata/pg_wal/00000002.history").has_value());
    w.cluster.CrashHost("h");
    w.cluster.RestartHost("h");
    EXPECT_EQ(w.ReadFile("/pgdata/pg_wal/00000002.history").has_value(), durable)
        << (durable ? "durable_rename" : "plain rename");
  }
}

}  // namespace
}  // namespace replsim::recovery::testing
