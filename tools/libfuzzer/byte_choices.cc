// Choices from input bytes (byte_choices.h).
#include "tools/libfuzzer/byte_choices.h"

#include "protocol/os/check.h"

namespace replsim::tools::libfuzzer {

uint64_t ByteChoices::Below(uint64_t bound) {
  CHECK_GT(bound, 0u);
  const uint64_t max = bound - 1;
  const int width = max <= 0xff ? 1 : max <= 0xffff ? 2 : max <= 0xffffffffu ? 4 : 8;
  uint64_t v = 0;
  for (int i = 0; i < width; ++i, ++pos_) {
    if (pos_ < size_) v |= uint64_t{data_[pos_]} << (8 * i);
  }
  // The modulo's slight bias toward small values does not matter to a
  // search; what matters is that a byte keeps its meaning.
  return v % bound;
}

}  // namespace replsim::tools::libfuzzer
