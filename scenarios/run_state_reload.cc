// The reload step: the operator edits the node's configuration and runs
// pg_ctl reload (scenario.proto's ReloadConfig). The settings stay the
// node's for every later start; a running postmaster gets SIGHUP and
// re-reads them (PgNode::Reload), and each of its processes takes them at
// its own reload point.
#include "scenarios/run_state.h"

namespace replsim::scenarios {

void RunState::PlayReload(const ReloadConfig& r) {
  PgNode& n = t_.Node(r.node());
  for (const Setting& set : r.settings()) {
    // The loader took these values (CheckReloadSettings).
    (void)n.config().gucs.Set(set.name(), set.value());
  }
  if (n.running()) n.Reload();
}

}  // namespace replsim::scenarios
