// Plays a scenario's steps on real PostgreSQL 15 (see real_runner.h).
#include "tools/real_runner.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tools/real_cluster.h"
#include "tools/real_proc.h"

namespace replsim::tools::real {
namespace {

using scenarios::Step;

uint64_t SplitMix(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A timeline history file as the outcome records it: "00000002.history: 1
// X/X no recovery target specified" (tabs to spaces, LSNs stripped).
std::vector<std::string> HistoryFiles(const std::string& datadir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(datadir + "/pg_wal", ec)) {
    const std::string name = e.path().filename().string();
    if (!absl::EndsWith(name, ".history")) continue;
    std::string text = ReadFileOr(e.path().string());
    while (!text.empty() && text.back() == '\n') text.pop_back();
    out.push_back(absl::StrCat(name, ": ", NormaliseMessage(text)));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The switchpoint of the newest timeline in `datadir`'s history files.
uint64_t NewestSwitchpoint(const std::string& datadir, int tli) {
  const std::string text =
      ReadFileOr(absl::StrFormat("%s/pg_wal/%08X.history", datadir, tli));
  uint64_t sp = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() >= 2) sp = ParseLsnText(f[1]);
  }
  return sp;
}

// The highest timeline with a history file in `datadir` (1: none).
int HighestHistory(const std::string& datadir) {
  int highest = 1;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(datadir + "/pg_wal", ec)) {
    const std::string name = e.path().filename().string();
    unsigned tli = 0;
    if (absl::EndsWith(name, ".history") && absl::SimpleHexAtoi(name.substr(0, 8), &tli)) {
      highest = std::max(highest, static_cast<int>(tli));
    }
  }
  return highest;
}

class Player {
 public:
  Player(const scenarios::Scenario& s, RealCluster& c, int run, std::string template_dir)
      : s_(s), c_(c), rng_(run), template_(std::move(template_dir)), verbose_(std::getenv("REPLSIM_REAL_VERBOSE") != nullptr) {}

  // The first failed step, or "".
  absl::StatusOr<std::string> Play();
  RunOutcome Outcome();

 private:
  absl::StatusOr<bool> Do(const Step& st);  // false: the step failed (failure_ says how)
  absl::Status StartWorkload(const std::string& node);
  absl::StatusOr<bool> CatchUp(const scenarios::WaitForCatchUp& w);
  bool IsPrimary(const std::string& node) const { return upstream_.count(node) == 0; }

  const scenarios::Scenario& s_;
  RealCluster& c_;
  uint64_t rng_;
  std::string template_;
  bool verbose_;
  std::map<std::string, std::string> upstream_;
  std::optional<std::pair<std::string, uint64_t>> clean_stop_;  // node, checkpoint
  std::map<std::string, std::string> shutdown_checkpoint_;
  std::map<std::string, bool> caught_up_;
  std::optional<pid_t> workload_;
  std::string failure_;
};

absl::StatusOr<std::string> Player::Play() {
  for (const scenarios::Node& n : s_.nodes()) {
    c_.AddNode(n);
    if (!n.upstream().empty()) upstream_[n.name()] = n.upstream();
  }
  for (const scenarios::Node& n : s_.nodes()) {
    if (n.role() != scenarios::Node::PRIMARY) continue;
    if (absl::Status st = c_.InitDb(n.name(), template_); !st.ok()) return st;
  }
  for (int i = 0; i < s_.steps_size(); ++i) {
    const Step& st = s_.steps(i);
    const uint32_t lo = st.delay_ms().min(), hi = std::max(lo, st.delay_ms().max());
    const uint32_t delay = lo + static_cast<uint32_t>(SplitMix(&rng_) % (hi - lo + 1));
    SleepInterruptibly(absl::Milliseconds(delay));
    if (absl::Status s = CheckInterrupted(); !s.ok()) return s;
    const absl::Time began = absl::Now();
    absl::StatusOr<bool> ok = Do(st);
    if (verbose_) {
      std::fprintf(stderr, "real: step %d (%d ms delay) took %.3f s\n", i + 1, delay,
                   absl::ToDoubleSeconds(absl::Now() - began));
    }
    if (!ok.ok()) return ok.status();
    if (!*ok) return absl::StrCat("step ", i + 1, ": ", failure_);
  }
  return std::string();
}

absl::Status Player::StartWorkload(const std::string& node) {
  const scenarios::Workload& w = s_.workload();
  if (workload_.has_value() || w.sessions() == 0) return absl::OkStatus();
  // synchronous_commit local: with synchronous_standby_names set and no
  // standby yet, the table must not wait for one (the sessions' commits do).
  absl::StatusOr<std::string> made = c_.Query(
      node, "SET synchronous_commit = local; CREATE TABLE replsim_t (a int4, b int4, c text)");
  if (!made.ok()) return made.status();
  const std::string script = absl::StrCat(c_.dir(), "/workload.sql");
  // Two int4 columns and a text column filling the rest of row_bytes.
  const int fill = std::max(0, static_cast<int>(w.row_bytes() > 0 ? w.row_bytes() : 8) - 9);
  if (absl::Status st = WriteFileAs(
          c_.who(), script,
          absl::StrCat("INSERT INTO replsim_t VALUES (:client_id, 0, repeat('x', ", fill,
                       "));\n\\sleep ", w.think_ms() > 0 ? w.think_ms() : 1, " ms\n"));
      !st.ok()) {
    return st;
  }
  absl::StatusOr<pid_t> pid = SpawnProgram(
      c_.who(),
      {c_.Bin("pgbench"), "-n", "-h", c_.SocketDir(), "-p", absl::StrCat(c_.Port(node)), "-U",
       "postgres", "-c", absl::StrCat(w.sessions()), "-t",
       absl::StrCat(w.transactions() > 0 ? w.transactions() : 400), "-f", script, "postgres"},
      absl::StrCat(c_.dir(), "/pgbench.out"));
  if (!pid.ok()) return pid.status();
  workload_ = *pid;
  return absl::OkStatus();
}

absl::StatusOr<bool> Player::CatchUp(const scenarios::WaitForCatchUp& w) {
  const auto up = upstream_.find(w.node());
  caught_up_[w.node()] = true;
  if (up == upstream_.end() || !c_.Running(up->second)) return true;
  absl::StatusOr<std::string> target = c_.Query(
      up->second,
      "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
      "ELSE pg_current_wal_flush_lsn() END");
  if (!target.ok()) return true;  // the upstream is going away
  const uint64_t target_lsn = ParseLsnText(*target);
  const int target_tli = ParseServerLog(c_.Log(up->second)).timeline;
  const absl::Time end = absl::Now() + absl::Seconds(w.timeout_s() > 0 ? w.timeout_s() : 60);
  while (absl::Now() < end) {
    if (absl::Status st = CheckInterrupted(); !st.ok()) return st;
    if (ParseServerLog(c_.Log(w.node())).timeline == target_tli) {
      absl::StatusOr<std::string> replayed = c_.Query(w.node(), "SELECT pg_last_wal_replay_lsn()");
      if (replayed.ok() && ParseLsnText(*replayed) >= target_lsn) return true;
    }
    SleepInterruptibly(absl::Milliseconds(20));
  }
  caught_up_[w.node()] = false;
  failure_ = absl::StrFormat("wait_for_catch_up of %s: not caught up with %s (target %s on "
                             "timeline %d)",
                             w.node(), up->second, *target, target_tli);
  return false;
}

absl::StatusOr<bool> Player::Do(const Step& st) {
  absl::Status done;
  switch (st.op_case()) {
    case Step::kStart: {
      const std::string& node = st.start().node();
      done = c_.Start(node);
      if (done.ok() && IsPrimary(node)) done = StartWorkload(node);
      break;
    }
    case Step::kStop: {
      const std::string& node = st.stop().node();
      done = c_.Stop(node, st.stop().mode(),
                     absl::Seconds(st.stop().timeout_s() > 0 ? st.stop().timeout_s() : 120));
      if (done.ok() && st.stop().mode() != scenarios::StopNode::IMMEDIATE && IsPrimary(node)) {
        clean_stop_ = {node, ParseLsnText(
            RealCluster::ControlField("Latest checkpoint location", c_.ControlData(node)))};
      } else if (done.ok()) {
        clean_stop_.reset();
      }
      break;
    }
    case Step::kPromote: {
      const std::string& node = st.promote().node();
      done = c_.Promote(node);
      if (!done.ok()) break;
      const auto up = upstream_.find(node);
      if (clean_stop_.has_value() && up != upstream_.end() && up->second == clean_stop_->first) {
        const uint64_t fork =
            NewestSwitchpoint(c_.DataDir(node), ParseServerLog(c_.Log(node)).timeline);
        shutdown_checkpoint_[clean_stop_->first] =
            fork > clean_stop_->second ? "reached the standby" : "missed by the standby";
      }
      upstream_.erase(node);
      break;
    }
    case Step::kRestartAsStandby: {
      const auto& r = st.restart_as_standby();
      done = c_.ConfigureStandby(r.node(), r.upstream());
      upstream_[r.node()] = r.upstream();
      if (done.ok()) done = c_.Start(r.node());
      break;
    }
    case Step::kBaseBackup:
      done = c_.BaseBackup(st.base_backup().node(), st.base_backup().upstream());
      upstream_[st.base_backup().node()] = st.base_backup().upstream();
      break;
    case Step::kKill:
      done = c_.Kill(st.kill().node(), st.kill().process(), st.kill().signal());
      break;
    case Step::kWaitForCatchUp:
      return CatchUp(st.wait_for_catch_up());
    case Step::kStopWorkload:
      if (workload_.has_value() && !WaitChild(*workload_, absl::Seconds(120))) {
        if (absl::Status s = CheckInterrupted(); !s.ok()) return s;
        failure_ = "stop_workload: the workload's sessions had not all ended";
        return false;
      }
      break;
    default:  // refused by CheckRealScenario before the run
      return absl::InternalError("a step real runs cannot perform");
  }
  if (absl::IsCancelled(done)) return done;
  if (!done.ok()) {
    failure_ = std::string(done.message());
    return false;
  }
  return true;
}

RunOutcome Player::Outcome() {
  RunOutcome out;
  const std::set<std::string> waited = CatchUpNodes(s_);
  for (const scenarios::Node& spec : s_.nodes()) {
    NodeOutcome n;
    n.node = spec.name();
    const LogFacts f = ParseServerLog(c_.Log(n.node));
    n.timeline = f.timeline;
    if (c_.Running(n.node)) {
      absl::StatusOr<std::string> r = c_.Query(n.node, "SELECT pg_is_in_recovery()");
      n.role = r.ok() && *r == "t" ? "standby" : r.ok() ? "primary" : "not answering";
    } else {
      n.role = f.started ? "stopped" : "never started";
    }
    if (c_.HasDataDir(n.node) && f.started) {
      const std::string control = c_.ControlData(n.node);
      auto field = [&](const char* f) { return RealCluster::ControlField(f, control); };
      n.control_state = field("Database cluster state");
      n.detail = absl::StrCat("pg_controldata: latest checkpoint ",
                              field("Latest checkpoint location"), " on timeline ",
                              field("Latest checkpoint's TimeLineID"));
      n.history = HistoryFiles(c_.DataDir(n.node));
    }
    if (waited.count(n.node) > 0) {
      const auto it = caught_up_.find(n.node);
      SetRejoin(f, it != caught_up_.end() && it->second, &n,
                NewestSwitchpoint(c_.DataDir(n.node), HighestHistory(c_.DataDir(n.node))));
    }
    if (auto it = shutdown_checkpoint_.find(n.node); it != shutdown_checkpoint_.end()) {
      n.shutdown_checkpoint = it->second;
    }
    out.nodes.push_back(std::move(n));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<DataDirTemplate>> DataDirTemplate::Make(
    const std::string& bindir) {
  absl::StatusOr<RunAs> who = ResolveRunAs();
  if (!who.ok()) return who.status();
  absl::StatusOr<std::string> dir = MakeTempDir(*who);
  if (!dir.ok()) return dir.status();
  auto t = std::unique_ptr<DataDirTemplate>(new DataDirTemplate());
  t->dir_ = *dir;
  t->datadir_ = *dir + "/template";
  absl::StatusOr<ProcResult> r =
      RunProgram(*who,
                 {bindir + "/initdb", "-D", t->datadir_, "-U", "postgres", "-A", "trust",
                  "--locale=C", "-E", "UTF8", "-N"},
                 *dir + "/initdb.out", absl::Seconds(120));
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) return absl::InternalError(absl::StrCat("initdb failed: ", r->output));
  if (absl::Status st = WriteFileAs(*who, t->datadir_ + "/postgresql.conf",
                                    "include_if_exists 'replsim.conf'\n", /*append=*/true);
      !st.ok()) {
    return st;
  }
  return t;
}

DataDirTemplate::~DataDirTemplate() { KillUnderAndRemove(dir_); }

absl::StatusOr<RealRunResult> RunReal(const scenarios::Scenario& s, const RealRunOptions& o) {
  absl::StatusOr<RunAs> who = ResolveRunAs();
  if (!who.ok()) return who.status();
  absl::StatusOr<std::string> dir = MakeTempDir(*who);
  if (!dir.ok()) return dir.status();
  if (o.on_dir) o.on_dir(*dir);
  const absl::Time began = absl::Now();
  RealCluster c(o.bindir, *who, *dir);
  Player p(s, c, o.run, o.template_dir);
  absl::StatusOr<std::string> failure = p.Play();
  RealRunResult r;
  if (failure.ok()) {
    r.failure = *failure;
    r.outcome = p.Outcome();
    for (const scenarios::Node& n : s.nodes()) r.logs[n.name()] = c.Log(n.name());
  }
  c.Cleanup();
  r.seconds = absl::ToDoubleSeconds(absl::Now() - began);
  if (!failure.ok()) return failure.status();
  return r;
}

}  // namespace replsim::tools::real
