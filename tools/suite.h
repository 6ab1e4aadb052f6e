// File: tools/suite.h
//
// `replsim suite [DIR]`: every scenario file in DIR (default: the bundled
// scenarios/) over its default seeds, once per expectation row (profile and
// switches), as a table: scenario, profile, seeds, failing seeds, whether that
// is what the row expects, seeds/s. A scenario file that does not load is
// reported and skipped; the others still run. Exit code: 0 every row as
// expected, 5 a row not as expected (a bug not reproduced, or failures where
// none were expected), 3 a seed crashed replsim, 4 a file that did not load.
#ifndef REPLSIM_TOOLS_SUITE_H_
#define REPLSIM_TOOLS_SUITE_H_

#include "tools/flags.h"

namespace replsim::tools {

// Returns the process exit code.
int RunSuite(const CommandLine& cl);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_SUITE_H_
