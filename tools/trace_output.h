// File: tools/trace_output.h
//
// Writes a run's trace as text (one line per event, PostgreSQL's vocabulary:
// LSNs as X/X), JSON lines, or Chrome trace-event JSON that Perfetto and
// chrome://tracing open (tools/perfetto_writer.h: hosts as processes,
// PostgreSQL processes as threads with their lifetimes, states and waits as
// slices, messages as flows). A perfetto file's waits come from the run's
// executor, not the trace: pass wait_observer() as RunOptions::wait_observer.
//
// A TraceWriter streams events to its file as the run emits them, so a run
// that crashes replsim still leaves its trace up to the crash (Finish(),
// called from the crash handler, writes what a format needs at its end).
#ifndef REPLSIM_TOOLS_TRACE_OUTPUT_H_
#define REPLSIM_TOOLS_TRACE_OUTPUT_H_

#include <cstdio>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"
#include "absl/status/status.h"
#include <memory>
#include "sim/trace.h"
#include "sim/wait_observer.h"
#include "tools/perfetto_writer.h"

namespace replsim::tools {

class TraceWriter final : public sim::WaitObserver {
 public:
  // "text", "json" or "perfetto"; InvalidArgument names the expected values
  // or the file that cannot be written.
  static absl::StatusOr<std::unique_ptr<TraceWriter>> Open(const std::string& format,
                                                           const std::string& path);
  ~TraceWriter() override;
  void Write(const sim::TraceEvent& e);
  // What a perfetto file draws its wait slices from (RunOptions::
  // wait_observer); null for text and json, which show the trace only.
  sim::WaitObserver* wait_observer() { return perfetto_ != nullptr ? this : nullptr; }
  void WaitBegin(os::Instant t, const std::string& host, const std::string& process,
                 int32_t pid, const sim::WaitInfo& w) override;
  void WaitEnd(os::Instant t, int32_t pid, sim::WaitKind kind) override;
  // A violation: a global instant in a perfetto file; nothing in the others.
  void MarkViolation(int64_t time_ns, const std::string& name, const std::string& text);
  // Ends the file (a perfetto file's closing brackets) and flushes it. Safe
  // to call twice; the crash handler calls it.
  absl::Status Finish();

 private:
  TraceWriter(std::string format, std::string path, FILE* f);
  std::string format_, path_;
  FILE* f_;
  bool first_ = true;
  bool finished_ = false;
  std::unique_ptr<PerfettoWriter> perfetto_;
};

// All of `events` through a TraceWriter.
absl::Status WriteTrace(const std::vector<sim::TraceEvent>& events,
                        const std::string& format, const std::string& path);

std::string TraceEventToJson(const sim::TraceEvent& e);
// The event's fields as one JSON object; LSNs as "X/X" strings.
std::string TraceFieldsJson(const sim::TraceEvent& e);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_TRACE_OUTPUT_H_
