// File: tools/node_logs.h
//
// `--logs DIR`: per node, DIR/NODE.log, the server log the node would have
// written with log_line_prefix = '%m [%p] %b: ' and the default
// log_min_messages (DEBUG lines are left out):
//
//   2000-01-01 00:00:00.142 UTC [14] walsender: FATAL:  terminating ...
//
// %m is the virtual time counted from 2000-01-01 00:00:00 UTC (PostgreSQL's
// epoch; hosts' clock offsets are not in the trace), %p the process's pid,
// %b its backend type as PostgreSQL 13+ names it ("client backend" for a
// backend, "walsender" once it serves replication). The message texts are
// the modelled release's, as the processes logged them.
#ifndef REPLSIM_TOOLS_NODE_LOGS_H_
#define REPLSIM_TOOLS_NODE_LOGS_H_

#include <cstdint>
#include <string>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/status/status.h"
#include "sim/trace.h"

namespace replsim::tools {

class NodeLogs {
 public:
  void Add(const sim::TraceEvent& e);
  // Writes DIR/NODE.log for every node that logged; creates DIR.
  absl::Status Write(const std::string& dir) const;
  // A node's log so far ("" if none).
  std::string LogOf(const std::string& node) const;

 private:
  absl::btree_map<std::string, std::string> logs_;          // node -> text
  absl::btree_set<std::pair<std::string, int>> walsenders_;  // (node, pid)
};

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_NODE_LOGS_H_
