#include "tools/build_info.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_format.h"
#include "sim/stable_hash.h"
#include "tools/build_commit.h"  // generated: kBuildGitCommit

namespace replsim::tools {

const char* BuildGitCommit() { return kBuildGitCommit; }

const std::string& BuildVersion() {
  static const std::string* version = [] {
    std::ifstream exe("/proc/self/exe", std::ios::binary);
    std::stringstream bytes;
    bytes << exe.rdbuf();
    sim::StableHasher h;
    h.AddString(bytes.str());
    return new std::string(absl::StrFormat("replsim %s (git %s, build %016x)", kReplsimVersion,
                                           kBuildGitCommit, h.Finish()));
  }();
  return *version;
}

}  // namespace replsim::tools
