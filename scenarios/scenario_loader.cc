#include "scenarios/scenario_loader.h"

#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "protocol/node/behavior.h"
#include "protocol/node/guc.h"
#include "protocol/os/signal.h"
#include "scenarios/archive_load.h"
#include "scenarios/injected_faults_check.h"
#include "scenarios/scenario_file.h"
#include "scenarios/scenario_limits.h"
#include "scenarios/scenario_location.h"
#include "scenarios/step_plan.h"

namespace replsim::scenarios {
namespace {

using google::protobuf::TextFormat;

class Collector : public google::protobuf::io::ErrorCollector {
 public:
  explicit Collector(std::string file) : file_(std::move(file)) {}
  void AddError(int line, int column, const std::string& message) override {
    if (first_.empty()) {
      first_ = absl::StrCat(file_, ":", line + 1, ":", column + 1, ": ", message);
    }
  }
  void AddWarning(int, int, const std::string&) override {}
  const std::string& first() const { return first_; }

 private:
  std::string file_;
  std::string first_;
};

// Every release the scenario runs under (its profile, its rows') must have
// parameter `name`; the error names the first that lacks it.
absl::Status CheckExistsInProfiles(const Scenario& s, const std::string& name) {
  std::vector<std::string> profiles = {s.profile()};
  for (const Expectation& e : s.expect()) {
    if (!e.profile().empty()) profiles.push_back(e.profile());
  }
  for (const std::string& p : profiles) {
    absl::StatusOr<node::Behavior> pb = node::Behavior::ForProfile(p);
    if (!pb.ok()) continue;  // reported with its row
    absl::Status st = node::Gucs::CheckExists(name, pb->server_version_num);
    if (!st.ok()) return absl::InvalidArgumentError(absl::StrCat(p, ": ", st.message()));
  }
  return absl::OkStatus();
}

// A reload step's settings: parameters whose reload each process models,
// with values the loader would take at start, in every release the
// scenario runs under.
absl::Status CheckReloadSettings(const Scenario& s, const ScenarioLocator& c,
                                 const ParseTree* step_tree, const Step& st) {
  const ReloadConfig& r = st.reload();
  const auto* rt = c.Child(step_tree, st, "reload", -1);
  if (r.settings_size() == 0) {
    return c.Error(step_tree, st, "reload", -1, "reload: expected at least one setting");
  }
  for (int j = 0; j < r.settings_size(); ++j) {
    const Setting& set = r.settings(j);
    if (set.name() != "synchronous_standby_names" && set.name() != "synchronous_commit") {
      return c.Error(rt, r, "settings", j,
                     absl::StrCat("reload of \"", set.name(),
                                  "\" is not modelled; expected synchronous_standby_names or "
                                  "synchronous_commit (each process's reload point is modelled "
                                  "for them only)"));
    }
    node::Gucs g;
    if (absl::Status e = g.Set(set.name(), set.value()); !e.ok()) {
      return c.Error(rt, r, "settings", j, std::string(e.message()));
    }
    if (set.name() == "synchronous_commit" &&
        (g.synchronous_commit == node::SynchronousCommit::kOff ||
         g.synchronous_commit == node::SynchronousCommit::kRemoteApply)) {
      return c.Error(rt, r, "settings", j,
                     "synchronous_commit off and remote_apply are not modelled; expected local, "
                     "remote_write or on");
    }
    if (absl::Status e = CheckExistsInProfiles(s, set.name()); !e.ok()) {
      return c.Error(rt, r, "settings", j, std::string(e.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status Validate(const Scenario& s, const ScenarioLocator& c) {
  const auto* root = c.root();
  if (s.name().empty()) return c.Error(root, s, "name", -1, "expected a scenario name");
  if (absl::Status st = CheckEnumValues(s, c); !st.ok()) return st;
  absl::StatusOr<node::Behavior> b = node::Behavior::ForProfile(s.profile());
  if (!b.ok()) return c.Error(root, s, "profile", -1, std::string(b.status().message()));
  for (int i = 0; i < s.switches_size(); ++i) {
    absl::Status st = b->ApplyOverrides(s.switches(i));
    if (!st.ok()) return c.Error(root, s, "switches", i, std::string(st.message()));
  }
  std::set<std::string> names;
  int primaries = 0;
  for (int i = 0; i < s.nodes_size(); ++i) {
    const Node& n = s.nodes(i);
    const auto* nt = c.Child(root, s, "nodes", i);
    if (n.name().empty()) return c.Error(root, s, "nodes", i, "expected a node name");
    if (absl::Status st = CheckHostName(c, nt, n); !st.ok()) return st;
    if (!names.insert(n.name()).second) {
      return c.Error(nt, n, "name", -1, absl::StrCat("duplicate node \"", n.name(), "\""));
    }
    if (n.role() == Node::ROLE_UNSPECIFIED) {
      return c.Error(root, s, "nodes", i, "expected role: PRIMARY, STANDBY or RECEIVEXLOG");
    }
    primaries += n.role() == Node::PRIMARY;
    if (n.role() != Node::RECEIVEXLOG &&
        (!n.slot_name().empty() || n.create_slot() || n.reconnect())) {
      return c.Error(root, s, "nodes", i,
                     "slot_name, create_slot and reconnect are for RECEIVEXLOG nodes");
    }
    if (n.create_slot() && n.slot_name().empty()) {
      return c.Error(nt, n, "create_slot", -1, "create_slot needs a slot_name");
    }
    for (int j = 0; j < n.settings_size(); ++j) {
      if (n.role() == Node::RECEIVEXLOG) {
        return c.Error(nt, n, "settings", j,
                       "settings are server parameters; a RECEIVEXLOG node takes none");
      }
      node::Gucs g;
      if (absl::Status st = g.Set(n.settings(j).name(), n.settings(j).value()); !st.ok()) {
        return c.Error(nt, n, "settings", j, std::string(st.message()));
      }
      // Values whose machinery replsim does not have are refused rather
      // than run as something else.
      if (n.settings(j).name() == "synchronous_commit") {
        if (g.synchronous_commit == node::SynchronousCommit::kOff) {
          return c.Error(nt, n, "settings", j,
                         "synchronous_commit off is not modelled: asynchronous commit needs the "
                         "WAL writer, which replsim does not run");
        }
        if (g.synchronous_commit == node::SynchronousCommit::kRemoteApply) {
          return c.Error(nt, n, "settings", j,
                         "synchronous_commit remote_apply is not modelled: replsim's synchronous "
                         "replication waits for write or flush, not replay");
        }
      }
      if (n.settings(j).name() == "fsync" && !g.fsync) {
        return c.Error(nt, n, "settings", j,
                       "fsync off is not modelled: replsim's servers always fsync");
      }
      if (n.settings(j).name() == "restore_command" && !g.restore_command.empty() &&
          !s.has_archive()) {
        return c.Error(nt, n, "settings", j,
                       "restore_command needs the scenario's archive block (the host it "
                       "restores from)");
      }
      if (absl::Status st = CheckExistsInProfiles(s, n.settings(j).name()); !st.ok()) {
        return c.Error(nt, n, "settings", j, std::string(st.message()));
      }
    }
  }
  if (primaries != 1) {
    return c.Error(root, s, "nodes", 0,
                   absl::StrCat("expected exactly one PRIMARY node, found ", primaries));
  }
  auto known = [&](const std::string& n) { return names.count(n) > 0; };
  std::map<std::string, Node::Role> roles;
  for (const Node& n : s.nodes()) roles[n.name()] = n.role();
  for (int i = 0; i < s.nodes_size(); ++i) {
    const Node& n = s.nodes(i);
    if ((n.role() == Node::STANDBY || n.role() == Node::RECEIVEXLOG) &&
        !known(n.upstream())) {
      return c.Error(c.Child(root, s, "nodes", i), n, "upstream", -1,
                     absl::StrCat("unknown upstream \"", n.upstream(), "\""));
    }
    if (n.role() == Node::PRIMARY && !n.upstream().empty()) {
      return c.Error(c.Child(root, s, "nodes", i), n, "upstream", -1,
                     "a PRIMARY streams from no one; expected no upstream");
    }
    if (n.upstream() == n.name() || (known(n.upstream()) && roles[n.upstream()] == Node::RECEIVEXLOG)) {
      return c.Error(c.Child(root, s, "nodes", i), n, "upstream", -1,
                     absl::StrCat("upstream \"", n.upstream(),
                                  "\": expected another PRIMARY or STANDBY node"));
    }
  }
  for (int i = 0; i < s.steps_size(); ++i) {
    const Step& st = s.steps(i);
    const auto* t = c.Child(root, s, "steps", i);
    if (absl::Status r = CheckRange(c, t, st, "delay_ms", st.delay_ms()); !r.ok()) return r;
    std::vector<std::string> refs;
    switch (st.op_case()) {
      case Step::kStart: refs = {st.start().node()}; break;
      case Step::kStop:
        refs = {st.stop().node()};
        if (st.stop().mode() == StopNode::MODE_UNSPECIFIED) {
          return c.Error(t, st, "stop", -1, "expected mode: SMART, FAST or IMMEDIATE");
        }
        break;
      case Step::kPromote: refs = {st.promote().node()}; break;
      case Step::kRestartAsStandby:
        refs = {st.restart_as_standby().node(), st.restart_as_standby().upstream()};
        break;
      case Step::kBaseBackup:
        refs = {st.base_backup().node(), st.base_backup().upstream()};
        break;
      case Step::kKill: {
        refs = {st.kill().node()};
        bool known_signal = false;
        for (os::Signal sig : os::kAllSignals) known_signal |= os::SignalName(sig) == st.kill().signal();
        if (!known_signal) {
          return c.Error(c.Child(t, st, "kill", -1), st.kill(), "signal", -1,
                         absl::StrCat("unknown signal \"", st.kill().signal(),
                                      "\": expected SIGTERM, SIGKILL, SIGQUIT, SIGINT, SIGHUP, "
                                      "SIGUSR1, SIGUSR2, ..."));
        }
        if (st.kill().process().empty()) {
          return c.Error(t, st, "kill", -1,
                         "expected process: a PostgreSQL process name (\"walreceiver\", "
                         "\"postmaster\", ...)");
        }
        break;
      }
      case Step::kDiskFault:
        refs = {st.disk_fault().node()};
        if (st.disk_fault().kind() == DiskFault::KIND_UNSPECIFIED) {
          return c.Error(t, st, "disk_fault", -1,
                         "expected kind: FAIL_NEXT_FSYNC, FILL or FREE");
        }
        break;
      case Step::kDropConnections: refs = {st.drop_connections().node()}; break;
      case Step::kCrash: refs = {st.crash().node()}; break;
      case Step::kPartition:
        refs = {st.partition().a(), st.partition().b()};
        if (absl::Status r = CheckRange(c, c.Child(t, st, "partition", -1),
                                        st.partition(), "duration_ms",
                                        st.partition().duration_ms());
            !r.ok()) {
          return r;
        }
        break;
      case Step::kWaitForCatchUp: refs = {st.wait_for_catch_up().node()}; break;
      case Step::kStallProcess: refs = {st.stall_process().node()}; break;
      case Step::kPauseHost: refs = {st.pause_host().node()}; break;
      case Step::kSlowDisk: refs = {st.slow_disk().node()}; break;
      case Step::kSlowReader: refs = {st.slow_reader().node()}; break;
      case Step::kClockStep: refs = {st.clock_step().node()}; break;
      case Step::kReload: {
        refs = {st.reload().node()};
        if (absl::Status r = CheckReloadSettings(s, c, t, st); !r.ok()) return r;
        break;
      }
      case Step::kSwitchWal: refs = {st.switch_wal().node()}; break;
      case Step::kArchiveFault:
        if (absl::Status r = CheckArchiveStep(s, c, i); !r.ok()) return r;
        break;
      case Step::kStopWorkload: break;
      case Step::OP_NOT_SET:
        return c.Error(root, s, "steps", i, "expected an operation (start, stop, promote, ...)");
    }
    for (const std::string& r : refs) {
      if (!known(r)) {
        return c.Error(root, s, "steps", i, absl::StrCat("unknown node \"", r, "\""));
      }
    }
  }
  if (absl::Status st = CheckArchiveBlock(s, c); !st.ok()) return st;
  if (absl::Status st = CheckStepPlan(s, c); !st.ok()) return st;
  if (absl::Status st = CheckInjectedFaults(s, c); !st.ok()) return st;
  if (absl::Status st = CheckLimits(s, c); !st.ok()) return st;
  for (int i = 0; i < s.expect_size(); ++i) {
    const Expectation& e = s.expect(i);
    const auto* et = c.Child(root, s, "expect", i);
    absl::StatusOr<node::Behavior> eb =
        node::Behavior::ForProfile(e.profile().empty() ? s.profile() : e.profile());
    if (!eb.ok()) return c.Error(et, e, "profile", -1, std::string(eb.status().message()));
    for (int j = 0; j < e.switches_size(); ++j) {
      absl::Status st = eb->ApplyOverrides(e.switches(j));
      if (!st.ok()) return c.Error(et, e, "switches", j, std::string(st.message()));
    }
  }
  if (s.default_seeds().first() > s.default_seeds().last()) {
    return c.Error(root, s, "default_seeds", -1,
                   absl::StrCat("default_seeds: first ", s.default_seeds().first(),
                                " is greater than last ", s.default_seeds().last()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseTextWithLocations(const std::string& text, const std::string& display_name,
                                    google::protobuf::Message* m, ParseTree* tree) {
  Collector errors(display_name);
  TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(tree);
  if (!parser.ParseFromString(text, m)) {
    return absl::InvalidArgumentError(errors.first().empty()
                                          ? absl::StrCat(display_name, ": parse error")
                                          : errors.first());
  }
  return absl::OkStatus();
}

absl::Status ValidateScenario(const Scenario& s, const ScenarioLocator& c) {
  return Validate(s, c);
}

absl::StatusOr<Scenario> ParseScenario(const std::string& text,
                                       const std::string& display_name) {
  if (absl::Status st = CheckScenarioText(text, display_name); !st.ok()) return st;
  Scenario s;
  TextFormat::ParseInfoTree tree;
  if (absl::Status st = ParseTextWithLocations(text, display_name, &s, &tree); !st.ok()) {
    return st;
  }
  if (absl::Status st = Validate(s, ScenarioLocator(display_name, &tree)); !st.ok()) return st;
  return s;
}

absl::StatusOr<Scenario> LoadScenarioFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadScenarioFile(path);
  if (!text.ok()) return text.status();
  return ParseScenario(*text, path);
}

}  // namespace replsim::scenarios
