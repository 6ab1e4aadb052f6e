// File: sim/trace_hash.h
//
// The hash behind trace fingerprints. Like StableHasher (sim/stable_hash.h) its
// value is fixed by this file alone, on every machine, compiler and run; unlike
// it, it is built for speed, because every trace event of a fingerprinted run
// passes through it (about 15 words per event): one 64x64->128
// multiply per word ("mum", as in wyhash), where StableHasher spends three
// dependent multiplies. Named RNG streams keep StableHasher, so changing this
// file changes fingerprints and nothing a run does.
//
// Input is fed as typed values, never as raw memory, so the hash does not
// depend on endianness or struct padding. Not cryptographic: a fingerprint
// tells two runs apart, it does not resist an adversary.
#ifndef REPLSIM_SIM_TRACE_HASH_H_
#define REPLSIM_SIM_TRACE_HASH_H_

#include <cstdint>
#include <cstring>
#include <string_view>

#include "sim/stable_hash.h"

namespace replsim::sim {

// The 128-bit product of a and b, its halves xored together.
inline uint64_t Mum64(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

class TraceHasher {
 public:
  TraceHasher() = default;

  void AddU64(uint64_t v) { state_ = Mum64(state_ ^ v, kMul); }
  void AddI64(int64_t v) { AddU64(static_cast<uint64_t>(v)); }
  void AddBool(bool b) { AddU64(b ? 1 : 0); }

  // Length first, so ("ab","c") and ("a","bc") differ; then the bytes as
  // little-endian words, the last one zero-padded.
  void AddString(std::string_view s) {
    AddU64(s.size() ^ kLen);
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) AddU64(Word(s.data() + i, 8));
    if (i < s.size()) AddU64(Word(s.data() + i, s.size() - i));
  }

  // splitmix64's finaliser over the state: one bit of input flips about half
  // the output bits, which the chained multiplies alone do not promise.
  uint64_t Finish() const { return Mix64(state_); }

 private:
  static uint64_t Word(const char* p, size_t n) {
    uint64_t w = 0;
    for (size_t k = 0; k < n; ++k) {
      w |= static_cast<uint64_t>(static_cast<unsigned char>(p[k])) << (8 * k);
    }
    return w;
  }

  static constexpr uint64_t kInit = 0xA0761D6478BD642FULL;  // wyhash's secret[0]
  static constexpr uint64_t kMul = 0xE7037ED1A0B428DBULL;   // wyhash's secret[1]
  static constexpr uint64_t kLen = 0x8EBC6AF09C88C6E3ULL;   // wyhash's secret[2]
  uint64_t state_ = kInit;
};

}  // namespace replsim::sim

#endif  // REPLSIM_SIM_TRACE_HASH_H_
