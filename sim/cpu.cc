#include "sim/cpu.h"

#include "protocol/os/check.h"
#include "sim/distributions.h"

namespace replsim::sim {

Cpu::Cpu(CpuConfig config, StreamFn stream) : config_(config), stream_(std::move(stream)) {
  CHECK_GE(config_.cores, 1);
}

Cpu::Host& Cpu::host(const std::string& name) {
  auto it = hosts_.find(name);
  if (it != hosts_.end()) return *it->second;
  auto h = std::make_unique<Host>();
  h->rng = &stream_("cpu/" + name);
  h->free_cores = config_.cores;
  h->resume_mean = UniformDuration(*h->rng, config_.resume_mean_min, config_.resume_mean_max);
  h->byte_ps = UniformInt(*h->rng, config_.byte_ps_min, config_.byte_ps_max);
  h->start_mean = UniformDuration(*h->rng, config_.start_mean_min, config_.start_mean_max);
  h->exit_mean = UniformDuration(*h->rng, config_.exit_mean_min, config_.exit_mean_max);
  return *hosts_.emplace(name, std::move(h)).first->second;
}

os::Duration Cpu::Around(Rng& rng, os::Duration mean) {
  return UniformDuration(rng, mean / 2, mean + mean / 2);
}

os::Duration Cpu::ResumeCost(Host& h) { return Around(*h.rng, h.resume_mean); }
os::Duration Cpu::StartCost(Host& h) { return Around(*h.rng, h.start_mean); }
os::Duration Cpu::ExitCost(Host& h) { return Around(*h.rng, h.exit_mean); }

os::Duration Cpu::ByteCost(Host& h, uint64_t bytes) const {
  return os::Nanoseconds(static_cast<int64_t>(bytes) * h.byte_ps / 1000);
}

}  // namespace replsim::sim
