// File: tools/crash_handler.h
//
// What `run` and `replay` do when replsim itself crashes in the middle of a
// run (a CHECK in the model, a fatal signal): the crash is a bug in replsim,
// never a finding, and it is reported as one: the seed, how it died, the
// command that reproduces it, and the trace written up to the crash (the
// handler flushes what was streamed). The process then exits with 3.
//
// REPLSIM_SELFTEST_CRASH_AFTER_EVENTS=N makes a run CHECK-fail at its N-th
// trace event, so tests can show all of this without a real bug to hand.
#ifndef REPLSIM_TOOLS_CRASH_HANDLER_H_
#define REPLSIM_TOOLS_CRASH_HANDLER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "sim/trace.h"

namespace replsim::tools {

// `report`: printed to stdout when a fatal signal arrives; `finish` runs
// first (ends and flushes the trace file). Stays installed until exit.
void InstallCrashHandler(std::string report, std::function<void()> finish);

// The self-test's event limit (0: none), read once from the environment.
uint64_t SelftestCrashAfterEvents();
// Wraps `sink` so that the N-th event CHECK-fails (when the self-test asks).
std::function<void(const sim::TraceEvent&)> WithSelftestCrash(
    std::function<void(const sim::TraceEvent&)> sink);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_CRASH_HANDLER_H_
