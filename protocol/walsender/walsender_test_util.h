// File: protocol/walsender/walsender_test_util.h
//
// A two-host world for walsender tests: a "primary" host whose tiny test
// postmaster initdb's a data directory, prepares WAL (xlog::StartXLogInsert /
// XLogInsert / XLogFlush), accepts one replication connection and forks
// WalSndMain on it as "walsender", then runs the test's primary script; and
// a "standby" host with a scripted raw-wire replication client that records
// every WAL byte it receives, by LSN, and how the connection ended.
//
//   WalSenderWorld w(seed, behavior);
//   w.primary_script = [&](os::Os& os, WalSenderWorld& w) -> os::Task<> {...};
//   w.client.commands = {"IDENTIFY_SYSTEM", "START_REPLICATION 0/2000000"};
//   w.Run(os::Seconds(30));
#ifndef REPLSIM_PROTOCOL_WALSENDER_WALSENDER_TEST_UTIL_H_
#define REPLSIM_PROTOCOL_WALSENDER_WALSENDER_TEST_UTIL_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/wire/copy_data.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/message.h"
#include "sim/os/cluster.h"
#include "sim/world.h"

namespace replsim::walsender {

using wal::XLogRecPtr;

// Where the test WAL starts: segment 2 of timeline 1 (initdb fills segment 1).
inline constexpr XLogRecPtr kWalStart = 0x2000000;

// How the scripted standby answers.
struct ClientPolicy {
  std::string application_name = "standby1";
  // Commands sent one after another (each waits for ReadyForQuery, or for
  // CopyBoth mode; a START_REPLICATION must be last unless it ends).
  std::vector<std::string> commands;
  // Send 'r' after each XLogData (and when a keepalive asks).
  bool reply = true;
  // pg_receivexlog: write = received end, flush = 0.
  bool flush_zero = false;
  // Delay between receiving WAL and its reply (the walreceiver's fsync).
  os::Duration reply_delay;
  // How long to stay idle after the last command before Terminate.
  os::Duration linger;
  // After the server's CopyDone, answer with CopyDone.
  bool answer_copy_done = true;
};

// What the standby saw.
struct ClientResult {
  std::vector<wire::BackendMessage> messages;   // everything but 'd'
  std::vector<wire::XLogData> xlog_data;        // every 'w', in order
  int keepalives = 0;
  std::string ending;       // "eof", "ECONNRESET", ... ("" if still open)
  bool got_copy_both = false;
  bool got_copy_done = false;
  std::vector<std::string> command_tags;
  std::vector<std::string> errors;              // ErrorResponse messages
  std::vector<std::string> error_details;

  // End of the contiguous WAL received from `start` (CHECKs contiguity).
  XLogRecPtr ReceivedEnd(XLogRecPtr start) const;
};

class WalSenderWorld {
 public:
  WalSenderWorld(uint64_t seed, node::Behavior behavior,
                 sim::os_sim::ClusterConfig config = {});
  ~WalSenderWorld();

  // Runs the world until `until` after its start (or idle).
  void Run(os::Duration until);

  node::ShmemRef shm;
  ClientPolicy client;
  ClientResult result;
  // Runs in the postmaster before it listens (WAL can be prepared here),
  // default: 8 heap inserts flushed.
  std::function<os::Task<>(os::Os&, WalSenderWorld&)> prepare;
  // Runs in the postmaster once the walsender is forked.
  std::function<os::Task<>(os::Os&, WalSenderWorld&)> primary_script;

  os::Pid walsender_pid = 0;
  int pmsignals = 0;  // SIGUSR1s the postmaster received
  std::optional<os::ChildExit> walsender_exit;
  sim::World world;
  sim::os_sim::Cluster cluster;

  // Log lines of the walsender ("kind: message").
  std::vector<std::string> WalSenderLog();
  bool WalSenderLogged(const std::string& needle);

 private:
  os::Task<> Postmaster(os::Os& os);
  os::Task<> Client(os::Os& os);
};

// Behavior::ForProfile, CHECKed.
node::Behavior Profile(const char* name);
// pg_usleep until `d` has really passed (a signal cuts Sleep short).
os::Task<> SleepFully(os::Os& os, os::Duration d);
// Inserts heap records of `payload` bytes until `bytes` of WAL were added;
// returns the new insert end. No I/O.
XLogRecPtr InsertWal(node::NodeShmem& shm, uint64_t bytes, uint32_t payload = 2000);
// Inserts a shutdown checkpoint record; returns its end.
XLogRecPtr InsertShutdownCheckpoint(node::NodeShmem& shm);
// Every WAL byte of [from, to) on timeline 1 as the primary's files hold it.
os::Task<std::string> ReadPrimaryWal(os::Os& os, node::NodeShmem& shm, XLogRecPtr from,
                                     XLogRecPtr to, uint32_t tli = 1);

}  // namespace replsim::walsender

#endif  // REPLSIM_PROTOCOL_WALSENDER_WALSENDER_TEST_UTIL_H_
