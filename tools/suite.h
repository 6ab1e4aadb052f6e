// File: tools/suite.h
//
// `replsim suite [DIR]`: every scenario file in DIR (default: the bundled
// scenarios/) over its default seeds, once per expectation row (profile and
// switches), as a table: scenario, profile, seeds, failing seeds, whether that
// is what the row expects, seeds/s. A scenario file that does not load is
// reported and skipped; the others still run.
#ifndef REPLSIM_TOOLS_SUITE_H_
#define REPLSIM_TOOLS_SUITE_H_

#include <string>

namespace replsim::tools {

// Returns the process exit code: 0 when every row is as expected.
int RunSuite(const std::string& dir);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_SUITE_H_
