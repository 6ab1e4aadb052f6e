// File: tools/sweep_plots.h
//
// `sweep`/`fuzz --report-html OUT.html`: a sweep's results as one
// self-contained HTML page (inline SVG and style, no script, nothing
// fetched). Per row (a scenario under a profile): where the failing seeds
// fall over the seed range, seeds to the first failure, the failure rate
// with its 95% Wilson score interval, the violation signatures and how
// often each occurred (linked to the failure's diagram when --html-dir wrote
// one), and seeds/s. Elements carry data- attributes for tests.
#ifndef REPLSIM_TOOLS_SWEEP_PLOTS_H_
#define REPLSIM_TOOLS_SWEEP_PLOTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tools/sweep.h"
#include "tools/sweep_record.h"

namespace replsim::tools {

struct PlotRow {
  SweepIdentity identity;
  std::string description;  // "pg-9.3beta2 -985bd7d497"
  SweepResult result;
  // The signature of each of result.failures, in the same order.
  std::vector<std::string> signatures;
  // Signature -> the diagram of its first failing seed (a path relative to
  // the page, or absolute).
  std::map<std::string, std::string> diagrams;
};

// The 95% Wilson score interval of `failing` out of `runs` (0..1 each).
struct Interval {
  double low = 0, high = 0;
};
Interval WilsonInterval(uint64_t failing, uint64_t runs);

std::string SweepPlotsHtml(const std::string& title, const std::vector<PlotRow>& rows);

}  // namespace replsim::tools

#endif  // REPLSIM_TOOLS_SWEEP_PLOTS_H_
