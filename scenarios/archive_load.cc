#include "scenarios/archive_load.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "protocol/node/behavior.h"
#include "protocol/node/guc.h"
#include "scenarios/scenario_limits.h"

namespace replsim::scenarios {

bool ArchiveOnly(const Scenario& s, const std::string& node) {
  for (const Node& n : s.nodes()) {
    if (n.name() == node) return n.archive_only();
  }
  return false;
}

std::string ArchiveDirectory(const Archive& a) {
  return a.directory().empty() ? "/wal" : a.directory();
}

absl::Status CheckArchiveBlock(const Scenario& s, const ScenarioLocator& c) {
  const auto* root = c.root();
  if (s.has_archive()) {
    const auto* at = c.Child(root, s, "archive", -1);
    Node as_node;  // the host name rules are a node's
    as_node.set_name(s.archive().host());
    if (absl::Status st = CheckHostName(c, at, as_node); !st.ok()) {
      return c.Error(at, s.archive(), "host", -1,
                     absl::StrCat("archive host \"", s.archive().host(),
                                  "\": expected a host name: 1 to 63 letters, digits and "
                                  "hyphens, not beginning or ending with a hyphen (RFC 1123)"));
    }
    for (const Node& n : s.nodes()) {
      if (n.name() == s.archive().host()) {
        return c.Error(at, s.archive(), "host", -1,
                       absl::StrCat("archive host \"", n.name(),
                                    "\" is a node's host; expected a host of its own"));
      }
    }
    if (!absl::StartsWith(ArchiveDirectory(s.archive()), "/")) {
      return c.Error(at, s.archive(), "directory", -1, "expected an absolute path");
    }
  }
  for (int i = 0; i < s.nodes_size(); ++i) {
    const Node& n = s.nodes(i);
    if (!n.archive_only()) continue;
    if (n.role() != Node::STANDBY) {
      return c.Error(c.Child(root, s, "nodes", i), n, "archive_only", -1,
                     "archive_only is for STANDBY nodes");
    }
    bool restores = false;
    for (const Setting& g : n.settings()) restores |= g.name() == "restore_command";
    if (!restores || !s.has_archive()) {
      return c.Error(c.Child(root, s, "nodes", i), n, "archive_only", -1,
                     "archive_only needs a restore_command and the scenario's archive block");
    }
  }
  for (int i = 0; i < s.invariants_size(); ++i) {
    if (s.invariants(i) == ARCHIVE_PREFIX && !s.has_archive()) {
      return c.Error(root, s, "invariants", i, "ARCHIVE_PREFIX needs an archive block");
    }
  }
  // archive_mode = always is 9.5's (ffd37740ee): older servers refuse it.
  std::vector<std::string> profiles = {s.profile()};
  for (const Expectation& e : s.expect()) {
    if (!e.profile().empty()) profiles.push_back(e.profile());
  }
  for (int i = 0; i < s.nodes_size(); ++i) {
    const Node& n = s.nodes(i);
    for (int j = 0; j < n.settings_size(); ++j) {
      node::Gucs g;
      if (!g.Set(n.settings(j).name(), n.settings(j).value()).ok()) continue;
      if (!g.archive_mode_always || n.settings(j).name() != "archive_mode") continue;
      for (const std::string& p : profiles) {
        absl::StatusOr<node::Behavior> b = node::Behavior::ForProfile(p);
        if (b.ok() && !b->archive_mode_always) {
          return c.Error(c.Child(root, s, "nodes", i), n, "settings", j,
                         absl::StrCat(p, ": parameter \"archive_mode\" requires a Boolean value "
                                         "(archive_mode = always is 9.5 and later)"));
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckArchiveStep(const Scenario& s, const ScenarioLocator& c, int i) {
  const Step& st = s.steps(i);
  const auto* t = c.Child(c.root(), s, "steps", i);
  if (st.op_case() != Step::kArchiveFault) return absl::OkStatus();
  const ArchiveFault& f = st.archive_fault();
  const auto* ft = c.Child(t, st, "archive_fault", -1);
  if (!s.has_archive()) {
    return c.Error(c.root(), s, "steps", i, "archive_fault needs an archive block");
  }
  switch (f.kind()) {
    case ArchiveFault::FAIL:
      if (f.count() == 0) return c.Error(ft, f, "count", -1, "FAIL: expected count of at least 1");
      break;
    case ArchiveFault::DOWN:
    case ArchiveFault::FULL:
      if (absl::Status r = CheckRange(c, ft, f, "duration_ms", f.duration_ms()); !r.ok()) {
        return r;
      }
      if (f.duration_ms().max() == 0) {
        return c.Error(ft, f, "duration_ms", -1, "expected duration_ms max of at least 1");
      }
      break;
    default:
      return c.Error(t, st, "archive_fault", -1, "expected kind: DOWN, FAIL or FULL");
  }
  return absl::OkStatus();
}

}  // namespace replsim::scenarios
