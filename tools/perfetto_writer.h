// File: tools/perfetto_writer.h
//
// A run as Chrome trace-event JSON, for ui.perfetto.dev and chrome://tracing:
// - a process per node and a track (thread) per PostgreSQL process, named
//   "postmaster 2", "walsender 14" (a backend is renamed once it serves
//   replication), and one for the node's kernel (tcp, disk);
// - slices for each process's lifetime, the postmaster's pmState and a
//   walsender's WalSndState (startup; catchup from its CopyBothResponse;
//   streaming from "has now caught up"; stopping from SIGUSR2);
// - a flow (arrow) per protocol message from its sender's track to its
//   reader's, matched by connection and byte offset;
// - counters per node for the LSNs it sent, received, wrote, flushed and
//   applied;
// - events named by what they are ("LOG: redo done at 0/1001608",
//   "SIGTERM -> 6", "XLogData 0/1001630..0/10016A8"), and a violation as a
//   global instant.
// It streams: each event is written as the run emits it, and Finish closes
// what is still open at the last time seen.
#ifndef REPLSIM_TOOLS_PERFETTO_WRITER_H_
#define REPLSIM_TOOLS_PERFETTO_WRITER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "sim/trace.h"

namespace replsim::tools {

class PerfettoWriter {
 public:
  // `emit` receives each JSON object of the "traceEvents" array.
  explicit PerfettoWriter(std::function<void(const std::string&)> emit)
      : emit_(std::move(emit)) {}

  void Write(const sim::TraceEvent& e);
  // A global instant (a violation) at `time_ns`.
  void Mark(int64_t time_ns, const std::string& name, const std::string& text);
  // Ends every slice still open.
  void Finish();

 private:
  struct Track {
    int pid = 0;
    int tid = 0;
    std::vector<std::string> open;  // slices begun and not ended, innermost last
    bool walsender = false;         // a backend renamed once it served replication
  };
  Track& TrackOf(const sim::TraceEvent& e);
  int HostPid(const std::string& host);
  void Name(const Track& t, const std::string& name);
  void Slice(Track& t, const char* ph, const std::string& name, int64_t ns);
  // Ends the track's state slice, if one is open, and begins `name`.
  void State(Track& t, const std::string& name, int64_t ns);
  void Instant(const Track& t, const std::string& name, int64_t ns, const std::string& args);
  void Message(const sim::TraceEvent& e, Track& t);
  void Counter(int pid, const std::string& series, uint64_t value, int64_t ns);

  std::function<void(const std::string&)> emit_;
  absl::btree_map<std::string, int> hosts_;
  absl::btree_map<std::string, Track> tracks_;  // "host/pid" or "host/kernel"
  absl::btree_map<std::string, std::vector<int>> live_;  // "host/name" -> pids
  absl::btree_map<uint64_t, uint64_t> peer_;  // socket -> its peer
  int64_t last_ns_ = 0;
  int unknown_tids_ = 0;  // tracks of processes whose pid the trace does not say
};

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_PERFETTO_WRITER_H_
