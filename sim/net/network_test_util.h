// File: sim/net/network_test_util.h
//
// A fixture for tests that drive the Network directly (no processes): a
// World, a Network with the test's config, and helpers to connect, send,
// drain and count trace events.
#ifndef REPLSIM_SIM_NET_NETWORK_TEST_UTIL_H_
#define REPLSIM_SIM_NET_NETWORK_TEST_UTIL_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "sim/net/network.h"

namespace replsim::sim::net {

class NetFixture : public ::testing::Test {
 protected:
  explicit NetFixture(NetConfig config) : world_(7), net_(world_, config) {
    world_.trace().set_keep_events(true);
  }

  // Small buffers and segments, so that windows close after a few sends.
  static NetConfig SmallBuffers() {
    NetConfig c;
    c.snd_buf = 64 * 1024;
    c.rcv_buf = 64 * 1024;
    c.mss = 16 * 1024;
    return c;
  }

  // Runs until `t`, and the clock reads `t` afterwards (a no-op event there).
  void RunUntil(os::Instant t) {
    world_.queue().Schedule(t, [] {});
    world_.Run({.until = t});
  }
  void RunFor(os::Duration d) { RunUntil(world_.now() + d); }

  // Connects a->b:5432 and returns {client, server}.
  std::pair<SocketId, SocketId> Connected() {
    SocketId l = *net_.Listen("b", 5432, 8);
    SocketId c = net_.StartConnect("a", "b", 5432);
    RunFor(os::Milliseconds(50));
    EXPECT_EQ(net_.Find(c)->state(), TcpSocket::State::kEstablished);
    os::Result<SocketId> s = net_.Accept(l);
    EXPECT_TRUE(s.ok());
    return {c, *s};
  }

  size_t SendAll(SocketId s, size_t n, char fill = 'x') {
    std::vector<uint8_t> data(n, static_cast<uint8_t>(fill));
    os::Result<size_t> r = net_.Send(s, data);
    return r.ok() ? *r : 0;
  }

  // Reads until EAGAIN or an error/EOF; returns bytes read and the ending.
  size_t Drain(SocketId s, os::Result<size_t>* last) {
    size_t total = 0;
    std::vector<uint8_t> buf(8192);
    for (;;) {
      os::Result<size_t> r = net_.Recv(s, absl::MakeSpan(buf));
      if (!r.ok() || *r == 0) {
        *last = r;
        return total;
      }
      total += *r;
    }
  }

  // The trace events of `kind`, in order.
  std::vector<TraceEvent> Events(std::string_view kind) {
    std::vector<TraceEvent> out;
    for (const TraceEvent& e : world_.trace().events()) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }

  World world_;
  Network net_;
};

}  // namespace replsim::sim::net

#endif  // REPLSIM_SIM_NET_NETWORK_TEST_UTIL_H_
