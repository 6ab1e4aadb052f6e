// File: sim/os/test_util.h
//
// Small helpers shared by tests that run processes in a Cluster.
#ifndef REPLSIM_SIM_OS_TEST_UTIL_H_
#define REPLSIM_SIM_OS_TEST_UTIL_H_

#include <string_view>

#include "sim/world.h"

namespace replsim::sim::os_sim {

// Runs the world up to virtual time 0 + d.
inline void RunUntil(World& world, os::Duration d) {
  world.Run({.until = os::Instant() + d});
}

// How many kept trace events have this kind (the World must keep its trace).
inline int CountEvents(World& world, std::string_view kind) {
  int n = 0;
  for (const TraceEvent& e : world.trace().events()) {
    n += e.kind == kind;
  }
  return n;
}

}  // namespace replsim::sim::os_sim

#endif  // REPLSIM_SIM_OS_TEST_UTIL_H_
