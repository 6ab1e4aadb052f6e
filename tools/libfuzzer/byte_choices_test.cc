// Input bytes decode into choices as libFuzzer's mutations need: each
// choice reads its own bytes, so changing one byte changes one choice and
// leaves the schedule's other choices in place; an input that runs out
// reads zeros; and the bytes decode into schedules of the spec that the
// scenario loader accepts.
#include "tools/libfuzzer/byte_choices.h"

#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "protocol/os/check.h"
#include "scenarios/fuzz_generator.h"
#include "scenarios/fuzz_spec_loader.h"

namespace replsim::tools::libfuzzer {
namespace {

TEST(ByteChoicesTest, EachChoiceReadsAsManyBytesAsItsBoundNeeds) {
  const uint8_t in[] = {7, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 200};
  ByteChoices c(in, sizeof in);
  EXPECT_EQ(c.Below(10), 7u);
  EXPECT_EQ(c.Below(0x10000), 0x1234u);
  EXPECT_EQ(c.Below(uint64_t{1} << 32), 0x12345678u);
  EXPECT_EQ(c.Below(100), 0u) << "200 % 100";
  EXPECT_EQ(c.consumed(), sizeof in);
}

TEST(ByteChoicesTest, AnInputThatRunsOutReadsZeros) {
  const uint8_t in[] = {0xff};
  ByteChoices c(in, sizeof in);
  EXPECT_EQ(c.Below(0x10000), 0xffu) << "the missing high byte is 0";
  EXPECT_EQ(c.Below(3), 0u);
  EXPECT_EQ(c.Below(1), 0u);
}

scenarios::GeneratedSchedule Generate(const std::vector<uint8_t>& bytes) {
  absl::StatusOr<scenarios::FuzzSpec> spec =
      scenarios::LoadFuzzSpecFile("scenarios/fuzz/primary_standby.textproto");
  CHECK(spec.ok()) << spec.status();
  ByteChoices c(bytes.data(), bytes.size());
  auto g = scenarios::GenerateSchedule(*spec, 1, c, "pg-15", "");
  CHECK(g.ok()) << g.status();
  return *g;
}

TEST(ByteChoicesTest, AMutatedByteChangesTheScheduleOnlyFromItsChoiceOn) {
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 200; ++i) bytes.push_back(static_cast<uint8_t>(i * 37 + 11));
  const scenarios::GeneratedSchedule a = Generate(bytes);
  ASSERT_GT(a.scenario.steps_size(), a.set_up_steps + a.liveness_steps)
      << "the bytes draw operations";
  EXPECT_EQ(Generate(bytes).scenario.DebugString(), a.scenario.DebugString()) << "a pure decoding";
  // The last byte the generator read decides at most the last choice: the
  // schedule up to its last drawn operation is unchanged.
  ByteChoices probe(bytes.data(), bytes.size());
  std::vector<uint8_t> changed = bytes;
  changed[150] ^= 0x5a;  // far beyond what a short schedule reads, or not
  const scenarios::GeneratedSchedule b = Generate(changed);
  const int n = std::min(a.scenario.steps_size(), b.scenario.steps_size());
  int same = 0;
  while (same < n && a.scenario.steps(same).DebugString() == b.scenario.steps(same).DebugString()) {
    ++same;
  }
  EXPECT_GE(same, a.set_up_steps) << "set-up steps are the template's";
}

TEST(ByteChoicesTest, EmptyInputIsTheSmallestSchedule) {
  const scenarios::GeneratedSchedule g = Generate({});
  // `enabled` also lists the seed's fault intensity (bandwidth, latency),
  // drawn from the seed's own stream, not from the input.
  size_t kinds = 0;
  for (const std::string& e : g.enabled) {
    if (!absl::StartsWith(e, "bandwidth ") && !absl::StartsWith(e, "latency ")) ++kinds;
  }
  EXPECT_EQ(kinds, 1u) << "every kind drew 'off', so one is enabled by weight";
  EXPECT_EQ(g.scenario.steps_size() - g.set_up_steps - g.liveness_steps +
                static_cast<int>(g.skipped.size()),
            1)
      << "one operation, emitted or skipped (and any liveness skips)";
}

}  // namespace
}  // namespace replsim::tools::libfuzzer
