#include "sim/tie_break.h"

#include <algorithm>

#include "protocol/os/check.h"

namespace replsim::sim {

TieBreaker::TieBreaker(TieBreakConfig config, Rng* rng) : config_(config), rng_(rng) {
  if (config_.mode == TieBreakMode::kFifo) return;
  CHECK(rng_ != nullptr);
  if (config_.mode != TieBreakMode::kPct) return;
  CHECK_GE(config_.pct_depth, 1);
  CHECK_GE(config_.pct_horizon, 1u);
  for (int i = 1; i < config_.pct_depth; ++i) {
    change_points_.push_back(1 + rng_->Below(config_.pct_horizon));
  }
  // Change point i lowers to priority i: keep them in draw order for the
  // priority, sorted by decision for the walk. Equal draws merge (the later
  // lowering wins), as two change points at one step would.
  std::sort(change_points_.begin(), change_points_.end());
}

uint64_t TieBreaker::PriorityOf(Lane lane) {
  auto it = priority_.find(lane);
  if (it != priority_.end()) return it->second;
  // Initial priorities are >= depth: above every change point's. 62 random
  // bits make equal priorities (decided by the lower lane) vanishingly rare.
  const uint64_t p = static_cast<uint64_t>(config_.pct_depth) + (rng_->Next() >> 2);
  priority_.emplace(lane, p);
  return p;
}

size_t TieBreaker::Choose(absl::Span<const Lane> lanes) {
  CHECK_GE(lanes.size(), 2u);
  ++stats_.decisions;
  size_t chosen = 0;
  switch (config_.mode) {
    case TieBreakMode::kFifo:
      return 0;
    case TieBreakMode::kRandom:
      chosen = rng_->Below(lanes.size());
      break;
    case TieBreakMode::kPct: {
      uint64_t best = 0;
      for (size_t i = 0; i < lanes.size(); ++i) {
        const uint64_t p = PriorityOf(lanes[i]);
        if (i == 0 || p > best) {
          best = p;
          chosen = i;
        }
      }
      uint64_t lowered = 0;
      while (next_change_ < change_points_.size() &&
             change_points_[next_change_] == stats_.decisions) {
        lowered = ++next_change_;
      }
      if (lowered != 0) {
        priority_[lanes[chosen]] = lowered;
        ++stats_.priority_changes;
      }
      break;
    }
  }
  if (chosen != 0) ++stats_.reordered;
  return chosen;
}

}  // namespace replsim::sim
