// File: tools/fuzz_shrink.h
//
// What `replsim fuzz` and `replsim shrink` share: a failure's signature
// (its invariant and the first violation's text with LSNs, numbers and
// times stripped, so that one bug found on many seeds is one signature),
// and the shrinker, Zeller's ddmin over a failing scenario's steps, then
// lowering each step's delay, keeping a candidate only when the scenario
// loader accepts it and it fails with the same signature.
#ifndef REPLSIM_TOOLS_FUZZ_SHRINK_H_
#define REPLSIM_TOOLS_FUZZ_SHRINK_H_

#include <cstdint>
#include <string>

#include "scenarios/runner.h"
#include "scenarios/scenario.pb.h"
#include "tools/flags.h"
#include "tools/sweep.h"

namespace replsim::tools {

// "CLEAN_SWITCHOVER: <normalised text>" for a failing outcome.
std::string FailureSignature(const SeedOutcome& o);
// A directory name for it: "CLEAN_SWITCHOVER-1a2b3c4d".
std::string SignatureDir(const std::string& signature);

struct ShrinkResult {
  scenarios::Scenario scenario;  // the smallest that still fails the same way
  int steps_before = 0, steps_after = 0;
  double seconds_before = 0, seconds_after = 0;  // virtual time of the runs
  int runs = 0;                                  // candidates run
};
// `s` must fail with `signature` for `seed` under `options`.
ShrinkResult Shrink(const scenarios::Scenario& s, uint64_t seed,
                    const scenarios::RunOptions& options, const std::string& signature);

// `replsim shrink FILE --seed N [--profile P] [--switches S] [--out F]`.
int ShrinkCommand(const CommandLine& cl);
// `replsim fuzz SPEC --seeds A..B [--profile P] [--switches S] [--jobs N]
// [--out DIR] [--report F.json] [--junit F.xml]`.
int FuzzCommand(const CommandLine& cl);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_FUZZ_SHRINK_H_
