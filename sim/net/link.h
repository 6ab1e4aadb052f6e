// File: sim/net/link.h
//
// The wire between two hosts, per direction: a latency and a bandwidth drawn
// once from the network's random stream (so a run's links are fixed by its
// seed), a "busy until" time that serialises transmissions (bandwidth), and
// partitions. A partition blocks one direction (one-way) or both; partitions
// nest (two faults on the same pair need two heals).
//
// Optional per-packet faults, each from its own stream and drawn only when
// configured (so runs without them keep their draws): loss (stream
// "net_loss": each packet crossing a link between two hosts is lost with
// probability loss) and latency spikes (stream "net_spike": a packet is held
// for an extra delay in [spike_min, spike_max], and since a direction stays in
// order, the packets behind it wait too, as behind a stalled router queue).
//
// Contract: Blocked(a, b) is true while any partition covers a->b. A host's
// link to itself (loopback) is never partitioned, never loses or spikes, and
// has the minimum latency.
#ifndef REPLSIM_SIM_NET_LINK_H_
#define REPLSIM_SIM_NET_LINK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/btree_map.h"
#include "protocol/os/time.h"
#include "sim/rng.h"
#include "sim/world.h"

namespace replsim::sim::net {

struct LinkConfig {
  os::Duration min_latency = os::Microseconds(50);
  os::Duration max_latency = os::Milliseconds(2);
  // Bytes per second.
  int64_t min_bandwidth = 50LL * 1000 * 1000;
  int64_t max_bandwidth = 1000LL * 1000 * 1000;
  // Extra per-segment delay in [0, jitter] (delivery stays in order).
  os::Duration jitter = os::Microseconds(20);
  // Chance per million that a packet between two hosts is lost (0: never).
  uint64_t loss_per_million = 0;
  // Chance per million that a packet between two hosts meets a latency
  // spike, and the spike's extra delay, drawn per spike (0: never).
  uint64_t spike_per_million = 0;
  os::Duration spike_min;
  os::Duration spike_max;
};

struct Link {
  os::Duration latency;
  int64_t bandwidth = 1;  // bytes per second
  os::Instant busy_until;
  os::Instant last_arrival;  // keeps a direction in order despite jitter
};

class Links {
 public:
  // Draws come from the world's stream "net" (looked up at each use: the
  // World's streams may move when others are created).
  Links(World& world, LinkConfig config) : world_(world), config_(config) {}

  // The link src->dst, created (and drawn) on first use.
  Link& Get(const std::string& src, const std::string& dst);
  // When a segment of `bytes` handed over now arrives at dst (and marks the
  // link busy while it is transmitted).
  os::Instant Transmit(const std::string& src, const std::string& dst,
                       os::Instant now, size_t bytes);
  // One-way latency (for control segments: SYN, RST, window updates).
  os::Duration Latency(const std::string& src, const std::string& dst) {
    return Get(src, dst).latency;
  }
  // One-way delay of a control packet: the latency plus a spike, if one is
  // drawn.
  os::Duration Delay(const std::string& src, const std::string& dst) {
    return Latency(src, dst) + Spike(src, dst);
  }
  // Whether a packet sent now src->dst is lost at random (a draw only with
  // loss configured and src != dst). Partitions are Blocked's business.
  bool Lost(const std::string& src, const std::string& dst);

  void Partition(const std::string& a, const std::string& b, bool two_way);
  void Heal(const std::string& a, const std::string& b, bool two_way);
  bool Blocked(const std::string& src, const std::string& dst) const;

 private:
  using Key = std::pair<std::string, std::string>;
  using KeyView = std::pair<std::string_view, std::string_view>;
  // Orders keys as std::pair<std::string, std::string> does, and finds
  // them by a pair of views without building the key (a lookup per segment).
  struct KeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return KeyView(a.first, a.second) < KeyView(b.first, b.second);
    }
  };
  // The World's "net" stream, looked up on first use (as the World creates
  // streams lazily) and then kept: its address is stable.
  Rng& rng() {
    if (rng_ == nullptr) rng_ = &world_.Stream("net");
    return *rng_;
  }
  // A latency spike's extra delay, or zero.
  os::Duration Spike(const std::string& src, const std::string& dst);
  World& world_;
  Rng* rng_ = nullptr;
  LinkConfig config_;
  absl::btree_map<Key, Link, KeyLess> links_;
  absl::btree_map<Key, int, KeyLess> partitions_;  // direction -> nesting count
};

}  // namespace replsim::sim::net

#endif  // REPLSIM_SIM_NET_LINK_H_
