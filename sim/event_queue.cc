#include "sim/event_queue.h"

#include <algorithm>
#include <utility>

#include "protocol/os/check.h"

namespace replsim::sim {

TimerId EventQueue::Schedule(os::Instant at, Callback cb, Lane lane) {
  CHECK(at >= now_) << "event scheduled in the past: " << at.nanos() << " < "
                    << now_.nanos();
  CHECK(cb != nullptr);
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.cb = std::move(cb);
  s.pending = true;
  heap_.push_back(Entry{at.nanos(), next_seq_++, slot, s.generation, lane});
  std::push_heap(heap_.begin(), heap_.end(), Later());
  ++live_;
  return TimerId{slot, s.generation};
}

void EventQueue::FreeSlot(uint32_t slot) {
  Slot& s = slots_[slot];
  s.pending = false;
  if (++s.generation == 0) s.generation = 1;  // 0 stays invalid
  free_slots_.push_back(slot);
}

bool EventQueue::IsPending(TimerId id) const {
  return id.valid() && id.slot < slots_.size() &&
         slots_[id.slot].generation == id.generation && slots_[id.slot].pending;
}

bool EventQueue::Cancel(TimerId id) {
  if (!IsPending(id)) return false;
  // Destroy the callback now: it may own resources (captured state).
  Callback dead = std::move(slots_[id.slot].cb);
  slots_[id.slot].cb = nullptr;
  FreeSlot(id.slot);
  --live_;
  MaybeCompact();
  return true;
}

void EventQueue::DropDeadTop() {
  while (!heap_.empty() && !IsLive(heap_.front())) {
    std::pop_heap(heap_.begin(), heap_.end(), Later());
    heap_.pop_back();
  }
}

void EventQueue::MaybeCompact() {
  const size_t dead = heap_.size() + instant_.size() - live_;
  if (dead < 64 || dead <= live_) return;
  // Only keys decide the order, so rebuilding gives the same run.
  std::erase_if(heap_, [this](const Entry& e) { return !IsLive(e); });
  std::make_heap(heap_.begin(), heap_.end(), Later());
  std::erase_if(instant_, [this](const Entry& e) { return !IsLive(e); });
}

void EventQueue::SetTieBreak(TieBreakConfig config, Rng* rng) {
  tie_break_ = TieBreaker(config, rng);
}

void EventQueue::AdvanceTo(os::Instant t) {
  CHECK(t >= now_) << "time runs forward";
  os::Instant next;
  CHECK(!PeekNextTime(&next) || next >= t) << "an event is due before " << t.nanos();
  now_ = t;
}

bool EventQueue::PeekNextTime(os::Instant* at) {
  std::erase_if(instant_, [this](const Entry& e) { return !IsLive(e); });
  if (!instant_.empty()) {
    *at = os::Instant::FromNanos(instant_time_);
    return true;
  }
  DropDeadTop();
  if (heap_.empty()) return false;
  *at = os::Instant::FromNanos(heap_.front().time_ns);
  return true;
}

bool EventQueue::PopNext(Entry* out) {
  if (tie_break_.config().mode != TieBreakMode::kFifo) return PopTied(out);
  DropDeadTop();
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), Later());
  *out = heap_.back();
  heap_.pop_back();
  return true;
}

bool EventQueue::PopTied(Entry* out) {
  std::erase_if(instant_, [this](const Entry& e) { return !IsLive(e); });
  DropDeadTop();
  if (instant_.empty()) {
    if (heap_.empty()) return false;
    instant_time_ = heap_.front().time_ns;
  }
  // Everything due at this instant, including what the last event scheduled
  // at now(), joins the batch (in seq order: the heap pops it so).
  while (!heap_.empty() && heap_.front().time_ns == instant_time_) {
    std::pop_heap(heap_.begin(), heap_.end(), Later());
    if (IsLive(heap_.back())) instant_.push_back(heap_.back());
    heap_.pop_back();
    DropDeadTop();
  }
  // instant_ is in seq order (each pull takes every entry of the instant,
  // and later ones were scheduled later), so each lane's first entry comes
  // first and the lanes are listed in FIFO order of their first entries.
  lanes_scratch_.clear();
  first_scratch_.clear();
  for (size_t i = 0; i < instant_.size(); ++i) {
    const Lane lane = instant_[i].lane;
    if (std::find(lanes_scratch_.begin(), lanes_scratch_.end(), lane) ==
        lanes_scratch_.end()) {
      lanes_scratch_.push_back(lane);
      first_scratch_.push_back(i);
    }
  }
  const size_t pick = lanes_scratch_.size() > 1 ? tie_break_.Choose(lanes_scratch_) : 0;
  const size_t idx = first_scratch_[pick];
  *out = instant_[idx];
  instant_.erase(instant_.begin() + static_cast<std::ptrdiff_t>(idx));
  return true;
}

bool EventQueue::RunNext() {
  Entry e;
  if (!PopNext(&e)) return false;
  now_ = os::Instant::FromNanos(e.time_ns);
  Callback cb = std::move(slots_[e.slot].cb);
  slots_[e.slot].cb = nullptr;
  FreeSlot(e.slot);
  --live_;
  ++events_run_;
  cb();
  return true;
}

}  // namespace replsim::sim
