// File: tools/flags.h
//
// The replsim command line: a command, its positional arguments and its
// flags, parsed here rather than by absl's flags library, so that
// - help is asked for with --help (exit 0) and every usage error is bad
//   input (exit 4), never exit 1, which means "safety violation";
// - a flag that does not apply to the command (`sweep --seed`,
//   `replay --trace_format`) is refused, not silently ignored;
// - seeds are one type everywhere: uint64, 0..2^64-1, parsed and checked the
//   same way by run, replay and sweep.
//
// Flags are written --name=value or --name value; `--` ends them.
#ifndef REPLSIM_TOOLS_FLAGS_H_
#define REPLSIM_TOOLS_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/statusor.h"

namespace replsim::tools {

struct CommandLine {
  std::string command;                 // "run", "sweep", ...; empty with --help alone
  std::vector<std::string> positional;  // after the command
  absl::btree_map<std::string, std::string> flags;  // name (without --) -> value
  bool help = false;
  bool version = false;

  bool Has(const std::string& name) const { return flags.count(name) > 0; }
  // The flag's value, or `fallback` when it was not given.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
};

// Parses argv[1..]. InvalidArgument names the flag and what was expected:
// an unknown flag, a flag given twice, a flag without its value, a flag the
// command does not take, an unknown command.
absl::StatusOr<CommandLine> ParseCommandLine(const std::vector<std::string>& args);

// The usage text: every command and the flags it takes.
std::string UsageText();

// A seed: a whole number 0..18446744073709551615.
absl::StatusOr<uint64_t> ParseSeed(const std::string& flag, const std::string& text);
// A whole number in [lo, hi].
absl::StatusOr<int64_t> ParseIntFlag(const std::string& flag, const std::string& text,
                                     int64_t lo, int64_t hi);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_FLAGS_H_
