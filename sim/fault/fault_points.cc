#include "sim/fault/fault_points.h"


namespace replsim::sim::fault {

FaultPoints::Point& FaultPoints::Get(std::string_view name) {
  auto it = points_.find(name);
  if (it != points_.end()) return it->second;
  Point p;
  p.fire = config_.fire;
  p.enabled = config_.enabled &&
              Bernoulli(world_.Stream("fault_point/" + std::string(name)), config_.enable);
  return points_.emplace(std::string(name), p).first->second;
}

bool FaultPoints::Fire(std::string_view name, std::string_view host,
                       std::string_view process) {
  Point& p = Get(name);
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
