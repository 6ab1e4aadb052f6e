#include "tools/trace_output.h"

#include <fstream>

#include "absl/container/btree_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace replsim::tools {
namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string FieldValueJson(const sim::TraceField& f) {
  switch (f.type) {
    case sim::TraceField::Type::kInt: return absl::StrCat(f.i);
    case sim::TraceField::Type::kUint: return absl::StrCat(f.u);
    case sim::TraceField::Type::kBool: return f.u ? "true" : "false";
    case sim::TraceField::Type::kString: return JsonString(f.s);
    case sim::TraceField::Type::kLsn: return JsonString(sim::FormatLsn(f.u));
    case sim::TraceField::Type::kDuration: return absl::StrCat(f.i);
  }
  return "null";
}

std::string ArgsJson(const sim::TraceEvent& e) {
  std::string out = "{";
  for (size_t i = 0; i < e.fields.size(); ++i) {
    if (i) out += ",";
    out += JsonString(e.fields[i].key) + ":" + FieldValueJson(e.fields[i]);
  }
  return out + "}";
}

}  // namespace

std::string TraceEventToJson(const sim::TraceEvent& e) {
  return absl::StrCat("{\"time_ns\":", e.time.nanos(), ",\"host\":", JsonString(e.host),
                      ",\"process\":", JsonString(e.process), ",\"kind\":",
                      JsonString(e.kind), ",\"fields\":", ArgsJson(e), "}");
}

absl::Status WriteTrace(const std::vector<sim::TraceEvent>& events,
                        const std::string& format, const std::string& path) {
  if (format != "text" && format != "json" && format != "perfetto") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--trace_format: expected text, json or perfetto, got \"", format, "\""));
  }
  std::ofstream out(path);
  if (!out) return absl::InvalidArgumentError(absl::StrCat(path, ": cannot write the trace"));
  if (format == "text") {
    for (const auto& e : events) out << sim::FormatTraceEvent(e) << "\n";
  } else if (format == "json") {
    for (const auto& e : events) out << TraceEventToJson(e) << "\n";
  } else {
    // Stable small ids for hosts (pid) and processes (tid), in order of first
    // appearance.
    absl::btree_map<std::string, int> hosts, procs;
    out << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
    bool first = true;
    auto emit = [&](const std::string& s) {
      out << (first ? "" : ",\n") << s;
      first = false;
    };
    for (const auto& e : events) {
      auto [h, new_host] = hosts.try_emplace(e.host, static_cast<int>(hosts.size()) + 1);
      const std::string pkey = e.host + "/" + e.process;
      auto [p, new_proc] = procs.try_emplace(pkey, static_cast<int>(procs.size()) + 1);
      if (new_host) {
        emit(absl::StrFormat(
            "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"args\":{\"name\":%s}}",
            h->second, JsonString(e.host)));
      }
      if (new_proc) {
        emit(absl::StrFormat(
            "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,"
            "\"args\":{\"name\":%s}}",
            h->second, p->second, JsonString(e.process)));
      }
      emit(absl::StrFormat(
          "{\"ph\":\"i\",\"s\":\"t\",\"name\":%s,\"pid\":%d,\"tid\":%d,\"ts\":%.3f,"
          "\"args\":%s}",
          JsonString(e.kind), h->second, p->second, e.time.nanos() / 1000.0, ArgsJson(e)));
    }
    out << "\n]}\n";
  }
  if (!out) return absl::InternalError(absl::StrCat(path, ": write failed"));
  return absl::OkStatus();
}

}  // namespace replsim::tools
