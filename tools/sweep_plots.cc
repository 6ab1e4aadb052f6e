// SweepPlotsHtml: a sweep's rows as an HTML page with inline SVG plots.
#include "tools/sweep_plots.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/reports.h"

namespace replsim::tools {
namespace {

constexpr int kStripWidth = 900;   // px of the seed-range strip
constexpr int kStripHeight = 60;
constexpr int kMaxBins = 450;      // seeds are binned when the range is wider
constexpr const char* kPalette[] = {"#c0392b", "#2471a3", "#d68910", "#7d3c98",
                                    "#138d75", "#a04000", "#566573", "#b03a2e"};

std::string Esc(const std::string& s) { return XmlEscape(s); }

std::string Percent(double p) { return absl::StrFormat("%.3g%%", 100 * p); }

// Signatures by count, most frequent first (ties: first seen first).
std::vector<std::pair<std::string, uint64_t>> SignatureCounts(const PlotRow& row) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const std::string& sig : row.signatures) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == sig; });
    if (it == out.end()) {
      out.emplace_back(sig, 1);
    } else {
      ++it->second;
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

// The failing (and crashed) seeds over the range: one column per seed, or per
// bin of seeds when the range is wide, as tall as its share of failures.
std::string SeedStrip(const PlotRow& row, const std::vector<std::pair<std::string, uint64_t>>& sigs) {
  const SweepIdentity& id = row.identity;
  const long double span = static_cast<long double>(id.last - id.first) + 1;
  const int bins = static_cast<int>(std::min<long double>(span, kMaxBins));
  const double per_bin = static_cast<double>(span / bins);
  const double w = static_cast<double>(kStripWidth) / bins;
  std::vector<uint64_t> count(bins, 0);
  std::vector<int> color(bins, 0);
  auto bin_of = [&](uint64_t seed) {
    return std::min(bins - 1, static_cast<int>((seed - id.first) / per_bin));
  };
  for (size_t i = 0; i < row.result.failures.size(); ++i) {
    const int b = bin_of(row.result.failures[i].first);
    if (count[b]++ == 0) {
      const auto it = std::find_if(sigs.begin(), sigs.end(),
                                   [&](const auto& p) { return p.first == row.signatures[i]; });
      color[b] = static_cast<int>(it - sigs.begin()) % 8;
    }
  }
  const uint64_t most = std::max<uint64_t>(1, *std::max_element(count.begin(), count.end()));
  std::string out = absl::StrFormat(
      "<svg class=\"seed-strip\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
      "data-bins=\"%d\"><rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f4f6f7\"/>",
      kStripWidth + 2, kStripHeight + 18, kStripWidth + 2, kStripHeight + 18, bins, kStripWidth,
      kStripHeight);
  for (int b = 0; b < bins; ++b) {
    if (count[b] == 0) continue;
    const double h = std::max(4.0, kStripHeight * static_cast<double>(count[b]) / most);
    const uint64_t lo = id.first + static_cast<uint64_t>(b * per_bin);
    absl::StrAppendFormat(&out,
                          "<rect class=\"fail\" data-seed=\"%d\" data-count=\"%d\" x=\"%.2f\" "
                          "y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"><title>%s%d "
                          "failing</title></rect>",
                          lo, count[b], b * w, kStripHeight - h, std::max(1.0, w), h,
                          kPalette[color[b]],
                          per_bin > 1.0 ? absl::StrFormat("seeds from %d: ", lo)
                                        : absl::StrFormat("seed %d: ", lo),
                          count[b]);
  }
  for (const WorkerCrash& c : row.result.crashes) {
    absl::StrAppendFormat(&out,
                          "<rect class=\"crash\" data-seed=\"%d\" x=\"%.2f\" y=\"0\" width=\"2\" "
                          "height=\"%d\" fill=\"#000\"><title>seed %d crashed replsim: %s</title></rect>",
                          c.seed, bin_of(c.seed) * w, kStripHeight, c.seed, Esc(c.how));
  }
  absl::StrAppendFormat(&out,
                        "<text x=\"0\" y=\"%d\" font-size=\"11\">%d</text><text x=\"%d\" y=\"%d\" "
                        "font-size=\"11\" text-anchor=\"end\">%d</text></svg>",
                        kStripHeight + 14, id.first, kStripWidth, kStripHeight + 14, id.last);
  return out;
}

// One bar per signature, its length its share of the failures.
std::string SignatureBars(const PlotRow& row,
                          const std::vector<std::pair<std::string, uint64_t>>& sigs) {
  if (sigs.empty()) return "<p class=\"none\">no failing seed</p>";
  const int h = 22;
  std::string out = absl::StrFormat(
      "<svg class=\"signatures\" width=\"%d\" height=\"%d\">", kStripWidth + 2,
      static_cast<int>(sigs.size()) * h + 4);
  const double total = static_cast<double>(row.signatures.size());
  for (size_t i = 0; i < sigs.size(); ++i) {
    const auto& [sig, n] = sigs[i];
    const double len = std::max(2.0, 300.0 * n / total);
    const auto link = row.diagrams.find(sig);
    absl::StrAppendFormat(
        &out,
        "<g class=\"sig\" data-count=\"%d\" data-signature=\"%s\">%s<rect x=\"0\" y=\"%d\" "
        "width=\"%.1f\" height=\"%d\" fill=\"%s\"/><text x=\"%.1f\" y=\"%d\" font-size=\"12\">%d "
        "(%s) %s</text>%s<title>%s</title></g>",
        n, Esc(sig), link != row.diagrams.end() ? absl::StrCat("<a href=\"", Esc(link->second), "\">") : "",
        static_cast<int>(i) * h + 2, len, h - 6, kPalette[i % 8], len + 6,
        static_cast<int>(i) * h + 14, n, Percent(n / total), Esc(sig.substr(0, 110)),
        link != row.diagrams.end() ? "</a>" : "", Esc(sig));
  }
  return absl::StrCat(out, "</svg>");
}

std::string Row(const PlotRow& row) {
  const SweepIdentity& id = row.identity;
  const SweepResult& r = row.result;
  const uint64_t runs = r.seeds_done();
  const uint64_t failing = r.failures.size();
  const Interval ci = WilsonInterval(failing, runs);
  const auto sigs = SignatureCounts(row);
  std::string first = "none";
  if (!r.failures.empty()) {
    const uint64_t seed = r.failures.front().first;
    const uint64_t n = (seed - id.first - id.shard_index) / std::max(1, id.shard_count) + 1;
    first = absl::StrFormat("<span class=\"first-failure\" data-seeds=\"%d\">%d</span> (seed %d)",
                            n, n, seed);
  }
  const std::string name = absl::StrCat(id.scenario_name, " under ", row.description);
  std::string out = absl::StrFormat(
      "<section class=\"row\" data-row=\"%s\" data-run=\"%d\" data-failing=\"%d\">\n<h2>%s</h2>\n"
      "<table><tr><th>seeds</th><td>%d..%d%s, %d run%s</td></tr>\n"
      "<tr><th>failing</th><td>%d</td></tr>\n"
      "<tr><th>failure rate</th><td><span class=\"rate\" data-low=\"%.6g\" data-high=\"%.6g\">%s "
      "(95%% Wilson interval %s .. %s)</span></td></tr>\n"
      "<tr><th>seeds to the first failure</th><td>%s</td></tr>\n"
      "<tr><th>crashed replsim</th><td>%d</td></tr>\n"
      "<tr><th>seeds/s</th><td class=\"rate-s\">%.0f</td></tr></table>\n",
      Esc(name), runs, failing, Esc(name), id.first, id.last,
      id.shard_count > 1 ? absl::StrFormat(" (shard %d/%d)", id.shard_index, id.shard_count) : "",
      runs, r.interrupted_by != 0 ? " (interrupted)" : "", failing, ci.low, ci.high,
      Percent(runs > 0 ? static_cast<double>(failing) / runs : 0), Percent(ci.low),
      Percent(ci.high), first, r.crashes.size(), r.seeds_per_second());
  absl::StrAppend(&out, "<h3>failing seeds over the range</h3>\n", SeedStrip(row, sigs),
                  "\n<h3>violation signatures</h3>\n", SignatureBars(row, sigs), "\n</section>\n");
  return out;
}

}  // namespace

Interval WilsonInterval(uint64_t failing, uint64_t runs) {
  if (runs == 0) return {0, 1};
  const double z = 1.959963984540054, n = static_cast<double>(runs);
  const double p = static_cast<double>(failing) / n;
  const double denom = 1 + z * z / n;
  const double center = (p + z * z / (2 * n)) / denom;
  const double half = z / denom * std::sqrt(p * (1 - p) / n + z * z / (4 * n * n));
  // At 0 and at n failures a bound is exactly 0 or 1 (rounding leaves ~1e-18).
  return {failing == 0 ? 0.0 : std::max(0.0, center - half),
          failing == runs ? 1.0 : std::min(1.0, center + half)};
}

std::string SweepPlotsHtml(const std::string& title, const std::vector<PlotRow>& rows) {
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>", Esc(title),
      "</title>\n<style>body{font:14px sans-serif;margin:16px}section{margin-bottom:28px}"
      "th{text-align:left;padding-right:12px;font-weight:normal;color:#555}"
      "h2{font-size:16px}h3{font-size:13px;color:#444;margin:10px 0 4px}svg{display:block}"
      "</style></head>\n<body>\n<h1>", Esc(title), "</h1>\n");
  for (const PlotRow& row : rows) absl::StrAppend(&out, Row(row));
  absl::StrAppend(&out, "</body></html>\n");
  return out;
}

}  // namespace replsim::tools
