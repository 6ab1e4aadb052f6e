// File: scenarios/fuzz_generator.h
//
// Turns a fuzz spec and a seed into one ordinary Scenario (FoundationDB's
// and TigerBeetle's swarm testing, Groce et al. 2012):
// 1. swarm: the seed first draws which operation kinds are enabled at all
//    (each with probability 1/2, at least one) and how intense each is (its
//    weight times 1..4), so some seeds have few kinds and many of them;
// 2. the schedule: the template's set-up steps, then 1..steps_max
//    operations drawn by weight, each on a node it can apply to at that
//    point of the plan, each after a drawn delay. An operation with no node
//    it can apply to, or a step the scenario loader's checks refuse (its
//    plan check, the time limit), is skipped and recorded in `skipped`;
// 3. the liveness phase: partitions heal (the first step waits out the
//    longest), full disks are freed, the current primary runs, every other
//    server rejoins it (see GenerateSchedule), and each must catch up within
//    limits.converge_s.
// Every drawn value is written as a fixed value (delays as min == max), so
// the scenario replays without the generator; draws come from the named
// stream "fuzz.schedule", never the run's own streams, or from a
// coverage-guided fuzzer's input bytes (tools/libfuzzer/).
//
// Steps run one after another, as in every scenario, but a stop -W or
// promote -W (STOP_NO_WAIT, PROMOTE_NO_WAIT) completes at once, so the
// operations drawn after it run in the middle of that shutdown or
// promotion: a stop of the primary while its standby is being promoted, a
// STOP_AGAIN that escalates a shutdown in progress smart -> fast ->
// immediate as an operator does.
#ifndef REPLSIM_SCENARIOS_FUZZ_GENERATOR_H_
#define REPLSIM_SCENARIOS_FUZZ_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "scenarios/fuzz_spec.pb.h"
#include "scenarios/scenario.pb.h"

namespace replsim::scenarios {

struct GeneratedSchedule {
  Scenario scenario;
  std::vector<std::string> enabled;  // "STOP_FAST x3", the seed's swarm
  std::vector<std::string> skipped;  // "PROMOTE: no running standby", in order
  int set_up_steps = 0;              // the template's
  int liveness_steps = 0;            // the last ones
};

// Where the generator's choices come from.
class ScheduleChoices {
 public:
  virtual ~ScheduleChoices() = default;
  // A value in [0, bound); bound > 0.
  virtual uint64_t Below(uint64_t bound) = 0;
};

// `profile` and `switches` (canonical, "985bd7d497=off,...") are the run's:
// they become the scenario's profile and the expect row carrying the spec's
// tolerated invariants, so `replsim run FILE --seed N --profile P
// --switches S` is tolerated exactly what the fuzz run was.
// InvalidArgument when the template itself is refused under `profile`.
absl::StatusOr<GeneratedSchedule> GenerateSchedule(const FuzzSpec& spec, uint64_t seed,
                                                   const std::string& profile,
                                                   const std::string& switches);
// The same with every choice taken from `choices` (GenerateSchedule above
// takes them from seed's stream "fuzz.schedule"); `seed` names the
// scenario and is the seed its reproducer runs with.
absl::StatusOr<GeneratedSchedule> GenerateSchedule(const FuzzSpec& spec, uint64_t seed,
                                                   ScheduleChoices& choices,
                                                   const std::string& profile,
                                                   const std::string& switches);

// The scenario as a file: a header comment saying where it came from, then
// the text format `replsim run` loads.
std::string ScheduleFileText(const GeneratedSchedule& g, const std::string& header);

}  // namespace replsim::scenarios

#endif  // REPLSIM_SCENARIOS_FUZZ_GENERATOR_H_
