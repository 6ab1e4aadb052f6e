// File: sim/trace.h
//
// The run's trace: every observable step (a process starting or exiting, a
// message sent or delivered, an fsync, a signal, a fault) is one structured
// event: virtual time, host, process, kind, and typed fields. The fingerprint
// is a TraceHasher (sim/trace_hash.h) over every event in order, so two runs
// of the same (scenario, seed, profile) must end with the same fingerprint.
//
// Events are hashed as they are emitted. They are kept in memory only when
// asked (replay, tests); sweeps keep nothing but the hash. A sink, if set, sees
// each event as it is committed (streaming output, online checkers).
//
//   trace.Emit(now, "primary", "walsender", "send")
//       .Lsn("start", sentPtr).Int("bytes", n);
//
// Kinds and field keys are stable names (snake_case); renaming one changes
// every fingerprint, which is fine but should be deliberate.
#ifndef REPLSIM_SIM_TRACE_H_
#define REPLSIM_SIM_TRACE_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "protocol/os/time.h"
#include "sim/trace_hash.h"

namespace replsim::sim {

enum class Severity : uint8_t { kInfo = 0, kWarning = 1, kError = 2 };

struct TraceField {
  enum class Type : uint8_t { kInt, kUint, kString, kBool, kLsn, kDuration };
  std::string key;
  Type type = Type::kInt;
  int64_t i = 0;      // kInt, kDuration (nanoseconds)
  uint64_t u = 0;     // kUint, kLsn, kBool
  std::string s;      // kString
};

struct TraceEvent {
  os::Instant time;
  Severity severity = Severity::kInfo;
  std::string host;
  std::string process;
  std::string kind;
  std::vector<TraceField> fields;
  // The emitting process's pid, 0 for the simulator's own (tcp, disk):
  // for viewers that tell a host's backends apart. Neither hashed nor in the
  // text line (the pid is in the process's process_start event).
  int32_t pid = 0;

  const TraceField* Find(std::string_view key) const;
};

// "%X/%X", as PostgreSQL prints an XLogRecPtr.
std::string FormatLsn(uint64_t lsn);
// One line: "    12.000100000 primary walsender send start=0/3000000 bytes=8192".
// A string value is written as is when it is a plain word, and otherwise
// (empty; a space, '"', '\\', '=' or a control character in it) in double
// quotes with \" \\ \n \t \r and \xNN escapes (QuoteTraceString), so every
// event is one line and every value reads back unambiguously:
//   msg="could not connect: \"x\"\n\tIs the server running ...?"
// Only the text changes: the fingerprint hashes the raw values.
std::string FormatTraceEvent(const TraceEvent& e);
std::string QuoteTraceString(std::string_view s);

class Trace;

// Collects one event's fields; the event is committed when the builder dies.
class TraceBuilder {
 public:
  TraceBuilder(const TraceBuilder&) = delete;
  TraceBuilder& operator=(const TraceBuilder&) = delete;
  ~TraceBuilder();

  TraceBuilder& Int(std::string_view key, int64_t v);
  TraceBuilder& Uint(std::string_view key, uint64_t v);
  TraceBuilder& Str(std::string_view key, std::string_view v);
  TraceBuilder& Bool(std::string_view key, bool v);
  TraceBuilder& Lsn(std::string_view key, uint64_t lsn);
  TraceBuilder& Dur(std::string_view key, os::Duration d);

 private:
  friend class Trace;
  TraceBuilder(Trace* trace, bool materialize, os::Instant time,
               std::string_view host, std::string_view process,
               std::string_view kind, Severity severity, int32_t pid);
  // Hashes the key and type; returns the field to fill when materializing.
  TraceField* Add(std::string_view key, TraceField::Type t);

  Trace* trace_;
  Severity severity_;
  bool hashing_;  // the trace is fingerprinting (see Trace::set_hashing)
  TraceHasher hash_;
  // The event being materialized (one of Trace's scratch events), or null
  // when the event is only hashed.
  TraceEvent* event_;
};

class Trace {
 public:
  using Sink = absl::AnyInvocable<void(const TraceEvent&)>;

  explicit Trace(bool keep_events = false) : keep_events_(keep_events) {}
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  TraceBuilder Emit(os::Instant time, std::string_view host,
                    std::string_view process, std::string_view kind,
                    Severity severity = Severity::kInfo, int32_t pid = 0);

  // The sink sees every event, or only events of kind `only_kind` when it is
  // not empty (the others are then hashed without being materialized, which
  // keeps sweeps fast).
  void set_sink(Sink sink, std::string only_kind = "") {
    sink_ = std::move(sink);
    sink_kind_ = std::move(only_kind);
  }
  void set_keep_events(bool keep) { keep_events_ = keep; }
  // Off, events are counted (and materialized for the sink or when kept) but
  // not hashed, and fingerprint() means nothing. Sweeps turn it off and rerun
  // a failing seed with it on: no other seed's fingerprint is ever shown, and
  // hashing is 7 % of a seed's time. Nothing a run does depends on it.
  void set_hashing(bool on) { hashing_ = on; }
  bool hashing() const { return hashing_; }

  uint64_t fingerprint() const { return hash_.Finish(); }
  uint64_t event_count() const { return count_; }
  uint64_t error_count() const { return errors_; }
  const std::vector<TraceEvent>& events() const { return events_; }

 private:
  friend class TraceBuilder;
  // A scratch event to materialize into, reused so that an event nobody
  // keeps costs no allocation; a stack because a field's value may itself be
  // computed by code that emits.
  TraceEvent* AcquireScratch();
  void Commit(uint64_t event_hash, Severity severity, TraceEvent* event);

  bool keep_events_;
  bool hashing_ = true;
  Sink sink_;
  std::string sink_kind_;
  TraceHasher hash_;
  uint64_t count_ = 0;
  uint64_t errors_ = 0;
  std::vector<TraceEvent> events_;
  std::vector<std::unique_ptr<TraceEvent>> scratch_;
  size_t scratch_depth_ = 0;
};

}  // namespace replsim::sim

#endif  // REPLSIM_SIM_TRACE_H_
