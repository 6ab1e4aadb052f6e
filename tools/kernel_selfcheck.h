// File: tools/kernel_selfcheck.h
//
// What `replsim suite` runs until the scenario suite exists: a small world of
// processes passing a token through events with random delays and a random
// kill, run twice per seed to check that the kernel is deterministic. It is a
// stand-in for scenarios, and says so in its output.
#ifndef REPLSIM_TOOLS_KERNEL_SELFCHECK_H_
#define REPLSIM_TOOLS_KERNEL_SELFCHECK_H_

#include <cstdint>

namespace replsim::tools {

struct SelfCheckRun {
  uint64_t fingerprint = 0;
  uint64_t unseed = 0;
  uint64_t events = 0;
  int64_t end_time_ns = 0;
};

SelfCheckRun RunKernelSelfCheck(uint64_t seed);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_KERNEL_SELFCHECK_H_
