// File: tools/real_command.h
//
// `replsim real FILE [--runs N] [--out DIR]`: the scenario on real
// PostgreSQL 15, each run's outcome record (tools/outcome.h).
// `replsim diff FILE [--seeds A..B] [--runs N] [--out DIR]`: the same
// scenario N times on real PostgreSQL and over the seeds under the pg-15
// profile, and a table of the outcome classes each side saw; exit 0 when
// both saw the same set of classes, 1 when not.
#ifndef REPLSIM_TOOLS_REAL_COMMAND_H_
#define REPLSIM_TOOLS_REAL_COMMAND_H_

#include "tools/flags.h"

namespace replsim::tools {

int RealCommand(const CommandLine& cl);
int DiffCommand(const CommandLine& cl);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_REAL_COMMAND_H_
