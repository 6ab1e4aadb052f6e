// File: protocol/walreceiver/walreceiver_test_util.h
//
// Test only: a two-host world ("primary", "standby") with an initdb'd
// standby data directory and WalRcv set up as RequestXLogStreaming leaves
// it, so a test can start WalReceiverMain against a ScriptedWalSender.
#ifndef REPLSIM_PROTOCOL_WALRECEIVER_WALRECEIVER_TEST_UTIL_H_
#define REPLSIM_PROTOCOL_WALRECEIVER_WALRECEIVER_TEST_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/walreceiver/scripted_walsender.h"
#include "sim/os/cluster.h"
#include "sim/world.h"

namespace replsim::walreceiver {

inline constexpr uint64_t kSystemId = 7300000000000000001ull;
inline constexpr int kPort = 5432;

// 64 KiB before the end of segment 3, so a stream crosses into segment 4.
inline constexpr uint64_t kStart = 0x3FF0000;

bool HasLine(const std::vector<std::string>& log, const std::string& line);
bool HasLinePrefix(const std::vector<std::string>& log, const std::string& prefix);

// Listens on kPort, accepts the walreceiver and serves it up to
// START_REPLICATION (stored in *start). False if that did not happen.
os::Task<bool> OpenStream(os::Os& os, ScriptedWalSender& ws,
                          std::optional<wire::StartReplicationCmd>* start);

// Deterministic WAL-like bytes: byte i is a function of its LSN.
std::string PatternBytes(uint64_t start, size_t n, uint8_t salt = 0);

struct WalRcvFixture {
  explicit WalRcvFixture(node::Behavior behavior = node::Behavior(),
                         sim::host::HostConfig standby = sim::host::HostConfig());
  ~WalRcvFixture();

  // RequestXLogStreaming(tli, start): WalRcv ready for a walreceiver.
  void RequestStreaming(uint64_t start, uint32_t tli);
  os::Pid StartWalReceiver();
  // Runs to `d` past the last run's end (the clock only moves with events).
  void RunFor(os::Duration d) {
    horizon = std::max(horizon, world.now()) + d;
    world.Run({.until = horizon});
  }
  // Reads [start, start + n) of `tli` from the standby's segment files.
  std::string ReadStandbyWal(uint32_t tli, uint64_t start, size_t n);
  bool StandbyFileExists(const std::string& path);
  // The walreceiver's log lines as "KIND: message".
  std::vector<std::string> WalRcvLog();

  sim::World world{1, true};
  sim::os_sim::Cluster cluster{world};
  node::ShmemRef shm = std::make_shared<node::NodeShmem>();
  os::Pid walrcv_pid = 0;
  os::Instant horizon;
};

}  // namespace replsim::walreceiver

#endif  // REPLSIM_PROTOCOL_WALRECEIVER_WALRECEIVER_TEST_UTIL_H_
