// File: tests/determinism_rules.h
//
// The determinism rules of design.md as a source scanner (TigerBeetle's tidy):
// each rule is a pattern that must not appear in sim/ or protocol/, with what
// to use instead. A line may opt out with a trailing
// `// determinism-ok: <why>` comment, which a reviewer then reads.
#ifndef REPLSIM_TESTS_DETERMINISM_RULES_H_
#define REPLSIM_TESTS_DETERMINISM_RULES_H_

#include <string>
#include <string_view>
#include <vector>

namespace replsim::tests {

struct Finding {
  std::string file;
  int line = 0;
  std::string banned;      // what was found
  std::string instead;     // what to use instead
  std::string text;        // the offending line
};

// Scans one file's contents. `file` only names it in findings.
std::vector<Finding> ScanSource(std::string_view file, std::string_view contents);

// "sim/x.cc:12: std::thread -> no threads: ..."
std::string FormatFinding(const Finding& f);

}  // namespace replsim::tests

#endif  // REPLSIM_TESTS_DETERMINISM_RULES_H_
