#include "tools/sweep.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace replsim::tools {
namespace {

double WallSeconds() {
  return std::chrono::duration<double>(  // tools only: not the simulation
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool WriteAllAndSync(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return fsync(fd) == 0;
}

std::string KindName(SeedOutcome::Kind k) {
  switch (k) {
    case SeedOutcome::Kind::kOk: return "ok";
    case SeedOutcome::Kind::kSafety: return "safety";
    case SeedOutcome::Kind::kLiveness: return "liveness";
  }
  return "?";
}

// One result line between a worker and the parent:
// "seed kind fingerprint violation...".
std::string Encode(uint64_t seed, const SeedOutcome& o) {
  std::string v = o.violation;
  for (char& c : v) if (c == '\n') c = ' ';
  return absl::StrFormat("%d %d %016x %s\n", seed, static_cast<int>(o.kind),
                         o.fingerprint, v);
}

bool Decode(const std::string& line, uint64_t* seed, SeedOutcome* o) {
  std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits(' ', 3));
  int kind = 0;
  if (f.size() < 3 || !absl::SimpleAtoi(f[0], seed) || !absl::SimpleAtoi(f[1], &kind) ||
      !absl::SimpleHexAtoi(f[2], &o->fingerprint)) {
    return false;
  }
  o->kind = static_cast<SeedOutcome::Kind>(kind);
  o->violation = f.size() == 4 ? f[3] : "";
  return true;
}

}  // namespace

absl::Status ParseSeedRange(const std::string& text, uint64_t* first, uint64_t* last) {
  std::vector<std::string> parts = absl::StrSplit(text, "..");
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], first) ||
      !absl::SimpleAtoi(parts[1], last)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--seeds: expected A..B with whole numbers A <= B, got \"", text, "\""));
  }
  if (*first > *last) {
    return absl::InvalidArgumentError(
        absl::StrCat("--seeds: the range ", text, " is empty (A > B)"));
  }
  return absl::OkStatus();
}

absl::Status ParseShard(const std::string& text, int* index, int* count) {
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], index) ||
      !absl::SimpleAtoi(parts[1], count) || *count < 1 || *index < 0 ||
      *index >= *count) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--shard: expected i/n with 0 <= i < n, got \"", text, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<SweepResult> RunSweep(const SweepOptions& opt, const SeedRunner& run) {
  // This shard's seeds, in order.
  std::vector<uint64_t> seeds;
  for (uint64_t s = opt.first;; ++s) {
    if ((s - opt.first) % static_cast<uint64_t>(opt.shard_count) ==
        static_cast<uint64_t>(opt.shard_index)) {
      seeds.push_back(s);
    }
    if (s == opt.last) break;
  }
  // Resume: how many of them a previous run of the same range finished.
  const std::string progress_path =
      opt.failures_path.empty() ? "" : opt.failures_path + ".progress";
  const std::string range_key = absl::StrCat(opt.label, " ", opt.first, "..", opt.last,
                                             " shard ", opt.shard_index, "/",
                                             opt.shard_count);
  size_t done = 0;
  if (!progress_path.empty()) {
    std::ifstream in(progress_path);
    std::string key_line, count_line;
    if (std::getline(in, key_line) && std::getline(in, count_line) &&
        key_line == range_key) {
      uint64_t n = 0;
      if (absl::SimpleAtoi(count_line, &n) && n <= seeds.size()) done = n;
    }
  }
  SweepResult result;
  result.seeds_skipped = done;
  int failures_fd = -1;
  if (!opt.failures_path.empty()) {
    failures_fd = open(opt.failures_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (failures_fd < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(opt.failures_path, ": cannot open the failures file for appending"));
    }
  }
  auto save_progress = [&](size_t n) {
    if (progress_path.empty()) return;
    const std::string tmp = progress_path + ".tmp";
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    bool ok = WriteAllAndSync(fd, absl::StrCat(range_key, "\n", n, "\n"));
    close(fd);
    if (ok) rename(tmp.c_str(), progress_path.c_str());
  };

  const double start = WallSeconds();
  double last_print = start;
  std::map<uint64_t, SeedOutcome> pending;  // finished out of order
  size_t next_index = done;                 // contiguous prefix
  std::vector<bool> reported(seeds.size());  // by index into seeds
  auto record = [&](uint64_t seed, const SeedOutcome& o) {
    ++result.seeds_run;
    const uint64_t index = (seed - opt.first) / static_cast<uint64_t>(opt.shard_count);
    if (index < reported.size()) reported[index] = true;
    if (o.kind != SeedOutcome::Kind::kOk) {
      result.failures.emplace_back(seed, o);
      if (failures_fd >= 0) {
        WriteAllAndSync(failures_fd,
                        absl::StrFormat("%s seed=%d %s fingerprint=%016x %s\n", opt.label,
                                        seed, KindName(o.kind), o.fingerprint, o.violation));
      }
    }
    pending[seed] = o;
    while (next_index < seeds.size() && pending.count(seeds[next_index])) {
      pending.erase(seeds[next_index]);
      ++next_index;
    }
    const double now = WallSeconds();
    if (now - last_print > 0.5 || next_index == seeds.size()) {
      if (result.seeds_run % 64 == 0 || next_index == seeds.size()) save_progress(next_index);
      if (opt.show_progress) {
        std::fprintf(stderr, "\r%s: %zu/%zu seeds, %zu failing, %.0f seeds/s   ",
                     opt.label.c_str(), next_index, seeds.size(), result.failures.size(),
                     result.seeds_run / (now - start));
      }
      last_print = now;
    }
  };

  const int jobs = std::max(1, opt.jobs);
  if (jobs == 1) {
    for (size_t i = done; i < seeds.size(); ++i) record(seeds[i], run(seeds[i]));
  } else {
    std::vector<pid_t> pids;
    std::vector<int> fds;
    for (int j = 0; j < jobs; ++j) {
      int p[2];
      if (pipe(p) != 0) return absl::InternalError("pipe failed");
      pid_t pid = fork();
      if (pid == 0) {
        close(p[0]);
        for (size_t i = done + j; i < seeds.size(); i += jobs) {
          std::string line = Encode(seeds[i], run(seeds[i]));
          if (write(p[1], line.data(), line.size()) < 0) _exit(3);
        }
        _exit(0);
      }
      close(p[1]);
      pids.push_back(pid);
      fds.push_back(p[0]);
    }
    std::vector<std::string> partial(jobs);
    int open_fds = jobs;
    while (open_fds > 0) {
      std::vector<pollfd> pf;
      for (int fd : fds) pf.push_back({fd, POLLIN, 0});
      if (poll(pf.data(), pf.size(), -1) < 0) continue;
      for (int j = 0; j < jobs; ++j) {
        if (fds[j] < 0 || !(pf[j].revents & (POLLIN | POLLHUP))) continue;
        char buf[4096];
        ssize_t n = read(fds[j], buf, sizeof buf);
        if (n <= 0) {
          close(fds[j]);
          fds[j] = -1;
          --open_fds;
          continue;
        }
        partial[j].append(buf, n);
        size_t nl;
        while ((nl = partial[j].find('\n')) != std::string::npos) {
          uint64_t seed = 0;
          SeedOutcome o;
          if (Decode(partial[j].substr(0, nl), &seed, &o)) record(seed, o);
          partial[j].erase(0, nl + 1);
        }
      }
      for (size_t j = 0; j < fds.size(); ++j) pf[j].fd = fds[j];
    }
    for (int j = 0; j < jobs; ++j) {
      int status = 0;
      if (waitpid(pids[j], &status, 0) != pids[j]) continue;
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
      WorkerCrash c;
      c.how = WIFSIGNALED(status)
                  ? absl::StrFormat("killed by signal %d (%s)", WTERMSIG(status),
                                    strsignal(WTERMSIG(status)))
                  : absl::StrFormat("exited with code %d", WEXITSTATUS(status));
      for (size_t i = done + j; i < seeds.size(); i += jobs) {
        if (reported[i]) continue;
        if (c.seeds_lost++ == 0) c.seed = seeds[i];
      }
      if (c.seeds_lost == 0) continue;  // died after its last report
      if (failures_fd >= 0) {
        WriteAllAndSync(failures_fd,
                        absl::StrFormat("%s seed=%d crash the worker running it was %s; "
                                        "%d seed(s) of its share were not run\n",
                                        opt.label, c.seed, c.how, c.seeds_lost));
      }
      result.crashes.push_back(std::move(c));
    }
    std::sort(result.crashes.begin(), result.crashes.end(),
              [](const WorkerCrash& a, const WorkerCrash& b) { return a.seed < b.seed; });
  }
  save_progress(next_index);
  if (failures_fd >= 0) close(failures_fd);
  if (opt.show_progress) std::fprintf(stderr, "\n");
  result.seconds = WallSeconds() - start;
  std::sort(result.failures.begin(), result.failures.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return result;
}

}  // namespace replsim::tools
