// WalReceiverMain against a scripted walsender on a simulated two-host
// world: streaming into the right segment files, write-before-flush replies,
// publication only after fsync (RW-15), end of timeline -> WAITING ->
// RESTARTING, and the start-up/identification/SIGTERM exits.
#include "protocol/walreceiver/walreceiver.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "protocol/walreceiver/scripted_walsender.h"
#include "protocol/walreceiver/walreceiver_test_util.h"
#include "protocol/wal/segment.h"

namespace replsim::walreceiver {
namespace {

using node::WalRcvState;
using wire::StandbyStatusUpdate;

TEST(WalReceiverTest, StreamsIntoSegmentsAndRepliesWriteBeforeFlush) {
  WalRcvFixture f;
  f.shm->XLogCtl.lastReplayedEndRecPtr = kStart;
  f.RequestStreaming(kStart, 1);
  const std::string wal = PatternBytes(kStart, 128 * 1024);
  const uint64_t end = kStart + wal.size();
  std::vector<StandbyStatusUpdate> replies;
  std::vector<std::string> queries;
  std::optional<wire::StartReplicationCmd> start;
  f.cluster.Spawn("primary", "walsender", [&](os::Os& os) -> os::Task<> {
    ScriptedWalSender ws(os, {.system_id = kSystemId, .timeline = 1});
    const bool awaited_1 = !co_await OpenStream(os, ws, &start);
    if (awaited_1) co_return;
    co_await ws.SendWal(kStart, wal);
    EXPECT_TRUE(co_await ws.WaitForReply(
        [&](const StandbyStatusUpdate& r) { return r.flush == end; }, os::Seconds(5)));
    replies = ws.replies();
    queries = ws.queries();
    co_await os.Sleep(os::Seconds(1000));  // stay connected
  });
  f.StartWalReceiver();
  f.RunFor(os::Seconds(3));

  ASSERT_TRUE(start.has_value());
  EXPECT_EQ(start->start_point, kStart);
  EXPECT_EQ(start->timeline, 1u);
  EXPECT_EQ(queries, (std::vector<std::string>{"IDENTIFY_SYSTEM",
                                               "START_REPLICATION 0/3FF0000 TIMELINE 1"}));
  // The shared state: streaming, published up to the fsynced end.
  const node::WalRcvData& w = f.shm->WalRcv;
  EXPECT_EQ(w.walRcvState, WalRcvState::WALRCV_STREAMING);
  EXPECT_EQ(w.pid, f.walrcv_pid);
  EXPECT_NE(w.latch, nullptr);
  EXPECT_EQ(w.receivedUpto, end);
  EXPECT_EQ(w.receivedTLI, 1u);
  EXPECT_EQ(w.writtenUpto, end);
  EXPECT_EQ(w.latestWalEnd, end);
  EXPECT_TRUE(f.shm->XLogCtl.recoveryWakeupLatch->is_set());

  // Replies: write never behind flush, both monotone; apply is the replay
  // pointer; at least one reply reported written-but-unflushed WAL (the
  // reply after a receive batch, before XLogWalRcvFlush).
  ASSERT_FALSE(replies.empty());
  bool write_ahead = false;
  for (size_t i = 0; i < replies.size(); ++i) {
    EXPECT_LE(replies[i].flush, replies[i].write) << i;
    EXPECT_EQ(replies[i].apply, kStart) << i;
    EXPECT_FALSE(replies[i].reply_requested) << i;
    if (i > 0) {
      EXPECT_GE(replies[i].write, replies[i - 1].write) << i;
      EXPECT_GE(replies[i].flush, replies[i - 1].flush) << i;
    }
    write_ahead |= replies[i].write > replies[i].flush;
  }
  EXPECT_TRUE(write_ahead);
  EXPECT_EQ(replies.back().write, end);
  EXPECT_EQ(replies.back().flush, end);

  // The bytes are in timeline 1's segments 3 and 4.
  EXPECT_TRUE(f.StandbyFileExists("/pgdata/pg_wal/000000010000000000000003"));
  EXPECT_TRUE(f.StandbyFileExists("/pgdata/pg_wal/000000010000000000000004"));
  EXPECT_EQ(f.ReadStandbyWal(1, kStart, wal.size()), wal);
  EXPECT_TRUE(HasLine(f.WalRcvLog(),
                      "LOG: started streaming WAL from primary at 0/3FF0000 on timeline 1"));
}

// RW-15: receivedUpto moves only after fsync. Crash the standby host at the
// first instant something written is not yet published: everything below
// receivedUpto must survive, and the written-only tail is lost.
TEST(WalReceiverTest, PublishesOnlyFsyncedWal) {
  sim::host::HostConfig slow_sync;
  slow_sync.disk.sync_min = os::Milliseconds(5);
  slow_sync.disk.sync_max = os::Milliseconds(5);
  WalRcvFixture f(node::Behavior(), slow_sync);
  f.shm->XLogCtl.lastReplayedEndRecPtr = kStart;
  f.RequestStreaming(kStart, 1);
  const std::string wal = PatternBytes(kStart, 96 * 1024);
  f.cluster.Spawn("primary", "walsender", [&](os::Os& os) -> os::Task<> {
    ScriptedWalSender ws(os, {.system_id = kSystemId, .timeline = 1});
    std::optional<wire::StartReplicationCmd> start;
    const bool awaited_2 = !co_await OpenStream(os, ws, &start);
    if (awaited_2) co_return;
    // Three batches, 20 ms apart.
    for (size_t part = 0; part < 3; ++part) {
      const size_t off = part * 32 * 1024;
      co_await ws.SendWal(kStart + off, wal.substr(off, 32 * 1024));
      co_await os.Sleep(os::Milliseconds(20));
    }
    co_await os.Sleep(os::Seconds(1000));
  });
  f.StartWalReceiver();
  const node::WalRcvData& w = f.shm->WalRcv;
  // Step until the second batch is written but not yet fsynced.
  for (int i = 0; i < 200000; ++i) {
    f.RunFor(os::Microseconds(50));
    if (w.receivedUpto > kStart && w.writtenUpto > w.receivedUpto) break;
  }
  const uint64_t published = w.receivedUpto;
  const uint64_t written = w.writtenUpto;
  ASSERT_GT(published, kStart);
  ASSERT_GT(written, published);
  f.cluster.CrashHost("standby");
  f.cluster.RestartHost("standby");
  const std::string after = f.ReadStandbyWal(1, kStart, written - kStart);
  EXPECT_EQ(after.substr(0, published - kStart), wal.substr(0, published - kStart));
  // From the first page wholly past the published point, the tail is gone.
  const uint64_t lost_from = (published + 4095) / 4096 * 4096;
  ASSERT_LT(lost_from, written);
  EXPECT_EQ(after.substr(lost_from - kStart), std::string(written - lost_from, '\0'));
}

// End of timeline 1 at a switch point: the walreceiver fetches 2.history,
// goes WAITING and wakes the startup process; RESTARTING on timeline 2
// resumes streaming into timeline 2's segment files.
TEST(WalReceiverTest, EndOfTimelineWaitsThenRestartsOnNewTimeline) {
  WalRcvFixture f;
  f.shm->XLogCtl.lastReplayedEndRecPtr = kStart;
  f.RequestStreaming(kStart, 1);
  const uint64_t switchpoint = kStart + 24 * 1024;
  const std::string wal1 = PatternBytes(kStart, switchpoint - kStart);
  const std::string history2 = "1\t0/3FF6000\tno recovery target specified\n";
  const uint64_t restart = 0x3000000;  // RequestXLogStreaming's segment start
  const std::string wal2 = PatternBytes(restart, 0x3FF8000 - restart, /*salt=*/7);
  std::optional<wire::StartReplicationCmd> second;
  std::vector<std::string> queries;
  f.cluster.Spawn("primary", "walsender", [&](os::Os& os) -> os::Task<> {
    ScriptedWalSender ws(os, {.system_id = kSystemId, .timeline = 1,
                              .histories = {{2, history2}}});
    std::optional<wire::StartReplicationCmd> first;
    const bool awaited_3 = !co_await OpenStream(os, ws, &first);
    if (awaited_3) co_return;
    co_await ws.SendWal(kStart, wal1);
    co_await os.Sleep(os::Milliseconds(50));
    ws.set_timeline(2);  // promoted meanwhile
    const bool awaited_4 = !co_await ws.EndTimeline(2, switchpoint);
    if (awaited_4) co_return;
    second = co_await ws.ServeUntilStartReplication();
    if (!second.has_value()) co_return;
    co_await ws.SendWal(restart, wal2, 64 * 1024);
    queries = ws.queries();
    co_await os.Sleep(os::Seconds(1000));
  });
  f.StartWalReceiver();
  f.RunFor(os::Seconds(1));

  node::WalRcvData& w = f.shm->WalRcv;
  EXPECT_EQ(w.walRcvState, WalRcvState::WALRCV_WAITING);
  EXPECT_EQ(w.receiveStart, 0u);
  EXPECT_EQ(w.receiveStartTLI, 0u);
  EXPECT_EQ(w.receivedUpto, switchpoint);
  EXPECT_EQ(w.pid, f.walrcv_pid);
  EXPECT_TRUE(f.shm->XLogCtl.recoveryWakeupLatch->is_set());
  EXPECT_TRUE(f.StandbyFileExists("/pgdata/pg_wal/00000002.history"));
  const std::vector<std::string> log = f.WalRcvLog();
  EXPECT_TRUE(HasLine(log, "LOG: replication terminated by primary server"));
  EXPECT_TRUE(HasLine(log, "DETAIL: End of WAL reached on timeline 1 at 0/3FF6000."));
  EXPECT_TRUE(HasLine(
      log, "LOG: fetching timeline history file for timeline 2 from primary server"));
  EXPECT_TRUE(HasLine(log, "DEBUG1: walreceiver ended streaming and awaits new instructions"));

  // The startup process: RequestXLogStreaming on timeline 2.
  f.shm->XLogCtl.recoveryWakeupLatch->Reset();
  w.receiveStart = restart;
  w.receiveStartTLI = 2;
  w.walRcvState = WalRcvState::WALRCV_RESTARTING;
  w.latch->Set();
  f.RunFor(os::Seconds(1));

  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->start_point, restart);
  EXPECT_EQ(second->timeline, 2u);
  EXPECT_EQ(w.walRcvState, WalRcvState::WALRCV_STREAMING);
  EXPECT_EQ(w.receivedTLI, 2u);
  EXPECT_EQ(w.receivedUpto, restart + wal2.size());
  EXPECT_TRUE(HasLine(f.WalRcvLog(), "LOG: restarted WAL streaming at 0/3000000 on timeline 2"));
  EXPECT_EQ(f.ReadStandbyWal(2, restart, wal2.size()), wal2);
  // Timeline 1's segment keeps timeline 1's bytes.
  EXPECT_EQ(f.ReadStandbyWal(1, kStart, wal1.size()), wal1);
  EXPECT_EQ(std::count(queries.begin(), queries.end(), "IDENTIFY_SYSTEM"), 2);
}

// A walreceiver the startup process gave up on (STOPPED) exits at once;
// one told to stop before it started (STOPPING) marks itself STOPPED.
TEST(WalReceiverTest, LateWalReceiverExitsWithoutStarting) {
  for (WalRcvState state : {WalRcvState::WALRCV_STOPPED, WalRcvState::WALRCV_STOPPING}) {
    WalRcvFixture f;
    f.RequestStreaming(kStart, 1);
    f.shm->WalRcv.walRcvState = state;
    f.StartWalReceiver();
    f.RunFor(os::Seconds(1));
    ASSERT_TRUE(f.cluster.exit_status(f.walrcv_pid).has_value());
    EXPECT_EQ(f.cluster.exit_status(f.walrcv_pid)->code, 1);
    EXPECT_EQ(f.shm->WalRcv.walRcvState, WalRcvState::WALRCV_STOPPED);
    EXPECT_EQ(f.shm->WalRcv.pid, 0);
  }
}

TEST(WalReceiverTest, SystemIdentifierMismatchIsFatal) {
  WalRcvFixture f;
  f.RequestStreaming(kStart, 1);
  f.cluster.Spawn("primary", "walsender", [&](os::Os& os) -> os::Task<> {
    ScriptedWalSender ws(os, {.system_id = kSystemId + 1, .timeline = 1});
    std::optional<wire::StartReplicationCmd> start;
    co_await OpenStream(os, ws, &start);
  });
  f.StartWalReceiver();
  f.RunFor(os::Seconds(1));
  const std::vector<std::string> log = f.WalRcvLog();
  EXPECT_TRUE(HasLine(
      log, "FATAL: database system identifier differs between the primary and standby"));
  EXPECT_TRUE(HasLine(log, "DETAIL: The primary's identifier is 7300000000000000002, "
                           "the standby's identifier is 7300000000000000001."));
  EXPECT_EQ(f.shm->WalRcv.walRcvState, WalRcvState::WALRCV_STOPPED);
}

// SIGTERM (ShutdownWalRcv) while streaming: FATAL, and WalRcvDie leaves
// STOPPED with pid 0.
TEST(WalReceiverTest, SigtermIsFatalAndStops) {
  WalRcvFixture f;
  f.shm->XLogCtl.lastReplayedEndRecPtr = kStart;
  f.RequestStreaming(kStart, 1);
  f.cluster.Spawn("primary", "walsender", [&](os::Os& os) -> os::Task<> {
    ScriptedWalSender ws(os, {.system_id = kSystemId, .timeline = 1});
    std::optional<wire::StartReplicationCmd> start;
    const bool awaited_5 = !co_await OpenStream(os, ws, &start);
    if (awaited_5) co_return;
    co_await ws.SendWal(kStart, PatternBytes(kStart, 8192));
    co_await os.Sleep(os::Seconds(1000));
  });
  f.StartWalReceiver();
  f.RunFor(os::Milliseconds(500));
  f.shm->WalRcv.walRcvState = WalRcvState::WALRCV_STOPPING;
  f.cluster.SendSignal(f.walrcv_pid, os::Signal::kSIGTERM);
  f.RunFor(os::Milliseconds(500));
  EXPECT_TRUE(HasLine(f.WalRcvLog(),
                      "FATAL: terminating walreceiver process due to administrator command"));
  EXPECT_EQ(f.shm->WalRcv.walRcvState, WalRcvState::WALRCV_STOPPED);
  EXPECT_EQ(f.shm->WalRcv.pid, 0);
  EXPECT_EQ(f.shm->WalRcv.receivedUpto, kStart + 8192);
}

}  // namespace
}  // namespace replsim::walreceiver
