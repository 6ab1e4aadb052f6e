#include "protocol/walreceiver/walreceiver_test_util.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "protocol/walreceiver/walreceiver.h"
#include "protocol/xlog/initdb.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::walreceiver {

bool HasLine(const std::vector<std::string>& log, const std::string& line) {
  return std::find(log.begin(), log.end(), line) != log.end();
}

bool HasLinePrefix(const std::vector<std::string>& log, const std::string& prefix) {
  return std::any_of(log.begin(), log.end(),
                     [&](const std::string& l) { return absl::StartsWith(l, prefix); });
}

os::Task<bool> OpenStream(os::Os& os, ScriptedWalSender& ws,
                          std::optional<wire::StartReplicationCmd>* start) {
  os::Result<os::Fd> l = os.Listen(kPort, 8);
  if (!l.ok()) co_return false;
  const bool accepted = co_await ws.Accept(*l);
  if (!accepted) co_return false;
  *start = co_await ws.ServeUntilStartReplication();
  co_return start->has_value();
}

std::string PatternBytes(uint64_t start, size_t n, uint8_t salt) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) {
    const uint64_t p = start + i;
    out[i] = static_cast<char>((p * 131 + (p >> 9) + salt) % 251 + 1);  // never 0
  }
  return out;
}

WalRcvFixture::WalRcvFixture(node::Behavior behavior, sim::host::HostConfig standby) {
  cluster.AddHost("primary");
  cluster.AddHost("standby", standby);
  shm->node_name = "standby";
  shm->data_dir = "/pgdata";
  shm->behavior = behavior;
  shm->gucs = node::Gucs::Defaults(behavior.server_version_num);
  shm->ControlFile.system_identifier = kSystemId;
  cluster.Spawn("standby", "initdb", [this](os::Os& os) -> os::Task<> {
    const os::Errno e =
        co_await xlog::InitDb(os, "/pgdata", shm->behavior.server_version_num, kSystemId);
    CHECK(e == os::Errno::kOk) << os::ErrnoName(e);
    shm->XLogCtl.recoveryWakeupLatch = os.NewSharedLatch();
  });
  world.Run();  // until initdb is done and the world idle
  horizon = world.now();
}

WalRcvFixture::~WalRcvFixture() = default;

void WalRcvFixture::RequestStreaming(uint64_t start, uint32_t tli) {
  node::WalRcvData& w = shm->WalRcv;
  w.receiveStart = start;
  w.receiveStartTLI = tli;
  w.conninfo = absl::StrCat("host=primary port=", kPort);
  w.walRcvState = node::WalRcvState::WALRCV_STARTING;
  // The startup process would have published its target by now.
  if (shm->XLogCtl.RecoveryTargetTLI == 0) shm->XLogCtl.RecoveryTargetTLI = tli;
}

os::Pid WalRcvFixture::StartWalReceiver() {
  walrcv_pid = cluster.Spawn("standby", "walreceiver", [shm = shm](os::Os& os) {
    return WalReceiverMain(os, shm);
  });
  return walrcv_pid;
}

std::string WalRcvFixture::ReadStandbyWal(uint32_t tli, uint64_t start, size_t n) {
  std::string out(n, '\0');
  cluster.Spawn("standby", "reader", [&](os::Os& os) -> os::Task<> {
    auto span = absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), out.size());
    // A missing segment (lost in a crash) reads as zeros here.
    const bool awaited_1 = co_await xlog::XLogRead(os, "/pgdata", shm->behavior.server_version_num,
                                                   tli, start, span) != os::Errno::kOk;
    if (awaited_1) {
      std::fill(out.begin(), out.end(), '\0');
    }
  });
  RunFor(os::Milliseconds(200));
  return out;
}

bool WalRcvFixture::StandbyFileExists(const std::string& path) {
  return cluster.host("standby").disk().Stat(path).ok();
}

std::vector<std::string> WalRcvFixture::WalRcvLog() {
  std::vector<std::string> out;
  for (const sim::TraceEvent& e : world.trace().events()) {
    if (e.kind != "log" || e.host != "standby" || e.process != "walreceiver") continue;
    const sim::TraceField* kind = e.Find("kind");
    const sim::TraceField* msg = e.Find("message");
    if (kind != nullptr && msg != nullptr) out.push_back(absl::StrCat(kind->s, ": ", msg->s));
  }
  return out;
}

}  // namespace replsim::walreceiver
