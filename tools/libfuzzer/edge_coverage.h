// File: tools/libfuzzer/edge_coverage.h
//
// Coverage for libFuzzer from gcc's instrumentation. The project builds with
// gcc, whose -fsanitize-coverage=trace-pc calls __sanitizer_cov_trace_pc()
// at the start of every basic block of the code compiled with it (sim/,
// protocol/, scenarios/: instrumented.bzl). This file defines that function:
// it hashes the pair (previous block, this block) into an array of 8-bit
// counters (AFL's edge coverage), which it registers with libFuzzer as
// inline 8-bit counters, the form clang's -fsanitize=fuzzer gives it.
// libFuzzer 14's own __sanitizer_cov_trace_pc (a stub that exits: "no
// longer supported") is made weak in the runtime we link (BUILD.bazel).
//
// A second array counts features that are not code, given by NoteFeature:
// the hook for the protocol-state counter (see fuzz_target.cc).
#ifndef REPLSIM_TOOLS_LIBFUZZER_EDGE_COVERAGE_H_
#define REPLSIM_TOOLS_LIBFUZZER_EDGE_COVERAGE_H_

#include <cstddef>
#include <cstdint>

namespace replsim::tools::libfuzzer {

// Gives both counter arrays to libFuzzer; call before LLVMFuzzerRunDriver.
void RegisterCoverageCounters();
// At the start of each execution: the first block's edge starts from none.
void ResetEdgeHistory();
// Counts `key` (a protocol state tuple, a (state, fault) pair, hashed by
// the caller or not) in the feature array: an input that reaches a key no
// earlier input did is new coverage to libFuzzer, kept in its corpus.
void NoteFeature(uint64_t key);

// How many blocks were entered since the program started (every call of
// __sanitizer_cov_trace_pc): zero means nothing was instrumented.
uint64_t BlocksEntered();
// Distinct edge counters set in the executions this was called after
// (libFuzzer clears the counters before each execution).
size_t EdgesSeen();

}  // namespace replsim::tools::libfuzzer

#endif  // REPLSIM_TOOLS_LIBFUZZER_EDGE_COVERAGE_H_
