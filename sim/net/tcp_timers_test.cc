// Linux's TCP timers in the virtual network, one test per rule of network.h:
// SYN and data retransmission with their give-up times, random loss, the
// persist timer with zero-window probes, and keepalive.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/net/network.h"
#include "sim/net/network_test_util.h"

namespace replsim::sim::net {
namespace {

using os::Errno;

TEST(GiveUpTimeTest, LinuxModelTimeouts) {
  // tcp_retries2 = 15 from TCP_RTO_MIN; tcp_syn_retries = 6 from 1 s.
  EXPECT_EQ(GiveUpTime(15, os::Milliseconds(200), os::Seconds(120)),
            os::Milliseconds(924600));
  EXPECT_EQ(GiveUpTime(6, os::Seconds(1), os::Seconds(120)), os::Seconds(127));
  EXPECT_EQ(GiveUpTime(3, os::Milliseconds(200), os::Seconds(120)),
            os::Milliseconds(3000));
}

class TcpTimersTest : public NetFixture {
 protected:
  TcpTimersTest() : NetFixture(SmallBuffers()) {}

  // A zero window: b never reads, a fills b's receive buffer and its own
  // send buffer.
  std::pair<SocketId, SocketId> ClosedWindow() {
    auto [c, s] = Connected();
    SendAll(c, 64 * 1024);
    RunFor(os::Milliseconds(100));
    SendAll(c, 64 * 1024);
    RunFor(os::Milliseconds(100));
    EXPECT_EQ(net_.Find(s)->rcv_buffered(), 64u * 1024);
    EXPECT_EQ(net_.Find(c)->snd_buffered(), 64u * 1024);
    return {c, s};
  }
};

TEST_F(TcpTimersTest, SynRetransmittedThenGivesUpAfter127Seconds) {
  ASSERT_TRUE(net_.Listen("b", 5432, 8).ok());
  net_.Partition("a", "b", true);
  const os::Instant start = world_.now();
  SocketId c = net_.StartConnect("a", "b", 5432);
  RunUntil(start + os::Milliseconds(126900));  // 1+2+4+...+64 = 127 s
  EXPECT_EQ(net_.Find(c)->state(), TcpSocket::State::kConnecting);
  RunUntil(start + os::Milliseconds(127100));
  EXPECT_EQ(net_.Find(c)->pending_error(), Errno::kETIMEDOUT);
}

TEST_F(TcpTimersTest, SynRetransmissionConnectsAfterHeal) {
  ASSERT_TRUE(net_.Listen("b", 5432, 8).ok());
  net_.Partition("a", "b", true);
  const os::Instant start = world_.now();
  SocketId c = net_.StartConnect("a", "b", 5432);
  RunUntil(start + os::Milliseconds(6500));  // SYNs at 0, 1, 3 s lost
  net_.Heal("a", "b", true);
  RunUntil(start + os::Milliseconds(6990));
  EXPECT_EQ(net_.Find(c)->state(), TcpSocket::State::kConnecting);
  RunUntil(start + os::Milliseconds(7100));  // the SYN sent at 7 s
  EXPECT_EQ(net_.Find(c)->state(), TcpSocket::State::kEstablished);
}

TEST_F(TcpTimersTest, RetransmissionGivesUpAfter924_6Seconds) {
  auto [c, s] = Connected();
  net_.Partition("a", "b", true);
  const os::Instant sent = world_.now();
  SendAll(c, 1000);
  RunUntil(sent + os::Milliseconds(924500));
  EXPECT_FALSE(net_.Find(c)->dead());
  std::vector<TraceEvent> rtx = Events("tcp_retransmit");
  ASSERT_EQ(rtx.size(), 15u);  // tcp_retries2
  // The timer doubles from 200 ms and stays at 120 s once there.
  EXPECT_EQ(rtx[0].Find("rto")->i, os::Milliseconds(200).nanos());
  EXPECT_EQ(rtx[1].Find("rto")->i, os::Milliseconds(400).nanos());
  EXPECT_EQ(rtx[9].Find("rto")->i, os::Seconds(102).nanos() + os::Milliseconds(400).nanos());
  EXPECT_EQ(rtx[10].Find("rto")->i, os::Seconds(120).nanos());
  EXPECT_EQ(rtx[14].Find("rto")->i, os::Seconds(120).nanos());
  RunUntil(sent + os::Milliseconds(924700));
  EXPECT_EQ(net_.Find(c)->pending_error(), Errno::kETIMEDOUT);
}

class LossyTest : public NetFixture {
 protected:
  static NetConfig Lossy() {
    NetConfig c = SmallBuffers();
    c.link.loss_per_million = 300'000;  // 30% of packets, either way
    return c;
  }
  LossyTest() : NetFixture(Lossy()) {}
};

TEST_F(LossyTest, LostSegmentsAreRetransmittedAndArriveInOrder) {
  SocketId l = *net_.Listen("b", 5432, 8);
  SocketId c = net_.StartConnect("a", "b", 5432);
  RunFor(os::Seconds(60));  // lost SYNs are retransmitted
  ASSERT_EQ(net_.Find(c)->state(), TcpSocket::State::kEstablished);
  SocketId s = *net_.Accept(l);
  std::string got;
  std::vector<uint8_t> buf(4096);
  for (int i = 0; i < 40; ++i) {
    SendAll(c, 1000, static_cast<char>('a' + i % 26));
    RunFor(os::Seconds(2));
    for (;;) {
      os::Result<size_t> r = net_.Recv(s, absl::MakeSpan(buf));
      if (!r.ok() || *r == 0) break;
      got.append(buf.begin(), buf.begin() + *r);
    }
  }
  RunFor(os::Seconds(60));
  std::vector<uint8_t> rest(40000);
  os::Result<size_t> r = net_.Recv(s, absl::MakeSpan(rest));
  if (r.ok()) got.append(rest.begin(), rest.begin() + *r);
  ASSERT_EQ(got.size(), 40000u);
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got[i], static_cast<char>('a' + (i / 1000) % 26)) << i;
  }
  std::vector<TraceEvent> rtx = Events("tcp_retransmit");
  EXPECT_GT(rtx.size(), 5u);
  for (const TraceEvent& e : rtx) {
    // A first retransmission waits the 200 ms minimum RTO; later ones double.
    EXPECT_EQ(e.Find("rto")->i,
              os::Milliseconds(200).nanos() << (e.Find("retry")->i - 1));
  }
  EXPECT_FALSE(net_.Find(c)->dead());
}

TEST_F(TcpTimersTest, ZeroWindowProbesBackOffWhileTheReaderIsAlive) {
  auto [c, s] = ClosedWindow();
  std::vector<uint8_t> one(1);
  EXPECT_EQ(net_.Send(c, one).error(), Errno::kEAGAIN);  // send() would block
  RunFor(os::Seconds(3000));
  std::vector<TraceEvent> probes = Events("tcp_zero_window_probe");
  ASSERT_GT(probes.size(), 20u);  // answered probes go on past tcp_retries2
  // 200 ms, doubling, capped at 120 s.
  EXPECT_EQ((probes[1].time - probes[0].time), os::Milliseconds(400));
  EXPECT_EQ((probes[2].time - probes[1].time), os::Milliseconds(800));
  EXPECT_EQ((probes.back().time - probes[probes.size() - 2].time), os::Seconds(120));
  for (const TraceEvent& p : probes) EXPECT_EQ(p.Find("unanswered")->i, 0);
  EXPECT_FALSE(net_.Find(c)->dead());
  // The reader reads: the window reopens and the rest flows.
  os::Result<size_t> last(Errno::kEIO);
  EXPECT_EQ(Drain(s, &last), 64u * 1024);
  RunFor(os::Seconds(1));
  EXPECT_EQ(Drain(s, &last), 64u * 1024);
  EXPECT_EQ(net_.Find(c)->snd_buffered(), 0u);
}

TEST_F(TcpTimersTest, LostWindowUpdateIsRecoveredByAProbe) {
  auto [c, s] = ClosedWindow();
  net_.Partition("b", "a", false);  // b's window update will be lost
  os::Result<size_t> last(Errno::kEIO);
  EXPECT_EQ(Drain(s, &last), 64u * 1024);
  RunFor(os::Seconds(5));
  EXPECT_EQ(net_.Find(c)->snd_buffered(), 64u * 1024);  // still waiting
  net_.Heal("b", "a", false);
  RunFor(os::Seconds(30));  // the next probe's answer shows the open window
  EXPECT_EQ(net_.Find(c)->snd_buffered(), 0u);
  EXPECT_EQ(Drain(s, &last), 64u * 1024);
}

TEST_F(TcpTimersTest, ZeroWindowToACrashedHostTimesOut) {
  auto [c, s] = ClosedWindow();
  const os::Instant crash = world_.now();
  net_.HostDown("b");
  RunUntil(crash + os::Seconds(900));
  EXPECT_FALSE(net_.Find(c)->dead());
  RunUntil(crash + os::Seconds(960));  // 15 unanswered probes, ~924.6 s
  EXPECT_EQ(net_.Find(c)->pending_error(), Errno::kETIMEDOUT);
  EXPECT_EQ(Events("tcp_zero_window_probe").back().Find("unanswered")->i, 14);
}

TEST_F(TcpTimersTest, ZeroWindowProbeAnsweredByRstAfterReboot) {
  auto [c, s] = ClosedWindow();
  net_.HostDown("b");
  net_.HostUp("b");
  RunFor(os::Seconds(2));
  std::vector<uint8_t> buf(10);
  EXPECT_EQ(net_.Send(c, buf).error(), Errno::kECONNRESET);
}

TEST_F(TcpTimersTest, KeepaliveProbesOnlyAnIdleConnection) {
  auto [c, s] = Connected();
  net_.SetKeepalive(s, {os::Seconds(10), os::Seconds(2), 3});
  for (int i = 0; i < 10; ++i) {  // the peer speaks every 5 s
    SendAll(c, 10);
    RunFor(os::Seconds(5));
  }
  EXPECT_TRUE(Events("tcp_keepalive_probe").empty());
  RunFor(os::Seconds(30));  // now idle: probed, answered
  EXPECT_FALSE(Events("tcp_keepalive_probe").empty());
  EXPECT_FALSE(net_.Find(s)->dead());
}

TEST_F(TcpTimersTest, KeepaliveDetectsACrashedPeerAfterIdlePlusIntervalTimesCount) {
  auto [c, s] = Connected();
  net_.SetKeepalive(s, {os::Seconds(10), os::Seconds(2), 3});
  SendAll(c, 10);
  RunFor(os::Milliseconds(100));
  const os::Instant heard = net_.Find(s)->last_heard;
  net_.HostDown("a");
  RunUntil(heard + os::Milliseconds(15900));  // 10 s idle + 3 probes 2 s apart
  EXPECT_FALSE(net_.Find(s)->dead());
  EXPECT_EQ(Events("tcp_keepalive_probe").size(), 3u);
  RunUntil(heard + os::Milliseconds(16100));
  EXPECT_EQ(net_.Find(s)->pending_error(), Errno::kETIMEDOUT);
}

TEST_F(TcpTimersTest, KeepaliveSetWhileConnectingCountsFromEstablishment) {
  ASSERT_TRUE(net_.Listen("b", 5432, 8).ok());
  net_.Partition("a", "b", true);
  const os::Instant start = world_.now();
  SocketId c = net_.StartConnect("a", "b", 5432);
  net_.SetKeepalive(c, {os::Seconds(10), os::Seconds(2), 3});
  RunUntil(start + os::Seconds(20));  // SYNs at 0, 1, 3, 7, 15 s lost
  net_.Heal("a", "b", true);
  RunUntil(start + os::Seconds(32));  // the SYN at 31 s connects
  ASSERT_EQ(net_.Find(c)->state(), TcpSocket::State::kEstablished);
  EXPECT_TRUE(Events("tcp_keepalive_probe").empty());
  RunUntil(start + os::Seconds(40));
  EXPECT_TRUE(Events("tcp_keepalive_probe").empty());
  RunUntil(start + os::Seconds(42));  // idle for 10 s since established
  EXPECT_EQ(Events("tcp_keepalive_probe").size(), 1u);
}

}  // namespace
}  // namespace replsim::sim::net
