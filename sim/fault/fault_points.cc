#include "sim/fault/fault_points.h"

namespace replsim::sim::fault {

const FaultPoints::Point& FaultPoints::Get(std::string_view name) {
  auto it = points_.find(name);
  if (it != points_.end()) return it->second;
  // Without BUGGIFY an unforced point is off and draws nothing: not kept, so
  // that a run with nothing forced never looks a name up (Fire).
  static const Point off;
  if (!config_.enabled) return off;
  Point p;
  p.fire = config_.fire;
  p.enabled = Bernoulli(world_.Stream("fault_point/" + std::string(name)), config_.enable);
  return points_.emplace(std::string(name), p).first->second;
}

bool FaultPoints::Fire(std::string_view name, std::string_view host,
                       std::string_view process) {
  // Without BUGGIFY only a forced point can fire; most runs force none.
  if (!config_.enabled && points_.empty()) return false;
  const Point& p = Get(name);
  if (!p.enabled) return false;
  if (!Bernoulli(world_.Stream("fault_point/" + std::string(name)), p.fire)) {
    return false;
  }
  world_.trace()
      .Emit(world_.now(), host, process, "fault_point_fired", Severity::kWarning)
      .Str("point", name);
  return true;
}

void FaultPoints::Force(std::string_view name, bool enabled, Ratio fire) {
  points_.insert_or_assign(std::string(name), Point{enabled, fire});
}

}  // namespace replsim::sim::fault
