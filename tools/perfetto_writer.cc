// PerfettoWriter: trace events as Chrome trace-event JSON with named tracks,
// nested lifetime, phase, state and wait slices, message flows and LSN
// counters.
#include "tools/perfetto_writer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/json.h"
#include "tools/perfetto_wait_names.h"
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

PerfettoWriter::Track& PerfettoWriter::NamedTrack(const std::string& host, const std::string& key,
                                                  int tid, const std::string& name) {
  auto [it, added] = tracks_.try_emplace(key);
  Track& t = it->second;
  if (added) {
    t.pid = HostPid(host);
    t.tid = tid;
    Name(t, name);
  }
  return t;
}

PerfettoWriter::Track& PerfettoWriter::TrackOf(const sim::TraceEvent& e) {
  const std::string lk = absl::StrCat(e.host, "/", e.process);
  int pid = e.pid;
  if (e.kind == "process_start" || e.kind == "process_exit") pid = IntField(e, "pid");
  if (pid != 0) {
    // Live under its current name: a backend becomes a walsender.
    auto [it, added] = live_name_.try_emplace(absl::StrCat(e.host, "/", pid), lk);
    if (added || it->second != lk) {
      if (!added) std::erase(live_[it->second], pid);
      live_[lk].push_back(pid);
      it->second = lk;
    }
  }
  if (pid == 0 && live_[lk].size() == 1) pid = live_[lk][0];
  if (e.kind == "process_exit") {
    std::erase(live_[lk], pid);
    live_name_.erase(absl::StrCat(e.host, "/", pid));
  }
  if (IsKernel(e.process)) {
    return NamedTrack(e.host, absl::StrCat(e.host, "/kernel"), kKernelTid + HostPid(e.host),
                      "kernel (tcp, disk)");
  }
  if (pid != 0) {
    return NamedTrack(e.host, absl::StrCat(e.host, "/", pid), pid,
                      absl::StrCat(e.process, " ", pid));
  }
  const std::string key = absl::StrCat(lk, "/?");
  if (!tracks_.contains(key)) ++unknown_tids_;
  return NamedTrack(e.host, key, kUnknownTid + unknown_tids_, e.process);
}

void PerfettoWriter::Begin(const Track& t, const Slice& s) {
  emit_(absl::StrFormat("{\"ph\":\"B\",\"name\":%s,\"pid\":%d,\"tid\":%d,\"ts\":%s%s}",
                        JsonString(s.name), t.pid, t.tid, Ts(s.since),
                        s.args.empty() ? "" : absl::StrCat(",\"args\":", s.args)));
}

void PerfettoWriter::Show(Track& t, int64_t ns) {
  for (Slice& s : t.open) {
    if (s.since >= ns) break;  // and every slice inside it
    if (!s.shown) Begin(t, s);
    s.shown = true;
  }
}

std::vector<PerfettoWriter::Slice> PerfettoWriter::EndFrom(Track& t, size_t i, int64_t ns) {
  std::vector<Slice> ended;
  while (t.open.size() > i) {
    // One that began earlier is written; one begun at this instant is not
    // (what happened inside it stays on the slice around it).
    if (t.open.back().since < ns) {
      Show(t, ns);
      emit_(absl::StrFormat("{\"ph\":\"E\",\"name\":\"\",\"pid\":%d,\"tid\":%d,\"ts\":%s}", t.pid,
                            t.tid, Ts(ns)));
    }
    ended.insert(ended.begin(), std::move(t.open.back()));
    t.open.pop_back();
  }
  return ended;
}

void PerfettoWriter::Reopen(Track& t, std::vector<Slice> slices, int64_t ns) {
  for (Slice& s : slices) {
    s.since = ns;
    s.shown = false;
    t.open.push_back(std::move(s));
  }
}

void PerfettoWriter::SetLayer(Track& t, Layer layer, const std::string& name, int64_t ns) {
  size_t i = 0;
  while (i < t.open.size() && t.open[i].layer < layer) ++i;
  std::vector<Slice> inside = EndFrom(t, i, ns);
  std::erase_if(inside, [layer](const Slice& s) { return s.layer == layer; });
  if (!name.empty()) t.open.push_back(Slice{.name = name, .layer = layer, .since = ns});
  Reopen(t, std::move(inside), ns);
}

void PerfettoWriter::Instant(Track& t, const std::string& name, int64_t ns,
                             const std::string& args) {
  Show(t, ns);
  emit_(absl::StrFormat(
      "{\"ph\":\"i\",\"s\":\"t\",\"name\":%s,\"pid\":%d,\"tid\":%d,\"ts\":%s,\"args\":%s}",
      JsonString(name), t.pid, t.tid, Ts(ns), args));
}

void PerfettoWriter::Counter(int pid, const std::string& series, uint64_t value, int64_t ns) {
  emit_(absl::StrFormat("{\"ph\":\"C\",\"name\":%s,\"pid\":%d,\"ts\":%s,\"args\":{\"lsn\":%d}}",
                        JsonString(absl::StrCat(series, " LSN")), pid, Ts(ns), value));
}

void PerfettoWriter::BecomeWalsender(Track& t, int64_t ns) {
  t.walsender = true;
  Name(t, absl::StrCat("walsender ", t.tid));
  SetLayer(t, kState, "WALSNDSTATE_STARTUP", ns);
}

void PerfettoWriter::Message(const sim::TraceEvent& e, Track& t) {
  const bool sent = e.kind == "msg_sent";
  const std::string msg = SField(e, "msg");
  const int64_t ns = e.time.nanos();
  if (e.process == "backend" && !t.walsender &&
      (msg == "XLogData" ||
       (msg == "Query" && absl::StrContains(SField(e, "text"), "REPLICATION")) ||
       (msg == "Query" && absl::StartsWith(SField(e, "text"), "IDENTIFY_SYSTEM")))) {
    BecomeWalsender(t, ns);
  }
  if (t.walsender && sent && msg == "CopyBothResponse") SetLayer(t, kState, "WALSNDSTATE_CATCHUP", ns);
  // A zero-length slice to bind the flow to, then the flow's end.
  const std::string name = MessageName(e);
  Show(t, ns);
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

// States and shutdown phases as the trace shows them (as in the HTML diagram).
void PerfettoWriter::Phases(const sim::TraceEvent& e, Track& t, int64_t ns) {
  const std::string message = SField(e, "message");
  if (e.kind == "log" && absl::StartsWith(message, "postmaster state: ")) {
    const size_t arrow = message.find("-> ");
    SetLayer(t, kState, message.substr(arrow == std::string::npos ? 0 : arrow + 3), ns);
  }
  if (e.kind == "log" && absl::StartsWith(message, "received ") &&
      absl::EndsWith(message, " shutdown request")) {
    SetLayer(t, kPhase, message.substr(9, message.size() - 9 - 8), ns);  // "fast shutdown"
  }
  if (e.kind == "mark" && SField(e, "name") == "checkpointer.shutdown_checkpoint_start") {
    SetLayer(t, kPhase, "shutdown checkpoint", ns);
  }
  if (e.kind == "mark" && SField(e, "name") == "checkpointer.shutdown_checkpoint_done") {
    SetLayer(t, kPhase, "", ns);
  }
  if (t.walsender && e.kind == "log" && absl::StrContains(message, " has now caught up with ")) {
    SetLayer(t, kState, "WALSNDSTATE_STREAMING", ns);
  }
  if (t.walsender && e.kind == "signal_delivered" && SField(e, "signal") == "SIGUSR2") {
    SetLayer(t, kState, "WALSNDSTATE_STOPPING", ns);
  }
  if (e.kind == "log") {
    t.last_log = message;
    t.last_log_ns = ns;
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
  const bool process_track = t.tid < kUnknownTid;
  if (e.kind == "process_start" && process_track) return SetLayer(t, kLifetime, e.process, ns);
  if (e.kind == "process_exit" && process_track) {
    EndFrom(t, 0, ns);
    return;
  }
  // A backend whose startup packet asked for replication renames itself
  // (older runs' backends are told by their replication commands).
  if (e.process == "walsender" && process_track && !t.walsender) BecomeWalsender(t, ns);
  if (e.kind == "msg_sent" || e.kind == "msg_received") return Message(e, t);
  Phases(e, t, ns);
  Instant(t, EventName(e), ns, TraceFieldsJson(e));
}

void PerfettoWriter::WaitBegin(os::Instant time, const std::string& host,
                               const std::string& process, int32_t pid, const sim::WaitInfo& w) {
  const int64_t ns = time.nanos();
  if (ns > last_ns_) last_ns_ = ns;
  const std::string key = absl::StrCat(host, "/", pid);
  wait_tracks_[pid] = key;
  Track& t = NamedTrack(host, key, pid, absl::StrCat(process, " ", pid));
  const std::string path(w.path);
  if (w.kind == sim::WaitKind::kFileWrite && absl::StrContains(path, "/xlogtemp.")) {
    t.written_tmp = path;
  }
  const WaitHints hints{
      .retry_interval = t.last_log_ns == ns &&
                        absl::StartsWith(t.last_log, "waiting for WAL to become available at "),
      .written_tmp = !path.empty() && path == t.written_tmp};
  if (w.kind == sim::WaitKind::kFileSync && absl::EndsWith(path, ".history")) t.written_tmp.clear();
  const WaitName name = NameWait(process, w, hints);
  std::string args;
  if (!name.type.empty()) args = absl::StrCat("\"wait_event_type\":", JsonString(name.type));
  if (!path.empty()) absl::StrAppend(&args, args.empty() ? "" : ",", "\"path\":", JsonString(path));
  t.open.push_back(Slice{.name = name.name,
                         .layer = kWait,
                         .kind = w.kind,
                         .args = args.empty() ? "" : absl::StrCat("{", args, "}"),
                         .since = ns});
}

void PerfettoWriter::WaitEnd(os::Instant time, int32_t pid, sim::WaitKind kind) {
  const int64_t ns = time.nanos();
  if (ns > last_ns_) last_ns_ = ns;
  auto key = wait_tracks_.find(pid);
  if (key == wait_tracks_.end()) return;
  Track& t = tracks_[key->second];
  for (size_t i = t.open.size(); i-- > 0;) {
    if (t.open[i].layer != kWait || t.open[i].kind != kind) continue;
    std::vector<Slice> ended = EndFrom(t, i, ns);
    ended.erase(ended.begin());
    Reopen(t, std::move(ended), ns);
    return;
  }
}

void PerfettoWriter::Mark(int64_t time_ns, const std::string& name, const std::string& text) {
  emit_(absl::StrFormat(
      "{\"ph\":\"i\",\"s\":\"g\",\"name\":%s,\"pid\":1,\"tid\":1,\"ts\":%s,\"args\":{\"text\":%s}}",
      JsonString(name), Ts(time_ns), JsonString(text)));
}

void PerfettoWriter::Finish() {
  for (auto& [key, t] : tracks_) EndFrom(t, 0, last_ns_);
}

}  // namespace replsim::tools
