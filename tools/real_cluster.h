// File: tools/real_cluster.h
//
// The servers of one real run: a data directory, log file and TCP port on
// 127.0.0.1 per node, all under one temporary directory, driven the way an
// operator drives PostgreSQL 15 (initdb, pg_basebackup, pg_ctl start, stop
// and promote, standby.signal with primary_conninfo, kill by process
// title), and queried through psql over a Unix socket in the same
// directory. Each node's own settings and replsim's (port, addresses,
// cluster_name = the node's name, log_line_prefix '%m [%p] %b: ') are in
// DATADIR/replsim.conf, which postgresql.conf includes; a base backup's copy
// of its upstream's is replaced. The destructor stops every server
// (immediate), kills whatever is left under the directory and removes it.
#ifndef REPLSIM_TOOLS_REAL_CLUSTER_H_
#define REPLSIM_TOOLS_REAL_CLUSTER_H_

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "scenarios/scenario.pb.h"
#include "tools/real_proc.h"

namespace replsim::tools::real {

class RealCluster {
 public:
  RealCluster(std::string bindir, RunAs who, std::string dir);
  ~RealCluster();
  RealCluster(const RealCluster&) = delete;
  RealCluster& operator=(const RealCluster&) = delete;

  void AddNode(const scenarios::Node& spec);
  const std::string& dir() const { return dir_; }

  // initdb, or a copy of `template_dir` (an initdb'd data directory) when
  // given: initdb takes seconds on a loaded machine, the copy a fraction.
  absl::Status InitDb(const std::string& node, const std::string& template_dir = "");
  absl::Status BaseBackup(const std::string& node, const std::string& upstream);
  // standby.signal and primary_conninfo pointing at `upstream`.
  absl::Status ConfigureStandby(const std::string& node, const std::string& upstream);
  // pg_ctl start; done when the log says the server accepts connections or
  // entered standby mode (as the simulator's start step), or it exited.
  absl::Status Start(const std::string& node);
  // pg_ctl stop -m MODE -t timeout; DeadlineExceeded past it.
  absl::Status Stop(const std::string& node, scenarios::StopNode::Mode mode,
                    absl::Duration timeout);
  absl::Status Promote(const std::string& node);
  // kill -SIGNAL the first process of `node` whose PostgreSQL name is
  // `process`; OK and nothing done when there is none.
  absl::Status Kill(const std::string& node, const std::string& process,
                    const std::string& signal);
  // One value (psql -At), or an error when the server does not answer.
  absl::StatusOr<std::string> Query(const std::string& node, const std::string& sql);

  bool Running(const std::string& node) const;
  bool HasDataDir(const std::string& node) const;
  std::string Log(const std::string& node) const;
  std::string DataDir(const std::string& node) const;
  std::string ControlData(const std::string& node);
  // "Database cluster state", "Latest checkpoint location", ... or "".
  static std::string ControlField(const std::string& field,
                                  const std::string& control_data);
  std::string SocketDir() const { return dir_; }
  int Port(const std::string& node) const;
  std::string Bin(const std::string& program) const { return bindir_ + "/" + program; }
  const RunAs& who() const { return who_; }

  // Stops everything and removes the directory (also done by the
  // destructor). Returns the pids it had to SIGKILL.
  std::vector<pid_t> Cleanup();

 private:
  struct RealNode {
    scenarios::Node spec;
    std::string datadir, logfile;
    int port = 0;
    std::string upstream;  // when a standby
  };
  absl::StatusOr<ProcResult> Program(const std::string& node, std::vector<std::string> argv,
                                     absl::Duration timeout);
  absl::Status WriteConf(const std::string& node);
  std::optional<pid_t> PostmasterPid(const std::string& node) const;

  std::string bindir_;
  RunAs who_;
  std::string dir_;
  std::map<std::string, RealNode> nodes_;
  bool cleaned_ = false;
  int next_out_ = 0;
};

// A TCP port on 127.0.0.1 nobody listens on now.
int PickFreePort();

}  // namespace replsim::tools::real

#endif  // REPLSIM_TOOLS_REAL_CLUSTER_H_
