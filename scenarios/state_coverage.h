// File: scenarios/state_coverage.h
//
// Protocol-state coverage: which combinations of PostgreSQL process states
// the runs reached, beside the code coverage a guided fuzzer measures. Per
// node, a state is the tuple
//   postmaster pmState x walsender states x walreceiver state x startup phase
// and each fault (a host crash, a FaultPlan fault, an operator's kill of a
// process other than a postmaster shutdown or promote request) is counted
// with the phase each node's postmaster is in when it fires: which shutdown
// phase a fault struck.
//
// It reads only trace events (RunOptions::sink), so any driver can feed it:
// `replsim fuzz` (tools/fuzz_command.cc) and a libFuzzer target alike.
//
//   StateCoverage cov;
//   RunOptions o;
//   o.sink = [&cov](const sim::TraceEvent& e) { cov.Observe(e); };
//   for (seed...) { cov.BeginRun(); RunScenario(s, seed, o); }
//   cov.distinct();  // states and fault phases reached, all runs together
//
// States are keyed by text ("node standby: PM_HOT_STANDBY | walsnd - |
// walrcv streaming | startup stream"; "fault crash_host@primary: primary
// PM_SHUTDOWN, standby PM_HOT_STANDBY"), so sets from several processes
// merge by union (Add). Where a state comes from:
// - pmState: the postmaster's "postmaster state: A -> B" lines; "down"
//   before it starts and after it or its host is gone.
// - walsender, per process: startup at fork, catchup on START_REPLICATION,
//   streaming at "has now caught up", last_cycle on SIGUSR2; the node's
//   value is the sorted set of its walsenders' states.
// - walreceiver: starting at fork, streaming at "started streaming",
//   waiting at "replication terminated by primary server".
// - startup: the last recovery milestone it logged (crash recovery, standby
//   mode, redo, consistent, archive, stream, promote, new timeline, done).
#ifndef REPLSIM_SCENARIOS_STATE_COVERAGE_H_
#define REPLSIM_SCENARIOS_STATE_COVERAGE_H_

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "sim/trace.h"

namespace replsim::scenarios {

class StateCoverage {
 public:
  // Forgets the current run's process states (keeps what was reached).
  void BeginRun();
  // One trace event of the current run, in order.
  void Observe(const sim::TraceEvent& e);

  // A key reached elsewhere (another worker's); true when it is new here.
  bool Add(const std::string& key);
  // Called with every key the current run reaches, each time it does,
  // whether or not an earlier run reached it: a guided fuzzer's per-run
  // feature (tools/libfuzzer feeds it to libFuzzer's counters).
  void set_on_reach(std::function<void(const std::string&)> f) { on_reach_ = std::move(f); }
  // Node-state tuples, fault phases, and both.
  size_t node_states() const { return node_states_; }
  size_t fault_phases() const { return keys_.size() - node_states_; }
  size_t distinct() const { return keys_.size(); }
  const absl::btree_set<std::string>& keys() const { return keys_; }
  // The keys reached since the last call, in the order reached (a driver
  // forwards them to another process, or treats an input that reached any
  // as interesting).
  std::vector<std::string> TakeNew() { return std::exchange(new_, {}); }

 private:
  struct NodeState {
    std::string pm = "down";
    absl::btree_map<int32_t, std::string> walsenders;  // pid -> state
    std::string walrcv = "-";
    std::string startup = "-";
  };
  void Reach(const std::string& key);
  void Record(const std::string& node);
  void RecordFault(const std::string& what);
  void ProcessGone(NodeState& n, const std::string& process, int32_t pid);

  absl::btree_map<std::string, NodeState> nodes_;
  absl::btree_map<int32_t, std::string> process_of_;  // pid -> name, this run
  absl::btree_set<std::string> keys_;
  std::vector<std::string> new_;
  std::function<void(const std::string&)> on_reach_;
  size_t node_states_ = 0;
};

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_STATE_COVERAGE_H_
