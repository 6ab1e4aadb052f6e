// File: protocol/recovery/recovery_test_util.h
//
// Test scaffolding for the startup process: one simulated host "h" with a
// data directory built by initdb (xlog::InitDb) plus WAL written with the
// real insert path, a fake postmaster that starts the startup process as
// its child and records the PMSignal reasons it is sent, and a fake
// walreceiver that writes WAL from a prepared stream and publishes
// receivedUpto only once fsynced, as walreceiver.c does.
#ifndef REPLSIM_PROTOCOL_RECOVERY_RECOVERY_TEST_UTIL_H_
#define REPLSIM_PROTOCOL_RECOVERY_RECOVERY_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/wal/wal_buffer.h"
#include "protocol/wal/wal_builder.h"
#include "protocol/wal/xlog_records.h"
#include "sim/os/cluster.h"

namespace replsim::recovery::testing {

inline constexpr uint64_t kSysId = 7712202343776888185ull;
inline constexpr char kDataDir[] = "/pgdata";
// End of initdb's 120-byte bootstrap checkpoint at 0/1000028.
inline constexpr wal::XLogRecPtr kBootstrapEnd = 0x10000A0;

// A heap insert carrying `row` as its id (first 8 tuple bytes).
wal::WalRecord RowInsert(uint64_t row);

// The primary's WAL as a stream: initdb's bytes, then what Append adds.
class WalStream {
 public:
  WalStream();
  // Appends a record; returns its end (EndRecPtr).
  wal::XLogRecPtr Append(const wal::WalRecord& rec);
  wal::XLogRecPtr AppendShutdownCheckpoint(wal::XLogRecPtr* start);
  wal::XLogRecPtr end() const { return builder_.CurrInsertPos(); }
  wal::XLogRecPtr prev() const { return builder_.PrevRecord(); }
  std::vector<uint8_t> Bytes(wal::XLogRecPtr from, wal::XLogRecPtr to) const;
  const std::optional<wal::CheckPoint>& last_checkpoint() const { return last_checkpoint_; }

 private:
  std::optional<wal::CheckPoint> last_checkpoint_;
  wal::WalBuffer buffer_;
  wal::WalBuilder builder_;
};

// What the fake postmaster saw.
struct PostmasterLog {
  std::vector<node::PMSignalReason> signals;
  std::optional<os::ChildExit> startup_exit;
  os::Pid startup_pid = 0;
  int walreceivers_started = 0;
};

using WalRcvBody = absl::AnyInvocable<os::Task<>(os::Os&)>;

struct RecoveryWorld {
  mutable sim::World world{1, true};
  sim::os_sim::Cluster cluster{world};
  node::ShmemRef shm = std::make_shared<node::NodeShmem>();
  PostmasterLog pm;
  // Returns a fresh walreceiver body each time the postmaster forks one.
  absl::AnyInvocable<WalRcvBody()> make_walreceiver;

  RecoveryWorld();
  // Runs `body` as a process on h to completion (building files).
  void RunProcess(absl::AnyInvocable<os::Task<>(os::Os&)> body);
  // initdb, then `wal` written from kBootstrapEnd up to wal_end and
  // fsynced, and pg_control with `state` at `checkpoint` (the stream's last
  // shutdown checkpoint, or initdb's when 0).
  void MakeDataDir(const WalStream& wal, wal::XLogRecPtr wal_end,
                   node::DBState state, wal::XLogRecPtr checkpoint,
                   bool standby_signal);
  // Writes a file durably (a helper process).
  void WriteFile(const std::string& path, const std::string& content);
  // Starts the fake postmaster (which starts "startup").
  void StartPostmaster();
  void RunFor(os::Duration d) { world.Run({.until = world.now() + d}); }
  // The log lines (kind, message) of processes named `process`.
  std::vector<std::pair<std::string, std::string>> Logs(std::string_view process) const;
  bool Logged(std::string_view kind, std::string_view message) const;
  int CountLogged(std::string_view kind, std::string_view message) const;
  // Reads a file of h's disk (from a helper process).
  std::optional<std::string> ReadFile(const std::string& path);
  node::ControlFileData ReadControl();
};

// A walreceiver that streams `stream` as told: it writes up to *write_upto,
// fsyncs and publishes up to *flush_upto, checking every 10 ms; SIGTERM ->
// WalRcvDie.
WalRcvBody FeedingWalReceiver(node::ShmemRef shm, const WalStream* stream,
                              const wal::XLogRecPtr* write_upto,
                              const wal::XLogRecPtr* flush_upto);

}  // namespace replsim::recovery::testing

#endif  // REPLSIM_PROTOCOL_RECOVERY_RECOVERY_TEST_UTIL_H_
