#include "scenarios/scheduler_override.h"

#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace replsim::scenarios {
namespace {

// One parsed override; unset fields leave the scenario's value.
struct Override {
  std::optional<Scheduler::Mode> mode;
  uint32_t depth = 0;
  std::optional<bool> cpu_time;
  uint32_t cores = 0;
  std::optional<bool> random_signals;
};

absl::Status Bad(absl::string_view item, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("--scheduler: \"", item, "\": expected ", expected));
}

absl::StatusOr<Override> Parse(absl::string_view spec) {
  Override o;
  if (spec.empty()) return o;
  for (absl::string_view item : absl::StrSplit(spec, ',')) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
    const absl::string_view key = kv.first, value = kv.second;
    auto once = [&](bool already) -> absl::Status {
      if (already) return Bad(item, "each item at most once");
      return absl::OkStatus();
    };
    if (key == "fifo" || key == "random" || key == "pct" || absl::StartsWith(key, "pct:")) {
      if (absl::Status st = once(o.mode.has_value()); !st.ok()) return st;
      if (!value.empty()) return Bad(item, "fifo, random, pct or pct:DEPTH");
      o.mode = key == "fifo" ? Scheduler::FIFO : key == "random" ? Scheduler::RANDOM : Scheduler::PCT;
      if (absl::StartsWith(key, "pct:")) {
        if (!absl::SimpleAtoi(key.substr(4), &o.depth) || o.depth < 1 || o.depth > 10) {
          return Bad(item, "pct:DEPTH with DEPTH 1..10");
        }
      }
    } else if (key == "cpu_time" || key == "signals") {
      const bool cpu = key == "cpu_time";
      if (absl::Status st = once(cpu ? o.cpu_time.has_value() : o.random_signals.has_value());
          !st.ok()) {
        return st;
      }
      const char* on = cpu ? "on" : "random";
      const char* off = cpu ? "off" : "linux";
      if (value != on && value != off) {
        return Bad(item, absl::StrCat(key, "=", on, " or ", key, "=", off));
      }
      (cpu ? o.cpu_time : o.random_signals) = value == on;
    } else if (key == "cores") {
      if (absl::Status st = once(o.cores != 0); !st.ok()) return st;
      if (!absl::SimpleAtoi(value, &o.cores) || o.cores < 1 || o.cores > 64) {
        return Bad(item, "cores=N with N 1..64");
      }
    } else {
      return Bad(item, "one of fifo, random, pct, pct:DEPTH, cpu_time=on|off, cores=N, "
                       "signals=linux|random");
    }
  }
  return o;
}

}  // namespace

absl::StatusOr<Scheduler> ApplySchedulerOverride(const Scheduler& base, absl::string_view spec) {
  absl::StatusOr<Override> o = Parse(spec);
  if (!o.ok()) return o.status();
  Scheduler k = base;
  if (o->mode.has_value()) {
    k.set_mode(*o->mode);
    k.set_depth(o->depth);  // the scenario's depth belonged to its own mode
  }
  if (o->cpu_time.has_value()) k.set_cpu_time(*o->cpu_time);
  if (o->cores != 0) k.set_cores(o->cores);
  if (o->random_signals.has_value()) k.set_random_signal_order(*o->random_signals);
  return k;
}

absl::StatusOr<std::string> CanonicalSchedulerOverride(absl::string_view spec) {
  absl::StatusOr<Override> o = Parse(spec);
  if (!o.ok()) return o.status();
  std::vector<std::string> items;
  if (o->mode.has_value()) {
    switch (*o->mode) {
      case Scheduler::FIFO: items.push_back("fifo"); break;
      case Scheduler::RANDOM: items.push_back("random"); break;
      default: items.push_back(o->depth > 0 ? absl::StrCat("pct:", o->depth) : "pct"); break;
    }
  }
  if (o->cpu_time.has_value()) items.push_back(*o->cpu_time ? "cpu_time=on" : "cpu_time=off");
  if (o->cores != 0) items.push_back(absl::StrCat("cores=", o->cores));
  if (o->random_signals.has_value()) {
    items.push_back(*o->random_signals ? "signals=random" : "signals=linux");
  }
  return absl::StrJoin(items, ",");
}

}  // namespace replsim::scenarios
