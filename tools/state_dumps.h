// File: tools/state_dumps.h
//
// What a PostgreSQL person runs on a data directory at a moment of a run:
// for each node, pg_controldata over its pg_control (tools/controldata_text.h)
// and pg_waldump (pg_xlogdump before 10) over its WAL around the LSNs that
// matter (tools/waldump_text.h), as the node's disk has them then (what a
// read there would see, page cache included). Written as DIR/NODE.pg_controldata
// and DIR/NODE.pg_waldump (NODE.pg_xlogdump) by `run`/`replay --dump-at T`,
// and at the first violation.
//
// The moment is the first trace event after T (or the end of the run): the
// dumper is a trace sink that reads the nodes' disks through the harness
// (RunOptions::on_start), which draws nothing and changes nothing, so the run
// and its fingerprint are the same with or without it.
//
//   StateDumps d(nodes, at_ns, interesting_lsns);
//   d.Attach(&options);            // sink, on_start, on_end
//   RunScenario(...);
//   d.Write(dir);
#ifndef REPLSIM_TOOLS_STATE_DUMPS_H_
#define REPLSIM_TOOLS_STATE_DUMPS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "protocol/wal/lsn.h"
#include "scenarios/runner.h"

namespace replsim::tools {

// Every "X/X" WAL position in `text` (a violation's message).
std::vector<wal::XLogRecPtr> LsnsIn(const std::string& text);

class StateDumps {
 public:
  // `nodes`: the scenario's node names; `at_ns`: dump as of the first event
  // after this virtual time; `interesting`: LSNs whose records the WAL
  // listings keep (with pg_control's checkpoint, redo and minimum recovery
  // point, which are always kept); `why`: said in each file's first line.
  StateDumps(std::vector<std::string> nodes, int64_t at_ns,
             std::vector<wal::XLogRecPtr> interesting, std::string why);

  // Chains the dumper into options->sink and sets on_start and on_end.
  void Attach(scenarios::RunOptions* options);
  // InvalidArgument names a file that cannot be written. Nothing is written
  // when the run never started a node.
  absl::Status Write(const std::string& dir) const;
  bool taken() const { return taken_; }

 private:
  struct NodeDump {
    std::string name, controldata, waldump, waldump_name;
  };
  void Take(const scenarios::Harness& h, int64_t now_ns);
  std::string WalListing(const scenarios::Harness& h, const std::string& node) const;

  std::vector<std::string> nodes_;
  int64_t at_ns_;
  std::vector<wal::XLogRecPtr> interesting_;
  std::string why_;
  const scenarios::Harness* harness_ = nullptr;
  bool taken_ = false;
  std::vector<NodeDump> dumps_;
};

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_STATE_DUMPS_H_
