// Processes, privileges, temporary directories and interrupts of a real run.
#include "tools/real_proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace replsim::tools::real {
namespace {

volatile std::sig_atomic_t g_interrupt = 0;
struct sigaction g_old_int, g_old_term;

void OnInterrupt(int sig) { g_interrupt = sig; }

[[noreturn]] void ExecAs(const RunAs& who, const std::vector<std::string>& argv,
                         const std::string& output_file) {
  // Our own process group: a terminal's ^C reaches replsim, which stops
  // the children in order, rather than every child at once.
  setpgid(0, 0);
  const int fd = open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
  }
  const int null = open("/dev/null", O_RDONLY);
  if (null >= 0) dup2(null, 0);
  if (who.drop) {
    if (setgroups(0, nullptr) != 0 || setgid(who.gid) != 0 || setuid(who.uid) != 0) _exit(126);
    setenv("HOME", "/tmp", 1);
    setenv("USER", who.name.c_str(), 1);
  }
  // The caller's directory may be closed to the unprivileged user (Bazel's
  // runfiles under /root): psql and pg_ctl would warn into the output.
  if (chdir("/") != 0) _exit(126);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

}  // namespace

void InstallInterruptHandlers() {
  struct sigaction sa = {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

void RestoreInterruptHandlers() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

int Interrupted() { return g_interrupt; }

absl::Status CheckInterrupted() {
  if (g_interrupt == 0) return absl::OkStatus();
  return absl::CancelledError(
      absl::StrCat("interrupted by ", g_interrupt == SIGINT ? "SIGINT" : "SIGTERM"));
}

void SleepInterruptibly(absl::Duration d) {
  const absl::Time end = absl::Now() + d;
  while (g_interrupt == 0 && absl::Now() < end) {
    absl::SleepFor(std::min(absl::Milliseconds(10), end - absl::Now()));
  }
}

absl::StatusOr<RunAs> ResolveRunAs() {
  RunAs who;
  if (geteuid() != 0) return who;
  const struct passwd* pw = getpwnam("postgres");
  if (pw == nullptr) {
    return absl::FailedPreconditionError(
        "replsim real runs as root, and PostgreSQL refuses to: it needs the user \"postgres\" "
        "(Debian's postgresql-15 package creates it; or: adduser --system --group postgres)");
  }
  who.drop = true;
  who.uid = pw->pw_uid;
  who.gid = pw->pw_gid;
  who.name = "postgres";
  return who;
}

absl::StatusOr<pid_t> SpawnProgram(const RunAs& who, const std::vector<std::string>& argv,
                                   const std::string& output_file) {
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) ExecAs(who, argv, output_file);
  setpgid(pid, pid);
  return pid;
}

bool WaitChild(pid_t pid, absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || r < 0) return true;
    if (absl::Now() >= end || g_interrupt != 0) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
}

absl::StatusOr<ProcResult> RunProgram(const RunAs& who, const std::vector<std::string>& argv,
                                      const std::string& output_file, absl::Duration timeout) {
  absl::StatusOr<pid_t> pid = SpawnProgram(who, argv, output_file);
  if (!pid.ok()) return pid.status();
  ProcResult r;
  const absl::Time end = absl::Now() + timeout;
  int status = 0;
  for (;;) {
    const pid_t w = waitpid(*pid, &status, WNOHANG);
    if (w == *pid) break;
    if (g_interrupt != 0 || absl::Now() >= end) {
      kill(-*pid, SIGKILL);
      waitpid(*pid, &status, 0);
      if (g_interrupt != 0) return CheckInterrupted();
      r.timed_out = true;
      break;
    }
    absl::SleepFor(absl::Milliseconds(2));
  }
  if (!r.timed_out && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  r.output = ReadFileOr(output_file);
  return r;
}

absl::StatusOr<std::string> MakeTempDir(const RunAs& who) {
  const char* base = std::getenv("TMPDIR");
  // Unix socket paths are at most 107 bytes: keep the directory short.
  std::string tmpl = absl::StrCat(base != nullptr && std::strlen(base) < 40 ? base : "/tmp",
                                  "/replsim-real-XXXXXX");
  if (mkdtemp(tmpl.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("cannot create ", tmpl));
  }
  if (who.drop && chown(tmpl.c_str(), who.uid, who.gid) != 0) {
    return absl::InternalError(absl::StrCat("cannot give ", tmpl, " to ", who.name));
  }
  chmod(tmpl.c_str(), 0700);
  return tmpl;
}

std::vector<pid_t> ProcessesUnder(const std::string& dir) {
  std::vector<pid_t> out;
  DIR* d = opendir("/proc");
  if (d == nullptr) return out;
  while (const struct dirent* e = readdir(d)) {
    const pid_t pid = std::atoi(e->d_name);
    if (pid <= 0 || pid == getpid()) continue;
    std::error_code ec;
    const std::string cwd =
        std::filesystem::read_symlink(absl::StrCat("/proc/", pid, "/cwd"), ec).string();
    std::string cmd = ReadFileOr(absl::StrCat("/proc/", pid, "/cmdline"));
    for (char& c : cmd) {
      if (c == '\0') c = ' ';
    }
    if ((!ec && absl::StartsWith(cwd, dir)) || absl::StrContains(cmd, dir)) out.push_back(pid);
  }
  closedir(d);
  return out;
}

std::vector<pid_t> KillUnderAndRemove(const std::string& dir) {
  std::vector<pid_t> killed;
  for (int round = 0; round < 50; ++round) {
    const std::vector<pid_t> left = ProcessesUnder(dir);
    if (left.empty()) break;
    for (pid_t p : left) {
      kill(p, SIGKILL);
      killed.push_back(p);
    }
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return killed;
}

std::string ReadFileOr(const std::string& path, const std::string& fallback) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fallback;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status WriteFileAs(const RunAs& who, const std::string& path, const std::string& text,
                         bool append) {
  {
    std::ofstream out(path, append ? std::ios::app | std::ios::binary : std::ios::binary);
    out << text;
    if (!out.good()) return absl::InternalError(absl::StrCat(path, ": write failed"));
  }
  if (who.drop && chown(path.c_str(), who.uid, who.gid) != 0) {
    return absl::InternalError(absl::StrCat(path, ": chown failed"));
  }
  return absl::OkStatus();
}

}  // namespace replsim::tools::real
