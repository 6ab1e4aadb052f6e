// File: tools/real_runner.h
//
// One run of a scenario on real PostgreSQL 15 (`replsim real`): the steps
// in order, each after its delay (drawn uniformly in [min, max] from the run
// number, so run N waits the same as the last time), the workload as
// pgbench sessions inserting rows of the scenario's size with its think
// time, and at the end the run's outcome record (tools/outcome.h) from the
// servers' logs, pg_controldata, their timeline history files and the LSNs
// the run took at its stops and promotions. A step that fails (a server
// that does not start, a stop past its timeout, a catch-up that does not
// come) ends the run, as in the simulator. Everything is stopped and
// removed before RunReal returns, also when interrupted.
#ifndef REPLSIM_TOOLS_REAL_RUNNER_H_
#define REPLSIM_TOOLS_REAL_RUNNER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "scenarios/scenario.pb.h"
#include "tools/outcome.h"

namespace replsim::tools::real {

struct RealRunOptions {
  std::string bindir;  // FindPostgres15()
  int run = 1;         // the run's number, from 1
  // An initdb'd data directory (with replsim.conf included) that primaries
  // copy instead of running initdb; empty: initdb each time.
  std::string template_dir;
  // Told the run's temporary directory as soon as it exists.
  std::function<void(const std::string&)> on_dir;
};

struct RealRunResult {
  RunOutcome outcome;
  std::string failure;  // the step that failed and why; empty when all ran
  std::map<std::string, std::string> logs;  // node -> server log
  double seconds = 0;
};

// An initdb'd data directory in a temporary directory of its own, for
// RealRunOptions::template_dir; removed by the destructor.
class DataDirTemplate {
 public:
  static absl::StatusOr<std::unique_ptr<DataDirTemplate>> Make(const std::string& bindir);
  ~DataDirTemplate();
  const std::string& datadir() const { return datadir_; }

 private:
  std::string dir_, datadir_;
};

// Cancelled when interrupted (after cleaning up); other errors when
// PostgreSQL's programs could not be run at all.
absl::StatusOr<RealRunResult> RunReal(const scenarios::Scenario& s, const RealRunOptions& o);

}  // namespace replsim::tools::real

#endif  // REPLSIM_TOOLS_REAL_RUNNER_H_
