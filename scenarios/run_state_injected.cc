// RunState's view of the faults a nemesis or trigger injected
// (fault_injector.h): they count as a step's faults do. A kill joins kills_
// (WhyNotStreaming then sees a process told to end that has not yet); a
// crashed host that came back gets a crash step's checks; and any injected
// fault that touched the stopped primary or one of its standbys between
// the stop's beginning and the promotion puts the run outside
// CLEAN_SWITCHOVER's precondition, which the violation then says.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "scenarios/run_state.h"

namespace replsim::scenarios {

void RunState::OnInjected(const InjectedFault& f) {
  if (f.kill_pid != 0) kills_.push_back({f.kill_node, f.kill_process, f.kill_pid});
  if (f.host_restarted && !f.nodes.empty()) {
    if (Checking(WAL_PREFIX)) CheckStandbysWithinDurableWal(f.nodes.front());
    if (Checking(REPLAY_NOT_PAST_DURABLE) && f.replayed_at_crash.has_value()) {
      CheckReplayWithinDurableWal(f.nodes.front(), *f.replayed_at_crash);
    }
  }
}

std::string RunState::InjectedSince(os::Instant since,
                                    const std::vector<std::string>& nodes) const {
  if (injector_ == nullptr) return "";
  for (const InjectedFault& f : injector_->fired()) {
    if (f.time < since) continue;
    if (nodes.empty()) return f.what;
    for (const std::string& n : f.nodes) {
      if (std::find(nodes.begin(), nodes.end(), n) != nodes.end()) return f.what;
    }
  }
  return "";
}

std::vector<std::string> RunState::WithStandbys(const std::string& primary) const {
  std::vector<std::string> nodes = {primary};
  for (const auto& [standby, up] : upstream_) {
    if (up == primary) nodes.push_back(standby);
  }
  return nodes;
}

}  // namespace replsim::scenarios
