// File: scenarios/archive_scenario.h
//
// A scenario's WAL archive (scenario.proto's `archive`) in a run: the
// archive host and its server at the start, the archive_fault step, and the
// ARCHIVE_PREFIX checker. (The loader's checks: archive_load.h.)
//
// ARCHIVE_PREFIX, at the end of the run:
//  - every WAL segment in the archive directory is a byte prefix of that
//    segment on each node that still has it: page by page over the pages
//    both hold, skipping the node's pages whose header is not this
//    segment's (recycled or never written), so a torn or stale copy in
//    the archive shows as a page that differs;
//  - every timeline after the first with a segment in the archive has its
//    history file there too (what a restore would need to follow it).
#ifndef REPLSIM_SCENARIOS_ARCHIVE_SCENARIO_H_
#define REPLSIM_SCENARIOS_ARCHIVE_SCENARIO_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "protocol/archive/archive_server.h"
#include "scenarios/harness/harness.h"
#include "scenarios/runner.h"
#include "scenarios/scenario.pb.h"
#include "scenarios/archive_load.h"
#include "sim/rng.h"

namespace replsim::scenarios {

// The archive host of one run.
class ArchiveHost {
 public:
  // The archive of scenario `s` (which has one); adds its host.
  ArchiveHost(Harness& t, const Scenario& s);
  // The host, its directory and its server (as at boot).
  void Start();
  // Plays an archive_fault step; returns when the step is done.
  void Fault(const ArchiveFault& f, sim::Rng& rng);
  std::vector<Violation> CheckArchivePrefix();

 private:
  Harness& t_;
  std::string host_;
  std::string dir_;
  std::vector<std::string> nodes_;  // the scenario's nodes, in its order
  std::shared_ptr<archive::ArchiveServerFaults> faults_ =
      std::make_shared<archive::ArchiveServerFaults>();
};

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_ARCHIVE_SCENARIO_H_
