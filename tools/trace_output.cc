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

TraceWriter::TraceWriter(std::string format, std::string path, FILE* f)
    : format_(std::move(format)), path_(std::move(path)), f_(f) {
  if (format_ == "perfetto") {
    perfetto_ = std::make_unique<PerfettoWriter>([this](const std::string& s) {
      std::fprintf(f_, "%s%s", first_ ? "" : ",\n", s.c_str());
      first_ = false;
    });
  }
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
  perfetto_->Write(e);
}

void TraceWriter::WaitBegin(os::Instant t, const std::string& host, const std::string& process,
                            int32_t pid, const sim::WaitInfo& w) {
  if (!finished_ && perfetto_ != nullptr) perfetto_->WaitBegin(t, host, process, pid, w);
}

void TraceWriter::WaitEnd(os::Instant t, int32_t pid, sim::WaitKind kind) {
  if (!finished_ && perfetto_ != nullptr) perfetto_->WaitEnd(t, pid, kind);
}

void TraceWriter::MarkViolation(int64_t time_ns, const std::string& name,
                                const std::string& text) {
  if (!finished_ && perfetto_ != nullptr) perfetto_->Mark(time_ns, name, text);
}

absl::Status TraceWriter::Finish() {
  if (finished_) return absl::OkStatus();
  finished_ = true;
  if (perfetto_ != nullptr) {
    perfetto_->Finish();
    std::fputs("\n]}\n", f_);
  }
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
