// File: protocol/pq/pq_test_util.h
//
// Test scaffolding: a World with a Cluster of two hosts ("primary",
// "standby") and a minimal server that accepts one replication connection
// and completes the start-up handshake, as a postmaster + backend would.
#ifndef REPLSIM_PROTOCOL_PQ_PQ_TEST_UTIL_H_
#define REPLSIM_PROTOCOL_PQ_PQ_TEST_UTIL_H_

#include <memory>
#include <string>
#include <variant>

#include "gtest/gtest.h"
#include "protocol/os/latch.h"
#include "protocol/pq/backend_startup.h"
#include "protocol/pq/pqcomm.h"
#include "sim/os/cluster.h"
#include "sim/world.h"

namespace replsim::pq {

inline constexpr int kPort = 5432;

class PqTest : public ::testing::Test {
 protected:
  PqTest() : world_(1, true), cluster_(world_) {
    cluster_.AddHost("primary");
    cluster_.AddHost("standby");
  }
  void RunFor(os::Duration d) { world_.Run({.until = world_.now() + d}); }

  sim::World world_;
  sim::os_sim::Cluster cluster_;
};

// Accepts one connection on kPort and does the start-up exchange; returns
// the PqComm (nullptr on failure) and the StartupMessage in *startup.
inline os::Task<std::unique_ptr<PqComm>> AcceptReplicationConnection(
    os::Os& os, wire::StartupMessage* startup) {
  os::Fd listener = *os.Listen(kPort, 8);
  os::Result<os::Fd> sock = co_await os.Accept(listener);
  if (!sock.ok()) co_return nullptr;
  auto comm = std::make_unique<PqComm>(os, *sock);
  absl::StatusOr<wire::StartupPacket> packet = co_await ReadStartupPacket(*comm);
  if (!packet.ok() || !std::holds_alternative<wire::StartupMessage>(*packet)) co_return nullptr;
  *startup = std::get<wire::StartupMessage>(*packet);
  StartupResponse resp;
  resp.parameters = DefaultParameterStatus(startup->Get("application_name").value_or(""),
                                           "15.15", false);
  resp.backend_pid = static_cast<uint32_t>(os.MyPid());
  resp.cancel_key = 42;
  if (co_await SendStartupResponse(*comm, resp) != os::Errno::kOk) co_return nullptr;
  co_return comm;
}

// Waits until the socket is readable or `timeout` passes.
inline os::Task<> WaitReadable(os::Os& os, os::Fd fd, os::Duration timeout) {
  (void)co_await os.WaitLatchOrSocket(nullptr, os::WL_SOCKET_READABLE | os::WL_TIMEOUT, fd,
                                      timeout);
}

}  // namespace replsim::pq

#endif  // REPLSIM_PROTOCOL_PQ_PQ_TEST_UTIL_H_
