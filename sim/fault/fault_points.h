// File: sim/fault/fault_points.h
//
// Named fault points in code (FoundationDB's BUGGIFY): a process asks
// Os::FaultPoint("walsender_slow_flush") and gets true when the fault fires.
// Per run, each name is enabled or not on its first use, with probability
// `enable` (about 1/4) drawn from its own stream "fault_point/<name>"; an
// enabled point then fires with probability `fire` at each use, from the same
// stream. So adding a fault point never shifts another's draws. Every firing
// is traced (kind "fault_point_fired").
#ifndef REPLSIM_SIM_FAULT_FAULT_POINTS_H_
#define REPLSIM_SIM_FAULT_FAULT_POINTS_H_

#include <string>
#include <string_view>

#include "absl/container/btree_map.h"
#include "sim/distributions.h"
#include "sim/world.h"

namespace replsim::sim::fault {

struct FaultPointConfig {
  // false: no point ever fires and no stream is drawn from (a run without
  // BUGGIFY). Off unless asked for: a scenario turns it on with
  // `fault_points { enabled: true }` (protocol/os/fault_points.h lists the
  // points), so runs without it keep their draws and fingerprints.
  bool enabled = false;
  Ratio enable{1, 4};
  Ratio fire{1, 4};
};

class FaultPoints {
 public:
  explicit FaultPoints(World& world, FaultPointConfig config = FaultPointConfig())
      : world_(world), config_(config) {}

  bool Fire(std::string_view name, std::string_view host, std::string_view process);
  // Tests and scenarios: force a point on (firing with `fire`) or off.
  void Force(std::string_view name, bool enabled, Ratio fire = {1, 1});

 private:
  struct Point {
    bool enabled = false;
    Ratio fire;
  };
  // The point, created (and its enable drawn) on first use under BUGGIFY.
  const Point& Get(std::string_view name);

  World& world_;
  FaultPointConfig config_;
  absl::btree_map<std::string, Point, std::less<>> points_;
};

}  // namespace replsim::sim::fault

#endif  // REPLSIM_SIM_FAULT_FAULT_POINTS_H_
