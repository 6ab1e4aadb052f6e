// PqComm's send side as the walsender depends on it: output sits in user
// space until flushed, FlushIfWritable never blocks, Flush blocks until the
// peer makes room; and the RW-2 mechanism end to end: a backend that exits
// with unread input from its client resets the connection, and the client
// never receives what was still in the server's kernel send buffer.
#include "protocol/pq/pqcomm.h"

#include <string>

#include "gtest/gtest.h"
#include "protocol/pq/pq_test_util.h"

namespace replsim::pq {
namespace {

// A client that connects, optionally sends `unread` bytes the server never
// reads, waits, then reads until EOF or an error.
struct RawClient {
  std::string received;
  os::Errno end = os::Errno::kOk;  // kOk: clean EOF
  bool connected = false;
};

os::Task<> RunClient(os::Os& os, RawClient* c, std::string unread, os::Duration wait) {
  os::Result<os::Fd> fd = co_await os.Connect("primary", kPort);
  if (!fd.ok()) co_return;
  c->connected = true;
  if (!unread.empty()) {
    std::vector<uint8_t> b(unread.begin(), unread.end());
    (void)co_await os.Send(*fd, b);
  }
  co_await os.Sleep(wait);
  std::vector<uint8_t> buf(65536);
  for (;;) {
    os::Result<size_t> n = co_await os.Recv(*fd, absl::MakeSpan(buf));
    if (!n.ok()) {
      c->end = n.error();
      break;
    }
    if (*n == 0) break;
    c->received.append(buf.begin(), buf.begin() + *n);
  }
  os.Close(*fd);
}

std::string Payload(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

class PqCommTest : public PqTest {};

TEST_F(PqCommTest, OutputStaysInUserSpaceUntilFlushedAndFlushBlocksOnAFullKernel) {
  const std::string big = Payload(8 << 20);  // far more than the socket buffers
  bool pending_after_put = false, pending_after_try = false;
  os::Instant flush_done;
  cluster_.Spawn("primary", "walsender", [&](os::Os& os) -> os::Task<> {
    os::Fd l = *os.Listen(kPort, 8);
    os::Result<os::Fd> s = co_await os.Accept(l);
    if (!s.ok()) co_return;
    PqComm comm(os, *s);
    comm.PutRaw(big);
    pending_after_put = comm.IsSendPending();
    EXPECT_EQ(comm.send_pending_bytes(), big.size());
    EXPECT_EQ(comm.FlushIfWritable(), os::Errno::kOk);
    pending_after_try = comm.IsSendPending();  // the kernel took only part
    EXPECT_LT(comm.send_pending_bytes(), big.size());
    EXPECT_EQ(co_await comm.Flush(), os::Errno::kOk);  // waits for the reader
    flush_done = world_.now();
    EXPECT_FALSE(comm.IsSendPending());
    co_await os.Sleep(os::Seconds(30));  // keep the socket open meanwhile
  });
  RawClient c;
  cluster_.Spawn("standby", "walreceiver", [&](os::Os& os) -> os::Task<> {
    co_await RunClient(os, &c, "", os::Seconds(2));
  });
  RunFor(os::Seconds(60));
  EXPECT_TRUE(pending_after_put);
  EXPECT_TRUE(pending_after_try);
  // Flush could only finish once the client started reading at t=2s.
  EXPECT_GT(flush_done, os::Instant() + os::Seconds(2));
  EXPECT_EQ(c.received, big);
}

// The server queues and flushes `size` bytes, then exits at once.
os::Task<> FlushAndExit(os::Os& os, std::string data) {
  os::Fd l = *os.Listen(kPort, 8);
  os::Result<os::Fd> s = co_await os.Accept(l);
  if (!s.ok()) co_return;
  PqComm comm(os, *s);
  co_await os.Sleep(os::Milliseconds(100));  // the client's bytes have arrived
  comm.PutRaw(data);
  (void)co_await comm.Flush();
  // proc_exit: the process ends and the kernel closes the socket.
}

TEST_F(PqCommTest, ExitWithUnreadInputResetsAndTheUnsentTailIsLost) {
  const std::string data = Payload(2 << 20);
  cluster_.Spawn("primary", "walsender",
                 [&](os::Os& os) -> os::Task<> { co_await FlushAndExit(os, data); });
  RawClient c;
  cluster_.Spawn("standby", "walreceiver", [&](os::Os& os) -> os::Task<> {
    // A status update the walsender will never read.
    co_await RunClient(os, &c, "r-status-update", os::Seconds(1));
  });
  RunFor(os::Seconds(30));
  ASSERT_TRUE(c.connected);
  EXPECT_EQ(c.end, os::Errno::kECONNRESET);
  ASSERT_LT(c.received.size(), data.size()) << "the RST must discard the unsent tail";
  EXPECT_GT(c.received.size(), 0u);
  EXPECT_EQ(c.received, data.substr(0, c.received.size())) << "what arrived is a prefix";
}

TEST_F(PqCommTest, ExitWithNothingUnreadClosesGracefullyAndEverythingArrives) {
  const std::string data = Payload(2 << 20);
  cluster_.Spawn("primary", "walsender",
                 [&](os::Os& os) -> os::Task<> { co_await FlushAndExit(os, data); });
  RawClient c;
  cluster_.Spawn("standby", "walreceiver", [&](os::Os& os) -> os::Task<> {
    co_await RunClient(os, &c, "", os::Seconds(1));
  });
  RunFor(os::Seconds(30));
  ASSERT_TRUE(c.connected);
  EXPECT_EQ(c.end, os::Errno::kOk);
  EXPECT_EQ(c.received, data);
}

}  // namespace
}  // namespace replsim::pq
