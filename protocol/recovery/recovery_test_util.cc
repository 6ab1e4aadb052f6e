#include "protocol/recovery/recovery_test_util.h"

#include "absl/strings/str_cat.h"
#include "protocol/node/recovery_conf.h"
#include "protocol/os/check.h"
#include "protocol/recovery/startup.h"
#include "protocol/recovery/timeline_files.h"
#include "protocol/wal/rmgr.h"
#include "protocol/xlog/control_file.h"
#include "protocol/xlog/initdb.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::recovery::testing {
namespace {

// initdb's bootstrap checkpoint (xlog/initdb.cc), so the stream's first
// bytes equal the data directory's.
wal::CheckPoint BootstrapCheckPoint() {
  wal::CheckPoint cp;
  cp.redo = xlog::kBootstrapCheckPoint;
  cp.ThisTimeLineID = 1;
  cp.PrevTimeLineID = 1;
  cp.fullPageWrites = true;
  cp.nextXid = 3;
  cp.nextOid = 10000;
  cp.nextMulti = 1;
  cp.oldestXid = 3;
  cp.oldestXidDB = 1;
  cp.oldestMulti = 1;
  cp.oldestMultiDB = 1;
  return cp;
}

os::Task<> PostmasterMain(os::Os& os, RecoveryWorld* w) {
  node::ShmemRef shm = w->shm;
  shm->postmaster_pid = os.MyPid();
  os.SetSignalHandler(os::Signal::kSIGUSR1, [&os] { os.MyLatch().Set(); });
  os.SetSignalHandler(os::Signal::kSIGCHLD, [&os] { os.MyLatch().Set(); });
  os::Result<os::Pid> pid = os.StartChild(
      "startup", [shm](os::Os& o) { return StartupProcessMain(o, shm); });
  CHECK(pid.ok());
  w->pm.startup_pid = shm->startup_pid = *pid;
  for (;;) {
    co_await os.WaitLatchOrSocket(&os.MyLatch(), os::WL_LATCH_SET | os::WL_TIMEOUT,
                                  os::kNoFd, os::Seconds(1));
    os.MyLatch().Reset();
    bool* flags = shm->PMSignalState.PMSignalFlags;
    for (int i = 0; i < static_cast<int>(node::PMSignalReason::kNumReasons); ++i) {
      if (!flags[i]) continue;
      flags[i] = false;
      const auto reason = static_cast<node::PMSignalReason>(i);
      w->pm.signals.push_back(reason);
      if (reason == node::PMSignalReason::PMSIGNAL_START_WALRECEIVER && w->make_walreceiver) {
        CHECK(os.StartChild("walreceiver", w->make_walreceiver()).ok());
        ++w->pm.walreceivers_started;
      }
    }
    while (std::optional<os::ChildExit> c = os.WaitChild()) {
      if (c->pid == w->pm.startup_pid) w->pm.startup_exit = *c;
    }
  }
}

os::Task<> FeedingWalReceiverMain(os::Os& os, node::ShmemRef shm, const WalStream* stream,
                                  const wal::XLogRecPtr* write_upto,
                                  const wal::XLogRecPtr* flush_upto) {
  node::WalRcvData& w = shm->WalRcv;
  if (w.walRcvState != node::WalRcvState::WALRCV_STARTING) {
    if (w.walRcvState == node::WalRcvState::WALRCV_STOPPING) {
      w.walRcvState = node::WalRcvState::WALRCV_STOPPED;
    }
    co_return;
  }
  w.pid = os.MyPid();
  w.walRcvState = node::WalRcvState::WALRCV_STREAMING;
  w.latch = &os.MyLatch();
  bool term = false;
  os.SetSignalHandler(os::Signal::kSIGTERM, [&term, &os] {
    term = true;
    os.MyLatch().Set();
  });
  const wal::TimeLineID tli = w.receiveStartTLI;
  wal::XLogRecPtr written = w.receiveStart;
  wal::XLogRecPtr flushed = w.receiveStart;
  while (!term) {
    if (*write_upto > written) {
      std::vector<uint8_t> bytes = stream->Bytes(written, *write_upto);
      CHECK(co_await xlog::XLogWriteRaw(os, shm->data_dir, shm->behavior.server_version_num, tli,
                                        written, bytes) == os::Errno::kOk);
      written = *write_upto;
      w.writtenUpto = written;
    }
    if (*flush_upto > flushed && *flush_upto <= written) {
      CHECK(co_await xlog::XLogFsyncRange(os, shm->data_dir, shm->behavior.server_version_num, tli,
                                          flushed, *flush_upto) == os::Errno::kOk);
      w.latestChunkStart = flushed;
      flushed = *flush_upto;
      w.receivedUpto = flushed;
      w.receivedTLI = tli;
      shm->XLogCtl.recoveryWakeupLatch->Set();
    }
    co_await os.WaitLatchOrSocket(&os.MyLatch(),
                                  os::WL_LATCH_SET | os::WL_TIMEOUT | os::WL_EXIT_ON_PM_DEATH,
                                  os::kNoFd, os::Milliseconds(10));
    os.MyLatch().Reset();
  }
  // WalRcvDie.
  w.walRcvState = node::WalRcvState::WALRCV_STOPPED;
  w.pid = 0;
  w.latch = nullptr;
  shm->XLogCtl.recoveryWakeupLatch->Set();
}

}  // namespace

wal::WalRecord RowInsert(uint64_t row) {
  wal::HeapInsert ins;
  ins.rnode = {1663, 5, 16384};
  ins.blkno = static_cast<wal::BlockNumber>(row / 100);
  ins.offnum = static_cast<wal::OffsetNumber>(row % 100 + 1);
  ins.t_infomask2 = 1;
  ins.t_hoff = 24;
  for (int i = 0; i < 8; ++i) ins.tuple_data.push_back(static_cast<uint8_t>(row >> (8 * i)));
  return wal::MakeHeapInsertRecord(static_cast<wal::TransactionId>(700 + row), ins);
}

WalStream::WalStream()
    : builder_({.system_identifier = kSysId}, 1, 0x1000000, wal::InvalidXLogRecPtr) {
  CHECK_EQ(Append(wal::MakeCheckpointRecord(BootstrapCheckPoint(), true)), kBootstrapEnd);
}

wal::XLogRecPtr WalStream::Append(const wal::WalRecord& rec) {
  return builder_.Insert(rec, &buffer_).EndRecPtr;
}

wal::XLogRecPtr WalStream::AppendShutdownCheckpoint(wal::XLogRecPtr* start) {
  wal::CheckPoint cp = BootstrapCheckPoint();
  cp.redo = builder_.NextRecordStart();
  *start = cp.redo;
  last_checkpoint_ = cp;
  return Append(wal::MakeCheckpointRecord(cp, true));
}

std::vector<uint8_t> WalStream::Bytes(wal::XLogRecPtr from, wal::XLogRecPtr to) const {
  std::vector<uint8_t> out(to - from);
  CHECK(buffer_.Read(from, absl::MakeSpan(out)));
  return out;
}

RecoveryWorld::RecoveryWorld() {
  cluster.AddHost("h");
  shm->node_name = "h";
  shm->data_dir = kDataDir;
  shm->gucs = node::Gucs::Defaults(150000);
}

void RecoveryWorld::RunProcess(absl::AnyInvocable<os::Task<>(os::Os&)> body) {
  bool done = false;
  auto wrapper = [&done, b = std::move(body)](os::Os& os) mutable -> os::Task<> {
    co_await b(os);
    done = true;
  };
  cluster.Spawn("h", "setup", std::move(wrapper));
  // Absolute steps: Run stops at the last event before `until`, so `now`
  // alone would not move past a quiet stretch.
  const os::Instant start = world.now();
  for (int i = 1; i <= 6000 && !done; ++i) {
    world.Run({.until = start + os::Milliseconds(10) * i});
  }
  CHECK(done);
}

void RecoveryWorld::MakeDataDir(const WalStream& stream, wal::XLogRecPtr wal_end,
                                node::DBState state, wal::XLogRecPtr checkpoint,
                                bool standby_signal) {
  const int version = shm->behavior.server_version_num;
  RunProcess([&](os::Os& os) -> os::Task<> {
    CHECK(co_await xlog::InitDb(os, kDataDir, version, kSysId) == os::Errno::kOk);
    // The stream starts with initdb's bytes.
    std::vector<uint8_t> disk(kBootstrapEnd - 0x1000000);
    CHECK(co_await xlog::XLogRead(os, kDataDir, version, 1, 0x1000000, absl::MakeSpan(disk)) ==
          os::Errno::kOk);
    CHECK(disk == stream.Bytes(0x1000000, kBootstrapEnd));
    if (wal_end > kBootstrapEnd) {
      CHECK(co_await xlog::XLogWriteRaw(os, kDataDir, version, 1, kBootstrapEnd,
                                        stream.Bytes(kBootstrapEnd, wal_end)) == os::Errno::kOk);
      CHECK(co_await xlog::XLogFsyncRange(os, kDataDir, version, 1, kBootstrapEnd, wal_end) ==
            os::Errno::kOk);
    }
    os::Result<node::ControlFileData> c = co_await xlog::ReadControlFile(os, kDataDir);
    CHECK(c.ok());
    c->state = state;
    if (checkpoint != 0) {
      c->checkPoint = checkpoint;
      c->checkPointCopy = *stream.last_checkpoint();
    }
    CHECK(co_await xlog::WriteControlFile(os, kDataDir, *c) == os::Errno::kOk);
  });
  if (!standby_signal) return;
  if (node::UsesRecoveryConf(version)) {
    node::Gucs g = shm->gucs;
    g.standby_mode = true;
    WriteFile(absl::StrCat(kDataDir, "/", node::kRecoveryCommandFile), node::FormatRecoveryConf(g));
  } else {
    WriteFile(absl::StrCat(kDataDir, "/", node::kStandbySignal), "");
  }
}

void RecoveryWorld::WriteFile(const std::string& path, const std::string& content) {
  RunProcess([&](os::Os& os) -> os::Task<> {
    os::Result<os::Fd> fd = os.Open(path, os::kOpenReadWrite | os::kOpenCreate |
                                              os::kOpenTruncate);
    CHECK(fd.ok());
    std::vector<uint8_t> bytes(content.begin(), content.end());
    CHECK((co_await os.PWrite(*fd, bytes, 0)).ok());
    CHECK(co_await os.Fsync(*fd) == os::Errno::kOk);
    os.Close(*fd);
    CHECK(co_await os.FsyncDir(path.substr(0, path.rfind('/'))) == os::Errno::kOk);
  });
}

void RecoveryWorld::StartPostmaster() {
  cluster.Spawn("h", "postmaster", [this](os::Os& os) { return PostmasterMain(os, this); });
}

std::vector<std::pair<std::string, std::string>> RecoveryWorld::Logs(
    std::string_view process) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const sim::TraceEvent& e : world.trace().events()) {
    if (e.kind != "log" || e.process != process) continue;
    out.emplace_back(e.Find("kind")->s, e.Find("message")->s);
  }
  return out;
}

int RecoveryWorld::CountLogged(std::string_view kind, std::string_view message) const {
  int n = 0;
  for (const auto& [k, m] : Logs("startup")) {
    if (k == kind && m == message) ++n;
  }
  return n;
}

bool RecoveryWorld::Logged(std::string_view kind, std::string_view message) const {
  return CountLogged(kind, message) > 0;
}

std::optional<std::string> RecoveryWorld::ReadFile(const std::string& path) {
  std::optional<std::string> out;
  RunProcess([&](os::Os& os) -> os::Task<> {
    absl::StatusOr<std::optional<std::string>> r = co_await ReadWholeFile(os, path);
    CHECK(r.ok()) << r.status();
    out = *r;
  });
  return out;
}

node::ControlFileData RecoveryWorld::ReadControl() {
  node::ControlFileData out;
  RunProcess([&](os::Os& os) -> os::Task<> {
    os::Result<node::ControlFileData> c = co_await xlog::ReadControlFile(os, kDataDir);
    CHECK(c.ok());
    out = *c;
  });
  return out;
}

WalRcvBody FeedingWalReceiver(node::ShmemRef shm, const WalStream* stream,
                              const wal::XLogRecPtr* write_upto,
                              const wal::XLogRecPtr* flush_upto) {
  return [=](os::Os& os) {
    return FeedingWalReceiverMain(os, shm, stream, write_upto, flush_upto);
  };
}

}  // namespace replsim::recovery::testing
