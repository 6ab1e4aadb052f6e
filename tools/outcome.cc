// The normalised outcome of a run, real or simulated, and server log facts.
#include "tools/outcome.h"

#include <regex>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace replsim::tools {
namespace {

struct LogLine {
  std::string type;   // %b
  std::string level;  // LOG, FATAL, DETAIL, ...
  std::string message;
};

// "2000-01-01 00:00:00.142 UTC [14] walsender: FATAL:  text", with the
// tab-indented continuation lines of a multi-line message joined to it.
std::vector<LogLine> SplitLog(const std::string& log) {
  static const std::regex kLine(R"(^\S+ \S+ \S+ \[\d+\] ([^:]+): ([A-Z0-9]+):  (.*)$)");
  std::vector<LogLine> out;
  for (absl::string_view raw : absl::StrSplit(log, '\n')) {
    const std::string line(raw);
    std::smatch m;
    if (std::regex_match(line, m, kLine)) {
      out.push_back({m[1].str(), m[2].str(), m[3].str()});
    } else if (!out.empty() && !line.empty() && line[0] == '\t') {
      absl::StrAppend(&out.back().message, "\n", line);
    }
  }
  return out;
}

bool IsRefusal(const LogLine& l) {
  if (l.level == "FATAL" || l.level == "PANIC") return true;
  return l.type == "startup" &&
         (absl::StrContains(l.message, "forked off current database system timeline") ||
          absl::StrContains(l.message, "is not a child of database system timeline"));
}

int TimelineIn(const std::string& m) {
  static const std::regex kTli(
      R"((?:selected new timeline ID: |on timeline |new target timeline is )(\d+))");
  std::smatch s;
  int tli = 0;
  if (std::regex_search(m, s, kTli)) (void)absl::SimpleAtoi(s[1].str(), &tli);
  return tli;
}

}  // namespace

unsigned long long ParseLsnText(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return 0;
  unsigned long hi = 0, lo = 0;
  try {
    hi = std::stoul(text.substr(0, slash), nullptr, 16);
    lo = std::stoul(text.substr(slash + 1), nullptr, 16);
  } catch (...) {
    return 0;
  }
  return (static_cast<unsigned long long>(hi) << 32) | lo;
}

std::string NormaliseMessage(const std::string& message) {
  static const std::regex kLsn(R"(\b[0-9A-F]{1,8}/[0-9A-F]{1,8}\b)");
  static const std::regex kHost(R"(at "[^"]*", port \d+)");
  static const std::regex kPid(R"(PID \d+)");
  static const std::regex kSysid(R"(identifier \d+)");
  std::string s = std::regex_replace(message, kLsn, "X/X");
  s = std::regex_replace(s, kHost, "at HOST, port N");
  s = std::regex_replace(s, kPid, "PID N");
  s = std::regex_replace(s, kSysid, "identifier N");
  for (char& c : s) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return s;
}

LogFacts ParseServerLog(const std::string& log) {
  LogFacts f;
  for (const LogLine& l : SplitLog(log)) {
    const std::string& m = l.message;
    if (l.type == "postmaster" && absl::StartsWith(m, "listening on")) {
      if (!f.started || f.stopped) {
        f.stopped = false;
        f.immediate = false;
        f.in_recovery = false;
        f.last_refusal.clear();
        f.timeline_refused = false;
      }
      f.started = true;
    }
    if (l.type == "postmaster" && m == "received immediate shutdown request") f.immediate = true;
    if (l.type == "postmaster" && m == "database system is shut down") f.stopped = true;
    if (m == "entering standby mode") f.in_recovery = true;
    if (absl::StartsWith(m, "selected new timeline ID")) f.in_recovery = false;
    if (const int tli = TimelineIn(m); tli > 0 && l.level == "LOG") f.timeline = tli;
    if (l.level == "DETAIL" && absl::StartsWith(m, "End of WAL reached on timeline")) {
      static const std::regex kAt(R"(at ([0-9A-F]+/[0-9A-F]+))");
      std::smatch s;
      if (std::regex_search(m, s, kAt)) f.end_of_wal = s[1].str();
    }
    // The startup process's refusal of the new timeline decides; the
    // walreceiver's FATALs around it come and go with the retries.
    if (IsRefusal(l) && (l.type == "startup" || !f.timeline_refused)) {
      f.last_refusal = absl::StrCat(l.level, ":  ", m);
      f.timeline_refused = l.type == "startup" && l.level == "LOG";
    }
    // The walsender's refusal of START_REPLICATION, relayed in the
    // walreceiver's FATAL on a tab-indented line of its own.
    static const std::regex kForked(
        R"(This server's history forked from timeline \d+ at ([0-9A-F]+/[0-9A-F]+))");
    if (std::smatch s; std::regex_search(m, s, kForked)) f.end_of_wal = s[1].str();
    static const std::regex kRecoveryPoint(R"(before current recovery point ([0-9A-F]+/[0-9A-F]+))");
    if (std::smatch s; std::regex_search(m, s, kRecoveryPoint)) f.recovery_point = s[1].str();
  }
  if (f.started && f.timeline == 0) f.timeline = 1;
  return f;
}

void SetRejoin(const LogFacts& f, bool rejoined, NodeOutcome* n, unsigned long long fork) {
  n->rejoin_checked = true;
  n->rejoined = rejoined;
  if (rejoined) return;
  n->refusal_text = f.last_refusal;
  n->refusal_class = NormaliseMessage(f.last_refusal);
  if (fork == 0) fork = ParseLsnText(f.end_of_wal);
  const unsigned long long point = ParseLsnText(f.recovery_point);
  if (fork == 0 || point == 0) return;
  constexpr int kSegmentShift = 24;  // 16 MiB segments
  const bool same_segment = (point >> kSegmentShift) == (fork >> kSegmentShift);
  n->fork_relation = point <= fork   ? "recovery point not past the fork"
                     : same_segment ? "recovery point past the fork, same segment"
                                    : "recovery point past the fork, in a later segment";
}

std::map<std::string, std::string> CleanStopsBeforePromotion(const scenarios::Scenario& s) {
  std::map<std::string, std::string> upstream, out;
  for (const scenarios::Node& n : s.nodes()) {
    if (!n.upstream().empty()) upstream[n.name()] = n.upstream();
  }
  std::string clean_stop;
  for (const scenarios::Step& st : s.steps()) {
    if (st.has_stop()) {
      clean_stop = st.stop().mode() == scenarios::StopNode::IMMEDIATE ? "" : st.stop().node();
    } else if (st.has_base_backup()) {
      upstream[st.base_backup().node()] = st.base_backup().upstream();
    } else if (st.has_restart_as_standby()) {
      upstream[st.restart_as_standby().node()] = st.restart_as_standby().upstream();
    } else if (st.has_promote()) {
      const std::string& p = st.promote().node();
      if (!clean_stop.empty() && upstream[p] == clean_stop) out[clean_stop] = p;
      upstream.erase(p);
    }
  }
  return out;
}

std::set<std::string> CatchUpNodes(const scenarios::Scenario& s) {
  std::set<std::string> out;
  for (const scenarios::Step& st : s.steps()) {
    if (st.has_wait_for_catch_up()) out.insert(st.wait_for_catch_up().node());
  }
  return out;
}

std::string RunOutcome::Class() const {
  std::vector<std::string> parts;
  for (const NodeOutcome& n : nodes) {
    std::string s = absl::StrCat(n.node, ": ", n.role);
    if (n.timeline > 0) absl::StrAppend(&s, " tl ", n.timeline);
    if (!n.control_state.empty()) absl::StrAppend(&s, ", ", n.control_state);
    if (n.rejoin_checked) {
      absl::StrAppend(&s, n.rejoined ? ", rejoined" : ", not rejoined");
      if (!n.rejoined && !n.refusal_class.empty()) absl::StrAppend(&s, " (", n.refusal_class, ")");
      if (!n.fork_relation.empty()) absl::StrAppend(&s, ", ", n.fork_relation);
    }
    if (!n.history.empty()) {
      std::vector<std::string> tlis;
      for (const std::string& h : n.history) tlis.push_back(h.substr(0, h.find(':')));
      absl::StrAppend(&s, ", history ", absl::StrJoin(tlis, "+"));
    }
    if (!n.shutdown_checkpoint.empty()) {
      absl::StrAppend(&s, ", shutdown checkpoint ", n.shutdown_checkpoint);
    }
    parts.push_back(s);
  }
  return absl::StrJoin(parts, "; ");
}

std::string RunOutcome::Record() const {
  std::ostringstream out;
  for (const NodeOutcome& n : nodes) {
    out << "  " << n.node << ": " << n.role << ", timeline " << n.timeline << ", control file "
        << (n.control_state.empty() ? "-" : n.control_state) << "\n";
    if (n.rejoin_checked) out << "    rejoined: " << (n.rejoined ? "yes" : "no") << "\n";
    if (!n.refusal_text.empty()) {
      out << "    refusal: " << n.refusal_class << "\n    as logged: " << n.refusal_text << "\n";
    }
    if (!n.fork_relation.empty()) out << "    fork: " << n.fork_relation << "\n";
    for (const std::string& h : n.history) out << "    history " << h << "\n";
    if (!n.shutdown_checkpoint.empty()) {
      out << "    shutdown checkpoint: " << n.shutdown_checkpoint << "\n";
    }
    if (!n.detail.empty()) out << "    " << n.detail << "\n";
  }
  return out.str();
}

}  // namespace replsim::tools
