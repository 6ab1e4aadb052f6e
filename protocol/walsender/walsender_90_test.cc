// 9.0's walsender (before 2746e5f21d and b186523fd9): it naps
// wal_sender_delay when caught up instead of waiting on a latch, so newly
// flushed WAL waits for the nap to end; it needs no replies and has no
// replication timeout; anything but Terminate from the standby is a protocol
// violation; SIGUSR2 sends everything and ends with "COPY 0".
#include <string>

#include "gtest/gtest.h"
#include "protocol/walsender/walsender_test_util.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::walsender {
namespace {

// Flushes 300 KiB of WAL 2.05 s in, when the walsender has long caught up
// (its naps end near multiples of 200 ms), and returns how far the standby
// had received 50 ms later and 300 ms later.
struct Arrival {
  XLogRecPtr flushed = 0;
  XLogRecPtr after_50ms = 0;
  XLogRecPtr after_300ms = 0;
};
Arrival FlushLateAndWatch(const node::Behavior& b) {
  WalSenderWorld w(7, b);
  Arrival a;
  w.primary_script = [&](os::Os& os, WalSenderWorld& w) -> os::Task<> {
    co_await SleepFully(os, os::Milliseconds(2050));
    a.flushed = InsertWal(*w.shm, 300 * 1024);
    (void)co_await xlog::XLogFlush(os, *w.shm, a.flushed);
  };
  w.client.reply = false;  // a 9.0 standby sends nothing back
  w.client.commands = {"START_REPLICATION 0/2000000"};
  w.Run(os::Milliseconds(2100));
  a.after_50ms = w.result.ReceivedEnd(kWalStart);
  w.Run(os::Milliseconds(2350));
  a.after_300ms = w.result.ReceivedEnd(kWalStart);
  return a;
}

TEST(WalSender90Test, FlushedWalWaitsForTheNapToEnd) {
  const node::Behavior b = Profile("pg-9.0.3");
  ASSERT_FALSE(b.walsnd_latch_wakeup);
  const Arrival a = FlushLateAndWatch(b);
  ASSERT_GT(a.flushed, kWalStart);
  EXPECT_LT(a.after_50ms, a.flushed);   // still napping
  EXPECT_EQ(a.after_300ms, a.flushed);  // at most wal_sender_delay later
}

TEST(WalSender90Test, WithTheLatchTheFlushWakesItAtOnce) {
  node::Behavior b = Profile("pg-9.0.3");
  ASSERT_TRUE(b.Set("2746e5f21d", true).ok());
  const Arrival a = FlushLateAndWatch(b);
  EXPECT_EQ(a.after_50ms, a.flushed);
}

TEST(WalSender90Test, NeedsNoRepliesAndHasNoTimeout) {
  WalSenderWorld w(8, Profile("pg-9.0.3"));
  EXPECT_EQ(w.shm->gucs.wal_sender_timeout, os::Duration());  // 9.1's replication_timeout
  w.client.reply = false;
  w.client.commands = {"START_REPLICATION 0/2000000"};
  w.Run(os::Seconds(200));
  EXPECT_FALSE(w.walsender_exit.has_value());
  EXPECT_EQ(w.result.keepalives, 0);
  EXPECT_GT(w.result.ReceivedEnd(kWalStart), kWalStart);
}

TEST(WalSender90Test, AStatusUpdateIsAProtocolViolation) {
  WalSenderWorld w(9, Profile("pg-9.0.3"));
  w.client.reply = true;  // a 9.1 standby talking to a 9.0 primary
  w.client.commands = {"START_REPLICATION 0/2000000"};
  w.Run(os::Seconds(5));
  ASSERT_TRUE(w.walsender_exit.has_value());
  EXPECT_TRUE(w.WalSenderLogged("FATAL: invalid standby closing message type 100"));  // 'd'
}

TEST(WalSender90Test, ShutdownSendsEverythingThenCopy0) {
  WalSenderWorld w(10, Profile("pg-9.0.3"));
  XLogRecPtr end = 0;
  w.primary_script = [&](os::Os& os, WalSenderWorld& w) -> os::Task<> {
    co_await SleepFully(os, os::Seconds(1));
    // Flushed mid-nap, then the shutdown checkpoint and SIGUSR2 at once.
    InsertWal(*w.shm, 200 * 1024);
    end = InsertShutdownCheckpoint(*w.shm);
    (void)co_await xlog::XLogFlush(os, *w.shm, end);
    (void)os.Kill(w.walsender_pid, os::Signal::kSIGUSR2);
  };
  w.client.reply = false;
  w.client.commands = {"START_REPLICATION 0/2000000"};
  w.Run(os::Seconds(5));
  ASSERT_TRUE(w.walsender_exit.has_value());
  EXPECT_EQ(w.walsender_exit->code, 0);
  EXPECT_EQ(w.result.ReceivedEnd(kWalStart), end);
  ASSERT_FALSE(w.result.command_tags.empty());
  EXPECT_EQ(w.result.command_tags.back(), "COPY 0");
}

}  // namespace
}  // namespace replsim::walsender
