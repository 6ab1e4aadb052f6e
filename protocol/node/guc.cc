#include "protocol/node/guc.h"

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace replsim::node {
namespace {

absl::string_view AbslView(std::string_view s) { return {s.data(), s.size()}; }

enum class BaseUnit { kMs, kS };

absl::Status InvalidValue(absl::string_view name, absl::string_view value,
                          absl::string_view hint = "") {
  std::string msg = absl::StrCat("invalid value for parameter \"", name, "\": \"",
                                 value, "\"");
  if (!hint.empty()) absl::StrAppend(&msg, "\nHINT:  ", hint);
  return absl::InvalidArgumentError(msg);
}

// "10s", "5000", "1min", "250ms", "2h", "1d", "500us" (parse_int with units).
absl::Status ParseTime(absl::string_view name, absl::string_view text, BaseUnit base,
                       os::Duration* out) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  size_t digits = 0;
  while (digits < s.size() && (absl::ascii_isdigit(s[digits]) || (digits == 0 && s[0] == '-'))) {
    ++digits;
  }
  int64_t n = 0;
  if (digits == 0 || !absl::SimpleAtoi(s.substr(0, digits), &n)) {
    return InvalidValue(name, text);
  }
  absl::string_view unit = absl::StripAsciiWhitespace(s.substr(digits));
  int64_t ns_per;
  if (unit.empty()) {
    ns_per = base == BaseUnit::kMs ? 1000000 : 1000000000;
  } else if (unit == "us") {
    ns_per = 1000;
  } else if (unit == "ms") {
    ns_per = 1000000;
  } else if (unit == "s") {
    ns_per = 1000000000;
  } else if (unit == "min") {
    ns_per = int64_t{60} * 1000000000;
  } else if (unit == "h") {
    ns_per = int64_t{3600} * 1000000000;
  } else if (unit == "d") {
    ns_per = int64_t{86400} * 1000000000;
  } else {
    return InvalidValue(name, text,
                        "Valid units for this parameter are \"us\", \"ms\", \"s\", "
                        "\"min\", \"h\", and \"d\".");
  }
  if (n < 0) return InvalidValue(name, text);
  if (n > INT32_MAX) return InvalidValue(name, text);  // PostgreSQL's int GUCs
  *out = os::Nanoseconds(n * ns_per);
  return absl::OkStatus();
}

absl::Status ParseInt(absl::string_view name, absl::string_view text, int* out) {
  int64_t n = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &n) || n < 0 ||
      n > INT32_MAX) {
    return InvalidValue(name, text);
  }
  *out = static_cast<int>(n);
  return absl::OkStatus();
}

// A memory size whose base unit is MB: a number, or one with kB, MB, GB or
// TB (parse_int with GUC_UNIT_MB).
absl::Status ParseMegabytes(absl::string_view name, absl::string_view text, int* out) {
  absl::string_view t = absl::StripAsciiWhitespace(text);
  size_t digits = 0;
  while (digits < t.size() && absl::ascii_isdigit(t[digits])) ++digits;
  int64_t n = 0;
  if (digits == 0 || !absl::SimpleAtoi(t.substr(0, digits), &n)) return InvalidValue(name, text);
  const absl::string_view unit = absl::StripAsciiWhitespace(t.substr(digits));
  int64_t kb = 0;
  if (unit.empty() || unit == "MB") {
    kb = n * 1024;
  } else if (unit == "kB") {
    kb = n;
  } else if (unit == "GB") {
    kb = n * 1024 * 1024;
  } else if (unit == "TB") {
    kb = n * 1024 * 1024 * 1024;
  } else {
    return InvalidValue(name, text, "Valid units for this parameter are \"MB\", \"GB\", and \"TB\".");
  }
  const int64_t mb = kb / 1024;
  if (mb > INT32_MAX) return InvalidValue(name, text);
  *out = static_cast<int>(mb);
  return absl::OkStatus();
}

// parse_bool: on/off, true/false, yes/no, 1/0 and unique prefixes.
absl::Status ParseBool(absl::string_view name, absl::string_view text, bool* out) {
  const std::string v = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  auto prefix_of = [&](absl::string_view word, size_t min) {
    return v.size() >= min && absl::string_view(word).substr(0, v.size()) == v;
  };
  if (prefix_of("true", 1) || prefix_of("yes", 1) || v == "on" || v == "1") {
    *out = true;
  } else if (prefix_of("false", 1) || prefix_of("no", 1) || prefix_of("off", 2) ||
             v == "0") {
    *out = false;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("parameter \"", name, "\" requires a Boolean value"));
  }
  return absl::OkStatus();
}

// A string value, with surrounding single quotes removed as the config file
// lexer does ('' inside stands for ').
std::string ParseString(absl::string_view text) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  if (s.size() >= 2 && s.front() == '\'' && s.back() == '\'') {
    s = s.substr(1, s.size() - 2);
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      out += s[i];
      if (s[i] == '\'' && i + 1 < s.size() && s[i + 1] == '\'') ++i;
    }
    return out;
  }
  return std::string(s);
}

}  // namespace

namespace {

// The releases that have a parameter replsim models: [first, last], as
// PG_VERSION_NUM; 0 for no bound.
struct GucSpan {
  const char* name;
  int first;
  int last;
};

constexpr GucSpan kGucSpans[] = {
    {"max_replication_slots", 90400, 0},
    {"wal_sender_timeout", 90300, 0},
    {"replication_timeout", 90100, 90299},  // renamed wal_sender_timeout in 9.3
    {"wal_sender_delay", 90000, 90199},     // gone with the walsender's latch loop
    {"wal_keep_size", 130000, 0},
    {"wal_keep_segments", 0, 129999},       // became wal_keep_size in 13
    {"synchronous_standby_names", 90100, 0},
    {"wal_receiver_status_interval", 90100, 0},
    {"wal_receiver_timeout", 90300, 0},
    {"wal_retrieve_retry_interval", 90500, 0},
    {"hot_standby_feedback", 90100, 0},
    {"checkpoint_segments", 0, 90499},      // 88e9823026
    {"max_wal_size", 90500, 0},
    {"min_wal_size", 90500, 0},
    {"standby_mode", 0, 119999},            // recovery.conf, gone in 12
    {"trigger_file", 0, 119999},            // promote_trigger_file from 12
    {"promote_trigger_file", 120000, 159999},
};

std::string VersionName(int v) {
  return v >= 100000 ? absl::StrCat(v / 10000) : absl::StrCat(v / 10000, ".", v / 100 % 100);
}

}  // namespace

absl::Status Gucs::CheckExists(std::string_view name_in, int server_version_num) {
  const absl::string_view name = AbslView(name_in);
  for (const GucSpan& g : kGucSpans) {
    if (name != g.name) continue;
    const bool too_old = g.first != 0 && server_version_num < g.first;
    const bool too_new = g.last != 0 && server_version_num > g.last;
    if (!too_old && !too_new) return absl::OkStatus();
    std::string range = g.first == 0 ? absl::StrCat("up to ", VersionName(g.last))
                        : g.last == 0 ? absl::StrCat(VersionName(g.first), " and later")
                                      : absl::StrCat(VersionName(g.first), " to ",
                                                     VersionName(g.last));
    return absl::InvalidArgumentError(absl::StrCat("unrecognized configuration parameter \"",
                                                   name, "\" (PostgreSQL ", range, ")"));
  }
  return absl::OkStatus();
}

Gucs Gucs::Defaults(int server_version_num) {
  Gucs g;
  if (server_version_num < 100000) {
    g.max_wal_senders = 0;
    g.max_replication_slots = 0;
    g.hot_standby = false;
  }
  if (server_version_num < 120000) g.recovery_target_timeline = "";
  if (server_version_num < 140000) g.checkpoint_completion_target = 0.5;
  // Parameters a release did not have behave as disabled.
  if (server_version_num < 90300) g.wal_receiver_timeout = os::Duration();
  if (server_version_num < 90100) g.wal_sender_timeout = os::Duration();
  return g;
}

absl::Status Gucs::Set(std::string_view name_in, std::string_view value_in) {
  const absl::string_view name = AbslView(name_in);
  const absl::string_view value = AbslView(value_in);
  if (name == "max_wal_senders") return ParseInt(name, value, &max_wal_senders);
  if (name == "max_replication_slots") return ParseInt(name, value, &max_replication_slots);
  if (name == "wal_sender_timeout" || name == "replication_timeout") {
    return ParseTime(name, value, BaseUnit::kMs, &wal_sender_timeout);
  }
  if (name == "wal_sender_delay") {
    return ParseTime(name, value, BaseUnit::kMs, &wal_sender_delay);
  }
  if (name == "wal_keep_size") return ParseMegabytes(name, value, &wal_keep_size_mb);
  if (name == "max_wal_size" || name == "min_wal_size") {
    int mb = 0;
    if (absl::Status s = ParseMegabytes(name, value, &mb); !s.ok()) return s;
    if (mb < 32) {  // at least twice wal_segment_size
      return absl::InvalidArgumentError(
          absl::StrCat("\"", name, "\" must be at least twice \"wal_segment_size\""));
    }
    (name == "max_wal_size" ? max_wal_size_mb : min_wal_size_mb) = mb;
    return absl::OkStatus();
  }
  if (name == "checkpoint_segments") {
    if (absl::Status s = ParseInt(name, value, &checkpoint_segments); !s.ok()) return s;
    if (checkpoint_segments < 1) return InvalidValue(name, value);
    return absl::OkStatus();
  }
  if (name == "checkpoint_completion_target") {
    double d = 0;
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(value), &d) || d < 0 || d > 1) {
      return InvalidValue(name, value);
    }
    checkpoint_completion_target = d;
    return absl::OkStatus();
  }
  if (name == "wal_keep_segments") {
    int segs = 0;
    if (absl::Status s = ParseInt(name, value, &segs); !s.ok()) return s;
    wal_keep_size_mb = segs * 16;
    return absl::OkStatus();
  }
  if (name == "synchronous_standby_names") {
    synchronous_standby_names = ParseString(value);
    return absl::OkStatus();
  }
  if (name == "synchronous_commit") {
    const std::string v = absl::AsciiStrToLower(ParseString(value));
    if (v == "local") {
      synchronous_commit = SynchronousCommit::kLocal;
    } else if (v == "remote_write") {
      synchronous_commit = SynchronousCommit::kRemoteWrite;
    } else if (v == "remote_apply") {
      synchronous_commit = SynchronousCommit::kRemoteApply;
    } else {
      bool b = false;
      if (!ParseBool(name, v, &b).ok()) {
        return InvalidValue(name, value,
                            "Available values: local, remote_write, remote_apply, on, off.");
      }
      synchronous_commit = b ? SynchronousCommit::kOn : SynchronousCommit::kOff;
    }
    return absl::OkStatus();
  }
  if (name == "wal_receiver_status_interval") {
    return ParseTime(name, value, BaseUnit::kS, &wal_receiver_status_interval);
  }
  if (name == "tcp_keepalives_idle") {
    return ParseTime(name, value, BaseUnit::kS, &tcp_keepalives_idle);
  }
  if (name == "tcp_keepalives_interval") {
    return ParseTime(name, value, BaseUnit::kS, &tcp_keepalives_interval);
  }
  if (name == "tcp_keepalives_count") return ParseInt(name, value, &tcp_keepalives_count);
  if (name == "wal_receiver_timeout") {
    return ParseTime(name, value, BaseUnit::kMs, &wal_receiver_timeout);
  }
  if (name == "wal_retrieve_retry_interval") {
    return ParseTime(name, value, BaseUnit::kMs, &wal_retrieve_retry_interval);
  }
  if (name == "hot_standby") return ParseBool(name, value, &hot_standby);
  if (name == "hot_standby_feedback") return ParseBool(name, value, &hot_standby_feedback);
  if (name == "standby_mode") return ParseBool(name, value, &standby_mode);
  if (name == "primary_conninfo") {
    primary_conninfo = ParseString(value);
    return absl::OkStatus();
  }
  if (name == "restore_command") {
    restore_command = ParseString(value);
    return absl::OkStatus();
  }
  if (name == "promote_trigger_file" || name == "trigger_file") {
    promote_trigger_file = ParseString(value);
    return absl::OkStatus();
  }
  if (name == "recovery_target_timeline") {
    recovery_target_timeline = ParseString(value);
    return absl::OkStatus();
  }
  if (name == "checkpoint_timeout") {
    return ParseTime(name, value, BaseUnit::kS, &checkpoint_timeout);
  }
  if (name == "fsync") return ParseBool(name, value, &fsync);
  if (name == "archive_mode") {
    // "always" (9.5, ffd37740ee); the loader refuses it for older releases.
    archive_mode_always = absl::AsciiStrToLower(ParseString(value)) == "always";
    if (archive_mode_always) {
      archive_mode = true;
      return absl::OkStatus();
    }
    return ParseBool(name, value, &archive_mode);
  }
  if (name == "archive_timeout") return ParseTime(name, value, BaseUnit::kS, &archive_timeout);
  if (name == "archive_command") {
    archive_command = ParseString(value);
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unrecognized configuration parameter \"", name, "\""));
}

}  // namespace replsim::node
