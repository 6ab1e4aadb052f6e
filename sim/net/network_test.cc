// One test per virtual-TCP rule in network.h / tcp_socket.h, driving the
// Network directly (no processes): connect, stream, close, partition, crash.
#include "sim/net/network.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/net/network_test_util.h"

namespace replsim::sim::net {
namespace {

using os::Errno;

class NetworkTest : public NetFixture {
 protected:
  NetworkTest() : NetFixture(SmallBuffers()) {}
};

TEST_F(NetworkTest, ConnectRefusedWhenNobodyListens) {
  SocketId c = net_.StartConnect("a", "b", 5432);
  EXPECT_EQ(net_.Find(c)->state(), TcpSocket::State::kConnecting);
  RunFor(os::Milliseconds(50));
  std::vector<uint8_t> buf(4);
  EXPECT_EQ(net_.Send(c, buf).error(), Errno::kECONNREFUSED);
  EXPECT_EQ(net_.Send(c, buf).error(), Errno::kEPIPE);
}

TEST_F(NetworkTest, FullBacklogDropsSynUntilAccept) {
  SocketId l = *net_.Listen("b", 5432, 0);  // holds backlog + 1 = 1
  SocketId c1 = net_.StartConnect("a", "b", 5432);
  SocketId c2 = net_.StartConnect("a", "b", 5432);
  RunFor(os::Milliseconds(500));
  EXPECT_EQ(net_.Find(c1)->state(), TcpSocket::State::kEstablished);
  EXPECT_EQ(net_.Find(c2)->state(), TcpSocket::State::kConnecting);
  ASSERT_TRUE(net_.Accept(l).ok());
  RunFor(os::Seconds(2));  // the retransmitted SYN finds room
  EXPECT_EQ(net_.Find(c2)->state(), TcpSocket::State::kEstablished);
}

TEST_F(NetworkTest, FlowControlFillsReceiveThenSendBuffer) {
  auto [c, s] = Connected();
  EXPECT_EQ(SendAll(c, 100 * 1024), 64u * 1024);  // partial write
  RunFor(os::Seconds(1));
  EXPECT_EQ(net_.Find(s)->rcv_buffered(), 64u * 1024);  // window closed
  EXPECT_EQ(SendAll(c, 64 * 1024), 64u * 1024);
  std::vector<uint8_t> one(1);
  EXPECT_EQ(net_.Send(c, one).error(), Errno::kEAGAIN);
  EXPECT_FALSE(net_.Find(c)->writable().IsReady());
  os::Result<size_t> last(Errno::kEIO);
  EXPECT_EQ(Drain(s, &last), 64u * 1024);
  RunFor(os::Seconds(1));  // the window reopens, the rest flows
  EXPECT_EQ(Drain(s, &last), 64u * 1024);
  EXPECT_EQ(last.error(), Errno::kEAGAIN);
}

TEST_F(NetworkTest, BytesArriveInOrder) {
  auto [c, s] = Connected();
  for (char ch = 'a'; ch <= 'e'; ++ch) SendAll(c, 10000, ch);
  RunFor(os::Seconds(1));
  std::vector<uint8_t> buf(50000);
  ASSERT_EQ(*net_.Recv(s, absl::MakeSpan(buf)), 50000u);
  for (size_t i = 0; i < buf.size(); ++i) {
    ASSERT_EQ(buf[i], static_cast<uint8_t>('a' + i / 10000)) << i;
  }
}

// linux-tcp-semantics.md item 1.
TEST_F(NetworkTest, GracefulCloseDeliversEverythingThenEof) {
  auto [c, s] = Connected();
  size_t sent = SendAll(c, 64 * 1024);
  net_.Close(c);
  os::Result<size_t> last(Errno::kEIO);
  size_t got = 0;
  for (int i = 0; i < 20; ++i) {
    RunFor(os::Milliseconds(100));
    got += Drain(s, &last);
  }
  EXPECT_EQ(got, sent);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(*last, 0u);  // EOF
}

// Items 2 and 3 (recv first): RST, unsent tail lost, ECONNRESET once, EOF.
TEST_F(NetworkTest, CloseWithUnreadInputSendsRstAndDropsUnsentTail) {
  auto [c, s] = Connected();
  SendAll(s, 100);  // the standby's reply, never read by c
  RunFor(os::Milliseconds(50));
  size_t sent = SendAll(c, 64 * 1024) + 0;
  RunFor(os::Milliseconds(1));
  SendAll(c, 64 * 1024);  // queued behind a closed window: never leaves
  net_.Close(c);
  RunFor(os::Seconds(1));
  os::Result<size_t> last(Errno::kEIO);
  size_t got = Drain(s, &last);
  EXPECT_GT(got, 0u);
  EXPECT_LE(got, sent);
  EXPECT_EQ(last.error(), Errno::kECONNRESET);
  std::vector<uint8_t> buf(16);
  EXPECT_EQ(*net_.Recv(s, absl::MakeSpan(buf)), 0u);  // then EOF
  EXPECT_EQ(net_.Send(s, buf).error(), Errno::kEPIPE);
}

// Item 3, send first: ECONNRESET, then buffered data, EOF, then EPIPE.
TEST_F(NetworkTest, ResetReportedOnceSendFirst) {
  auto [c, s] = Connected();
  SendAll(s, 100);
  SendAll(c, 300);
  RunFor(os::Milliseconds(50));
  net_.Close(c);  // c has 100 unread bytes: RST
  RunFor(os::Milliseconds(50));
  std::vector<uint8_t> buf(1000);
  EXPECT_EQ(net_.Send(s, buf).error(), Errno::kECONNRESET);
  EXPECT_EQ(*net_.Recv(s, absl::MakeSpan(buf)), 300u);
  EXPECT_EQ(*net_.Recv(s, absl::MakeSpan(buf)), 0u);
  EXPECT_EQ(net_.Send(s, buf).error(), Errno::kEPIPE);
}

// Item 4: the first send to a gracefully closed peer succeeds; its RST
// leaves EPIPE; recv returns the last data, then EOF.
TEST_F(NetworkTest, WriteToGracefullyClosedPeer) {
  auto [c, s] = Connected();
  SendAll(c, 500);
  net_.Close(c);
  RunFor(os::Milliseconds(50));
  std::vector<uint8_t> buf(1000);
  EXPECT_EQ(*net_.Send(s, absl::MakeSpan(buf).subspan(0, 10)), 10u);
  RunFor(os::Milliseconds(50));
  EXPECT_EQ(*net_.Recv(s, absl::MakeSpan(buf)), 500u);
  EXPECT_EQ(*net_.Recv(s, absl::MakeSpan(buf)), 0u);
  EXPECT_EQ(net_.Send(s, buf).error(), Errno::kEPIPE);
}

TEST_F(NetworkTest, ShutdownWriteHalfCloses) {
  auto [c, s] = Connected();
  SendAll(c, 10);
  ASSERT_EQ(net_.ShutdownWrite(c), Errno::kOk);
  std::vector<uint8_t> buf(100);
  EXPECT_EQ(net_.Send(c, buf).error(), Errno::kEPIPE);
  RunFor(os::Milliseconds(50));
  EXPECT_EQ(*net_.Recv(s, absl::MakeSpan(buf)), 10u);
  EXPECT_EQ(*net_.Recv(s, absl::MakeSpan(buf)), 0u);
  EXPECT_EQ(SendAll(s, 20), 20u);  // the other direction still works
  RunFor(os::Milliseconds(50));
  EXPECT_EQ(*net_.Recv(c, absl::MakeSpan(buf)), 20u);
}

TEST_F(NetworkTest, PartitionHoldsSegmentsUntilHealed) {
  auto [c, s] = Connected();
  net_.Partition("a", "b", true);
  SendAll(c, 1000);
  RunFor(os::Seconds(10));
  EXPECT_EQ(net_.Find(s)->rcv_buffered(), 0u);
  net_.Heal("a", "b", true);
  RunFor(os::Seconds(30));  // the next retransmission gets through
  EXPECT_EQ(net_.Find(s)->rcv_buffered(), 1000u);
  EXPECT_FALSE(net_.Find(c)->dead());
}

TEST_F(NetworkTest, RetransmissionGivesUpWithEtimedout) {
  auto [c, s] = Connected();
  net_.Partition("a", "b", true);
  SendAll(c, 1000);
  RunFor(os::Seconds(600));
  EXPECT_FALSE(net_.Find(c)->dead());  // 200ms doubling, capped at 120 s
  RunFor(os::Seconds(1200));
  std::vector<uint8_t> buf(10);
  EXPECT_EQ(net_.Recv(c, absl::MakeSpan(buf)).error(), Errno::kETIMEDOUT);
  EXPECT_EQ(*net_.Recv(c, absl::MakeSpan(buf)), 0u);
  EXPECT_FALSE(net_.Find(s)->dead());  // the peer never heard a thing
}

TEST_F(NetworkTest, OneWayPartitionDeliversButLosesAcks) {
  auto [c, s] = Connected();
  net_.Partition("b", "a", false);  // only b->a blocked
  SendAll(c, 1000);
  RunFor(os::Seconds(1));
  EXPECT_EQ(net_.Find(s)->rcv_buffered(), 1000u);
  RunFor(os::Seconds(2000));
  EXPECT_EQ(net_.Find(c)->pending_error(), Errno::kETIMEDOUT);
  EXPECT_EQ(net_.Find(s)->rcv_buffered(), 1000u);  // delivered once only
}

TEST_F(NetworkTest, HostCrashLeavesPeerHalfOpenUntilItSends) {
  auto [c, s] = Connected();
  net_.HostDown("a");
  RunFor(os::Seconds(30));
  EXPECT_FALSE(net_.Find(s)->dead());
  EXPECT_FALSE(net_.Find(s)->readable().IsReady());
  net_.HostUp("a");  // rebooted: its kernel knows no such connection
  SendAll(s, 10);
  RunFor(os::Seconds(1));
  std::vector<uint8_t> buf(10);
  EXPECT_EQ(net_.Recv(s, absl::MakeSpan(buf)).error(), Errno::kECONNRESET);
}

TEST_F(NetworkTest, SendToCrashedHostTimesOut) {
  auto [c, s] = Connected();
  net_.HostDown("a");
  SendAll(s, 10);
  RunFor(os::Seconds(2000));
  EXPECT_EQ(net_.Find(s)->pending_error(), Errno::kETIMEDOUT);
}

TEST_F(NetworkTest, KeepaliveAnsweredByRstAfterReboot) {
  auto [c, s] = Connected();
  net_.SetKeepalive(s, {os::Seconds(10), os::Seconds(2), 3});
  net_.HostDown("a");
  net_.HostUp("a");
  RunFor(os::Seconds(11));
  EXPECT_EQ(net_.Find(s)->pending_error(), Errno::kECONNRESET);
}

TEST_F(NetworkTest, ClosingListenerResetsUnacceptedConnections) {
  SocketId l = *net_.Listen("b", 5432, 8);
  SocketId c = net_.StartConnect("a", "b", 5432);
  RunFor(os::Milliseconds(50));
  net_.Close(l);
  RunFor(os::Milliseconds(50));
  std::vector<uint8_t> buf(10);
  EXPECT_EQ(net_.Recv(c, absl::MakeSpan(buf)).error(), Errno::kECONNRESET);
  SocketId again = net_.StartConnect("a", "b", 5432);
  RunFor(os::Milliseconds(50));
  EXPECT_EQ(net_.Find(again)->pending_error(), Errno::kECONNREFUSED);
}

}  // namespace
}  // namespace replsim::sim::net
