// File: tools/perfetto_writer.h
//
// A run as Chrome trace-event JSON, for ui.perfetto.dev and chrome://tracing:
// - a process per node and a track (thread) per PostgreSQL process, named
//   "postmaster 2", "walsender 14" (a backend is renamed once it serves
//   replication), and one for the node's kernel (tcp, disk);
// - slices, nested on each process's track, outermost first: its lifetime;
//   a shutdown phase (the postmaster's "fast shutdown" from its request to
//   its exit, the checkpointer's shutdown checkpoint); its state (the
//   postmaster's pmState; a walsender's WalSndState: startup; catchup from
//   its CopyBothResponse; streaming from "has now caught up"; stopping from
//   SIGUSR2); and its waits, named by PostgreSQL's wait events
//   (tools/perfetto_wait_names.h), with "CPU: waiting for a core" and
//   "stopped (SIGSTOP)" inside them;
// - a flow (arrow) per protocol message from its sender's track to its
//   reader's, matched by connection and byte offset;
// - counters per node for the LSNs it sent, received, wrote, flushed and
//   applied;
// - events named by what they are ("LOG: redo done at 0/1001608",
//   "SIGTERM -> 6", "XLogData 0/1001630..0/10016A8"), and a violation as a
//   global instant.
//
// Trace events come through Write; waits through the sim::WaitObserver
// interface (attach it to the run's executor: RunOptions::wait_observer),
// outside the trace, so the trace and its fingerprint are the same with or
// without it.
//
// Slices on a track always nest, as Perfetto requires: when one that is
// not innermost ends (a state changes while the process waits, a CPU wait
// ends while it is stopped), the ones inside it end too and begin again at
// that instant. A slice is written once time passed in it, so every slice
// lasts: a call that returned at once, or a state that changed again at the
// same instant, leaves none.
// It streams: each event is written as the run emits it (per track in time
// order), and Finish closes what is still open at the last time seen.
#ifndef REPLSIM_TOOLS_PERFETTO_WRITER_H_
#define REPLSIM_TOOLS_PERFETTO_WRITER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "sim/trace.h"
#include "sim/wait_observer.h"

namespace replsim::tools {

class PerfettoWriter final : public sim::WaitObserver {
 public:
  // `emit` receives each JSON object of the "traceEvents" array.
  explicit PerfettoWriter(std::function<void(const std::string&)> emit)
      : emit_(std::move(emit)) {}

  void Write(const sim::TraceEvent& e);
  // A global instant (a violation) at `time_ns`.
  void Mark(int64_t time_ns, const std::string& name, const std::string& text);
  // Ends every slice still open.
  void Finish();

  // sim::WaitObserver
  void WaitBegin(os::Instant t, const std::string& host, const std::string& process,
                 int32_t pid, const sim::WaitInfo& w) override;
  void WaitEnd(os::Instant t, int32_t pid, sim::WaitKind kind) override;

 private:
  // Nesting levels of a track's slices, outermost first.
  enum Layer { kLifetime, kPhase, kState, kWait };
  struct Slice {
    std::string name;
    Layer layer = kWait;
    sim::WaitKind kind = sim::WaitKind::kLatchOrSocket;  // kWait
    std::string args;      // a JSON object, or ""
    int64_t since = 0;     // ns
    bool shown = false;    // its "B" is written
  };
  struct Track {
    int pid = 0;
    int tid = 0;
    std::vector<Slice> open;  // innermost last; layers never decrease
    bool walsender = false;   // a backend renamed once it served replication
    std::string last_log;     // and when: what names a wait begun right after
    int64_t last_log_ns = -1;
    std::string written_tmp;  // the xlogtemp file it last wrote
  };
  Track& TrackOf(const sim::TraceEvent& e);
  Track& NamedTrack(const std::string& host, const std::string& key, int tid,
                    const std::string& name);
  int HostPid(const std::string& host);
  void Name(const Track& t, const std::string& name);
  void Begin(const Track& t, const Slice& s);
  // Writes the "B" of every open slice begun before `ns` and not yet
  // written, outermost first: what is written at `ns` then lies inside them.
  void Show(Track& t, int64_t ns);
  // Ends t.open[i..], innermost first, at `ns`; returns them outermost first.
  std::vector<Slice> EndFrom(Track& t, size_t i, int64_t ns);
  // Reopens `slices` (outermost first) on top of the track at `ns`.
  void Reopen(Track& t, std::vector<Slice> slices, int64_t ns);
  // The `layer` slice becomes `name` ("" ends it), with the slices inside
  // it ended and reopened.
  void SetLayer(Track& t, Layer layer, const std::string& name, int64_t ns);
  void Instant(Track& t, const std::string& name, int64_t ns, const std::string& args);
  void BecomeWalsender(Track& t, int64_t ns);
  void Message(const sim::TraceEvent& e, Track& t);
  void Counter(int pid, const std::string& series, uint64_t value, int64_t ns);
  void Phases(const sim::TraceEvent& e, Track& t, int64_t ns);

  std::function<void(const std::string&)> emit_;
  absl::btree_map<std::string, int> hosts_;
  absl::btree_map<std::string, Track> tracks_;  // "host/pid" or "host/kernel"
  absl::btree_map<std::string, std::vector<int>> live_;  // "host/name" -> pids
  absl::btree_map<std::string, std::string> live_name_;  // "host/pid" -> "host/name"
  absl::btree_map<int32_t, std::string> wait_tracks_;   // pid -> its track's key
  absl::btree_map<uint64_t, uint64_t> peer_;  // socket -> its peer
  int64_t last_ns_ = 0;
  int unknown_tids_ = 0;  // tracks of processes whose pid the trace does not say
};

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_PERFETTO_WRITER_H_
