// File: scenarios/harness/harness.h
//
// A small fluent API for scripted scenario tests over a World and a Cluster
// (in the style of TigerBeetle's replica_test): one PgNode per host, driven
// the way an operator drives PostgreSQL.
//
//   Harness t(seed, "pg-15");
//   PgNode& p = t.Node("primary");
//   EXPECT_EQ(p.InitDb(), absl::OkStatus());
//   p.Start();                       // PostmasterMain with p.entry_points()
//   t.RunFor(os::Seconds(5));
//   p.Workload({.sessions = 3, .transactions = 10});
//   p.Stop(Shutdown::kFast);         // pg_ctl stop -m fast
//   t.RunUntilExited(p);
//   p.ExpectLog("database system is shut down");
//
// Log lines are the os.Log events of the trace; PMStates() lists the
// postmaster's state changes in order. The ledger is the clients' memory of
// acknowledged commits. Helper actions (initdb, pg_basebackup's copy, pg_ctl
// writing signal files) run as short processes on the node's host and the
// world runs until they finish. They meet the disk's faults like any process:
// one that fails exits non-zero, as the PostgreSQL program would, and the
// action returns its error ("initdb: error: could not fsync file ...").
#ifndef REPLSIM_SCENARIOS_HARNESS_HARNESS_H_
#define REPLSIM_SCENARIOS_HARNESS_HARNESS_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "protocol/node/node_config.h"
#include "protocol/node/shmem.h"
#include "protocol/os/os.h"
#include "protocol/postmaster/entry_points.h"
#include "protocol/postmaster/ledger.h"
#include "scenarios/harness/wal_scan.h"
#include "sim/os/cluster.h"
#include "sim/world.h"

namespace replsim::scenarios {

enum class Shutdown { kSmart, kFast, kImmediate };

// A file of `host`'s disk as a read there would see it now, or nullopt, read
// without running anything on the host (see PgNode::ReadFile).
std::optional<std::string> ReadHostFile(sim::os_sim::Cluster& cluster, const std::string& host,
                                        const std::string& path);

struct LogLine {
  os::Instant time;
  std::string host;
  std::string process;
  std::string level;
  std::string message;
};

struct WorkloadOptions {
  int sessions = 1;
  int transactions = 10;                      // per session
  os::Duration think_time = os::Milliseconds(10);
  os::Duration interval = os::Milliseconds(100);  // between session starts
  int row_bytes = 8;  // data bytes of each inserted row (workload_tuple.h)
};

class Harness;

class PgNode {
 public:
  PgNode(Harness& h, std::string name);
  PgNode(const PgNode&) = delete;
  PgNode& operator=(const PgNode&) = delete;

  const std::string& name() const { return config_.name; }
  node::NodeConfig& config() { return config_; }
  const node::NodeConfig& config() const { return config_; }
  postmaster::EntryPoints& entry_points() { return entry_; }

  // initdb (BootStrapXLOG) into config().data_dir.
  absl::Status InitDb();
  // Spawns PostmasterMain with entry_points() (and the harness's session queue).
  void Start();
  // pg_ctl stop -m smart|fast|immediate: SIGTERM / SIGINT / SIGQUIT.
  void Stop(Shutdown mode);
  // pg_ctl reload: SIGHUPs the postmaster, which re-reads config().gucs
  // (the configuration files as they are now).
  void Reload();
  // pg_ctl promote: writes "promote", SIGUSR1s the postmaster.
  absl::Status Promote();
  // standby_mode and primary_conninfo "host=<upstream> port=5432" as the
  // release takes them (node/recovery_conf.h): recovery.conf before 12,
  // standby.signal + postgresql.auto.conf from 12.
  // With `stream` false, no primary_conninfo: an archive-only standby.
  absl::Status ConfigureStandby(const PgNode& upstream, bool stream = true);
  // pg_basebackup's result, made the simple way: this node's data directory
  // becomes a copy of `upstream`'s pg_control and WAL directory (history files
  // included), WAL cut at upstream's flush pointer (only durable-on-upstream
  // WAL is ever in a backup). Starting it as a standby then recovers
  // from upstream's last checkpoint and streams the rest. Fails as
  // pg_basebackup does when a write or fsync of the copy fails.
  absl::Status BaseBackupFrom(PgNode& upstream);
  void CrashHost();
  void RestartHost();
  // Starts a client driver that asks for `sessions` sessions, `interval` apart,
  // each from the postmaster running when it starts (none: refused).
  void Workload(const WorkloadOptions& w);
  // A client runs SELECT pg_switch_wal() (pg_switch_xlog() before 10).
  void SwitchWal();

  // pg_control as on disk now; ControlFile() CHECKs that it is there and
  // valid (for scripted tests), ReadControlFile() says why not.
  absl::StatusOr<node::ControlFileData> ReadControlFile() const;
  node::ControlFileData ControlFile() const;
  // The node's local WAL from pg_control's checkpoint on (the current
  // timeline of that checkpoint); empty without a valid pg_control.
  WalScan ScanWal(wal::XLogRecPtr from) const;
  // A file of this node's disk as a read would see it now, or nullopt; read
  // without running anything on the node.
  std::optional<std::string> ReadFile(const std::string& path) const;

  os::Pid postmaster_pid() const { return postmaster_pid_; }
  bool running() const;
  std::optional<os::ChildExit> postmaster_exit() const;
  // When the postmaster last started exited, if it has.
  std::optional<os::Instant> postmaster_exited_at() const { return *postmaster_exited_at_; }
  node::ShmemRef shmem() const { return shmem_; }

  std::vector<LogLine> Logs() const;
  bool HasLog(std::string_view substring) const;
  void ExpectLog(std::string_view substring) const;
  // "PM_STARTUP", "PM_RUN", ... in the order the postmaster entered them.
  std::vector<std::string> PMStates() const;

 private:
  // Runs `body` as a process named `name` on this node's host until it
  // exits. A body that returns an error text exits 1, and RunHelper
  // returns "<name>: error: <text>"; one still running after 60 s is an
  // error too.
  absl::Status RunHelper(std::string name, std::function<os::Task<std::string>(os::Os&)> body);

  Harness& h_;
  node::NodeConfig config_;
  postmaster::EntryPoints entry_;
  std::shared_ptr<postmaster::SessionQueue> sessions_;
  node::ShmemRef shmem_;
  os::Pid postmaster_pid_ = 0;
  std::shared_ptr<std::optional<os::Instant>> postmaster_exited_at_ =
      std::make_shared<std::optional<os::Instant>>();
  int next_session_ = 1;
};

class Harness {
 public:
  Harness(uint64_t seed, std::string_view profile);
  // A behaviour built from a profile plus switch overrides, and the
  // cluster's network and fault-point settings.
  Harness(uint64_t seed, node::Behavior behavior,
          sim::os_sim::ClusterConfig config = sim::os_sim::ClusterConfig(),
          bool keep_trace = false);
  // Sees every trace event (the harness keeps log lines through the
  // cluster's log sink, whether or not one is set).
  void set_trace_sink(sim::Trace::Sink sink) {
    extra_sink_ = std::move(sink);
    InstallTraceSink();
  }
  ~Harness();

  // The host settings (clock, disk) of nodes created from now on.
  void set_host_config(sim::host::HostConfig c) { host_config_ = c; }
  // The node on host `name`, created (with its host) on first use.
  PgNode& Node(std::string_view name);
  // The node on host `name` if it was created, else null (a read-only look).
  const PgNode* FindNode(std::string_view name) const;

  void RunFor(os::Duration d);
  // Runs until pred() holds (checked every 10 ms of virtual time) or
  // `limit` passes; returns pred().
  bool RunUntil(const std::function<bool()>& pred, os::Duration limit = os::Seconds(600));
  bool RunUntilExited(const PgNode& n, os::Duration limit = os::Seconds(600));

  const std::vector<LogLine>& logs() const { return logs_; }
  postmaster::CommitLedger& ledger() { return *ledger_; }
  std::shared_ptr<postmaster::CommitLedger> ledger_ref() { return ledger_; }
  const node::Behavior& behavior() const { return behavior_; }
  sim::World& world() { return *world_; }
  sim::os_sim::Cluster& cluster() { return *cluster_; }

 private:
  void InstallTraceSink();
  sim::host::HostConfig host_config_;
  node::Behavior behavior_;
  std::unique_ptr<sim::World> world_;
  std::unique_ptr<sim::os_sim::Cluster> cluster_;
  std::vector<LogLine> logs_;
  sim::Trace::Sink extra_sink_;
  std::shared_ptr<postmaster::CommitLedger> ledger_;
  absl::btree_map<std::string, std::unique_ptr<PgNode>, std::less<>> nodes_;
};

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_HARNESS_HARNESS_H_
