#include "scenarios/scenario_limits.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "protocol/postmaster/workload_tuple.h"

namespace replsim::scenarios {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// time_limit_s when unset, as RunState::PlaySteps reads it.
constexpr uint64_t kDefaultTimeLimitS = 600;
// PostgreSQL's MAX_BACKENDS (postmaster.h, 9.6 and later; larger before):
// more client sessions than a server can ever be configured for.
constexpr uint32_t kMaxSessions = 0x3FFFF;

std::string OneOf(const EnumDescriptor* e) {
  std::vector<std::string> names;
  for (int i = 0; i < e->value_count(); ++i) {
    if (e->value(i)->number() != 0) names.push_back(e->value(i)->name());
  }
  return absl::StrCat("expected one of ", absl::StrJoin(names, ", "));
}

absl::Status CheckEnums(const ScenarioLocator& c, const ParseTree* tree, const Message& m) {
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* fd : fields) {
    const char* name = fd->name().c_str();
    const int n = fd->is_repeated() ? r->FieldSize(m, fd) : 1;
    for (int i = 0; i < n; ++i) {
      const int index = fd->is_repeated() ? i : -1;
      if (fd->type() == FieldDescriptor::TYPE_MESSAGE) {
        const Message& sub =
            fd->is_repeated() ? r->GetRepeatedMessage(m, fd, i) : r->GetMessage(m, fd);
        if (absl::Status st = CheckEnums(c, c.Child(tree, m, name, index), sub); !st.ok()) {
          return st;
        }
        continue;
      }
      if (fd->type() != FieldDescriptor::TYPE_ENUM) continue;
      const int v = fd->is_repeated() ? r->GetRepeatedEnumValue(m, fd, i) : r->GetEnumValue(m, fd);
      const EnumValueDescriptor* ev = fd->enum_type()->FindValueByNumber(v);
      if (ev == nullptr) {
        return c.Error(tree, m, name, index,
                       absl::StrCat(name, ": ", v, " is not a known value; ",
                                    OneOf(fd->enum_type())));
      }
      // A singular one at 0 is unset (the loader asks for the ones it needs);
      // in a list it is an entry that checks or tolerates nothing.
      if (v == 0) {
        return c.Error(tree, m, name, index,
                       absl::StrCat(name, ": ", ev->name(), " names no ",
                                    absl::AsciiStrToLower(fd->enum_type()->name()), "; ",
                                    OneOf(fd->enum_type())));
      }
    }
  }
  return absl::OkStatus();
}

// "label V is longer than the run's time limit of L s (time_limit_s); ...",
// V in units of 1/per_s seconds.
absl::Status Longer(const ScenarioLocator& c, const ParseTree* tree, const Message& m,
                    const char* field, const std::string& label, uint64_t v, uint64_t limit_s,
                    uint64_t per_s) {
  if (v <= limit_s * per_s) return absl::OkStatus();
  return c.Error(tree, m, field, -1,
                 absl::StrCat(label, " ", v, " is longer than the run's time limit of ", limit_s,
                              " s (time_limit_s); expected at most ", limit_s * per_s));
}

absl::Status CheckWorkload(const Scenario& s, const ScenarioLocator& c, uint64_t limit_s) {
  const Workload& w = s.workload();
  const auto* wt = c.Child(c.root(), s, "workload", -1);
  if (w.sessions() > kMaxSessions) {
    return c.Error(wt, w, "sessions", -1,
                   absl::StrCat("sessions ", w.sessions(), ": expected at most ", kMaxSessions,
                                " (PostgreSQL's MAX_BACKENDS, 9.6 and later)"));
  }
  // A session counts its transactions in an int.
  if (w.transactions() > static_cast<uint32_t>(std::numeric_limits<int32_t>::max())) {
    return c.Error(wt, w, "transactions", -1,
                   absl::StrCat("transactions ", w.transactions(), ": expected at most ",
                                std::numeric_limits<int32_t>::max()));
  }
  if (const uint32_t rb = w.row_bytes();
      rb != 0 && (rb < postmaster::kMinRowBytes || rb > postmaster::kMaxRowBytes)) {
    return c.Error(wt, w, "row_bytes", -1,
                   absl::StrCat("row_bytes ", rb, ": expected ", postmaster::kMinRowBytes, "..",
                                postmaster::kMaxRowBytes,
                                " (the two int4 columns at least; a longer row would be "
                                "TOASTed, which replsim does not model)"));
  }
  return Longer(c, wt, w, "think_ms", "think_ms", w.think_ms(), limit_s, 1000);
}

absl::Status CheckFaults(const Scenario& s, const ScenarioLocator& c) {
  const FaultModel& f = s.faults();
  const auto* ft = c.Child(c.root(), s, "faults", -1);
  for (const char* name : {"latency_us", "bandwidth_bytes_per_ms", "disk_latency_us",
                           "fsync_eio_per_million", "crash_sector_persist_percent",
                           "packet_loss_per_million", "latency_spike_per_million",
                           "latency_spike_ms"}) {
    const Range& r = *static_cast<const Range*>(
        &f.GetReflection()->GetMessage(f, f.GetDescriptor()->FindFieldByName(name)));
    if (absl::Status st = CheckRange(c, ft, f, name, r); !st.ok()) return st;
  }
  // The runner reads max 0 as unset and draws from its default range instead.
  if (f.has_bandwidth_bytes_per_ms() && f.bandwidth_bytes_per_ms().min() == 0) {
    return c.Error(ft, f, "bandwidth_bytes_per_ms", -1,
                   "bandwidth_bytes_per_ms: min 0 carries nothing; expected min at least 1 "
                   "(without bandwidth_bytes_per_ms: 50000..1000000)");
  }
  if (f.has_latency_us() && f.latency_us().max() == 0) {
    return c.Error(ft, f, "latency_us", -1,
                   "latency_us: max 0 would be read as unset (50..2000); expected max at least "
                   "1, or no latency_us");
  }
  if (f.has_disk_latency_us() && f.disk_latency_us().max() == 0) {
    return c.Error(ft, f, "disk_latency_us", -1,
                   "disk_latency_us: max 0 would be read as unset (500..5000); expected max at "
                   "least 1, or no disk_latency_us");
  }
  if (f.fsync_eio_per_million().max() > 1'000'000) {
    return c.Error(ft, f, "fsync_eio_per_million", -1,
                   "fsync_eio_per_million: max is at most 1000000");
  }
  if (f.crash_sector_persist_percent().max() > 100) {
    return c.Error(ft, f, "crash_sector_persist_percent", -1,
                   "crash_sector_persist_percent: max is at most 100");
  }
  for (const char* name : {"packet_loss_per_million", "latency_spike_per_million"}) {
    const Range& r = *static_cast<const Range*>(
        &f.GetReflection()->GetMessage(f, f.GetDescriptor()->FindFieldByName(name)));
    if (r.max() > 1'000'000) {
      return c.Error(ft, f, name, -1, absl::StrCat(name, ": max is at most 1000000"));
    }
  }
  if (f.latency_spike_per_million().max() > 0 && f.latency_spike_ms().max() == 0) {
    return c.Error(ft, f, "latency_spike_per_million", -1,
                   "latency_spike_per_million: expected latency_spike_ms too (a spike's "
                   "extra delay, max at least 1)");
  }
  if (f.has_latency_spike_ms() && f.latency_spike_per_million().max() == 0) {
    return c.Error(ft, f, "latency_spike_ms", -1,
                   "latency_spike_ms: no spike happens without latency_spike_per_million "
                   "(max at least 1)");
  }
  return absl::OkStatus();
}

// 7 days in milliseconds: the largest clock offset or step a scenario sets.
constexpr int64_t kMaxClockMs = int64_t{7} * 24 * 3600 * 1000;
// ntpd's largest frequency correction, parts per million.
constexpr int64_t kMaxDriftPpm = 500;

absl::Status CheckSignedRange(const ScenarioLocator& c, const ParseTree* tree,
                              const Message& m, const char* field, const SignedRange& r,
                              int64_t bound, const char* unit) {
  if (r.min() > r.max()) {
    return c.Error(tree, m, field, -1,
                   absl::StrCat(field, ": min ", r.min(), " is greater than max ", r.max()));
  }
  if (r.min() < -bound || r.max() > bound) {
    return c.Error(tree, m, field, -1,
                   absl::StrCat(field, ": expected -", bound, "..", bound, " ", unit,
                                ", found ", r.min(), "..", r.max()));
  }
  return absl::OkStatus();
}

absl::Status CheckClocks(const Scenario& s, const ScenarioLocator& c) {
  const FaultModel& f = s.faults();
  const auto* ft = c.Child(c.root(), s, "faults", -1);
  if (absl::Status st = CheckSignedRange(c, ft, f, "clock_offset_ms", f.clock_offset_ms(),
                                         kMaxClockMs, "ms (7 days)");
      !st.ok()) {
    return st;
  }
  return CheckSignedRange(c, ft, f, "clock_drift_ppm", f.clock_drift_ppm(), kMaxDriftPpm,
                          "ppm (ntpd's limit)");
}

// Where an error about a value of operation `op` of step `st` goes: at the
// field when the file sets it, else at the operation (an unset proto3
// field has no place in the file).
struct StallSite {
  const ScenarioLocator& c;
  const ParseTree* step_tree;
  const Step& st;
  const char* op;
  const Message& m;
  absl::Status Error(const char* field, bool present, const std::string& msg) const {
    if (present) return c.Error(c.Child(step_tree, st, op, -1), m, field, -1, msg);
    return c.Error(step_tree, st, op, -1, msg);
  }
};

}  // namespace

// A stall's, pause's or slow part's duration_ms: ordered, at least 1 ms,
// within the time limit.
absl::Status CheckDuration(const StallSite& w, bool present, const Range& r,
                           uint64_t limit_s) {
  const ParseTree* t = w.c.Child(w.step_tree, w.st, w.op, -1);
  if (absl::Status st = CheckRange(w.c, t, w.m, "duration_ms", r); !st.ok()) return st;
  if (r.max() == 0) {
    return w.Error("duration_ms", present,
                   "duration_ms: max 0 would end the fault as it begins; expected max at "
                   "least 1");
  }
  return Longer(w.c, t, w.m, "duration_ms", "duration_ms max", r.max(), limit_s, 1000);
}

// The steps of sim/os/stalls.h: their durations and values.
absl::Status CheckStall(const Step& st, const ParseTree* t, const ScenarioLocator& c,
                        uint64_t limit_s) {
  switch (st.op_case()) {
    case Step::kStallProcess: {
      const StallProcess& p = st.stall_process();
      return CheckDuration({c, t, st, "stall_process", p}, p.has_duration_ms(),
                           p.duration_ms(), limit_s);
    }
    case Step::kPauseHost: {
      const PauseHost& p = st.pause_host();
      return CheckDuration({c, t, st, "pause_host", p}, p.has_duration_ms(), p.duration_ms(),
                           limit_s);
    }
    case Step::kSlowDisk: {
      const SlowDisk& d = st.slow_disk();
      const StallSite w{c, t, st, "slow_disk", d};
      if (d.factor() < 2 || d.factor() > 1000) {
        return w.Error("factor", d.factor() != 0,
                       absl::StrCat("factor ", d.factor(), ": expected 2..1000"));
      }
      return CheckDuration(w, d.has_duration_ms(), d.duration_ms(), limit_s);
    }
    case Step::kSlowReader: {
      const SlowReader& r = st.slow_reader();
      const StallSite w{c, t, st, "slow_reader", r};
      if (r.read_bytes_per_ms() == 0) {
        return w.Error("read_bytes_per_ms", false,
                       "read_bytes_per_ms: 0 would never read; expected at least 1");
      }
      return CheckDuration(w, r.has_duration_ms(), r.duration_ms(), limit_s);
    }
    case Step::kClockStep: {
      const ClockStep& k = st.clock_step();
      const int64_t ms = k.step_ms();
      if (ms == 0 || ms < -kMaxClockMs || ms > kMaxClockMs) {
        return StallSite{c, t, st, "clock_step", k}.Error(
            "step_ms", ms != 0,
            absl::StrCat("step_ms ", ms, ": expected a nonzero step of at most ", kMaxClockMs,
                         " ms (7 days) forward or back"));
      }
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
}

namespace {

absl::Status CheckScheduler(const Scenario& s, const ScenarioLocator& c) {
  const Scheduler& k = s.scheduler();
  const auto* kt = c.Child(c.root(), s, "scheduler", -1);
  if (absl::Status st = CheckRange(c, kt, k, "resume_us", k.resume_us()); !st.ok()) return st;
  if (k.has_resume_us() && k.resume_us().max() == 0) {
    return c.Error(kt, k, "resume_us", -1,
                   "resume_us: max 0 would be read as unset (5..50); expected max at least 1, "
                   "or no resume_us");
  }
  if (k.depth() > 10) {
    return c.Error(kt, k, "depth", -1,
                   absl::StrCat("depth ", k.depth(), ": expected 1..10 (0: 3)"));
  }
  if (k.depth() != 0 && k.mode() != Scheduler::PCT) {
    return c.Error(kt, k, "depth", -1, "depth: only for mode: PCT");
  }
  if (k.cores() > 64) {
    return c.Error(kt, k, "cores", -1,
                   absl::StrCat("cores ", k.cores(), ": expected 1..64 (0: 2)"));
  }
  return absl::OkStatus();
}

// A step that would start at or after the time limit is not run, so the
// delays (and a crash's wait for its host) must add up to less than it, and
// no single wait may be longer.
absl::Status CheckWaits(const Scenario& s, const ScenarioLocator& c, uint64_t limit_s) {
  const uint64_t limit_ms = limit_s * 1000;
  uint64_t waited_ms = 0;
  auto add = [&](const ParseTree* tree, const Message& m, const char* field, uint64_t ms) {
    waited_ms += ms;
    if (ms == 0 || waited_ms < limit_ms) return absl::OkStatus();
    return c.Error(tree, m, field, -1,
                   absl::StrCat(field, ": the delays add up to as much as ", waited_ms,
                                " ms by this step, which reaches the time limit of ", limit_s,
                                " s (time_limit_s); expected less than ", limit_ms,
                                " ms in all"));
  };
  for (int i = 0; i < s.steps_size(); ++i) {
    const Step& st = s.steps(i);
    const auto* t = c.Child(c.root(), s, "steps", i);
    if (absl::Status e = add(t, st, "delay_ms", st.delay_ms().max()); !e.ok()) return e;
    if (absl::Status e = CheckStall(st, t, c, limit_s); !e.ok()) return e;
    absl::Status e;
    switch (st.op_case()) {
      case Step::kStop:
        e = Longer(c, c.Child(t, st, "stop", -1), st.stop(), "timeout_s", "timeout_s",
                   st.stop().timeout_s(), limit_s, 1);
        break;
      case Step::kWaitForCatchUp:
        e = Longer(c, c.Child(t, st, "wait_for_catch_up", -1), st.wait_for_catch_up(),
                   "timeout_s", "timeout_s", st.wait_for_catch_up().timeout_s(), limit_s, 1);
        break;
      case Step::kPartition:
        e = Longer(c, c.Child(t, st, "partition", -1), st.partition(), "duration_ms",
                   "duration_ms max", st.partition().duration_ms().max(), limit_s, 1000);
        break;
      case Step::kCrash:
        e = add(c.Child(t, st, "crash", -1), st.crash(), "restart_after_ms",
                st.crash().restart_after_ms());
        break;
      case Step::kArchiveFault:
        if (st.archive_fault().kind() == ArchiveFault::DOWN) {
          e = add(c.Child(t, st, "archive_fault", -1), st.archive_fault(), "duration_ms",
                  st.archive_fault().duration_ms().max());
        } else if (st.archive_fault().kind() == ArchiveFault::FULL) {
          e = Longer(c, c.Child(t, st, "archive_fault", -1), st.archive_fault(), "duration_ms",
                     "duration_ms max", st.archive_fault().duration_ms().max(), limit_s, 1000);
        }
        break;
      default:
        break;
    }
    if (!e.ok()) return e;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckEnumValues(const Scenario& s, const ScenarioLocator& c) {
  return CheckEnums(c, c.root(), s);
}

absl::Status CheckHostName(const ScenarioLocator& c, const ParseTree* tree, const Node& n) {
  const std::string& name = n.name();
  bool ok = !name.empty() && name.size() <= 63 && name.front() != '-' && name.back() != '-';
  for (char ch : name) ok &= absl::ascii_isalnum(ch) || ch == '-';
  if (ok) return absl::OkStatus();
  return c.Error(tree, n, "name", -1,
                 absl::StrCat("node name \"", name,
                              "\": expected a host name: 1 to 63 letters, digits and hyphens, "
                              "not beginning or ending with a hyphen (RFC 1123)"));
}

absl::Status CheckLimits(const Scenario& s, const ScenarioLocator& c) {
  const uint64_t limit_s = s.time_limit_s() > 0 ? s.time_limit_s() : kDefaultTimeLimitS;
  if (absl::Status st = CheckWorkload(s, c, limit_s); !st.ok()) return st;
  if (absl::Status st = CheckFaults(s, c); !st.ok()) return st;
  if (absl::Status st = CheckClocks(s, c); !st.ok()) return st;
  if (absl::Status st = CheckScheduler(s, c); !st.ok()) return st;
  return CheckWaits(s, c, limit_s);
}

}  // namespace replsim::scenarios
