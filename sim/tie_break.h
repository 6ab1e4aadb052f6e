// File: sim/tie_break.h
//
// Which of several events due at the same virtual time runs first. Each
// event belongs to a lane: a process (its resumptions, its timers, its
// wake-ups) or the kernel (lane 0: every network segment, ACK and window
// update, every disk completion, every scenario step). Inside a lane events
// stay FIFO, so nothing that one producer scheduled in order is reordered:
// the bytes of one connection, the steps of one process. Between lanes, at
// one instant, the order is a policy:
//
// - kFifo: the order they were scheduled in (the simulator's old and only
//   order).
// - kRandom: a lane drawn uniformly among the lanes that have an event due,
//   from the stream "scheduler/tiebreak"; over one instant this is a random
//   permutation of the lanes.
// - kPct: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi
//   and Nagarakatte, ASPLOS 2010): every lane gets a random priority >= depth
//   when it first has an event due; the lane with the highest priority runs;
//   depth-1 change points, drawn uniformly over the first `horizon` tie
//   decisions, each lower the priority of the lane chosen there to 1, 2, ...
//   (below every initial priority). A bug of depth d is found with
//   probability at least 1/(n * k^(d-1)) per run (n lanes, k decisions).
//
// Why this is what a kernel can reorder: two processes made runnable at the
// same instant run in either order (or at once) on a real machine, and a
// process's wake-up races with a segment arriving at another socket. What
// one producer did in order stays ordered: TCP delivers a connection's bytes
// in order, and one process's timers and wake-ups happen in its program
// order. The kernel lane is kept whole (FIFO inside) because the network and
// disk models schedule one connection's segments and ACKs from several
// contexts; splitting it per connection would need those models to name
// their lanes.
//
// Draws happen only when two or more lanes are due together, and only in
// the mode's own stream, so the FIFO mode draws nothing.
#ifndef REPLSIM_SIM_TIE_BREAK_H_
#define REPLSIM_SIM_TIE_BREAK_H_

#include <cstdint>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/types/span.h"
#include "sim/rng.h"

namespace replsim::sim {

using Lane = uint32_t;
inline constexpr Lane kKernelLane = 0;

enum class TieBreakMode { kFifo, kRandom, kPct };

struct TieBreakConfig {
  TieBreakMode mode = TieBreakMode::kFifo;
  // PCT: d, the bug depth aimed at (d-1 priority change points); >= 1.
  int pct_depth = 3;
  // PCT: change points are drawn over this many tie decisions. A bundled
  // scenario's run makes a few thousand (measured; see the report in the
  // commit that added this).
  uint64_t pct_horizon = 4000;
};

// Counts of what the policy did, for reports and tests.
struct TieBreakStats {
  uint64_t decisions = 0;         // instants where two or more lanes were due
  uint64_t reordered = 0;         // decisions where another lane than FIFO's ran
  uint64_t priority_changes = 0;  // PCT change points reached
};

class TieBreaker {
 public:
  // `rng` is used only in kRandom and kPct; it must outlive this.
  TieBreaker(TieBreakConfig config, Rng* rng);

  const TieBreakConfig& config() const { return config_; }
  // `lanes`: the distinct lanes with an event due, in FIFO order of their
  // first event (at least two). Returns the index of the lane to run.
  size_t Choose(absl::Span<const Lane> lanes);
  const TieBreakStats& stats() const { return stats_; }

 private:
  uint64_t PriorityOf(Lane lane);

  TieBreakConfig config_;
  Rng* rng_;
  TieBreakStats stats_;
  absl::btree_map<Lane, uint64_t> priority_;  // PCT
  std::vector<uint64_t> change_points_;       // PCT, ascending decision numbers
  size_t next_change_ = 0;
};

}  // namespace replsim::sim

#endif  // REPLSIM_SIM_TIE_BREAK_H_
