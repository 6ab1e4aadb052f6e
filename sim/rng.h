// File: sim/rng.h
//
// The simulator's only source of randomness: xoshiro256** (Blackman & Vigna
// 2018), written here so that no library upgrade can change a run. It is seeded
// through splitmix64, and split into named streams: the stream for
// (run seed, "net") is independent of the one for (run seed, "disk"), so a new
// draw in one component never shifts another's. Distributions over it are in
// distributions.h (the standard library's differ between implementations).
//
// Test vectors are pinned in rng_test.cc.
//
//   Rng net = Rng::ForStream(seed, "net");
//   uint64_t x = net.Next();
#ifndef REPLSIM_SIM_RNG_H_
#define REPLSIM_SIM_RNG_H_

#include <array>
#include <cstdint>
#include <string_view>

namespace replsim::sim {

// splitmix64: used to expand a 64-bit seed into xoshiro's 256-bit state.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next();

 private:
  uint64_t state_;
};

class Rng {
 public:
  using State = std::array<uint64_t, 4>;

  // The state is expanded from `seed` by splitmix64.
  explicit Rng(uint64_t seed);
  // Exactly this state (must not be all zero). For test vectors.
  static Rng FromState(const State& s);
  // The stream named `name` of run `seed`: seeded from StableHash(seed, name).
  static Rng ForStream(uint64_t seed, std::string_view name);

  uint64_t Next();
  // A uniformly distributed integer in [0, bound), without modulo bias
  // (Lemire 2019, with rejection). bound must be > 0.
  uint64_t Below(uint64_t bound);

  const State& state() const { return s_; }
  // A 64-bit digest of the current state (FDB's "unseed"): two runs that made
  // the same draws end with the same value.
  uint64_t StateDigest() const;

 private:
  Rng() = default;
  State s_{};
};

}  // namespace replsim::sim

#endif  // REPLSIM_SIM_RNG_H_
