// Sockets as processes use them: blocking calls, WaitLatchOrSocket readiness,
// process exit closing sockets by the TCP rules, and a two-host stream whose
// ending (graceful or abortive) depends on the seed and nothing else.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/distributions.h"
#include "sim/os/cluster.h"

namespace replsim::sim::os_sim {
namespace {

struct Ending {
  size_t received = 0;
  std::string how;  // "eof" or an errno name
  uint64_t fingerprint = 0;
  bool operator==(const Ending&) const = default;
};

// primary: accepts, streams `bytes` (a walsender's WAL), waits a random
// moment, exits (closing its socket). standby: connects, reads, and sends a
// 16-byte status reply at its first read after a random moment (a
// walreceiver's 'r'). Whether
// that reply is unread when the primary exits decides FIN or RST.
Ending StreamAndClose(uint64_t seed, size_t bytes) {
  World world(seed);
  Cluster cluster(world);
  cluster.AddHost("primary");
  cluster.AddHost("standby");
  Ending end;
  cluster.Spawn("primary", "walsender", [&](os::Os& os) -> os::Task<> {
    os::Fd l = *os.Listen(5432, 8);
    os::Fd s = *co_await os.Accept(l);
    std::vector<uint8_t> wal(bytes, 'w');
    os::Result<size_t> sent = co_await os.Send(s, wal);
    EXPECT_TRUE(sent.ok());
    co_await os.Sleep(UniformDuration(world.Stream("workload"), os::Duration(), os::Milliseconds(2)));
    co_await os.Exit(0);  // proc_exit: the kernel closes `s`
  });
  cluster.Spawn("standby", "walreceiver", [&](os::Os& os) -> os::Task<> {
    co_await os.Sleep(os::Milliseconds(1));
    os::Result<os::Fd> s = co_await os.Connect("primary", 5432);
    EXPECT_TRUE(s.ok());
    std::vector<uint8_t> buf(8192);
    bool replied = false;
    os::Instant reply_at = world.now() + UniformDuration(world.Stream("workload"),
                                                         os::Duration(), os::Milliseconds(20));
    for (;;) {
      int rc = co_await os.WaitLatchOrSocket(nullptr, os::WL_SOCKET_READABLE, *s, {});
      EXPECT_EQ(rc, os::WL_SOCKET_READABLE);
      os::Result<size_t> r = os.TryRecv(*s, absl::MakeSpan(buf));
      if (!r.ok()) {
        end.how = std::string(os::ErrnoName(r.error()));
        break;
      }
      if (*r == 0) {
        end.how = "eof";
        break;
      }
      end.received += *r;
      if (!replied && world.now() >= reply_at) {
        replied = true;
        std::vector<uint8_t> reply(16, 'r');
        (void)os.TrySend(*s, reply);
      }
    }
  });
  world.Run({.until = os::Instant() + os::Seconds(60)});
  end.fingerprint = world.Fingerprint();
  return end;
}

TEST(SocketProcessTest, TwoHostStreamEndsGracefullyOrAbortivelyBySeed) {
  const size_t kBytes = 2 * 1024 * 1024;
  int graceful = 0, abortive = 0, tail_lost = 0;
  for (uint64_t seed = 1; seed <= 32; ++seed) {
    Ending e = StreamAndClose(seed, kBytes);
    if (e.how == "eof") {
      ++graceful;
      EXPECT_EQ(e.received, kBytes) << "seed " << seed;  // FIN after everything
    } else {
      ++abortive;
      EXPECT_EQ(e.how, "ECONNRESET") << "seed " << seed;
      EXPECT_LE(e.received, kBytes) << "seed " << seed;
      tail_lost += e.received < kBytes;  // closed before its queue drained
    }
    EXPECT_EQ(StreamAndClose(seed, kBytes), e) << "seed " << seed;  // same again
  }
  EXPECT_GT(graceful, 0);
  EXPECT_GT(abortive, 0);
  EXPECT_GT(tail_lost, 0);
  fprintf(stderr, "graceful %d abortive %d (tail lost %d)\n", graceful, abortive, tail_lost);
}

TEST(SocketProcessTest, ConnectRefusedAndBlockingRecvWakesOnData) {
  World world(2);
  Cluster cluster(world);
  cluster.AddHost("a");
  cluster.AddHost("b");
  os::Errno refused = os::Errno::kOk;
  std::string got;
  cluster.Spawn("b", "server", [&](os::Os& os) -> os::Task<> {
    co_await os.Sleep(os::Seconds(1));
    os::Fd l = *os.Listen(5432, 8);
    os::Fd s = *co_await os.Accept(l);
    co_await os.Sleep(os::Seconds(1));
    std::string msg = "hello";
    (void)co_await os.Send(s, absl::MakeConstSpan(
                                  reinterpret_cast<const uint8_t*>(msg.data()), msg.size()));
    co_await os.Sleep(os::Seconds(1));
  });
  cluster.Spawn("a", "client", [&](os::Os& os) -> os::Task<> {
    refused = (co_await os.Connect("b", 5432)).error();
    co_await os.Sleep(os::Seconds(2));
    os::Fd s = *co_await os.Connect("b", 5432);
    std::vector<uint8_t> buf(100);
    size_t n = *co_await os.Recv(s, absl::MakeSpan(buf));
    got.assign(buf.begin(), buf.begin() + n);
  });
  world.Run({.until = os::Instant() + os::Seconds(10)});
  EXPECT_EQ(refused, os::Errno::kECONNREFUSED);
  EXPECT_EQ(got, "hello");
}

TEST(SocketProcessTest, PeerHostNamesTheOtherEndOfAConnection) {
  World world(2);
  Cluster cluster(world);
  cluster.AddHost("a");
  cluster.AddHost("b");
  std::string server_sees, client_sees;
  os::Errno listener = os::Errno::kOk;
  cluster.Spawn("b", "server", [&](os::Os& os) -> os::Task<> {
    os::Fd l = *os.Listen(5432, 8);
    listener = os.PeerHost(l).error();
    os::Fd s = *co_await os.Accept(l);
    server_sees = *os.PeerHost(s);
    co_await os.Sleep(os::Seconds(1));
  });
  cluster.Spawn("a", "client", [&](os::Os& os) -> os::Task<> {
    co_await os.Sleep(os::Milliseconds(1));
    os::Fd s = *co_await os.Connect("b", 5432);
    client_sees = *os.PeerHost(s);
  });
  world.Run({.until = os::Instant() + os::Seconds(2)});
  EXPECT_EQ(listener, os::Errno::kENOTCONN);
  EXPECT_EQ(server_sees, "a");
  EXPECT_EQ(client_sees, "b");
}

TEST(SocketProcessTest, NonBlockingConnectIsInProgressThenWritableWithItsResult) {
  World world(2);
  Cluster cluster(world);
  cluster.AddHost("a");
  cluster.AddHost("b");
  std::vector<os::Errno> results;
  cluster.Spawn("b", "server", [&](os::Os& os) -> os::Task<> {
    co_await os.Sleep(os::Seconds(1));
    os::Fd l = *os.Listen(5432, 8);
    (void)co_await os.Accept(l);
    co_await os.Sleep(os::Seconds(5));
  });
  cluster.Spawn("a", "client", [&](os::Os& os) -> os::Task<> {
    for (int attempt = 0; attempt < 2; ++attempt) {
      os::Fd s = *os.ConnectStart("b", 5432);
      results.push_back(os.ConnectResult(s));  // at once: still connecting
      const int ready = co_await os.WaitLatchOrSocket(nullptr, os::WL_SOCKET_WRITEABLE, s,
                                                      os::Duration());
      EXPECT_NE(ready & os::WL_SOCKET_WRITEABLE, 0);
      results.push_back(os.ConnectResult(s));
      os.Close(s);
      co_await os.Sleep(os::Seconds(2));
    }
  });
  world.Run({.until = os::Instant() + os::Seconds(10)});
  EXPECT_EQ(results, (std::vector<os::Errno>{os::Errno::kEINPROGRESS, os::Errno::kECONNREFUSED,
                                             os::Errno::kEINPROGRESS, os::Errno::kOk}));
}

TEST(SocketProcessTest, KilledProcessWithUnreadInputResetsPeer) {
  World world(3);
  Cluster cluster(world);
  cluster.AddHost("a");
  cluster.AddHost("b");
  os::Errno peer_saw = os::Errno::kOk;
  os::Pid server = cluster.Spawn("b", "server", [&](os::Os& os) -> os::Task<> {
    os::Fd l = *os.Listen(5432, 8);
    os::Fd s = *co_await os.Accept(l);
    (void)co_await os.WaitLatchOrSocket(&os.MyLatch(), os::WL_LATCH_SET, os::kNoFd, {});
    (void)s;
  });
  cluster.Spawn("a", "client", [&](os::Os& os) -> os::Task<> {
    os::Fd s = *co_await os.Connect("b", 5432);
    std::vector<uint8_t> reply(16, 'r');
    (void)co_await os.Send(s, reply);  // never read by the server
    std::vector<uint8_t> buf(100);
    os::Result<size_t> r = co_await os.Recv(s, absl::MakeSpan(buf));
    peer_saw = r.ok() ? os::Errno::kOk : r.error();
  });
  world.queue().Schedule(os::Instant() + os::Seconds(1), [&] {
    cluster.SendSignal(server, os::Signal::kSIGKILL);
  });
  world.Run({.until = os::Instant() + os::Seconds(5)});
  EXPECT_EQ(peer_saw, os::Errno::kECONNRESET);
}

TEST(SocketProcessTest, HostCrashLeavesPeerWaitingUntilKeepaliveGivesUp) {
  World world(4);
  Cluster cluster(world);
  cluster.AddHost("a");
  cluster.AddHost("b");
  os::Errno saw = os::Errno::kOk;
  os::Instant when;
  cluster.Spawn("b", "server", [&](os::Os& os) -> os::Task<> {
    os::Fd l = *os.Listen(5432, 8);
    os::Fd s = *co_await os.Accept(l);
    (void)os.SetKeepalive(s, {os::Seconds(10), os::Seconds(1), 3});
    std::vector<uint8_t> buf(100);
    os::Result<size_t> r = co_await os.Recv(s, absl::MakeSpan(buf));
    saw = r.ok() ? os::Errno::kOk : r.error();
    when = world.now();
  });
  cluster.Spawn("a", "client", [&](os::Os& os) -> os::Task<> {
    (void)co_await os.Connect("b", 5432);
    co_await os.Sleep(os::Seconds(1000));
  });
  world.queue().Schedule(os::Instant() + os::Seconds(1), [&] { cluster.CrashHost("a"); });
  world.Run({.until = os::Instant() + os::Seconds(60)});
  EXPECT_EQ(saw, os::Errno::kETIMEDOUT);
  EXPECT_GT(when, os::Instant() + os::Seconds(12));  // idle 10 s + 3 probes
}

}  // namespace
}  // namespace replsim::sim::os_sim

namespace replsim::sim::os_sim {
namespace {

// The postmaster's fork of a backend for an accepted connection: the socket
// moves to the child under the same number; the parent no longer has it, and
// the child's exit is what closes it.
TEST(SocketProcessTest, StartChildHandsAnAcceptedSocketToTheChild) {
  World world(1);
  Cluster cluster(world);
  cluster.AddHost("primary");
  cluster.AddHost("standby");
  std::string child_read;
  os::Errno parent_close = os::Errno::kOk;
  os::Errno bad_pass = os::Errno::kOk;
  cluster.Spawn("primary", "postmaster", [&](os::Os& os) -> os::Task<> {
    os::Fd l = *os.Listen(5432, 8);
    os::Fd s = *co_await os.Accept(l);
    os::Result<os::Pid> child = os.StartChild(
        "backend",
        [s, &child_read](os::Os& c) -> os::Task<> {
          std::vector<uint8_t> buf(16);
          os::Result<size_t> n = co_await c.Recv(s, absl::MakeSpan(buf));
          if (n.ok()) child_read.assign(buf.begin(), buf.begin() + *n);
          std::vector<uint8_t> reply = {'o', 'k'};
          (void)co_await c.Send(s, reply);
        },
        {s});
    EXPECT_TRUE(child.ok());
    parent_close = os.Close(s);  // already handed over
    bad_pass = os.StartChild("x", [](os::Os&) -> os::Task<> { co_return; }, {99}).error();
    co_await os.Sleep(os::Seconds(10));
  });
  std::string client_read;
  os::Errno client_end = os::Errno::kOk;
  cluster.Spawn("standby", "client", [&](os::Os& os) -> os::Task<> {
    os::Fd s = *co_await os.Connect("primary", 5432);
    std::vector<uint8_t> hello = {'h', 'i'};
    (void)co_await os.Send(s, hello);
    std::vector<uint8_t> buf(16);
    for (;;) {
      os::Result<size_t> n = co_await os.Recv(s, absl::MakeSpan(buf));
      if (!n.ok()) {
        client_end = n.error();
        break;
      }
      if (*n == 0) break;  // the child's exit closed the socket: FIN
      client_read.append(buf.begin(), buf.begin() + *n);
    }
  });
  world.Run({.until = os::Instant() + os::Seconds(5)});
  EXPECT_EQ(child_read, "hi");
  EXPECT_EQ(client_read, "ok");
  EXPECT_EQ(client_end, os::Errno::kOk);
  EXPECT_EQ(parent_close, os::Errno::kEBADF);
  EXPECT_EQ(bad_pass, os::Errno::kEBADF);
}

}  // namespace
}  // namespace replsim::sim::os_sim
