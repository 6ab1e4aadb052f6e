// File: tools/reports.h
//
// Results for CI and for people, written on request beside the table:
// --report FILE.json (one JSON document: the sweep's identity, counts, and
// every failing or crashed seed as the failures file's record) and --junit
// FILE.xml (JUnit XML, which CI systems display: one testcase per scenario
// row, a failure carrying its first violation and replay commands).
#ifndef REPLSIM_TOOLS_REPORTS_H_
#define REPLSIM_TOOLS_REPORTS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tools/flags.h"
#include "tools/sweep.h"
#include "tools/sweep_record.h"

namespace replsim::tools {

// One row of `suite`: a scenario under one expect row.
struct SuiteRow {
  SweepIdentity identity;
  bool violations_expected = false;
  bool as_expected = false;
  std::string verdict;    // "found, as expected", "NOT REPRODUCED", ...
  std::string bad_input;  // set when the row could not run
  SweepResult result;
};

// A sweep (or one shard of a merged campaign) as a row: clean when it
// finished without failures.
SuiteRow SweepRow(const SweepIdentity& id, const SweepResult& r);

// --report and --junit of `sweep`, when given.
absl::Status WriteSweepReports(const CommandLine& cl, const SweepIdentity& id,
                               const SweepResult& r);
// --report and --junit of `suite`, when given; `exit_code` is the suite's.
absl::Status WriteSuiteReports(const CommandLine& cl, const std::vector<SuiteRow>& rows,
                               int exit_code);

// Writes `text` to `path` (relative to where the user ran the command);
// InvalidArgument names `flag` when it cannot.
absl::Status WriteReportFile(const std::string& flag, const std::string& path,
                             const std::string& text);

// `s` as XML (and HTML) text or attribute value: & < > " ' escaped, control
// characters but tab, CR and LF dropped.
std::string XmlEscape(const std::string& s);

// The documents themselves (tests read them).
std::string SweepReportJson(const SweepIdentity& id, const SweepResult& r);
std::string SuiteReportJson(const std::vector<SuiteRow>& rows, int exit_code);
std::string JunitXml(const std::string& suite_name, const std::vector<SuiteRow>& rows);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_REPORTS_H_
