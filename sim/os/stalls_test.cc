// Stalls and clocks on simulated hosts (sim/os/stalls.h): SIGSTOP holds a
// process and its signals, a stopped reader closes its peer's window until
// SIGCONT, a frozen host's timeouts expire at once on resume, a slow disk
// multiplies fsync time, a slow reader fills its receive buffer, a wall-clock
// step moves gettimeofday but not a latch wait, drift stretches timeouts.
#include <vector>

#include "gtest/gtest.h"
#include "sim/os/cluster.h"
#include "sim/os/stalls.h"
#include "sim/os/test_util.h"

namespace replsim::sim::os_sim {
namespace {

using os::Signal;

os::Instant At(os::Duration d) { return os::Instant() + d; }

ClusterConfig SmallBuffers() {
  ClusterConfig c;
  c.net.snd_buf = 64 * 1024;
  c.net.rcv_buf = 64 * 1024;
  return c;
}

// A sender on "a" writes `total` bytes to a reader on "b", which reads them
// all; the sender's Send returns at `sent_at`.
struct Transfer {
  static constexpr size_t kTotal = 1 << 20;
  os::Pid reader = 0;
  os::Instant sent_at;
  size_t received = 0;
  std::vector<std::pair<os::Instant, size_t>> progress;  // (time, received)

  void Start(Cluster& c) {
    reader = c.Spawn("b", "walreceiver", [this, &c](os::Os& os) -> os::Task<> {
      os::Fd l = *os.Listen(5432, 8);
      os::Fd s = *co_await os.Accept(l);
      std::vector<uint8_t> buf(8192);
      while (received < kTotal) {
        os::Result<size_t> r = co_await os.Recv(s, absl::MakeSpan(buf));
        if (!r.ok() || *r == 0) break;
        received += *r;
        progress.emplace_back(c.world().now(), received);
      }
    });
    c.Spawn("a", "walsender", [this, &c](os::Os& os) -> os::Task<> {
      os::Fd s = *co_await os.Connect("b", 5432);
      std::vector<uint8_t> data(kTotal, 7);
      co_await os.Send(s, absl::MakeConstSpan(data));
      sent_at = c.world().now();
      co_await os.Sleep(os::Seconds(100));
    });
  }
  size_t ReceivedBy(os::Instant t) const {
    size_t n = 0;
    for (const auto& [when, total] : progress) {
      if (when <= t) n = total;
    }
    return n;
  }
};

// A Transfer over small socket buffers, from "a" to "b", starting at 0.
class TransferTest : public ::testing::Test {
 protected:
  TransferTest() : world(1, true), c(world, SmallBuffers()) {
    c.AddHost("a");
    c.AddHost("b");
    t.Start(c);
  }
  World world;
  Cluster c;
  Transfer t;
};

TEST_F(TransferTest, StoppedReaderClosesTheSendersWindowUntilContinued) {
  world.queue().Schedule(At(os::Milliseconds(5)),
                         [&] { StallProcess(c, t.reader, os::Seconds(3)); });
  RunUntil(world, os::Seconds(20));
  // Stopped, it read nothing: its kernel took what fit in its receive
  // buffer, then the window closed and the sender blocked in send, probing.
  EXPECT_EQ(t.ReceivedBy(At(os::Milliseconds(500))), t.ReceivedBy(At(os::Seconds(3))));
  EXPECT_LT(t.ReceivedBy(At(os::Seconds(3))), Transfer::kTotal);
  EXPECT_GT(CountEvents(world, "tcp_zero_window_probe"), 0);
  // Continued at 3.005 s, it read the rest and the sender's Send returned.
  EXPECT_EQ(t.received, Transfer::kTotal);
  EXPECT_GT(t.sent_at, At(os::Milliseconds(3005)));
  EXPECT_LT(t.sent_at, At(os::Seconds(10)));
}

TEST_F(TransferTest, WithoutTheStallTheSameTransferNeverBlocks) {
  RunUntil(world, os::Seconds(20));
  EXPECT_EQ(t.received, Transfer::kTotal);
  EXPECT_LT(t.sent_at, At(os::Milliseconds(500)));
  EXPECT_EQ(CountEvents(world, "tcp_zero_window_probe"), 0);
}

TEST(StallsTest, StoppedProcessHandlesNoSignalButSigkill) {
  World world(1, true);
  Cluster c(world);
  c.AddHost("h");
  os::Instant handled;
  os::Pid p = c.Spawn("h", "checkpointer", [&](os::Os& os) -> os::Task<> {
    os.SetSignalHandler(Signal::kSIGUSR1, [&] {
      handled = world.now();
      os.MyLatch().Set();
    });
    co_await os.WaitLatchOrSocket(&os.MyLatch(), os::WL_LATCH_SET, os::kNoFd, os::Duration());
    co_await os.Sleep(os::Seconds(100));
  });
  os::Pid q = c.Spawn("h", "startup", [&](os::Os& os) -> os::Task<> {
    co_await os.Sleep(os::Seconds(100));
  });
  world.queue().Schedule(At(os::Seconds(1)), [&] {
    StallProcess(c, p, os::Seconds(2));
    StallProcess(c, q, os::Seconds(50));
  });
  world.queue().Schedule(At(os::Seconds(2)), [&] {
    c.SendSignal(p, Signal::kSIGUSR1);
    c.SendSignal(q, Signal::kSIGKILL);
  });
  RunUntil(world, os::Seconds(10));
  EXPECT_EQ(handled, At(os::Seconds(3)));  // pending until SIGCONT
  ASSERT_TRUE(c.exit_status(q).has_value());
  EXPECT_EQ(c.exit_status(q)->signal, 9);  // SIGKILL at once, while stopped
}

TEST(StallsTest, PausedHostsTimeoutsExpireAtOnceOnResume) {
  World world(1, true);
  Cluster c(world);
  c.AddHost("h");
  c.AddHost("peer");
  std::vector<os::Instant> woke;
  std::vector<int64_t> wall;
  c.Spawn("h", "walsender", [&](os::Os& os) -> os::Task<> {
    for (int i = 0; i < 3; ++i) {
      co_await os.WaitLatchOrSocket(&os.MyLatch(), os::WL_LATCH_SET | os::WL_TIMEOUT,
                                    os::kNoFd, os::Seconds(1));
      woke.push_back(world.now());
      wall.push_back(os.WallClockMicros());
    }
  });
  world.queue().Schedule(At(os::Milliseconds(1500)),
                         [&] { PauseHost(c, "h", os::Seconds(5)); });
  RunUntil(world, os::Seconds(20));
  ASSERT_EQ(woke.size(), 3u);
  EXPECT_EQ(woke[0], At(os::Seconds(1)));
  // Due at 2 s inside the pause: it runs as the host resumes at 6.5 s, and
  // its wall clock has moved on by the pause.
  EXPECT_EQ(woke[1], At(os::Milliseconds(6500)));
  EXPECT_EQ(wall[1] - wall[0], 5'500'000);
  EXPECT_EQ(woke[2], At(os::Milliseconds(7500)));
  EXPECT_EQ(CountEvents(world, "host_pause"), 1);
  EXPECT_EQ(CountEvents(world, "fault_partition_healed"), 1);
}

os::Duration FsyncTime(int64_t factor) {
  World world(3, false);
  Cluster c(world);
  c.AddHost("h");
  if (factor > 1) SlowDisk(c, "h", factor, os::Seconds(60));
  os::Duration took;
  c.Spawn("h", "checkpointer", [&](os::Os& os) -> os::Task<> {
    os::Fd fd = *os.Open("/f", os::kOpenCreate | os::kOpenReadWrite);
    const uint8_t b[] = {1, 2, 3};
    co_await os.PWrite(fd, b, 0);
    const os::Instant t0 = world.now();
    co_await os.Fsync(fd);
    took = world.now() - t0;
  });
  RunUntil(world, os::Seconds(10));
  return took;
}

TEST(StallsTest, SlowDiskMultipliesFsyncTime) {
  const os::Duration normal = FsyncTime(1);
  EXPECT_GT(normal, os::Duration());
  EXPECT_EQ(FsyncTime(20), normal * 20);
}

TEST_F(TransferTest, SlowReaderFillsItsBufferAndClosesTheWindow) {
  world.queue().Schedule(At(os::Milliseconds(5)),
                         [&] { SlowReader(c, t.reader, 100, os::Seconds(60)); });
  RunUntil(world, os::Seconds(30));
  // 1 MiB at 100 bytes/ms takes about 10.5 s; the sender waits behind a
  // full window meanwhile (a few buffers' worth short of the whole).
  EXPECT_EQ(t.received, Transfer::kTotal);
  EXPECT_GT(t.sent_at, At(os::Seconds(8)));
  EXPECT_GT(t.progress.back().first, At(os::Milliseconds(9500)));
}

TEST(StallsTest, ClockStepMovesTheWallClockButNotALatchWait) {
  World world(1, true);
  Cluster c(world);
  c.AddHost("h");
  int64_t wall_before = 0, wall_after = 0;
  os::Instant mono_before, mono_after, woke;
  c.Spawn("h", "walreceiver", [&](os::Os& os) -> os::Task<> {
    wall_before = os.WallClockMicros();
    mono_before = os.Monotonic();
    co_await os.WaitLatchOrSocket(&os.MyLatch(), os::WL_LATCH_SET | os::WL_TIMEOUT, os::kNoFd,
                                  os::Seconds(10));
    woke = world.now();
    wall_after = os.WallClockMicros();
    mono_after = os.Monotonic();
  });
  world.queue().Schedule(At(os::Seconds(1)),
                         [&] { StepWallClock(c, "h", os::Seconds(-3600)); });
  RunUntil(world, os::Seconds(20));
  EXPECT_EQ(woke, At(os::Seconds(10)));  // a step back does not lengthen it
  EXPECT_EQ(mono_after - mono_before, os::Seconds(10));
  EXPECT_EQ(wall_after - wall_before, (10LL - 3600) * 1'000'000);
  EXPECT_EQ(CountEvents(world, "clock_step"), 1);
}

TEST(StallsTest, OffsetMovesTheWallClockAndDriftStretchesTimeouts) {
  World world(1, true);
  Cluster c(world);
  c.AddHost("h").SetClock(os::Milliseconds(-1500), 500);
  int64_t wall0 = 0;
  os::Instant woke;
  c.Spawn("h", "walsender", [&](os::Os& os) -> os::Task<> {
    wall0 = os.WallClockMicros();
    co_await os.Sleep(os::Seconds(10));
    woke = world.now();
  });
  RunUntil(world, os::Seconds(20));
  EXPECT_EQ(wall0, host::kWallEpochMicros - 1'500'000);
  // 10 s of a clock running 500 ppm fast: 9.995002498 s of true time.
  EXPECT_EQ(woke, At(os::Nanoseconds(9'995'002'498)));
}

}  // namespace
}  // namespace replsim::sim::os_sim
