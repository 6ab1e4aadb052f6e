#include "tests/determinism_rules.h"

#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace replsim::tests {
namespace {

struct Rule {
  const char* pattern;  // ECMAScript regex
  const char* banned;
  const char* instead;
};

// Extend this table when a new way to break determinism turns up.
constexpr Rule kRules[] = {
    {R"(std::chrono::(system_clock|steady_clock|high_resolution_clock))",
     "host clock (std::chrono clocks)", "the virtual clock: EventQueue::now() / Os clocks"},
    {R"(\babsl::(Now|GetCurrentTimeNanos)\s*\()", "host clock (absl::Now)",
     "the virtual clock: EventQueue::now() / Os clocks"},
    {R"(\b(gettimeofday|clock_gettime|timespec_get)\s*\()", "host clock",
     "the virtual clock: EventQueue::now() / Os clocks"},
    {R"((^|[^\w:.>])time\s*\(\s*(nullptr|NULL|0)\s*\))", "host clock (time())",
     "the virtual clock"},
    {R"(std::random_device)", "std::random_device", "sim::Rng from World::Stream(name)"},
    {R"((^|[^\w:.>])s?rand\s*\()", "rand()/srand()", "sim::Rng from World::Stream(name)"},
    {R"(\b(mt19937|mt19937_64|minstd_rand0?|default_random_engine|ranlux\w*)\b)",
     "standard-library generator", "sim::Rng (xoshiro256**, pinned vectors)"},
    {R"(std::\w+_distribution\b)", "standard-library distribution",
     "sim/distributions.h (UniformInt, Bernoulli(Ratio), Exponential, Choice)"},
    {R"(absl/random/|absl::(BitGen|InsecureBitGen|Uniform|Bernoulli)\b)", "absl random",
     "sim::Rng and sim/distributions.h"},
    {R"(std::(thread|jthread|async)\b|\bpthread_create\b|<thread>)", "threads",
     "nothing: the simulator is single-threaded; use processes on the executor"},
    {R"(\b(unordered_map|unordered_set|unordered_multimap|flat_hash_map|flat_hash_set|node_hash_map|node_hash_set)\b)",
     "hash container (iteration order varies per process)",
     "absl::btree_map / btree_set or a sorted vector"},
    {R"(std::hash<|absl::Hash<|absl::HashOf\s*\()", "address- or process-seeded hash",
     "sim::StableHasher"},
    {R"(std::(set|map|multiset|multimap|less|greater)<[^<>]*\*\s*[,>])",
     "ordering by pointer value", "order by a stable id (pid, name, sequence number)"},
    {R"(\bthread_local\b)", "thread_local state", "state owned by the World"},
    {R"(\bgetenv\s*\()", "environment read inside the model",
     "pass configuration in explicitly (scenario, profile, flags)"},
    {R"(\bFIXME\b)", "stray FIXME", "fix it, or file an issue"},
    // Not nondeterminism but a miscompile: g++ 12 has been seen to skip a
    // co_await written inside an if/while condition (protocol/pq found it).
    {R"(\b(if|while)\s*\(\s*!?\s*\(?\s*co_await\b)", "co_await inside a condition",
     "await into a local first: bool ok = co_await f(); if (!ok) ..."},
};

// A mutable static (namespace-scope or function-local): `static T name = ...;`
// or `static T name;`. Functions, constants and static_assert are fine.
bool IsMutableStatic(absl::string_view line) {
  static const std::regex kStatic(  // determinism-ok: immutable after init
      R"(^\s*static\s+(?!constexpr\b|const\b|inline\b|void\b|_assert)[\w:<>,\s\*&]+?\b\w+\s*(=[^=(]*|\{[^}]*\})?\s*;\s*(//.*)?$)");
  return std::regex_search(line.begin(), line.end(), kStatic);
}

}  // namespace

std::vector<Finding> ScanSource(std::string_view file, std::string_view contents) {
  static const std::vector<std::regex> kCompiled = [] {  // determinism-ok: const
    std::vector<std::regex> v;
    for (const Rule& r : kRules) v.emplace_back(r.pattern);
    return v;
  }();
  std::vector<Finding> out;
  int lineno = 0;
  // Debian's Abseil has its own string_view type (not std::string_view).
  const absl::string_view all(contents.data(), contents.size());
  for (absl::string_view line : absl::StrSplit(all, '\n')) {
    ++lineno;
    if (absl::StrContains(line, "determinism-ok:")) continue;
    // Ignore whole-line comments: the rules concern code, and headers
    // legitimately name what they avoid.
    absl::string_view trimmed = absl::StripLeadingAsciiWhitespace(line);
    if (absl::StartsWith(trimmed, "//") || absl::StartsWith(trimmed, "*")) continue;
    for (size_t i = 0; i < kCompiled.size(); ++i) {
      if (std::regex_search(line.begin(), line.end(), kCompiled[i])) {
        out.push_back({std::string(file), lineno, kRules[i].banned,
                       kRules[i].instead, std::string(line)});
      }
    }
    if (IsMutableStatic(line)) {
      out.push_back({std::string(file), lineno, "mutable static state",
                     "state owned by the World or the object that needs it",
                     std::string(line)});
    }
  }
  return out;
}

std::string FormatFinding(const Finding& f) {
  return absl::StrCat(f.file, ":", f.line, ": ", f.banned, " -> use ", f.instead,
                      "\n    ", f.text);
}

}  // namespace replsim::tests
