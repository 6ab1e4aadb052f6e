// File: tools/build_info.h
//
// Which replsim this is: its version, the git commit its sources came from
// (stamped by Bazel through tools/workspace_status.sh), and a hash of the
// executable itself, so that two builds of different sources or options
// are never taken for one another (a sweep resumes only results of the same
// build).
#ifndef REPLSIM_TOOLS_BUILD_INFO_H_
#define REPLSIM_TOOLS_BUILD_INFO_H_

#include <string>

namespace replsim::tools {

inline constexpr char kReplsimVersion[] = "0.9.0";

// "abc123def456" or "abc123def456-dirty"; "unknown" outside a git checkout.
const char* BuildGitCommit();
// "replsim 0.9.0 (git abc123def456, build 0123456789abcdef)".
const std::string& BuildVersion();

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_BUILD_INFO_H_
