// The servers of one real run (see real_cluster.h).
#include "tools/real_cluster.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace replsim::tools::real {
namespace {

constexpr absl::Duration kProgramBound = absl::Seconds(120);
constexpr absl::Duration kStartBound = absl::Seconds(60);

int SignalNumber(const std::string& name) {
  static const std::pair<const char*, int> kSignals[] = {
      {"SIGKILL", SIGKILL}, {"SIGTERM", SIGTERM}, {"SIGINT", SIGINT},   {"SIGQUIT", SIGQUIT},
      {"SIGHUP", SIGHUP},   {"SIGUSR1", SIGUSR1}, {"SIGUSR2", SIGUSR2}, {"SIGSTOP", SIGSTOP},
      {"SIGCONT", SIGCONT}};
  for (const auto& [n, v] : kSignals) {
    if (name == n) return v;
  }
  return 0;
}

// The PostgreSQL name of a process from its title, "postgres: NODE: TITLE".
std::string NameFromTitle(absl::string_view title) {
  for (const char* aux : {"checkpointer", "walreceiver", "walsender", "startup",
                          "background writer", "walwriter", "autovacuum launcher",
                          "logical replication launcher", "archiver", "stats collector"}) {
    if (absl::StartsWith(title, aux)) return aux;
  }
  return "backend";
}

}  // namespace

int PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

RealCluster::RealCluster(std::string bindir, RunAs who, std::string dir)
    : bindir_(std::move(bindir)), who_(std::move(who)), dir_(std::move(dir)) {}

RealCluster::~RealCluster() { Cleanup(); }

void RealCluster::AddNode(const scenarios::Node& spec) {
  RealNode& n = nodes_[spec.name()];
  n.spec = spec;
  n.datadir = absl::StrCat(dir_, "/", spec.name());
  n.logfile = absl::StrCat(dir_, "/", spec.name(), ".log");
  n.upstream = spec.upstream();
}

absl::StatusOr<ProcResult> RealCluster::Program(const std::string& node,
                                                std::vector<std::string> argv,
                                                absl::Duration timeout) {
  argv[0] = Bin(argv[0]);
  absl::StatusOr<ProcResult> r =
      RunProgram(who_, argv, absl::StrCat(dir_, "/out.", next_out_++), timeout);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0 && !r->timed_out) {
    return absl::InternalError(absl::StrCat(node, ": ", argv[0], " failed (exit ", r->exit_code,
                                            "): ", absl::StripAsciiWhitespace(r->output)));
  }
  return r;
}

absl::Status RealCluster::WriteConf(const std::string& node) {
  RealNode& n = nodes_.at(node);
  if (n.port == 0) n.port = PickFreePort();
  std::string conf = absl::StrCat(
      "# Written by replsim real.\nport = ", n.port,
      "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '", dir_,
      "'\ncluster_name = '", node,
      "'\nlogging_collector = off\nlog_line_prefix = '%m [%p] %b: '\nlc_messages = 'C'\n");
  for (const scenarios::Setting& s : n.spec.settings()) {
    absl::StrAppend(&conf, s.name(), " = '", s.value(), "'\n");
  }
  return WriteFileAs(who_, absl::StrCat(n.datadir, "/replsim.conf"), conf);
}

absl::Status RealCluster::InitDb(const std::string& node, const std::string& template_dir) {
  RealNode& n = nodes_.at(node);
  if (!template_dir.empty()) {
    absl::StatusOr<ProcResult> r = RunProgram(who_, {"/bin/cp", "-a", template_dir, n.datadir},
                                              absl::StrCat(dir_, "/out.cp"), kProgramBound);
    if (!r.ok()) return r.status();
    if (r->exit_code != 0) return absl::InternalError(absl::StrCat("cp -a failed: ", r->output));
    return WriteConf(node);
  }
  absl::StatusOr<ProcResult> r = Program(
      node, {"initdb", "-D", n.datadir, "-U", "postgres", "-A", "trust", "--locale=C", "-E",
             "UTF8", "-N"},
      kProgramBound);
  if (!r.ok()) return r.status();
  if (absl::Status st = WriteFileAs(who_, absl::StrCat(n.datadir, "/postgresql.conf"),
                                    "include_if_exists 'replsim.conf'\n", /*append=*/true);
      !st.ok()) {
    return st;
  }
  return WriteConf(node);
}

absl::Status RealCluster::BaseBackup(const std::string& node, const std::string& upstream) {
  RealNode& n = nodes_.at(node);
  std::error_code ec;
  std::filesystem::remove_all(n.datadir, ec);
  absl::StatusOr<ProcResult> r =
      Program(node,
              {"pg_basebackup", "-h", "127.0.0.1", "-p", absl::StrCat(Port(upstream)), "-U",
               "postgres", "-D", n.datadir, "-X", "stream", "-c", "fast", "-N"},
              kProgramBound);
  if (!r.ok()) return r.status();
  if (absl::Status st = WriteConf(node); !st.ok()) return st;
  return ConfigureStandby(node, upstream);
}

absl::Status RealCluster::ConfigureStandby(const std::string& node, const std::string& upstream) {
  RealNode& n = nodes_.at(node);
  n.upstream = upstream;
  if (absl::Status st = WriteFileAs(who_, absl::StrCat(n.datadir, "/standby.signal"), "");
      !st.ok()) {
    return st;
  }
  return WriteFileAs(
      who_, absl::StrCat(n.datadir, "/postgresql.auto.conf"),
      absl::StrCat("# Written by replsim real.\nprimary_conninfo = 'host=127.0.0.1 port=",
                   Port(upstream), " user=postgres application_name=", node,
                   "'\nrecovery_target_timeline = 'latest'\n"));
}

absl::Status RealCluster::Start(const std::string& node) {
  RealNode& n = nodes_.at(node);
  for (int attempt = 0;; ++attempt) {
    const size_t offset = Log(node).size();
    absl::StatusOr<ProcResult> r =
        Program(node, {"pg_ctl", "start", "-W", "-s", "-D", n.datadir, "-l", n.logfile},
                kProgramBound);
    if (!r.ok()) return r.status();
    const absl::Time end = absl::Now() + kStartBound;
    while (absl::Now() < end) {
      if (absl::Status st = CheckInterrupted(); !st.ok()) return st;
      const std::string log = Log(node).substr(offset);
      if (absl::StrContains(log, "database system is ready to accept") ||
          absl::StrContains(log, "entering standby mode")) {
        return absl::OkStatus();
      }
      if (absl::StrContains(log, "database system is shut down") ||
          (absl::StrContains(log, "could not bind") && !Running(node))) {
        break;
      }
      SleepInterruptibly(absl::Milliseconds(5));
    }
    const std::string log = Log(node).substr(offset);
    if (absl::StrContains(log, "could not bind") && attempt < 5) {
      n.port = 0;  // taken meanwhile: another free port
      if (absl::Status st = WriteConf(node); !st.ok()) return st;
      continue;
    }
    return absl::InternalError(absl::StrCat("start of ", node, " failed: ", log));
  }
}

absl::Status RealCluster::Stop(const std::string& node, scenarios::StopNode::Mode mode,
                               absl::Duration timeout) {
  const char* m = mode == scenarios::StopNode::SMART       ? "smart"
                  : mode == scenarios::StopNode::IMMEDIATE ? "immediate"
                                                           : "fast";
  absl::StatusOr<ProcResult> r = Program(
      node,
      {"pg_ctl", "stop", "-w", "-s", "-D", DataDir(node), "-m", m, "-t",
       absl::StrCat(absl::ToInt64Seconds(timeout))},
      timeout + absl::Seconds(10));
  if (!r.ok()) return r.status();
  if (r->timed_out) return absl::DeadlineExceededError(absl::StrCat("stop of ", node));
  return absl::OkStatus();
}

absl::Status RealCluster::Promote(const std::string& node) {
  absl::StatusOr<ProcResult> r =
      Program(node, {"pg_ctl", "promote", "-w", "-s", "-t", "60", "-D", DataDir(node)},
              kProgramBound);
  return r.ok() ? absl::OkStatus() : r.status();
}

absl::Status RealCluster::Kill(const std::string& node, const std::string& process,
                               const std::string& signal) {
  const int sig = SignalNumber(signal);
  if (sig == 0) return absl::InvalidArgumentError(absl::StrCat("unknown signal ", signal));
  std::optional<pid_t> target;
  if (process == "postmaster") {
    target = PostmasterPid(node);
  } else {
    const std::string prefix = absl::StrCat("postgres: ", node, ": ");
    for (pid_t pid : ProcessesUnder(DataDir(node))) {
      const std::string title = ReadFileOr(absl::StrCat("/proc/", pid, "/cmdline"));
      if (!absl::StartsWith(title, prefix)) continue;
      if (NameFromTitle(absl::string_view(title).substr(prefix.size())) == process) {
        if (!target.has_value() || pid < *target) target = pid;
      }
    }
  }
  if (target.has_value()) ::kill(*target, sig);
  return absl::OkStatus();
}

absl::StatusOr<std::string> RealCluster::Query(const std::string& node, const std::string& sql) {
  absl::StatusOr<ProcResult> r = Program(
      node,
      {"psql", "-X", "-A", "-t", "-q", "-h", dir_, "-p", absl::StrCat(Port(node)), "-U",
       "postgres", "-d", "postgres", "-c", sql},
      absl::Seconds(10));
  if (!r.ok()) return r.status();
  if (r->timed_out) return absl::DeadlineExceededError("psql timed out");
  return std::string(absl::StripAsciiWhitespace(r->output));
}

std::optional<pid_t> RealCluster::PostmasterPid(const std::string& node) const {
  const std::string pidfile = ReadFileOr(absl::StrCat(DataDir(node), "/postmaster.pid"));
  int pid = 0;
  if (pidfile.empty() || !absl::SimpleAtoi(pidfile.substr(0, pidfile.find('\n')), &pid) ||
      pid <= 0) {
    return std::nullopt;
  }
  return pid;
}

bool RealCluster::Running(const std::string& node) const {
  std::optional<pid_t> pid = PostmasterPid(node);
  return pid.has_value() && ::kill(*pid, 0) == 0;
}

bool RealCluster::HasDataDir(const std::string& node) const {
  return std::filesystem::exists(absl::StrCat(DataDir(node), "/global/pg_control"));
}

std::string RealCluster::Log(const std::string& node) const {
  return ReadFileOr(nodes_.at(node).logfile);
}

std::string RealCluster::DataDir(const std::string& node) const {
  return nodes_.at(node).datadir;
}

int RealCluster::Port(const std::string& node) const { return nodes_.at(node).port; }

std::string RealCluster::ControlData(const std::string& node) {
  absl::StatusOr<ProcResult> r =
      RunProgram(who_, {Bin("pg_controldata"), "-D", DataDir(node)},
                 absl::StrCat(dir_, "/out.", next_out_++), absl::Seconds(10));
  return r.ok() ? r->output : "";
}

std::string RealCluster::ControlField(const std::string& field,
                                      const std::string& control_data) {
  for (absl::string_view line : absl::StrSplit(control_data, '\n')) {
    if (absl::StartsWith(line, field + ":")) {
      return std::string(absl::StripAsciiWhitespace(line.substr(field.size() + 1)));
    }
  }
  return "";
}

std::vector<pid_t> RealCluster::Cleanup() {
  if (cleaned_) return {};
  cleaned_ = true;
  // Interrupted or not, stop every server: immediate, since nothing of
  // theirs is kept.
  // SIGQUIT to each postmaster is what pg_ctl stop -m immediate sends; its
  // exit removes the shared memory. Whatever is left is killed.
  std::vector<pid_t> postmasters;
  for (const auto& [name, n] : nodes_) {
    if (std::optional<pid_t> pid = PostmasterPid(name); pid && ::kill(*pid, SIGQUIT) == 0) {
      postmasters.push_back(*pid);
    }
  }
  const absl::Time end = absl::Now() + absl::Seconds(10);
  for (pid_t pid : postmasters) {
    while (::kill(pid, 0) == 0 && absl::Now() < end) absl::SleepFor(absl::Milliseconds(5));
  }
  return KillUnderAndRemove(dir_);
}

}  // namespace replsim::tools::real
