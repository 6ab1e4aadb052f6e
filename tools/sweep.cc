#include "tools/sweep.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tools/sweep_progress.h"
#include "tools/sweep_workers.h"

namespace replsim::tools {
namespace {

volatile std::sig_atomic_t g_stop_signal = 0;

void OnStopSignal(int sig) { g_stop_signal = sig; }

double WallSeconds() {
  return std::chrono::duration<double>(  // tools only: not the simulation
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// getrusage of this process and of its waited-for children (the workers).
struct Usage {
  double self_rss_mib = 0, children_rss_mib = 0;
  double self_cpu = 0, children_cpu = 0;
};
double CpuSeconds(const rusage& u) {
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
Usage GetUsage() {
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  return {self.ru_maxrss / 1024.0, children.ru_maxrss / 1024.0, CpuSeconds(self),
          CpuSeconds(children)};
}

bool AppendLine(int fd, const std::string& line) {
  return WriteAll(fd, line + "\n") && fsync(fd) == 0;
}

std::string Duration(double s) {
  const int64_t t = static_cast<int64_t>(s + 0.5);
  if (t >= 3600) return absl::StrFormat("%dh%02dm", t / 3600, t / 60 % 60);
  if (t >= 60) return absl::StrFormat("%dm%02ds", t / 60, t % 60);
  return absl::StrFormat("%ds", t);
}

// Installs the SIGINT/SIGTERM handlers for the sweep's lifetime, and ignores
// SIGPIPE: a worker that died leaves a broken command pipe, which is
// reported as its crash, not fatal to the sweep.
class StopSignals {
 public:
  StopSignals() {
    g_stop_signal = 0;
    struct sigaction sa = {};
    sa.sa_handler = OnStopSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR at once
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
    struct sigaction ign = {};
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old_pipe_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    sigaction(SIGPIPE, &old_pipe_, nullptr);
  }

 private:
  struct sigaction old_int_ = {}, old_term_ = {}, old_pipe_ = {};
};

}  // namespace

const char* OutcomeName(SeedOutcome::Kind k) {
  switch (k) {
    case SeedOutcome::Kind::kOk: return "ok";
    case SeedOutcome::Kind::kSafety: return "safety";
    case SeedOutcome::Kind::kLiveness: return "liveness";
  }
  return "?";
}

absl::Status ParseSeedRange(const std::string& text, uint64_t* first, uint64_t* last) {
  std::vector<std::string> parts = absl::StrSplit(text, "..");
  auto digits = [](const std::string& s) {
    return !s.empty() && s.size() <= 20 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (parts.size() != 2 || !digits(parts[0]) || !digits(parts[1]) ||
      !absl::SimpleAtoi(parts[0], first) || !absl::SimpleAtoi(parts[1], last)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--seeds: expected A..B with whole numbers 0 <= A <= B <= "
                     "18446744073709551615, got \"",
                     text, "\""));
  }
  if (*first > *last) {
    return absl::InvalidArgumentError(
        absl::StrCat("--seeds: the range ", text, " is empty (A > B)"));
  }
  if (*first == 0 && *last == std::numeric_limits<uint64_t>::max()) {
    return absl::InvalidArgumentError(
        "--seeds: 0..18446744073709551615 is 2^64 seeds, which no sweep can finish; give a "
        "range of at most 2^64-1 seeds");
  }
  return absl::OkStatus();
}

absl::Status ParseShard(const std::string& text, int* index, int* count) {
  std::vector<std::string> parts = absl::StrSplit(text, '/');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], index) ||
      !absl::SimpleAtoi(parts[1], count) || *count < 1 || *index < 0 || *index >= *count) {
    return absl::InvalidArgumentError(
        absl::StrCat("--shard: expected i/n with 0 <= i < n, got \"", text, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<SweepResult> RunSweep(const SweepOptions& opt, const SeedRunner& run) {
  const SweepIdentity& id = opt.identity;
  if (id.first > id.last || id.shard_count < 1 || id.shard_index < 0 ||
      id.shard_index >= id.shard_count ||
      (id.first == 0 && id.last == std::numeric_limits<uint64_t>::max())) {
    return absl::InvalidArgumentError(absl::StrCat("no such sweep: seeds ", id.first, "..",
                                                   id.last, " shard ", id.shard_index, "/",
                                                   id.shard_count));
  }
  SeedPlan plan;
  plan.base = id.first + static_cast<uint64_t>(id.shard_index);
  plan.stride = static_cast<uint64_t>(id.shard_count);
  const uint64_t span = id.last - id.first;
  plan.count = static_cast<uint64_t>(id.shard_index) > span
                   ? 0
                   : (span - static_cast<uint64_t>(id.shard_index)) / plan.stride + 1;

  SweepResult result;
  result.seeds_total = plan.count;
  SweepProgress progress =
      LoadProgress(opt.failures_path, id, plan.base, plan.stride, plan.count);
  result.resume_note = progress.note;
  result.seeds_resumed = progress.done();
  result.failures = progress.failures;
  result.crashes = progress.crashes;
  plan.begin = progress.prefix;
  plan.skip = progress.extra;
  result.already_done = plan.count > 0 && progress.done() == plan.count;

  int failures_fd = -1;
  if (!opt.failures_path.empty()) {
    failures_fd = open(opt.failures_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (failures_fd < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          opt.failures_path, ": cannot open the failures file for appending: ", strerror(errno)));
    }
  }
  const double start = WallSeconds();
  double last_save = start, last_print = start;
  auto position = [&](uint64_t seed) { return (seed - plan.base) / plan.stride; };
  auto show = [&](bool final) {
    const double now = WallSeconds();
    // Formatted only when it is printed: this runs on every result.
    const bool live = opt.show_progress && (final || now - last_print >= 0.25);
    if (!live && !(opt.progress_lines && !final && now - last_print >= 10)) return;
    const double rate = result.seeds_run / std::max(1e-9, now - start);
    const uint64_t done = progress.done();
    const double eta = rate > 0 ? (plan.count - done) / rate : 0;
    const std::string line = absl::StrFormat(
        "%s: %d/%d seeds, %d failing, %d crashed, %.0f seeds/s, elapsed %s, ETA %s",
        id.scenario_name, done, plan.count, result.failures.size(), result.crashes.size(), rate,
        Duration(now - start), rate > 0 ? Duration(eta) : "?");
    if (live) {
      std::fprintf(stderr, "\r%s   %s", line.c_str(), final ? "\n" : "");
      last_print = now;
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
      last_print = now;
    }
  };
  auto checkpoint = [&](bool force) {
    const double now = WallSeconds();
    if (force || now - last_save >= 1.0) {
      SaveProgress(opt.failures_path, id, progress);
      last_save = now;
    }
  };

  WorkerCallbacks cb;
  cb.on_result = [&](uint64_t seed, const SeedOutcome& o) {
    ++result.seeds_run;
    if (o.kind != SeedOutcome::Kind::kOk) {
      result.failures.emplace_back(seed, o);
      if (failures_fd >= 0) {
        SeedRecord r{seed, OutcomeName(o.kind), o.invariant, o.fingerprint, o.violation};
        AppendLine(failures_fd, RecordToJson(id, r));
      }
    }
    progress.MarkDone(position(seed));
    checkpoint(false);
    show(false);
  };
  cb.on_crash = [&](uint64_t seed, const std::string& how, const std::string& last_words) {
    ++result.seeds_crashed;
    WorkerCrash c{seed, how, last_words};
    if (failures_fd >= 0) AppendLine(failures_fd, RecordToJson(id, CrashRecord(c)));
    result.crashes.push_back(std::move(c));
    progress.MarkDone(position(seed));
    checkpoint(true);
  };
  cb.on_tick = [&] {
    checkpoint(false);
    show(false);
  };
  const Usage before = GetUsage();
  {
    StopSignals signals;
    if (!result.already_done) {
      RunOnWorkers(plan, opt.jobs, run, cb, &g_stop_signal);
    }
    result.interrupted_by = g_stop_signal;
  }
  checkpoint(true);
  if (failures_fd >= 0) close(failures_fd);
  if (opt.show_progress && !result.already_done) show(true);
  result.seconds = WallSeconds() - start;
  const Usage after = GetUsage();
  result.parent_peak_rss_mib = after.self_rss_mib;
  result.worker_peak_rss_mib = after.children_rss_mib;
  result.parent_cpu_seconds = after.self_cpu - before.self_cpu;
  result.worker_cpu_seconds = after.children_cpu - before.children_cpu;
  std::sort(result.failures.begin(), result.failures.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::sort(result.crashes.begin(), result.crashes.end(),
            [](const WorkerCrash& a, const WorkerCrash& b) { return a.seed < b.seed; });
  return result;
}

}  // namespace replsim::tools
