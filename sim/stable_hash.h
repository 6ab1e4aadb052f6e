// File: sim/stable_hash.h
//
// A 64-bit hash whose value is fixed by this file alone: the same input gives
// the same value on every machine, compiler, standard library and run. It is
// what trace fingerprints and named RNG streams are built on, so unlike
// std::hash or absl::Hash (both free to change, absl's is seeded per process)
// it must never change. Pinned vectors are in stable_hash_test.cc.
//
// Input is fed as typed values, never as raw memory, so the hash does not
// depend on endianness or struct padding. Not cryptographic.
//
//   StableHasher h;
//   h.AddString("walsender");
//   h.AddU64(lsn);
//   uint64_t fp = h.Finish();
#ifndef REPLSIM_SIM_STABLE_HASH_H_
#define REPLSIM_SIM_STABLE_HASH_H_

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace replsim::sim {

// splitmix64's finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mixer.
constexpr uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class StableHasher {
 public:
  constexpr StableHasher() = default;
  constexpr explicit StableHasher(uint64_t seed) : state_(Mix64(seed ^ kInit)) {}

  constexpr void AddU64(uint64_t v) {
    state_ = Mix64(state_ ^ Mix64(v + kStep)) * kMul + ++count_;
  }
  constexpr void AddI64(int64_t v) { AddU64(static_cast<uint64_t>(v)); }
  constexpr void AddBool(bool b) { AddU64(b ? 1 : 0); }

  // Length first, so ("ab","c") and ("a","bc") differ.
  constexpr void AddString(std::string_view s) {
    AddU64(s.size());
    if constexpr (std::endian::native == std::endian::little) {
      // The same words as the loop below, read eight bytes at a time.
      if (!std::is_constant_evaluated()) {
        size_t i = 0;
        for (; i + 8 <= s.size(); i += 8) AddU64(LoadWord(s.data() + i, 8));
        if (i < s.size()) AddU64(LoadWord(s.data() + i, s.size() - i));
        return;
      }
    }
    uint64_t word = 0;
    int n = 0;
    for (char c : s) {
      word |= static_cast<uint64_t>(static_cast<unsigned char>(c)) << (8 * n);
      if (++n == 8) {
        AddU64(word);
        word = 0;
        n = 0;
      }
    }
    if (n > 0) AddU64(word);
  }

  constexpr uint64_t Finish() const { return Mix64(state_ ^ count_); }

 private:
  // Up to eight bytes as a little-endian word, zero-padded.
  static uint64_t LoadWord(const char* p, size_t n) {
    uint64_t word = 0;
    std::memcpy(&word, p, n);
    return word;
  }

  static constexpr uint64_t kInit = 0x6A09E667F3BCC908ULL;  // frac(sqrt(2))
  static constexpr uint64_t kStep = 0x9E3779B97F4A7C15ULL;  // golden ratio
  static constexpr uint64_t kMul = 0xFF51AFD7ED558CCDULL;   // odd
  uint64_t state_ = kInit;
  uint64_t count_ = 0;
};

constexpr uint64_t StableHashString(std::string_view s) {
  StableHasher h;
  h.AddString(s);
  return h.Finish();
}

}  // namespace replsim::sim

#endif  // REPLSIM_SIM_STABLE_HASH_H_
