#include "scenarios/harness/harness.h"

#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "protocol/node/recovery_conf.h"
#include "protocol/os/check.h"
#include "protocol/postmaster/postmaster.h"
#include "protocol/wal/segment.h"
#include "protocol/xlog/control_file.h"
#include "protocol/xlog/initdb.h"
#include "protocol/xlog/xlog_io.h"
#include "sim/disk/disk.h"

namespace replsim::scenarios {

namespace {
// How long a helper action (initdb, pg_basebackup's copy, pg_ctl) may take.
constexpr os::Duration kHelperBound = os::Seconds(60);

node::Behavior ProfileOrDie(std::string_view profile) {
  absl::StatusOr<node::Behavior> b = node::Behavior::ForProfile(profile);
  CHECK(b.ok()) << b.status();
  return *b;
}
}  // namespace

Harness::Harness(uint64_t seed, std::string_view profile)
    : Harness(seed, ProfileOrDie(profile)) {}

Harness::Harness(uint64_t seed, node::Behavior behavior,
                 sim::os_sim::ClusterConfig config, bool keep_trace)
    : behavior_(std::move(behavior)), ledger_(std::make_shared<postmaster::CommitLedger>()) {
  world_ = std::make_unique<sim::World>(seed, keep_trace);
  cluster_ = std::make_unique<sim::os_sim::Cluster>(*world_, std::move(config));
  logs_.reserve(256);  // a bundled scenario's run logs about 100 lines
  InstallTraceSink();
}

void Harness::InstallTraceSink() {
  cluster_->set_log_sink([this](os::Instant time, std::string_view host,
                                std::string_view process, std::string_view level,
                                std::string_view message) {
    // FindLog relies on this order.
    CHECK(logs_.empty() || logs_.back().time <= time) << "log lines out of time order";
    logs_.push_back({time, std::string(host), std::string(process), std::string(level),
                     std::string(message)});
  });
  // Someone watching every event (replsim's --trace, replay) gets them all.
  if (extra_sink_ != nullptr) {
    world_->trace().set_sink([this](const sim::TraceEvent& e) { extra_sink_(e); });
  }
}

Harness::~Harness() {
  // Processes first (their frames may point at nodes and the ledger).
  cluster_.reset();
  world_.reset();
}

PgNode& Harness::Node(std::string_view name) {
  auto it = nodes_.find(name);
  if (it != nodes_.end()) return *it->second;
  cluster_->AddHost(std::string(name), host_config_);
  auto n = std::make_unique<PgNode>(*this, std::string(name));
  PgNode& ref = *n;
  nodes_.emplace(std::string(name), std::move(n));
  return ref;
}

const PgNode* Harness::FindNode(std::string_view name) const {
  auto it = nodes_.find(name);
  return it == nodes_.end() ? nullptr : it->second.get();
}

void Harness::RunFor(os::Duration d) {
  const os::Instant until = world_->now() + d;
  const sim::RunStats st = world_->Run({.until = until, .max_events = 50'000'000});
  // The whole wait passes, even when nothing happens in it: the next step
  // starts at `until`, not at the last event before it.
  if (st.reason != sim::RunStats::StopReason::kEventLimit) world_->queue().AdvanceTo(until);
}

bool Harness::RunUntil(const std::function<bool()>& pred, os::Duration limit) {
  // The clock only moves with events, so step a target time of our own.
  const os::Instant end = world_->now() + limit;
  os::Instant target = world_->now();
  while (!pred() && target < end) {
    target = target + os::Milliseconds(10);
    sim::RunStats st = world_->Run({.until = target});
    if (st.reason == sim::RunStats::StopReason::kIdle) break;  // nothing can change
  }
  return pred();
}

bool Harness::RunUntilExited(const PgNode& n, os::Duration limit) {
  return RunUntil([&] { return !n.running(); }, limit);
}

PgNode::PgNode(Harness& h, std::string name)
    : h_(h), sessions_(std::make_shared<postmaster::SessionQueue>()) {
  config_.name = std::move(name);
  config_.behavior = h.behavior();
  config_.gucs = node::Gucs::Defaults(h.behavior().server_version_num);
}

absl::Status PgNode::RunHelper(std::string name,
                               std::function<os::Task<std::string>(os::Os&)> body) {
  auto error = std::make_shared<std::string>();
  const os::Pid pid = h_.cluster().Spawn(config_.name, name,
                                         [body = std::move(body), error](os::Os& os) -> os::Task<> {
                                           *error = co_await body(os);
                                           if (!error->empty()) co_await os.Exit(1);
                                         });
  if (!h_.RunUntil([&] { return !h_.cluster().IsAlive(pid); }, kHelperBound)) {
    return absl::DeadlineExceededError(absl::StrFormat("%s on %s did not finish within %ds", name,
                                                       config_.name,
                                                       kHelperBound.nanos() / 1000000000));
  }
  if (error->empty()) return absl::OkStatus();
  const std::optional<sim::ExitStatus> exit = h_.cluster().exit_status(pid);
  return absl::UnavailableError(absl::StrFormat("%s: %s (%s exited with exit code %d)", name,
                                                *error, name, exit ? exit->code : -1));
}

absl::Status PgNode::InitDb() {
  const std::string dir = config_.data_dir;
  const int version = config_.behavior.server_version_num;
  const uint64_t sysid = 7000000000000000000ULL + h_.world().seed() % 1000000;
  return RunHelper("initdb", [dir, version, sysid](os::Os& os) -> os::Task<std::string> {
    std::string failure;
    const os::Errno e = co_await xlog::InitDb(os, dir, version, sysid, &failure);
    if (e != os::Errno::kOk) {
      co_return absl::StrCat("error: ", failure);
    }
    co_return std::string();
  });
}

void PgNode::Start() {
  postmaster::EntryPoints entry = entry_;
  entry.sessions = sessions_;
  entry.on_shmem = [this](node::ShmemRef s) { shmem_ = std::move(s); };
  entry.config_file = [this] { return config_.gucs; };
  node::NodeConfig cfg = config_;
  postmaster_exited_at_ = std::make_shared<std::optional<os::Instant>>();
  sim::World* world = &h_.world();
  postmaster_pid_ = h_.cluster().Spawn(
      config_.name, "postmaster",
      [cfg, entry, exited_at = postmaster_exited_at_, world](os::Os& os) -> os::Task<> {
        // The frame goes when the process ends, however it ends (an exit, a
        // signal, its host's crash): that is when it exited. Nothing here
        // reaches the trace.
        absl::Cleanup note_exit = [exited_at, world] { *exited_at = world->now(); };
        co_await postmaster::PostmasterMain(os, cfg, entry);
      });
}

void PgNode::Reload() { h_.cluster().SendSignal(postmaster_pid_, os::Signal::kSIGHUP); }

void PgNode::Stop(Shutdown mode) {
  const os::Signal sig = mode == Shutdown::kSmart  ? os::Signal::kSIGTERM
                         : mode == Shutdown::kFast ? os::Signal::kSIGINT
                                                   : os::Signal::kSIGQUIT;
  h_.cluster().SendSignal(postmaster_pid_, sig);
}

namespace {

// A file of the data directory (a signal file, recovery.conf,
// postgresql.auto.conf), written and fsynced. Its creation or write can fail
// the way pg_ctl and the operator's tools report it; pg_ctl does not fsync a
// signal file, so a failed fsync here changes nothing.
os::Task<std::string> WriteDataDirFile(os::Os& os, std::string dir, std::string file,
                                       std::string what, std::string content = "") {
  const std::string path = absl::StrCat(dir, "/", file);
  os::Result<os::Fd> fd =
      os.Open(path, os::kOpenReadWrite | os::kOpenCreate | os::kOpenTruncate);
  if (!fd.ok()) {
    co_return absl::StrFormat("could not create %s file \"%s\": %s", what, path,
                              os::StrError(fd.error()));
  }
  if (!content.empty()) {
    const auto* p = reinterpret_cast<const uint8_t*>(content.data());
    const os::Result<size_t> w = co_await os.PWrite(*fd, absl::MakeConstSpan(p, content.size()), 0);
    if (!w.ok()) {
      os.Close(*fd);
      co_return absl::StrFormat("could not write %s file \"%s\": %s", what, path,
                                os::StrError(w.error()));
    }
  }
  (void)co_await os.Fsync(*fd);
  os.Close(*fd);
  (void)co_await os.FsyncDir(dir);
  co_return std::string();
}

}  // namespace

absl::Status PgNode::Promote() {
  const std::string dir = config_.data_dir;
  absl::Status st = RunHelper("pg_ctl", [dir](os::Os& os) -> os::Task<std::string> {
    return WriteDataDirFile(os, dir, node::kPromoteSignal, "promote signal");
  });
  if (!st.ok()) return st;
  h_.cluster().SendSignal(postmaster_pid_, os::Signal::kSIGUSR1);
  return absl::OkStatus();
}

absl::Status PgNode::ConfigureStandby(const PgNode& upstream, bool stream) {
  node::Gucs standby = config_.gucs;
  standby.standby_mode = true;
  standby.primary_conninfo =
      stream ? absl::StrCat("host=", upstream.name(), " port=", upstream.config_.port) : "";
  const std::string dir = config_.data_dir;
  if (node::UsesRecoveryConf(config_.behavior.server_version_num)) {
    // Before 12: recovery.conf, which the startup process reads.
    return RunHelper("pg_ctl", [dir, text = node::FormatRecoveryConf(standby)](
                                   os::Os& os) -> os::Task<std::string> {
      return WriteDataDirFile(os, dir, node::kRecoveryCommandFile, "recovery command", text);
    });
  }
  // 12+: standby.signal, and primary_conninfo in postgresql.auto.conf as
  // pg_basebackup -R writes it (the simulated server takes its settings
  // from the node's configuration, which says the same).
  absl::Status st = RunHelper("pg_ctl", [dir, text = node::FormatAutoConf(standby)](
                                            os::Os& os) -> os::Task<std::string> {
    std::string error = co_await WriteDataDirFile(os, dir, node::kAutoConfFile,
                                                  "configuration", text);
    if (error.empty()) {
      error = co_await WriteDataDirFile(os, dir, node::kStandbySignal, "standby signal");
    }
    co_return error;
  });
  config_.gucs = standby;
  return st;
}

absl::Status PgNode::BaseBackupFrom(PgNode& upstream) {
  struct Files {
    std::vector<std::pair<std::string, std::string>> wal;  // name, bytes
    std::string control;
  };
  auto files = std::make_shared<Files>();
  const std::string src_wal =
      xlog::XLogDir(upstream.config_.data_dir, upstream.config_.behavior.server_version_num);
  // pg_basebackup starts with a checkpoint on the upstream and waits for it
  // (do_pg_backup_start: RequestCheckpoint(CHECKPOINT_FORCE | CHECKPOINT_WAIT),
  // a restartpoint on a standby), so the backup begins at a fresh redo point.
  if (node::ShmemRef shm = upstream.shmem();
      shm && upstream.running() && shm->CheckpointerShmem.checkpointer_pid != 0) {
    const int before = shm->CheckpointerShmem.ckpt_started;
    node::RequestCheckpoint(*shm, node::CHECKPOINT_FORCE | node::CHECKPOINT_WAIT);
    h_.RunUntil([&] { return shm->CheckpointerShmem.ckpt_done > before; }, os::Seconds(60));
  }
  // A primary's WAL is copied up to its flush point (what it fetches).
  wal::XLogRecPtr flush = ~wal::XLogRecPtr{0};
  if (node::ShmemRef shm = upstream.shmem(); shm && !shm->XLogCtl.SharedRecoveryInProgress) {
    flush = shm->XLogCtl.pos.LogwrtResult.Flush;
  }
  // The copy is taken at one instant, like a filesystem snapshot: pg_control
  // and the WAL it needs stay consistent even when a checkpoint on the
  // upstream removes or recycles segments meanwhile (a copy read file by file
  // could take an old pg_control and miss the segments its redo needs).
  // pg_basebackup itself makes the copy consistent with backup_label and the
  // WAL it fetches or streams; replsim does not model that protocol.
  sim::disk::Disk& disk = h_.cluster().host(upstream.config_.name).disk();
  std::optional<std::string> control = ReadHostFile(
      h_.cluster(), upstream.config_.name, xlog::ControlFilePath(upstream.config_.data_dir));
  if (!control.has_value()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "pg_basebackup: error: %s has no %s", upstream.name(),
        xlog::ControlFilePath(upstream.config_.data_dir)));
  }
  files->control = std::move(*control);
  if (os::Result<std::vector<std::string>> names = disk.List(src_wal); names.ok()) {
    for (const std::string& name : *names) {
      // pg_basebackup makes archive_status empty (the upstream's .ready and
      // .done are not the backup's).
      if (name == "archive_status") continue;
      std::optional<std::string> bytes =
          ReadHostFile(h_.cluster(), upstream.config_.name, src_wal + "/" + name);
      if (!bytes.has_value()) continue;  // a directory
      absl::StatusOr<wal::XLogFileId> id = wal::ParseXLogFileName(name);
      if (id.ok()) {
        const wal::XLogRecPtr seg_start = wal::XLogSegNoOffsetToRecPtr(id->segno, 0);
        if (seg_start >= flush) continue;
        if (flush - seg_start < bytes->size()) bytes->resize(flush - seg_start);
      }
      files->wal.emplace_back(name, std::move(*bytes));
    }
  }
  const std::string dst = config_.data_dir;
  const std::string dst_wal = xlog::XLogDir(dst, config_.behavior.server_version_num);
  // pg_basebackup writes the copy, then fsyncs it all (unless --no-sync);
  // a failure of either is "pg_basebackup: error: could not ... file" and a
  // non-zero exit.
  return RunHelper("pg_basebackup", [files, dst, dst_wal](os::Os& os) -> os::Task<std::string> {
    for (const std::string& d : {dst, dst_wal, dst_wal + "/archive_status", dst + "/global"}) {
      os.MakeDir(d);
    }
    auto write_all = [&os](std::string path, const std::string& bytes,
                           int64_t size) -> os::Task<std::string> {
      auto failed = [&path](const char* what, os::Errno e) {
        return absl::StrFormat("error: could not %s file \"%s\": %s", what, path, os::StrError(e));
      };
      os::Result<os::Fd> fd = os.Open(path, os::kOpenReadWrite | os::kOpenCreate |
                                                os::kOpenTruncate);
      if (!fd.ok()) co_return failed("create", fd.error());
      std::vector<uint8_t> b(bytes.begin(), bytes.end());
      os::Errno e = os::Errno::kOk;
      const os::Result<size_t> w = co_await os.PWrite(*fd, b, 0);
      if (!w.ok()) e = w.error();
      // A backed-up segment is a whole 16 MiB file; its zeros take their
      // space without being stored (Os::ReserveSpace).
      if (e == os::Errno::kOk && size > static_cast<int64_t>(b.size())) {
        e = co_await os.ReserveSpace(*fd, size);
      }
      if (e != os::Errno::kOk) {
        os.Close(*fd);
        co_return failed("write to", e);
      }
      e = co_await os.Fsync(*fd);
      os.Close(*fd);
      if (e != os::Errno::kOk) co_return failed("fsync", e);
      co_return std::string();
    };
    for (const auto& [name, bytes] : files->wal) {
      const std::string path = dst_wal + "/" + name;
      const bool segment = name.size() == 24 && name.find('.') == std::string::npos;
      std::string error = co_await write_all(path, bytes, segment ? wal::kWalSegSize : 0);
      if (!error.empty()) co_return error;
    }
    const std::string control_path = dst + "/global/pg_control";
    const std::string error = co_await write_all(control_path, files->control, 0);
    if (!error.empty()) co_return error;
    for (const std::string& d : {dst_wal, dst + "/global", dst, std::string("/")}) {
      const os::Errno e = co_await os.FsyncDir(d);
      if (e != os::Errno::kOk) {
        co_return absl::StrFormat("error: could not fsync file \"%s\": %s", d, os::StrError(e));
      }
    }
    co_return std::string();
  });
}

void PgNode::CrashHost() { h_.cluster().CrashHost(config_.name); }
void PgNode::RestartHost() { h_.cluster().RestartHost(config_.name); }

void PgNode::Workload(const WorkloadOptions& w) {
  const int first = next_session_;
  next_session_ += w.sessions;
  std::shared_ptr<postmaster::SessionQueue> queue = sessions_;
  std::shared_ptr<postmaster::CommitLedger> ledger = h_.ledger_ref();
  // Each session connects to the node's port: to whichever postmaster
  // listens there when it starts (a restarted one too).
  const PgNode* node = this;
  h_.cluster().Spawn(config_.name, "client",
                     [w, first, queue, ledger, node](os::Os& os) -> os::Task<> {
                       for (int i = 0; i < w.sessions; ++i) {
                         if (i > 0) co_await os.Sleep(w.interval);
                         queue->pending.push_back(
                             {first + i, w.transactions, w.think_time, w.row_bytes, ledger});
                         if (os.Kill(node->postmaster_pid(), os::Signal::kSIGUSR1) !=
                             os::Errno::kOk) {
                           queue->pending.pop_back();  // could not connect to server
                           ++ledger->sessions_refused;
                         }
                       }
                     });
}

void PgNode::SwitchWal() {
  std::shared_ptr<postmaster::SessionQueue> queue = sessions_;
  std::shared_ptr<postmaster::CommitLedger> ledger = h_.ledger_ref();
  const os::Pid pm = postmaster_pid_;
  const int session = next_session_++;
  h_.cluster().Spawn(config_.name, "client", [queue, ledger, pm, session](os::Os& os) -> os::Task<> {
    postmaster::SessionRequest r;
    r.session = session;
    r.ledger = ledger;
    r.switch_wal = true;
    queue->pending.push_back(std::move(r));
    if (os.Kill(pm, os::Signal::kSIGUSR1) != os::Errno::kOk) {
      queue->pending.pop_back();
      ++ledger->sessions_refused;
    }
    co_return;
  });
}

std::optional<std::string> PgNode::ReadFile(const std::string& path) const {
  return ReadHostFile(h_.cluster(), config_.name, path);
}

std::optional<std::string> ReadHostFile(sim::os_sim::Cluster& cluster, const std::string& host,
                                        const std::string& path) {
  // Straight from the host's disk (what reads there would return now): no
  // process, no I/O latency and no draw from the host's streams, so looking
  // does not change the run.
  sim::disk::Disk& disk = cluster.host(host).disk();
  os::Result<sim::disk::InodeId> id = disk.Open(path, os::kOpenRead);
  if (!id.ok()) return std::nullopt;
  std::string out;
  os::Result<int64_t> size = disk.Size(*id);
  if (size.ok() && *size > 0) {
    out.resize(*size);
    os::Result<size_t> n = disk.Read(
        *id, 0, absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), out.size()));
    out.resize(n.ok() ? *n : 0);
  }
  disk.Release(*id);
  return out;
}

absl::StatusOr<node::ControlFileData> PgNode::ReadControlFile() const {
  const std::string path = xlog::ControlFilePath(config_.data_dir);
  std::optional<std::string> bytes = ReadFile(path);
  if (!bytes.has_value()) {
    return absl::NotFoundError(absl::StrFormat("%s has no %s", config_.name, path));
  }
  absl::StatusOr<node::ControlFileData> c = xlog::DecodeControlFile(
      absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()));
  if (!c.ok()) {
    return absl::Status(c.status().code(), absl::StrCat(config_.name, ": ", c.status().message()));
  }
  return c;
}

node::ControlFileData PgNode::ControlFile() const {
  absl::StatusOr<node::ControlFileData> c = ReadControlFile();
  CHECK(c.ok()) << c.status();
  return *c;
}

WalScan PgNode::ScanWal(wal::XLogRecPtr from) const {
  absl::StatusOr<node::ControlFileData> control = ReadControlFile();
  if (!control.ok())
    return WalScan{.records = {}, .stop_reason = std::string(control.status().message())};
  const node::ControlFileData& cf = *control;
  const wal::TimeLineID tli = cf.checkPointCopy.ThisTimeLineID;
  return ScanWalSegments(
      [&](wal::XLogSegNo seg) {
        return ReadFile(
            xlog::XLogFilePath(config_.data_dir, config_.behavior.server_version_num, tli, seg));
      },
      tli, cf.system_identifier, from);
}

bool PgNode::running() const {
  return postmaster_pid_ != 0 && h_.cluster().IsAlive(postmaster_pid_);
}

std::optional<os::ChildExit> PgNode::postmaster_exit() const {
  if (postmaster_pid_ == 0) return std::nullopt;
  std::optional<sim::ExitStatus> s = h_.cluster().exit_status(postmaster_pid_);
  if (!s.has_value()) return std::nullopt;
  return os::ChildExit{postmaster_pid_, s->code, s->signal};
}

std::vector<LogLine> PgNode::Logs() const {
  std::vector<LogLine> out;
  for (const LogLine& l : h_.logs()) {
    if (l.host == config_.name) out.push_back(l);
  }
  return out;
}

bool PgNode::HasLog(std::string_view substring) const {
  for (const LogLine& l : h_.logs()) {
    if (l.host == config_.name && l.message.find(substring) != std::string::npos) return true;
  }
  return false;
}

void PgNode::ExpectLog(std::string_view substring) const {
  EXPECT_TRUE(HasLog(substring)) << config_.name << " never logged \"" << substring << "\"";
}

std::vector<std::string> PgNode::PMStates() const {
  std::vector<std::string> out;
  const std::string arrow = " -> ";
  for (const LogLine& l : Logs()) {
    if (l.process != "postmaster" ||
        l.message.rfind(postmaster::kPMStateLogPrefix, 0) != 0) {
      continue;
    }
    const size_t at = l.message.rfind(arrow);
    if (at != std::string::npos) out.push_back(l.message.substr(at + arrow.size()));
  }
  return out;
}

}  // namespace replsim::scenarios
