#include "tools/sweep_workers.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace replsim::tools {
namespace {

// Seeds handed to a worker at a time; it is given more while it still has
// one chunk to run, so it never waits for the parent.
constexpr size_t kChunk = 8;

struct Worker {
  pid_t pid = -1;
  int cmd_fd = -1;  // positions to run, a line per chunk
  int out_fd = -1;  // results
  int err_fd = -1;  // its stderr
  std::deque<uint64_t> assigned;  // handed out, not reported, in order
  std::string out_buf, err_buf, last_words;
};

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// The worker's side: reads chunks of positions until its command pipe
// closes, runs each seed, writes each result.
[[noreturn]] void WorkerMain(int cmd, int out, const SeedPlan& plan, const SeedRunner& run) {
  std::string buf;
  char chunk[4096];
  while (true) {
    size_t nl;
    while ((nl = buf.find('\n')) == std::string::npos) {
      const ssize_t n = read(cmd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) _exit(0);
      buf.append(chunk, static_cast<size_t>(n));
    }
    const std::string line = buf.substr(0, nl);
    buf.erase(0, nl + 1);
    for (absl::string_view tok : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
      uint64_t p = 0;
      if (!absl::SimpleAtoi(tok, &p)) _exit(4);
      if (!WriteAll(out, EncodeResult(plan.Seed(p), run(plan.Seed(p))))) _exit(3);
    }
  }
}

bool Spawn(Worker& w, const SeedPlan& plan, const SeedRunner& run) {
  int cmd[2], out[2], err[2];
  if (pipe(cmd) != 0) return false;
  if (pipe(out) != 0) {
    close(cmd[0]);
    close(cmd[1]);
    return false;
  }
  if (pipe(err) != 0) {
    for (int fd : {cmd[0], cmd[1], out[0], out[1]}) close(fd);
    return false;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) {
    for (int fd : {cmd[0], cmd[1], out[0], out[1], err[0], err[1]}) close(fd);
    return false;
  }
  if (pid == 0) {
    // The parent decides when a sweep stops; a ^C reaches the whole process
    // group, so the worker leaves it to the parent, which kills it.
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
    std::signal(SIGPIPE, SIG_DFL);
    close(cmd[1]);
    close(out[0]);
    close(err[0]);
    dup2(err[1], 2);
    close(err[1]);
    WorkerMain(cmd[0], out[1], plan, run);
  }
  close(cmd[0]);
  close(out[1]);
  close(err[1]);
  w.pid = pid;
  w.cmd_fd = cmd[1];
  w.out_fd = out[0];
  w.err_fd = err[0];
  w.assigned.clear();
  w.out_buf.clear();
  w.err_buf.clear();
  w.last_words.clear();
  return true;
}

std::string HowItDied(int status) {
  if (WIFSIGNALED(status)) {
    return absl::StrFormat("killed by signal %d (%s)", WTERMSIG(status),
                           strsignal(WTERMSIG(status)));
  }
  return absl::StrFormat("exited with code %d", WEXITSTATUS(status));
}

// Positions not yet handed out: first those taken back from a dead worker,
// then the plan's, in order, skipping those done before.
class Dispenser {
 public:
  explicit Dispenser(const SeedPlan& plan) : plan_(plan), next_(plan.begin) { Skip(); }
  bool Empty() const { return returned_.empty() && next_ >= plan_.count; }
  uint64_t Take() {
    if (!returned_.empty()) {
      const uint64_t p = returned_.front();
      returned_.pop_front();
      return p;
    }
    const uint64_t p = next_++;
    Skip();
    return p;
  }
  void Return(uint64_t p) { returned_.push_back(p); }

 private:
  void Skip() {
    while (next_ < plan_.count && plan_.skip.count(next_) > 0) ++next_;
  }
  const SeedPlan& plan_;
  uint64_t next_;
  std::deque<uint64_t> returned_;
};

}  // namespace

bool WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

std::string EncodeResult(uint64_t seed, const SeedOutcome& o) {
  return absl::StrFormat("%d %d %016x %s %s\n", seed, static_cast<int>(o.kind), o.fingerprint,
                         o.invariant.empty() ? "-" : o.invariant, absl::CEscape(o.violation));
}

bool DecodeResult(const std::string& line, uint64_t* seed, SeedOutcome* o) {
  std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits(' ', 4));
  int kind = 0;
  if (f.size() != 5 || !absl::SimpleAtoi(f[0], seed) || !absl::SimpleAtoi(f[1], &kind) ||
      !absl::SimpleHexAtoi(f[2], &o->fingerprint) || kind < 0 || kind > 2 ||
      !absl::CUnescape(f[4], &o->violation)) {
    return false;
  }
  o->kind = static_cast<SeedOutcome::Kind>(kind);
  o->invariant = f[3] == "-" ? "" : f[3];
  return true;
}

bool RunOnWorkers(const SeedPlan& plan, int jobs, const SeedRunner& run,
                  const WorkerCallbacks& cb, const volatile std::sig_atomic_t* stop) {
  Dispenser dispenser(plan);
  std::vector<std::unique_ptr<Worker>> workers;
  // Hands `w` more seeds while it has at most one chunk left; closes its
  // command pipe (it then exits) when there are none.
  auto feed = [&](Worker& w) {
    if (w.cmd_fd < 0 || w.assigned.size() > kChunk) return;
    std::string line;
    for (size_t i = 0; i < kChunk && !dispenser.Empty(); ++i) {
      const uint64_t p = dispenser.Take();
      w.assigned.push_back(p);
      absl::StrAppend(&line, line.empty() ? "" : " ", p);
    }
    if (!line.empty()) {
      WriteAll(w.cmd_fd, line + "\n");
    } else if (w.assigned.empty()) {
      CloseFd(w.cmd_fd);
    }
  };
  auto fork_failed = [&] {
    // No process to run them in: each is reported, none counted clean.
    const std::string why = strerror(errno);
    while (!dispenser.Empty()) cb.on_crash(plan.Seed(dispenser.Take()), "never ran: fork failed", why);
  };
  for (int j = 0; j < std::max(1, jobs) && !dispenser.Empty(); ++j) {
    auto w = std::make_unique<Worker>();
    if (!Spawn(*w, plan, run)) break;
    feed(*w);
    feed(*w);
    workers.push_back(std::move(w));
  }
  if (workers.empty()) {
    fork_failed();
    return true;
  }
  size_t live = workers.size();
  while (live > 0) {
    if (*stop) {
      for (auto& w : workers) {
        if (w->pid > 0) {
          kill(w->pid, SIGKILL);
          waitpid(w->pid, nullptr, 0);
          w->pid = -1;
        }
        CloseFd(w->cmd_fd);
        CloseFd(w->out_fd);
        CloseFd(w->err_fd);
      }
      return false;
    }
    std::vector<pollfd> pf;
    std::vector<std::pair<Worker*, bool>> who;  // (worker, is stderr)
    for (auto& w : workers) {
      if (w->out_fd >= 0) {
        pf.push_back({w->out_fd, POLLIN, 0});
        who.emplace_back(w.get(), false);
      }
      if (w->err_fd >= 0) {
        pf.push_back({w->err_fd, POLLIN, 0});
        who.emplace_back(w.get(), true);
      }
    }
    const int n = poll(pf.data(), pf.size(), 1000);
    if (cb.on_tick) cb.on_tick();
    if (n <= 0) continue;  // timeout, or EINTR from the stop signal
    for (size_t k = 0; k < pf.size(); ++k) {
      if (!(pf[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Worker& w = *who[k].first;
      const bool is_err = who[k].second;
      char buf[8192];
      const ssize_t got = read(pf[k].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        CloseFd(is_err ? w.err_fd : w.out_fd);
      } else if (is_err) {
        (void)!write(2, buf, static_cast<size_t>(got));
        w.err_buf.append(buf, static_cast<size_t>(got));
        size_t nl;
        while ((nl = w.err_buf.find('\n')) != std::string::npos) {
          if (nl > 0) w.last_words = w.err_buf.substr(0, nl);
          w.err_buf.erase(0, nl + 1);
        }
      } else {
        w.out_buf.append(buf, static_cast<size_t>(got));
        size_t nl;
        while ((nl = w.out_buf.find('\n')) != std::string::npos) {
          uint64_t seed = 0;
          SeedOutcome o;
          if (DecodeResult(w.out_buf.substr(0, nl), &seed, &o) && !w.assigned.empty() &&
              plan.Seed(w.assigned.front()) == seed) {
            w.assigned.pop_front();
            cb.on_result(seed, o);
          }
          w.out_buf.erase(0, nl + 1);
        }
        feed(w);
      }
      if (w.out_fd >= 0 || w.err_fd >= 0 || w.pid < 0) continue;
      // Both pipes closed: the worker is gone.
      int status = 0;
      waitpid(w.pid, &status, 0);
      w.pid = -1;
      CloseFd(w.cmd_fd);
      if (*stop) continue;
      if (!w.assigned.empty()) {
        const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!w.err_buf.empty()) w.last_words = w.err_buf;
        cb.on_crash(plan.Seed(w.assigned.front()),
                    clean ? "exited before reporting it" : HowItDied(status), w.last_words);
        w.assigned.pop_front();
        while (!w.assigned.empty()) {
          dispenser.Return(w.assigned.front());
          w.assigned.pop_front();
        }
      }
      if (dispenser.Empty()) {
        --live;
      } else if (Spawn(w, plan, run)) {
        feed(w);
        feed(w);
      } else {
        fork_failed();
        --live;
      }
    }
  }
  return true;
}

}  // namespace replsim::tools
