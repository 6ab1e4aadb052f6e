// File: protocol/os/check.h
//
// CHECK macros for programmer errors (Debian's Abseil 20220623 has no
// absl/log). A failed CHECK prints file:line, the condition and any streamed
// detail to stderr and aborts: it is a bug in replsim, never a modelled
// PostgreSQL error (those are simulated process exits).
//
//   CHECK(slot < slots_.size()) << "stale timer " << slot;
//   CHECK_LE(lo, hi);
#ifndef REPLSIM_PROTOCOL_OS_CHECK_H_
#define REPLSIM_PROTOCOL_OS_CHECK_H_

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "absl/base/optimization.h"

namespace replsim::internal_check {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* condition) {
    stream_ << file << ":" << line << ": CHECK failed: " << condition << " ";
  }
  ~CheckFailure() {
    std::string s = stream_.str();
    std::fprintf(stderr, "%s\n", s.c_str());
    std::fflush(stderr);
    std::abort();
  }
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

// Turns `stream << x` into a void expression usable in the ternary below.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace replsim::internal_check

#define CHECK(condition)                                         \
  ABSL_PREDICT_TRUE(condition)                                   \
  ? (void)0                                                      \
  : ::replsim::internal_check::Voidify() &                       \
        ::replsim::internal_check::CheckFailure(__FILE__, __LINE__, \
                                                #condition)      \
            .stream()

#define REPLSIM_CHECK_OP(op, a, b) \
  CHECK((a)op(b)) << "(" << (a) << " vs " << (b) << ") "

#define CHECK_EQ(a, b) REPLSIM_CHECK_OP(==, a, b)
#define CHECK_NE(a, b) REPLSIM_CHECK_OP(!=, a, b)
#define CHECK_LT(a, b) REPLSIM_CHECK_OP(<, a, b)
#define CHECK_LE(a, b) REPLSIM_CHECK_OP(<=, a, b)
#define CHECK_GT(a, b) REPLSIM_CHECK_OP(>, a, b)
#define CHECK_GE(a, b) REPLSIM_CHECK_OP(>=, a, b)

#endif  // REPLSIM_PROTOCOL_OS_CHECK_H_
