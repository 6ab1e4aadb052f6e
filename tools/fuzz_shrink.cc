// `replsim shrink`: ddmin over a failing scenario's steps, then its delays
// (fuzz_shrink.h), and the failure signatures `fuzz` groups by.
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_location.h"
#include "tools/cli_common.h"
#include "tools/fuzz_shrink.h"
#include "tools/sweep_record.h"
#include "google/protobuf/text_format.h"

namespace replsim::tools {
namespace {

struct Tried {
  bool same = false;
  double seconds = 0;
};

// Runs `s` and says whether it fails with `signature`; a scenario the
// loader refuses never does.
Tried TryCandidate(const scenarios::Scenario& s, uint64_t seed,
                   const scenarios::RunOptions& options, const std::string& signature) {
  Tried t;
  if (!scenarios::ValidateScenario(s, scenarios::ScenarioLocator("candidate", nullptr)).ok()) {
    return t;
  }
  scenarios::RunOptions o = options;
  o.fingerprint = false;
  absl::StatusOr<scenarios::RunReport> r = scenarios::RunScenario(s, seed, o);
  if (!r.ok()) return t;
  t.seconds = r->end_time.nanos() / 1e9;
  const scenarios::Violation* v = r->first_violation();
  if (v == nullptr) return t;
  SeedOutcome out;
  out.invariant = scenarios::InvariantName(v->invariant);
  out.violation = ViolationLine(*v);
  t.same = FailureSignature(out) == signature;
  return t;
}

scenarios::Scenario WithSteps(const scenarios::Scenario& s,
                              const std::vector<scenarios::Step>& steps) {
  scenarios::Scenario c = s;
  c.clear_steps();
  for (const scenarios::Step& st : steps) *c.add_steps() = st;
  return c;
}

}  // namespace

namespace {

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// LSNs ("0/1001630") become "X/X"; numbers (pids, times, xids, timelines,
// WAL file names) become "N".
std::string Normalise(const std::string& in) {
  std::string out;
  size_t i = 0;
  while (i < in.size()) {
    const bool boundary = i == 0 || !IsWordChar(in[i - 1]);
    size_t j = i;
    while (j < in.size() && IsHex(in[j])) ++j;
    if (boundary && j > i && j < in.size() && in[j] == '/' && j + 1 < in.size() &&
        IsHex(in[j + 1])) {
      size_t k = j + 1;
      while (k < in.size() && IsHex(in[k])) ++k;
      if (k == in.size() || !IsWordChar(in[k])) {
        out += "X/X";
        i = k;
        continue;
      }
    }
    if (boundary && IsDigit(in[i])) {
      size_t k = i;
      while (k < in.size() && (IsHex(in[k]) || in[k] == '.')) ++k;
      if (k == in.size() || !IsWordChar(in[k]) || in[k] == 's') {
        out += "N";
        i = k;
        continue;
      }
    }
    out += in[i++];
  }
  return out;
}

}  // namespace

std::string FailureSignature(const SeedOutcome& o) {
  std::string text = o.violation;
  // "INVARIANT at 12.345678s: ..." -> "..."
  if (const size_t colon = text.find("s: ");
      text.rfind(o.invariant + " at ", 0) == 0 && colon != std::string::npos) {
    text = text.substr(colon + 3);
  }
  return absl::StrCat(o.invariant, ": ", Normalise(text));
}

std::string SignatureDir(const std::string& signature) {
  return absl::StrFormat("%s-%08x", signature.substr(0, signature.find(':')),
                         static_cast<uint32_t>(HashBytes(signature)));
}

ShrinkResult Shrink(const scenarios::Scenario& s, uint64_t seed,
                    const scenarios::RunOptions& options, const std::string& signature) {
  ShrinkResult out;
  std::vector<scenarios::Step> steps(s.steps().begin(), s.steps().end());
  out.steps_before = static_cast<int>(steps.size());
  Tried first = TryCandidate(s, seed, options, signature);
  ++out.runs;
  out.seconds_before = out.seconds_after = first.seconds;
  // ddmin (Zeller & Hildebrandt 2002): remove one of n chunks at a time;
  // on success keep the rest and coarsen, else refine until single steps.
  size_t n = 2;
  while (steps.size() >= 2) {
    const size_t chunk = (steps.size() + n - 1) / n;
    bool reduced = false;
    for (size_t start = 0; start < steps.size(); start += chunk) {
      std::vector<scenarios::Step> rest(steps.begin(), steps.begin() + start);
      rest.insert(rest.end(), steps.begin() + std::min(steps.size(), start + chunk), steps.end());
      Tried t = TryCandidate(WithSteps(s, rest), seed, options, signature);
      ++out.runs;
      if (t.same) {
        steps = std::move(rest);
        out.seconds_after = t.seconds;
        n = std::max<size_t>(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    if (n >= steps.size()) break;
    n = std::min(steps.size(), n * 2);
  }
  // Then each delay: to 0, else halved, while the failure stays.
  for (size_t i = 0; i < steps.size(); ++i) {
    while (steps[i].delay_ms().max() > 0) {
      std::vector<scenarios::Step> c = steps;
      const uint32_t d = steps[i].delay_ms().max();
      Tried t;
      for (uint32_t lower : {0u, d / 2}) {
        c[i].mutable_delay_ms()->set_min(lower);
        c[i].mutable_delay_ms()->set_max(lower);
        if (lower == 0) c[i].clear_delay_ms();
        t = TryCandidate(WithSteps(s, c), seed, options, signature);
        ++out.runs;
        if (t.same) break;
      }
      if (!t.same) break;
      steps = std::move(c);
      out.seconds_after = t.seconds;
    }
  }
  out.scenario = WithSteps(s, steps);
  out.steps_after = static_cast<int>(steps.size());
  return out;
}

int ShrinkCommand(const CommandLine& cl) {
  if (!cl.Has("seed")) return BadInput("--seed N is required (the seed that fails)");
  absl::StatusOr<uint64_t> seed = ParseSeed("--seed", cl.Get("seed"));
  if (!seed.ok()) return BadInput(seed.status().message());
  absl::StatusOr<LoadedScenario> s = LoadScenarioForCli(cl.positional[0]);
  if (!s.ok()) return BadInput(s.status().message());
  absl::StatusOr<RunSetup> setup =
      SetupRun(s->scenario, cl.Get("profile"), cl.Get("switches"), cl.Get("scheduler"));
  if (!setup.ok()) return BadInput(setup.status().message());
  // The shrunk scenario carries the scheduler in its own scheduler block.
  if (absl::Status st = EmbedScheduler(&s->scenario, &*setup); !st.ok()) {
    return BadInput(st.message());
  }
  const SeedOutcome o = RunSeed(s->scenario, *seed, setup->options);
  if (o.kind == SeedOutcome::Kind::kOk) {
    return BadInput(absl::StrCat(s->path, " does not fail with seed ", *seed, " under ",
                                 setup->description, ": nothing to shrink"));
  }
  const std::string signature = FailureSignature(o);
  std::printf("signature: %s\n", signature.c_str());
  const ShrinkResult r = Shrink(s->scenario, *seed, setup->options, signature);
  std::string path = cl.Get("out");
  if (path.empty()) {
    path = s->path;
    if (path.size() > 10 && path.substr(path.size() - 10) == ".textproto") {
      path.resize(path.size() - 10);
    }
    path += ".min.textproto";
  }
  std::string text;
  google::protobuf::TextFormat::PrintToString(r.scenario, &text);
  std::ofstream out(ResolveUserPath(path), std::ios::binary | std::ios::trunc);
  out << "# shrunk by replsim shrink from " << s->path << ", seed " << *seed << "\n"
      << "# signature: " << signature << "\n# reproduce: "
      << ReplayCommandFor(path, *seed, *setup) << "\n"
      << text;
  if (!out.good()) return BadInput(absl::StrCat(path, ": cannot write the shrunk scenario"));
  std::printf("shrunk in %d runs: %d steps, %.3fs virtual time -> %d steps, %.3fs\nwrote %s\n",
              r.runs, r.steps_before, r.seconds_before, r.steps_after, r.seconds_after,
              path.c_str());
  return o.kind == SeedOutcome::Kind::kLiveness ? kExitLiveness : kExitSafety;
}

}  // namespace replsim::tools
