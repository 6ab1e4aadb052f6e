// File: tools/libfuzzer/byte_choices.h
//
// The schedule generator's choices (scenarios/fuzz_generator.h) read from a
// coverage-guided fuzzer's input bytes instead of a seed's stream: each
// choice takes the next 1, 2, 4 or 8 bytes (as many as its bound needs),
// so that libFuzzer's mutation of a byte changes one choice and leaves the
// others in place, and an input that runs out reads zeros (the first
// option of every later choice: short inputs are small schedules).
#ifndef REPLSIM_TOOLS_LIBFUZZER_BYTE_CHOICES_H_
#define REPLSIM_TOOLS_LIBFUZZER_BYTE_CHOICES_H_

#include <cstddef>
#include <cstdint>

#include "scenarios/fuzz_generator.h"

namespace replsim::tools::libfuzzer {

class ByteChoices : public scenarios::ScheduleChoices {
 public:
  ByteChoices(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  uint64_t Below(uint64_t bound) override;
  // Bytes read so far (can exceed size() once the input ran out).
  size_t consumed() const { return pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace replsim::tools::libfuzzer

#endif  // REPLSIM_TOOLS_LIBFUZZER_BYTE_CHOICES_H_
