#include "sim/distributions.h"

#include <bit>
#include <cstdint>

#include "protocol/os/check.h"

namespace replsim::sim {

int64_t UniformInt(Rng& rng, int64_t lo, int64_t hi) {
  CHECK_LE(lo, hi);
  const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<int64_t>(rng.Next());
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + rng.Below(span + 1));
}

bool Bernoulli(Rng& rng, Ratio r) {
  CHECK_GT(r.den, 0u);
  CHECK_LE(r.num, r.den);
  if (r.num == 0) return false;
  if (r.num == r.den) return true;
  return rng.Below(r.den) < r.num;
}

double UniformUnitOpenClosed(Rng& rng) {
  // (k + 1) / 2^53 for k uniform in [0, 2^53): exact in a double.
  const uint64_t k = rng.Next() >> 11;
  return static_cast<double>(k + 1) * 0x1.0p-53;
}

double LnDeterministic(double x) {
  CHECK_GT(x, 0.0);
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)), by bit manipulation (exact).
  uint64_t bits = std::bit_cast<uint64_t>(x);
  int e = static_cast<int>((bits >> 52) & 0x7FF);
  CHECK(e != 0 && e != 0x7FF) << "LnDeterministic needs a normal finite x";
  e -= 1023;
  bits = (bits & 0x000FFFFFFFFFFFFFULL) | (uint64_t{1023} << 52);
  double m = std::bit_cast<double>(bits);  // [1, 2)
  if (m > 1.4142135623730951) {
    m *= 0.5;  // exact
    ++e;
  }
  // ln(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.1716.
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double term = s;
  double sum = 0.0;
  for (int k = 1; k <= 25; k += 2) {  // s^27 < 1e-20: beyond double precision
    sum += term / k;
    term *= s2;
  }
  constexpr double kLn2 = 0.6931471805599453;
  return 2.0 * sum + e * kLn2;
}

os::Duration Exponential(Rng& rng, os::Duration mean) {
  CHECK_GE(mean.nanos(), 0);
  const double u = UniformUnitOpenClosed(rng);
  const double x = -LnDeterministic(u) * static_cast<double>(mean.nanos());
  return os::Nanoseconds(static_cast<int64_t>(x));
}

}  // namespace replsim::sim
