#include "sim/world.h"

#include "protocol/os/check.h"
#include "sim/stable_hash.h"

namespace replsim::sim {

World::World(uint64_t seed, bool keep_trace)
    : seed_(seed),
      trace_(keep_trace),
      executor_(std::make_unique<Executor>(queue_, trace_)) {}

World::~World() {
  executor_->KillAllSilently();
  executor_.reset();
}

Rng& World::Stream(std::string_view name) {
  auto it = streams_.find(name);
  if (it == streams_.end()) {
    it = streams_
             .emplace(std::string(name),
                      std::make_unique<Rng>(Rng::ForStream(seed_, name)))
             .first;
  }
  return *it->second;
}

void World::SetTieBreak(TieBreakConfig config) {
  Rng* rng = nullptr;
  if (config.mode == TieBreakMode::kRandom) rng = &Stream("scheduler/tiebreak");
  if (config.mode == TieBreakMode::kPct) rng = &Stream("scheduler/pct");
  queue_.SetTieBreak(config, rng);
}

void World::EnableCpu(CpuConfig config) {
  CHECK(executor_->live_processes() == 0) << "EnableCpu after processes started";
  cpu_ = std::make_unique<Cpu>(config, [this](std::string_view name) -> Rng& {
    return Stream(name);
  });
  executor_->set_cpu(cpu_.get());
}

RunStats World::Run(const RunLimits& limits) {
  RunStats stats;
  for (;;) {
    if (stats.events >= limits.max_events) {
      stats.reason = RunStats::StopReason::kEventLimit;
      break;
    }
    os::Instant next;
    if (!queue_.PeekNextTime(&next)) {
      stats.reason = RunStats::StopReason::kIdle;
      break;
    }
    if (next > limits.until) {
      stats.reason = RunStats::StopReason::kTimeLimit;
      break;
    }
    queue_.RunNext();
    ++stats.events;
  }
  stats.end_time = queue_.now();
  return stats;
}

uint64_t World::Unseed() const {
  StableHasher h(seed_);
  for (const auto& [name, rng] : streams_) {
    h.AddString(name);
    h.AddU64(rng->StateDigest());
  }
  return h.Finish();
}

}  // namespace replsim::sim
