// File: protocol/os/time.h
//
// Virtual time as protocol code sees it: a Duration and an Instant, both whole
// nanoseconds in an int64. In the simulator an Instant counts from the start of
// the run (time 0); nothing here reads a host clock. A real implementation of
// the OS interface would map its monotonic clock onto the same types.
//
// Units are explicit in every constructor (Seconds(3), Milliseconds(100)), so a
// number without a unit never crosses an interface.
//
//   os::Instant deadline = now + os::Milliseconds(100);
//   if (now >= deadline) ...
#ifndef REPLSIM_PROTOCOL_OS_TIME_H_
#define REPLSIM_PROTOCOL_OS_TIME_H_

#include <compare>
#include <cstdint>

namespace replsim::os {

class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration FromNanos(int64_t ns) { return Duration(ns); }
  constexpr int64_t nanos() const { return ns_; }
  constexpr int64_t micros() const { return ns_ / 1000; }
  constexpr int64_t millis() const { return ns_ / 1000000; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration(ns_ + o.ns_); }
  constexpr Duration operator-(Duration o) const { return Duration(ns_ - o.ns_); }
  constexpr Duration operator*(int64_t k) const { return Duration(ns_ * k); }
  constexpr Duration operator/(int64_t k) const { return Duration(ns_ / k); }
  constexpr Duration& operator+=(Duration o) {
    ns_ += o.ns_;
    return *this;
  }

 private:
  constexpr explicit Duration(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

constexpr Duration Nanoseconds(int64_t n) { return Duration::FromNanos(n); }
constexpr Duration Microseconds(int64_t n) { return Duration::FromNanos(n * 1000); }
constexpr Duration Milliseconds(int64_t n) {
  return Duration::FromNanos(n * 1000 * 1000);
}
constexpr Duration Seconds(int64_t n) {
  return Duration::FromNanos(n * 1000 * 1000 * 1000);
}

// A point on a clock: nanoseconds since that clock's origin.
class Instant {
 public:
  constexpr Instant() = default;
  static constexpr Instant FromNanos(int64_t ns) { return Instant(ns); }
  constexpr int64_t nanos() const { return ns_; }

  constexpr auto operator<=>(const Instant&) const = default;
  constexpr Instant operator+(Duration d) const { return Instant(ns_ + d.nanos()); }
  constexpr Instant operator-(Duration d) const { return Instant(ns_ - d.nanos()); }
  constexpr Duration operator-(Instant o) const {
    return Duration::FromNanos(ns_ - o.ns_);
  }

 private:
  constexpr explicit Instant(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

}  // namespace replsim::os

#endif  // REPLSIM_PROTOCOL_OS_TIME_H_
