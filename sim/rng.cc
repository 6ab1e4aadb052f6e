#include "sim/rng.h"

#include "absl/base/optimization.h"
#include "sim/stable_hash.h"

namespace replsim::sim {
namespace {
inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

uint64_t SplitMix64::Next() {
  state_ += 0x9E3779B97F4A7C15ULL;
  return Mix64(state_);
}

Rng::Rng(uint64_t seed) {
  SplitMix64 sm(seed);
  for (uint64_t& w : s_) w = sm.Next();
}

Rng Rng::FromState(const State& s) {
  Rng r;
  r.s_ = s;
  return r;
}

Rng Rng::ForStream(uint64_t seed, std::string_view name) {
  StableHasher h(seed);
  h.AddString(name);
  return Rng(h.Finish());
}

uint64_t Rng::Next() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Rng::Below(uint64_t bound) {
  // Multiply-shift maps a 64-bit draw onto [0, bound); the draws that would
  // make some results more likely (the low product below 2^64 mod bound) are
  // rejected and redrawn.
  unsigned __int128 m = static_cast<unsigned __int128>(Next()) * bound;
  uint64_t low = static_cast<uint64_t>(m);
  if (ABSL_PREDICT_FALSE(low < bound)) {
    const uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(Next()) * bound;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

uint64_t Rng::StateDigest() const {
  StableHasher h;
  for (uint64_t w : s_) h.AddU64(w);
  return h.Finish();
}

}  // namespace replsim::sim
