#include "scenarios/fuzz_spec_loader.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "scenarios/scenario_file.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_location.h"

namespace replsim::scenarios {
namespace {

absl::Status CheckOperations(const FuzzSpec& f, const ScenarioLocator& c) {
  const ParseTree* root = c.root();
  if (f.operations_size() == 0) {
    return c.Error(root, f, "name", -1,
                   "expected at least one operations { kind: ... weight: ... }: a spec with no "
                   "operation kinds generates nothing");
  }
  std::set<int> seen;
  uint64_t total = 0;
  for (int i = 0; i < f.operations_size(); ++i) {
    const Operation& op = f.operations(i);
    const ParseTree* t = c.Child(root, f, "operations", i);
    if (op.kind() == OPERATION_KIND_UNSPECIFIED || !OperationKind_IsValid(op.kind())) {
      return c.Error(root, f, "operations", i,
                     "expected kind: STOP_SMART, STOP_FAST, STOP_IMMEDIATE, START, PROMOTE, "
                     "RESTART_AS_STANDBY, BASE_BACKUP, KILL, CRASH_HOST, PARTITION, ...");
    }
    if (!seen.insert(op.kind()).second) {
      return c.Error(t, op, "kind", -1,
                     absl::StrCat("operation ", OperationKind_Name(op.kind()),
                                  " is listed twice; expected each kind at most once"));
    }
    if (absl::Status st = CheckRange(c, t, op, "duration_ms", op.duration_ms()); !st.ok()) {
      return st;
    }
    if (op.kind() == CRASH_HOST && op.duration_ms().min() == 0) {
      return c.Error(t, op, op.has_duration_ms() ? "duration_ms" : "kind", -1,
                     "CRASH_HOST: expected duration_ms with min at least 1 (when the host is "
                     "back); a host that stays down cannot rejoin in the liveness phase");
    }
    total += op.weight();
  }
  if (total == 0) {
    return c.Error(root, f, "operations", 0,
                   "every operation has weight 0; expected at least one with a weight above 0");
  }
  return absl::OkStatus();
}

absl::Status CheckLimitsOf(const FuzzSpec& f, const ScenarioLocator& c) {
  const ParseTree* root = c.root();
  if (!f.has_limits()) {
    return c.Error(root, f, "name", -1,
                   "expected limits { steps_max: N delay_ms { min: A max: B } converge_s: S }");
  }
  const Limits& l = f.limits();
  const ParseTree* t = c.Child(root, f, "limits", -1);
  // At `field` of limits if the file sets it, else at `limits` itself.
  auto at = [&](const char* field, const std::string& msg) {
    const auto* fd = l.GetDescriptor()->FindFieldByName(field);
    if (t != nullptr && t->GetLocation(fd, -1).line >= 0) return c.Error(t, l, field, -1, msg);
    return c.Error(root, f, "limits", -1, msg);
  };
  if (l.steps_max() == 0) {
    return at("steps_max", "limits: steps_max is 0; expected at least 1 operation per schedule");
  }
  if (absl::Status st = CheckRange(c, t, l, "delay_ms", l.delay_ms()); !st.ok()) return st;
  if (l.delay_ms().max() == 0) {
    return at("delay_ms", "limits: delay_ms max is 0; expected a delay range with max at least 1 ms");
  }
  if (l.converge_s() == 0) {
    return at("converge_s",
              "limits: converge_s is 0; expected the liveness phase's bound in seconds");
  }
  const uint32_t limit_s = f.scenario().time_limit_s() > 0 ? f.scenario().time_limit_s() : 600;
  if (l.converge_s() >= limit_s) {
    return at("converge_s", absl::StrCat("limits: converge_s ", l.converge_s(),
                                         " does not fit in the scenario's time limit of ",
                                         limit_s, " s"));
  }
  return absl::OkStatus();
}

// The template's own steps start its PRIMARY: a topology that never starts
// gives every seed the same empty run.
absl::Status CheckStarts(const FuzzSpec& f, const ScenarioLocator& c) {
  const Scenario& s = f.scenario();
  std::string primary;
  for (const Node& n : s.nodes()) {
    if (n.role() == Node::PRIMARY) primary = n.name();
  }
  for (const Step& st : s.steps()) {
    if (st.has_start() && st.start().node() == primary) return absl::OkStatus();
  }
  const std::string msg = absl::StrCat("the topology cannot start: no step starts the PRIMARY \"", primary,
                              "\"; expected steps { start { node: \"", primary, "\" } } first");
  // At the first step, or at `scenario` when it has none.
  if (s.steps_size() == 0) return c.Error(c.root(), f, "scenario", -1, msg);
  return c.Error(c.Child(c.root(), f, "scenario", -1), s, "steps", 0, msg);
}

absl::Status Validate(const FuzzSpec& f, const ScenarioLocator& c) {
  const ParseTree* root = c.root();
  if (f.name().empty()) return c.Error(root, f, "name", -1, "expected a spec name");
  if (!f.has_scenario()) {
    return c.Error(root, f, "name", -1,
                   "expected scenario { ... }: the topology (nodes, workload, faults, "
                   "invariants) and the steps that start it");
  }
  const ScenarioLocator sc(c.file(), c.Child(root, f, "scenario", -1));
  if (absl::Status st = ValidateScenario(f.scenario(), sc); !st.ok()) return st;
  if (absl::Status st = CheckStarts(f, c); !st.ok()) return st;
  if (absl::Status st = CheckOperations(f, c); !st.ok()) return st;
  if (absl::Status st = CheckLimitsOf(f, c); !st.ok()) return st;
  for (int i = 0; i < f.tolerated_size(); ++i) {
    if (f.tolerated(i) == INVARIANT_UNSPECIFIED || !Invariant_IsValid(f.tolerated(i))) {
      return c.Error(root, f, "tolerated", i,
                     "expected an invariant: CLEAN_SWITCHOVER, WAL_PREFIX, LIVENESS, ...");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FuzzSpec> ParseFuzzSpec(const std::string& text, const std::string& display_name) {
  if (absl::Status st = CheckScenarioText(text, display_name); !st.ok()) return st;
  FuzzSpec f;
  ParseTree tree;
  if (absl::Status st = ParseTextWithLocations(text, display_name, &f, &tree); !st.ok()) {
    return st;
  }
  if (absl::Status st = Validate(f, ScenarioLocator(display_name, &tree)); !st.ok()) return st;
  return f;
}

absl::StatusOr<FuzzSpec> LoadFuzzSpecFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadScenarioFile(path);
  if (!text.ok()) return text.status();
  return ParseFuzzSpec(*text, path);
}

}  // namespace replsim::scenarios
