// File: sim/distributions.h
//
// Distributions over sim::Rng, written here because the standard library's
// (std::uniform_int_distribution and friends) give different numbers on
// different implementations. Probabilities are integer ratios, never floats;
// the one distribution that needs a logarithm (Exponential) computes it with a
// fixed sequence of IEEE-754 operations (LnDeterministic), not libm, so its
// output is the same on every machine.
#ifndef REPLSIM_SIM_DISTRIBUTIONS_H_
#define REPLSIM_SIM_DISTRIBUTIONS_H_

#include <cstdint>

#include "protocol/os/time.h"
#include "sim/rng.h"

namespace replsim::sim {

// A probability num/den with 0 <= num <= den, den > 0.
struct Ratio {
  uint64_t num = 0;
  uint64_t den = 1;
};

// Uniform integer in [lo, hi] (inclusive); lo <= hi.
int64_t UniformInt(Rng& rng, int64_t lo, int64_t hi);

// True with probability r.num / r.den, exactly.
bool Bernoulli(Rng& rng, Ratio r);

// An index in [0, n), each equally likely; n > 0.
inline uint64_t Choice(Rng& rng, uint64_t n) { return rng.Below(n); }

// A uniform double in (0, 1]: 53 random bits, never 0.
double UniformUnitOpenClosed(Rng& rng);

// Natural logarithm of x > 0 by range reduction and an odd series: only +, -,
// *, / and exact exponent handling, so the result is bit-identical everywhere.
double LnDeterministic(double x);

// Exponentially distributed with the given mean, rounded down to whole
// nanoseconds. mean must be >= 0.
os::Duration Exponential(Rng& rng, os::Duration mean);

// Uniform duration in [lo, hi] (inclusive, nanosecond grain).
inline os::Duration UniformDuration(Rng& rng, os::Duration lo, os::Duration hi) {
  return os::Nanoseconds(UniformInt(rng, lo.nanos(), hi.nanos()));
}

}  // namespace replsim::sim

#endif  // REPLSIM_SIM_DISTRIBUTIONS_H_
