#include "tools/trace_output.h"

#include <cstdio>

#include "absl/container/btree_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/json.h"

namespace replsim::tools {
namespace {

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

}  // namespace

std::string TraceFieldsJson(const sim::TraceEvent& e) {
  std::string out = "{";
  for (size_t i = 0; i < e.fields.size(); ++i) {
    if (i) out += ",";
    out += JsonString(e.fields[i].key) + ":" + FieldValueJson(e.fields[i]);
  }
  return out + "}";
}

std::string TraceEventToJson(const sim::TraceEvent& e) {
  return absl::StrCat("{\"time_ns\":", e.time.nanos(), ",\"host\":", JsonString(e.host),
                      ",\"process\":", JsonString(e.process), ",\"kind\":",
                      JsonString(e.kind), ",\"fields\":", TraceFieldsJson(e), "}");
}

absl::StatusOr<std::unique_ptr<TraceWriter>> TraceWriter::Open(const std::string& format,
                                                                const std::string& path) {
  if (format != "text" && format != "json" && format != "perfetto") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--trace_format: expected text, json or perfetto, got \"", format, "\""));
  }
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot write the trace"));
  }
  if (format == "perfetto") std::fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n", f);
  return std::unique_ptr<TraceWriter>(new TraceWriter(format, path, f));
}

TraceWriter::~TraceWriter() { (void)Finish(); }

void TraceWriter::Write(const sim::TraceEvent& e) {
  if (finished_) return;
  if (format_ == "text") {
    std::fprintf(f_, "%s\n", sim::FormatTraceEvent(e).c_str());
    return;
  }
  if (format_ == "json") {
    std::fprintf(f_, "%s\n", TraceEventToJson(e).c_str());
    return;
  }
  auto emit = [&](const std::string& s) {
    std::fprintf(f_, "%s%s", first_ ? "" : ",\n", s.c_str());
    first_ = false;
  };
  auto [h, new_host] = hosts_.try_emplace(e.host, static_cast<int>(hosts_.size()) + 1);
  const std::string pkey = e.host + "/" + e.process;
  auto [p, new_proc] = procs_.try_emplace(pkey, static_cast<int>(procs_.size()) + 1);
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
      JsonString(e.kind), h->second, p->second, e.time.nanos() / 1000.0, TraceFieldsJson(e)));
}

absl::Status TraceWriter::Finish() {
  if (finished_) return absl::OkStatus();
  finished_ = true;
  if (format_ == "perfetto") std::fputs("\n]}\n", f_);
  const bool ok = std::fflush(f_) == 0 && std::ferror(f_) == 0;
  std::fclose(f_);
  if (!ok) return absl::InternalError(absl::StrCat(path_, ": write failed"));
  return absl::OkStatus();
}

absl::Status WriteTrace(const std::vector<sim::TraceEvent>& events,
                        const std::string& format, const std::string& path) {
  absl::StatusOr<std::unique_ptr<TraceWriter>> w = TraceWriter::Open(format, path);
  if (!w.ok()) return w.status();
  for (const auto& e : events) (*w)->Write(e);
  return (*w)->Finish();
}

}  // namespace replsim::tools
