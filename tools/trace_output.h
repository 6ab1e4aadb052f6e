// File: tools/trace_output.h
//
// Writes a run's trace as text (one line per event, PostgreSQL's vocabulary:
// LSNs as X/X), JSON lines, or Chrome trace-event JSON that Perfetto and
// chrome://tracing open (hosts as processes, PostgreSQL processes as threads,
// events as instants at their virtual time).
#ifndef REPLSIM_TOOLS_TRACE_OUTPUT_H_
#define REPLSIM_TOOLS_TRACE_OUTPUT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "sim/trace.h"

namespace replsim::tools {

// "text", "json" or "perfetto"; InvalidArgument names the expected values.
absl::Status WriteTrace(const std::vector<sim::TraceEvent>& events,
                        const std::string& format, const std::string& path);

std::string TraceEventToJson(const sim::TraceEvent& e);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_TRACE_OUTPUT_H_
