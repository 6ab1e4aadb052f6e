#include "sim/net/link.h"

#include <algorithm>

#include "protocol/os/check.h"
#include "sim/distributions.h"

namespace replsim::sim::net {

Link& Links::Get(const std::string& src, const std::string& dst) {
  auto it = links_.find(KeyView(src, dst));
  if (it != links_.end()) return it->second;
  Link link;
  if (src == dst) {
    link.latency = config_.min_latency;
    link.bandwidth = config_.max_bandwidth;
  } else {
    link.latency = UniformDuration(rng(), config_.min_latency, config_.max_latency);
    link.bandwidth = UniformInt(rng(), config_.min_bandwidth, config_.max_bandwidth);
  }
  return links_.emplace(Key(src, dst), link).first->second;
}

os::Instant Links::Transmit(const std::string& src, const std::string& dst,
                            os::Instant now, size_t bytes) {
  Link& link = Get(src, dst);
  os::Instant depart = std::max(now, link.busy_until);
  // Transmission time: bytes / bandwidth, in nanoseconds (no overflow below
  // ~9 GB per segment).
  os::Duration tx = os::Nanoseconds(static_cast<int64_t>(bytes) * 1000000000LL /
                                    link.bandwidth);
  link.busy_until = depart + tx;
  os::Duration jitter = config_.jitter.nanos() > 0
                            ? UniformDuration(rng(), os::Duration(), config_.jitter)
                            : os::Duration();
  os::Instant arrival = std::max(
      depart + tx + link.latency + jitter + Spike(src, dst), link.last_arrival);
  link.last_arrival = arrival;
  return arrival;
}

bool Links::Lost(const std::string& src, const std::string& dst) {
  if (config_.loss_per_million == 0 || src == dst) return false;
  return Bernoulli(world_.Stream("net_loss"), {config_.loss_per_million, 1'000'000});
}

os::Duration Links::Spike(const std::string& src, const std::string& dst) {
  if (config_.spike_per_million == 0 || src == dst) return os::Duration();
  Rng& rng = world_.Stream("net_spike");
  if (!Bernoulli(rng, {config_.spike_per_million, 1'000'000})) return os::Duration();
  return UniformDuration(rng, config_.spike_min, config_.spike_max);
}

void Links::Partition(const std::string& a, const std::string& b, bool two_way) {
  CHECK_NE(a, b) << "loopback cannot be partitioned";
  ++partitions_[{a, b}];
  if (two_way) ++partitions_[{b, a}];
}

void Links::Heal(const std::string& a, const std::string& b, bool two_way) {
  auto heal = [this](const Key& k) {
    auto it = partitions_.find(k);
    if (it == partitions_.end()) return;
    if (--it->second == 0) partitions_.erase(it);
  };
  heal({a, b});
  if (two_way) heal({b, a});
}

bool Links::Blocked(const std::string& src, const std::string& dst) const {
  return partitions_.contains(KeyView(src, dst));
}

}  // namespace replsim::sim::net
