// How WalReceiverMain ends when the primary goes away: "COPY 0" at a clean
// shutdown (RW-13), alone or with the last WAL, with and without 34ef02b4d4
// (15 and 9.0 loops), and a reset mid-stream (RW-2).
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

// Streams `wal` from kStart, then (after `pause`, if any) ends with
// "COPY 0" and closes, as a primary's walsender does at a clean shutdown.
void StreamThenShutdown(WalRcvFixture& f, const std::string& wal,
                        os::Duration pause = os::Duration()) {
  f.shm->XLogCtl.lastReplayedEndRecPtr = kStart;
  f.RequestStreaming(kStart, 1);
  f.cluster.Spawn("primary", "walsender", [&f, &wal, pause](os::Os& os) -> os::Task<> {
    ScriptedWalSender ws(os, {.system_id = kSystemId, .timeline = 1});
    std::optional<wire::StartReplicationCmd> start;
    const bool awaited_1 = !co_await OpenStream(os, ws, &start);
    if (awaited_1) co_return;
    co_await ws.SendWal(kStart, wal);
    if (pause > os::Duration()) co_await os.Sleep(pause);
    co_await ws.SendCopy0AndClose();
  });
  f.StartWalReceiver();
  f.RunFor(os::Seconds(2));
}

// RW-13 in 15: a "COPY 0" arriving alone ends streaming with a LOG (the WAL
// before it was flushed by the stream loop), then walrcv_endstreaming fails
// and the walreceiver exits (the startup process will start another).
TEST(WalReceiverTest, Copy0AtShutdownLogsThenEndStreamingErrorExits) {
  WalRcvFixture f;
  const std::string wal = PatternBytes(kStart, 40 * 1024);
  const uint64_t end = kStart + wal.size();
  StreamThenShutdown(f, wal, os::Milliseconds(100));
  const std::vector<std::string> log = f.WalRcvLog();
  EXPECT_TRUE(HasLine(log, "LOG: replication terminated by primary server"));
  EXPECT_TRUE(HasLine(log, "DETAIL: End of WAL reached on timeline 1 at 0/3FFA000."));
  EXPECT_TRUE(HasLine(
      log, "FATAL: could not send end-of-streaming message to primary: no COPY in progress"))
      << absl::StrJoin(log, "\n");
  ASSERT_TRUE(f.cluster.exit_status(f.walrcv_pid).has_value());
  EXPECT_EQ(f.cluster.exit_status(f.walrcv_pid)->code, 1);
  const node::WalRcvData& w = f.shm->WalRcv;
  EXPECT_EQ(w.walRcvState, WalRcvState::WALRCV_STOPPED);
  EXPECT_EQ(w.pid, 0);
  EXPECT_EQ(w.latch, nullptr);
  EXPECT_EQ(w.receivedUpto, end);
  EXPECT_TRUE(f.shm->XLogCtl.recoveryWakeupLatch->is_set());
}

// Streams 40 KiB and a "COPY 0" in one flush to a walreceiver of profile
// `b`, expects `fatal` as its last words, then crashes the standby host:
// with walrcv_flush_on_exit the tail was fsynced and published by WalRcvDie;
// without it, it was never published, and it is gone from the first page
// past what an earlier batch had flushed.
void ShutdownThenCrash(node::Behavior b, const std::string& fatal) {
  const std::string wal = PatternBytes(kStart, 40 * 1024);
  const uint64_t end = kStart + wal.size();
  WalRcvFixture f(b);
  StreamThenShutdown(f, wal);
  const std::vector<std::string> log = f.WalRcvLog();
  EXPECT_TRUE(HasLine(log, fatal)) << absl::StrJoin(log, "\n");
  const node::WalRcvData& w = f.shm->WalRcv;
  EXPECT_EQ(w.walRcvState, WalRcvState::WALRCV_STOPPED);
  EXPECT_EQ(w.writtenUpto, end);
  f.cluster.CrashHost("standby");
  f.cluster.RestartHost("standby");
  const std::string after = f.ReadStandbyWal(1, kStart, wal.size());
  if (b.walrcv_flush_on_exit) {
    EXPECT_EQ(w.receivedUpto, end);
    EXPECT_EQ(after, wal);
    return;
  }
  ASSERT_LT(w.receivedUpto, end);
  const uint64_t durable = std::max<uint64_t>(w.receivedUpto, kStart);
  const uint64_t lost_from = (durable + 4095) / 4096 * 4096;
  ASSERT_LT(lost_from, end);
  EXPECT_EQ(after.substr(lost_from - kStart), std::string(end - lost_from, '\0'));
}

// "COPY 0" in the same receive batch as the last WAL (15): the LOG, then
// the batch's status reply fails because libpq has left COPY mode, before
// XLogWalRcvFlush ran. Only WalRcvDie's flush (34ef02b4d4) makes that tail
// durable and visible.
TEST(WalReceiverTest, Copy0WithLastWalLeavesTailToWalRcvDie) {
  for (bool fix : {true, false}) {
    SCOPED_TRACE(fix ? "with 34ef02b4d4" : "without 34ef02b4d4");
    node::Behavior b;
    b.walrcv_flush_on_exit = fix;
    ShutdownThenCrash(b, "FATAL: could not send data to WAL stream: no COPY in progress");
  }
}

// The same on a 9.0-era walreceiver (9.0.2 without the fix, 9.0.3 with it),
// where the end of streaming was itself an ERROR raised in the middle of a
// receive batch.
TEST(WalReceiverTest, Pre93ShutdownTailIsFlushedOnlyWithFlushOnExit) {
  for (bool fix : {true, false}) {
    SCOPED_TRACE(fix ? "with 34ef02b4d4" : "without 34ef02b4d4");
    node::Behavior b;
    b.server_version_num = fix ? 90003 : 90002;
    b.walrcv_flush_on_exit = fix;
    ShutdownThenCrash(b, "FATAL: replication terminated by primary server");
  }
}

// RW-2: the primary resets the connection right after sending more WAL.
// What reached the standby's kernel before the RST is still read and
// written (and fsynced by WalRcvDie); then the receive error ends the
// walreceiver.
TEST(WalReceiverTest, ResetMidStreamWritesWhatArrivedThenExits) {
  sim::host::HostConfig slow_sync;
  slow_sync.disk.sync_min = os::Milliseconds(40);
  slow_sync.disk.sync_max = os::Milliseconds(40);
  WalRcvFixture f(node::Behavior(), slow_sync);
  f.shm->XLogCtl.lastReplayedEndRecPtr = kStart;
  f.RequestStreaming(kStart, 1);
  const std::string wal = PatternBytes(kStart, 32 * 1024);
  const uint64_t end = kStart + wal.size();
  f.cluster.Spawn("primary", "walsender", [&](os::Os& os) -> os::Task<> {
    ScriptedWalSender ws(os, {.system_id = kSystemId, .timeline = 1});
    std::optional<wire::StartReplicationCmd> start;
    const bool awaited_2 = !co_await OpenStream(os, ws, &start);
    if (awaited_2) co_return;
    co_await ws.SendWal(kStart, wal.substr(0, 16 * 1024));
    // The walreceiver is now in its (slow) fsync; its reply to the first
    // batch sits unread here, so closing sends an RST.
    co_await os.Sleep(os::Milliseconds(10));
    co_await ws.SendWal(kStart + 16 * 1024, wal.substr(16 * 1024));
    co_await os.Sleep(os::Milliseconds(5));  // delivered to the standby's kernel
    ws.ResetConnection();
  });
  f.StartWalReceiver();
  f.RunFor(os::Seconds(2));
  EXPECT_TRUE(HasLinePrefix(f.WalRcvLog(), "FATAL: could not receive data from WAL stream"));
  const node::WalRcvData& w = f.shm->WalRcv;
  EXPECT_EQ(w.walRcvState, WalRcvState::WALRCV_STOPPED);
  EXPECT_EQ(w.writtenUpto, end);
  EXPECT_EQ(w.receivedUpto, end);
  EXPECT_EQ(f.ReadStandbyWal(1, kStart, wal.size()), wal);
}

}  // namespace
}  // namespace replsim::walreceiver
