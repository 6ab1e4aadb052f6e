#include "sim/trace.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace replsim::sim {

const TraceField* TraceEvent::Find(std::string_view key) const {
  for (const TraceField& f : fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

std::string FormatLsn(uint64_t lsn) {
  return absl::StrFormat("%X/%X", static_cast<uint32_t>(lsn >> 32),
                         static_cast<uint32_t>(lsn));
}

namespace {
std::string FormatSeconds(int64_t ns) {
  const char* sign = ns < 0 ? "-" : "";
  const uint64_t a = ns < 0 ? -static_cast<uint64_t>(ns) : ns;
  return absl::StrFormat("%s%d.%09d", sign, a / 1000000000, a % 1000000000);
}

bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '"' || c == '\\' || c == '=' || u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

}  // namespace

std::string QuoteTraceString(std::string_view s) {
  if (!NeedsQuotes(s)) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default: {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
          absl::StrAppendFormat(&out, "\\x%02x", u);
        } else {
          out += c;
        }
      }
    }
  }
  out += '"';
  return out;
}

namespace {

std::string FormatValue(const TraceField& f) {
  switch (f.type) {
    case TraceField::Type::kInt:
      return absl::StrCat(f.i);
    case TraceField::Type::kUint:
      return absl::StrCat(f.u);
    case TraceField::Type::kString:
      return QuoteTraceString(f.s);
    case TraceField::Type::kBool:
      return f.u ? "true" : "false";
    case TraceField::Type::kLsn:
      return FormatLsn(f.u);
    case TraceField::Type::kDuration:
      return absl::StrCat(FormatSeconds(f.i), "s");
  }
  return "?";
}
}  // namespace

std::string FormatTraceEvent(const TraceEvent& e) {
  std::string out = absl::StrFormat("%16s %s %s ", FormatSeconds(e.time.nanos()),
                                    e.host.empty() ? "-" : e.host,
                                    e.process.empty() ? "-" : e.process);
  if (e.severity == Severity::kWarning) absl::StrAppend(&out, "WARNING ");
  if (e.severity == Severity::kError) absl::StrAppend(&out, "ERROR ");
  absl::StrAppend(&out, e.kind);
  for (const TraceField& f : e.fields) {
    absl::StrAppend(&out, " ", f.key, "=", FormatValue(f));
  }
  return out;
}

TraceBuilder Trace::Emit(os::Instant time, std::string_view host,
                         std::string_view process, std::string_view kind,
                         Severity severity, int32_t pid) {
  const bool to_sink = sink_ != nullptr && (sink_kind_.empty() || kind == sink_kind_);
  return TraceBuilder(this, keep_events_ || to_sink, time, host,
                      process, kind, severity, pid);
}

TraceEvent* Trace::AcquireScratch() {
  if (scratch_depth_ == scratch_.size()) {
    scratch_.push_back(std::make_unique<TraceEvent>());
  }
  TraceEvent* e = scratch_[scratch_depth_++].get();
  e->fields.clear();
  return e;
}

TraceBuilder::TraceBuilder(Trace* trace, bool materialize, os::Instant time,
                           std::string_view host, std::string_view process,
                           std::string_view kind, Severity severity, int32_t pid)
    : trace_(trace),
      severity_(severity),
      hashing_(trace->hashing_),
      event_(materialize ? trace->AcquireScratch() : nullptr) {
  if (hashing_) {
    hash_.AddI64(time.nanos());
    hash_.AddU64(static_cast<uint64_t>(severity));
    hash_.AddString(host);
    hash_.AddString(process);
    hash_.AddString(kind);
  }
  if (event_ != nullptr) {
    event_->time = time;
    event_->severity = severity;
    event_->host.assign(host);
    event_->process.assign(process);
    event_->kind.assign(kind);
    event_->pid = pid;
  }
}

TraceField* TraceBuilder::Add(std::string_view key, TraceField::Type t) {
  if (hashing_) {
    hash_.AddString(key);
    hash_.AddU64(static_cast<uint64_t>(t));
  }
  if (event_ == nullptr) return nullptr;
  TraceField& f = event_->fields.emplace_back();
  f.key.assign(key);
  f.type = t;
  return &f;
}

TraceBuilder& TraceBuilder::Int(std::string_view key, int64_t v) {
  if (TraceField* f = Add(key, TraceField::Type::kInt)) f->i = v;
  if (hashing_) hash_.AddI64(v);
  return *this;
}

TraceBuilder& TraceBuilder::Uint(std::string_view key, uint64_t v) {
  if (TraceField* f = Add(key, TraceField::Type::kUint)) f->u = v;
  if (hashing_) hash_.AddU64(v);
  return *this;
}

TraceBuilder& TraceBuilder::Str(std::string_view key, std::string_view v) {
  if (TraceField* f = Add(key, TraceField::Type::kString)) f->s.assign(v);
  if (hashing_) hash_.AddString(v);
  return *this;
}

TraceBuilder& TraceBuilder::Bool(std::string_view key, bool v) {
  if (TraceField* f = Add(key, TraceField::Type::kBool)) f->u = v ? 1 : 0;
  if (hashing_) hash_.AddBool(v);
  return *this;
}

TraceBuilder& TraceBuilder::Lsn(std::string_view key, uint64_t lsn) {
  if (TraceField* f = Add(key, TraceField::Type::kLsn)) f->u = lsn;
  if (hashing_) hash_.AddU64(lsn);
  return *this;
}

TraceBuilder& TraceBuilder::Dur(std::string_view key, os::Duration d) {
  if (TraceField* f = Add(key, TraceField::Type::kDuration)) f->i = d.nanos();
  if (hashing_) hash_.AddI64(d.nanos());
  return *this;
}

TraceBuilder::~TraceBuilder() {
  trace_->Commit(hashing_ ? hash_.Finish() : 0, severity_, event_);
}

void Trace::Commit(uint64_t event_hash, Severity severity, TraceEvent* event) {
  if (hashing_) hash_.AddU64(event_hash);
  ++count_;
  if (severity == Severity::kError) ++errors_;
  if (event == nullptr) return;
  if (sink_ != nullptr && (sink_kind_.empty() || event->kind == sink_kind_)) sink_(*event);
  if (keep_events_) events_.push_back(std::move(*event));
  --scratch_depth_;
}

}  // namespace replsim::sim
