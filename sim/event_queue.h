// File: sim/event_queue.h
//
// The simulator's one event queue and virtual clock. Every step of a run, a
// process resumption, a segment arriving, a timer firing, is an event here.
//
// Ordering (a total order, documented because runs depend on it):
// - Events run in order of time. `seq` is a 64-bit counter taken when the
//   event is scheduled. Events due at the same virtual time run FIFO in the
//   order they were scheduled, unless a tie-break policy is set
//   (SetTieBreak, sim/tie_break.h): then each event's lane (the process or
//   the kernel that scheduled it) stays FIFO, and which lane goes first at
//   one instant is the policy's choice. Never a pointer value, never a hash.
// - Scheduling in the past is a programmer error (CHECK); scheduling at now()
//   runs after the event that is running (and, under FIFO, after everything
//   already due at now()).
//
// Cancellation: Schedule() returns a TimerId. Cancel(id) is O(1) and is safe
// with any id: a default one, one that already fired, one already cancelled,
// or one whose slot was reused (slots carry a generation). A cancelled entry
// stays in the heap and is skipped when it reaches the top; the heap is rebuilt
// without dead entries when they outnumber the live ones.
//
// Not thread-safe: one World, one thread.
#ifndef REPLSIM_SIM_EVENT_QUEUE_H_
#define REPLSIM_SIM_EVENT_QUEUE_H_

#include <cstdint>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "protocol/os/time.h"
#include "sim/rng.h"
#include "sim/tie_break.h"

namespace replsim::sim {

// Names one scheduled event. Default-constructed ids name nothing.
struct TimerId {
  uint32_t slot = 0;
  uint32_t generation = 0;  // 0 is never a live generation
  bool valid() const { return generation != 0; }
};

class EventQueue {
 public:
  using Callback = absl::AnyInvocable<void()>;

  EventQueue() = default;
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  os::Instant now() const { return now_; }

  // Runs `cb` at virtual time `at` (>= now()), in `lane` (sim/tie_break.h).
  TimerId Schedule(os::Instant at, Callback cb, Lane lane = kKernelLane);
  TimerId ScheduleAfter(os::Duration d, Callback cb, Lane lane = kKernelLane) {
    return Schedule(now_ + d, std::move(cb), lane);
  }

  // Same-time events are ordered by `config` from now on (default FIFO).
  // `rng` is drawn from only when lanes tie; it must outlive the queue.
  void SetTieBreak(TieBreakConfig config, Rng* rng);
  const TieBreakStats& tie_break_stats() const { return tie_break_.stats(); }

  // Cancels a pending event. Returns true if it was pending (and now will not
  // run); false for any other id. Never fails.
  bool Cancel(TimerId id);
  bool IsPending(TimerId id) const;

  // Lets virtual time pass with nothing happening: now() becomes `t`, which
  // must not be before now() nor after the next pending event.
  void AdvanceTo(os::Instant t);

  // Time of the next live event; false if none is pending.
  bool PeekNextTime(os::Instant* at);

  // Advances the clock to the next live event and runs it. Returns false when
  // nothing is pending.
  bool RunNext();

  size_t live_events() const { return live_; }
  uint64_t events_run() const { return events_run_; }

 private:
  struct Entry {
    int64_t time_ns;
    uint64_t seq;
    uint32_t slot;
    uint32_t generation;
    Lane lane;
  };
  // std::*_heap build a max-heap; "greater" puts the earliest (time, seq) on top.
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.time_ns != b.time_ns) return a.time_ns > b.time_ns;
      return a.seq > b.seq;
    }
  };
  struct Slot {
    Callback cb;
    uint32_t generation = 1;
    bool pending = false;
  };

  bool IsLive(const Entry& e) const {
    const Slot& s = slots_[e.slot];
    return s.pending && s.generation == e.generation;
  }
  void FreeSlot(uint32_t slot);
  void DropDeadTop();
  void MaybeCompact();
  // Takes the next entry to run off the heap (and the current instant's
  // batch); false when nothing is pending.
  bool PopNext(Entry* out);
  // Tie-break modes: the entry to run among those due at the earliest time.
  bool PopTied(Entry* out);

  os::Instant now_;
  uint64_t next_seq_ = 0;
  uint64_t events_run_ = 0;
  size_t live_ = 0;
  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_slots_;
  TieBreaker tie_break_{TieBreakConfig(), nullptr};
  // Tie-break modes: the entries due at instant_time_, taken off the heap.
  std::vector<Entry> instant_;
  int64_t instant_time_ = 0;
  std::vector<Lane> lanes_scratch_;
  std::vector<size_t> first_scratch_;
};

}  // namespace replsim::sim

#endif  // REPLSIM_SIM_EVENT_QUEUE_H_
