// PerfettoWriter: trace events as Chrome trace-event JSON with named tracks,
// lifetime and pmState slices, message flows and LSN counters.
#include "tools/perfetto_writer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/json.h"
#include "tools/trace_output.h"

namespace replsim::tools {
namespace {

constexpr int kKernelTid = 1000000;   // + the node's pid: its tcp/disk track
constexpr int kUnknownTid = 500000;   // + n: a process known by name only

std::string Ts(int64_t ns) { return absl::StrFormat("%.3f", ns / 1000.0); }

int64_t IntField(const sim::TraceEvent& e, const char* key) {
  const sim::TraceField* f = e.Find(key);
  return f == nullptr ? 0 : (f->type == sim::TraceField::Type::kInt ? f->i : static_cast<int64_t>(f->u));
}

uint64_t UField(const sim::TraceEvent& e, const char* key) {
  const sim::TraceField* f = e.Find(key);
  return f == nullptr ? 0 : f->u;
}

std::string SField(const sim::TraceEvent& e, const char* key) {
  const sim::TraceField* f = e.Find(key);
  return f == nullptr ? "" : f->s;
}

std::string Lsn(const sim::TraceEvent& e, const char* key) { return sim::FormatLsn(UField(e, key)); }

std::string MessageName(const sim::TraceEvent& e) {
  const std::string msg = SField(e, "msg");
  const char* reply = UField(e, "reply_requested") ? " reply?" : "";
  if (msg == "XLogData") return absl::StrCat(msg, " ", Lsn(e, "start"), "..", Lsn(e, "end"));
  if (msg == "PrimaryKeepalive") return absl::StrCat(msg, " ", Lsn(e, "wal_end"), reply);
  if (msg == "StandbyStatusUpdate") {
    return absl::StrCat(msg, " write ", Lsn(e, "write"), " flush ", Lsn(e, "flush"), " apply ",
                        Lsn(e, "apply"), reply);
  }
  if (e.Find("severity") != nullptr) return absl::StrCat(msg, " ", SField(e, "severity"), ": ", SField(e, "text"));
  if (e.Find("text") != nullptr) return absl::StrCat(msg, " ", SField(e, "text"));
  return msg;
}

std::string EventName(const sim::TraceEvent& e) {
  if (e.kind == "log") {
    std::string m = SField(e, "message");
    if (m.size() > 90) m = m.substr(0, 89) + "...";
    return absl::StrCat(SField(e, "kind"), ": ", m);
  }
  if (e.kind == "signal_sent") return absl::StrCat(SField(e, "signal"), " -> ", IntField(e, "pid"));
  if (e.kind == "signal_delivered") return absl::StrCat(SField(e, "signal"), " delivered");
  return e.kind;
}

bool IsKernel(const std::string& process) {
  return process == "tcp" || process == "disk" || process == "net" || process == "host";
}

}  // namespace

int PerfettoWriter::HostPid(const std::string& host) {
  auto [it, added] = hosts_.try_emplace(host, static_cast<int>(hosts_.size()) + 1);
  if (added) {
    emit_(absl::StrFormat("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"args\":{\"name\":%s}}",
                          it->second, JsonString(host)));
  }
  return it->second;
}

void PerfettoWriter::Name(const Track& t, const std::string& name) {
  emit_(absl::StrFormat(
      "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":%s}}", t.pid,
      t.tid, JsonString(name)));
}

PerfettoWriter::Track& PerfettoWriter::TrackOf(const sim::TraceEvent& e) {
  const std::string lk = absl::StrCat(e.host, "/", e.process);
  int pid = e.pid;
  if (e.kind == "process_start" || e.kind == "process_exit") pid = IntField(e, "pid");
  if (e.kind == "process_start") live_[lk].push_back(pid);
  if (pid == 0 && live_[lk].size() == 1) pid = live_[lk][0];
  const bool kernel = IsKernel(e.process);
  const std::string key = kernel     ? absl::StrCat(e.host, "/kernel")
                          : pid == 0 ? absl::StrCat(lk, "/?")
                                     : absl::StrCat(e.host, "/", pid);
  auto [it, added] = tracks_.try_emplace(key);
  Track& t = it->second;
  if (added) {
    t.pid = HostPid(e.host);
    t.tid = kernel ? kKernelTid + t.pid : pid == 0 ? kUnknownTid + ++unknown_tids_ : pid;
    Name(t, kernel     ? std::string("kernel (tcp, disk)")
            : pid == 0 ? e.process
                       : absl::StrCat(e.process, " ", pid));
  }
  if (e.kind == "process_exit") std::erase(live_[lk], pid);
  return t;
}

void PerfettoWriter::Slice(Track& t, const char* ph, const std::string& name, int64_t ns) {
  emit_(absl::StrFormat("{\"ph\":\"%s\",\"name\":%s,\"pid\":%d,\"tid\":%d,\"ts\":%s}", ph,
                        JsonString(name), t.pid, t.tid, Ts(ns)));
  if (ph[0] == 'B') t.open.push_back(name);
  if (ph[0] == 'E' && !t.open.empty()) t.open.pop_back();
}

void PerfettoWriter::State(Track& t, const std::string& name, int64_t ns) {
  if (t.open.size() > 1) Slice(t, "E", "", ns);  // the state before, inside the lifetime
  Slice(t, "B", name, ns);
}

void PerfettoWriter::Instant(const Track& t, const std::string& name, int64_t ns,
                             const std::string& args) {
  emit_(absl::StrFormat(
      "{\"ph\":\"i\",\"s\":\"t\",\"name\":%s,\"pid\":%d,\"tid\":%d,\"ts\":%s,\"args\":%s}",
      JsonString(name), t.pid, t.tid, Ts(ns), args));
}

void PerfettoWriter::Counter(int pid, const std::string& series, uint64_t value, int64_t ns) {
  emit_(absl::StrFormat("{\"ph\":\"C\",\"name\":%s,\"pid\":%d,\"ts\":%s,\"args\":{\"lsn\":%d}}",
                        JsonString(absl::StrCat(series, " LSN")), pid, Ts(ns), value));
}

void PerfettoWriter::Message(const sim::TraceEvent& e, Track& t) {
  const bool sent = e.kind == "msg_sent";
  const std::string msg = SField(e, "msg");
  const int64_t ns = e.time.nanos();
  if (e.process == "backend" && !t.walsender &&
      (msg == "XLogData" ||
       (msg == "Query" && absl::StrContains(SField(e, "text"), "REPLICATION")) ||
       (msg == "Query" && absl::StartsWith(SField(e, "text"), "IDENTIFY_SYSTEM")))) {
    t.walsender = true;
    Name(t, absl::StrCat("walsender ", t.tid));
    State(t, "WALSNDSTATE_STARTUP", ns);
  }
  if (t.walsender && sent && msg == "CopyBothResponse") State(t, "WALSNDSTATE_CATCHUP", ns);
  // A zero-length slice to bind the flow to, then the flow's end.
  const std::string name = MessageName(e);
  emit_(absl::StrFormat(
      "{\"ph\":\"X\",\"name\":%s,\"cat\":\"message\",\"pid\":%d,\"tid\":%d,\"ts\":%s,\"dur\":0,"
      "\"args\":%s}",
      JsonString(name), t.pid, t.tid, Ts(ns), TraceFieldsJson(e)));
  const uint64_t socket = UField(e, "socket");
  const uint64_t sender_socket = sent ? socket : peer_[socket];
  const uint64_t id = (sender_socket << 32) | (UField(e, "offset") & 0xffffffffu);
  emit_(absl::StrFormat(
      "{\"ph\":\"%s\",%s\"name\":\"message\",\"cat\":\"message\",\"id\":%d,\"pid\":%d,\"tid\":%d,"
      "\"ts\":%s}",
      sent ? "s" : "f", sent ? "" : "\"bp\":\"e\",", id, t.pid, t.tid, Ts(ns)));
  if (msg == "XLogData") Counter(t.pid, sent ? "sent" : "received", UField(e, "end"), ns);
  if (msg == "StandbyStatusUpdate" && sent) {
    for (const char* k : {"write", "flush", "apply"}) Counter(t.pid, k, UField(e, k), ns);
  }
}

void PerfettoWriter::Write(const sim::TraceEvent& e) {
  const int64_t ns = e.time.nanos();
  if (ns > last_ns_) last_ns_ = ns;
  if (e.kind == "tcp_established" || e.kind == "tcp_accept_queued") {
    peer_[UField(e, "socket")] = UField(e, "peer");
    peer_[UField(e, "peer")] = UField(e, "socket");
  }
  Track& t = TrackOf(e);
  if (e.kind == "process_start" && t.tid < kUnknownTid) return Slice(t, "B", e.process, ns);
  if (e.kind == "process_exit" && t.tid < kUnknownTid) {
    while (!t.open.empty()) Slice(t, "E", "", ns);
    return;
  }
  if (e.kind == "msg_sent" || e.kind == "msg_received") return Message(e, t);
  const std::string message = SField(e, "message");
  if (e.kind == "log" && absl::StartsWith(message, "postmaster state: ")) {
    const size_t arrow = message.find("-> ");
    return State(t, message.substr(arrow == std::string::npos ? 0 : arrow + 3), ns);
  }
  // A walsender's WalSndState as the trace shows it (as in the HTML diagram).
  if (t.walsender && e.kind == "log" && absl::StrContains(message, " has now caught up with ")) {
    State(t, "WALSNDSTATE_STREAMING", ns);
  }
  if (t.walsender && e.kind == "signal_delivered" && SField(e, "signal") == "SIGUSR2") {
    State(t, "WALSNDSTATE_STOPPING", ns);
  }
  Instant(t, EventName(e), ns, TraceFieldsJson(e));
}

void PerfettoWriter::Mark(int64_t time_ns, const std::string& name, const std::string& text) {
  emit_(absl::StrFormat(
      "{\"ph\":\"i\",\"s\":\"g\",\"name\":%s,\"pid\":1,\"tid\":1,\"ts\":%s,\"args\":{\"text\":%s}}",
      JsonString(name), Ts(time_ns), JsonString(text)));
}

void PerfettoWriter::Finish() {
  for (auto& [key, t] : tracks_) {
    while (!t.open.empty()) Slice(t, "E", "", last_ns_);
  }
}

}  // namespace replsim::tools
