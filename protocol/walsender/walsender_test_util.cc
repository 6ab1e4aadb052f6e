#include "protocol/walsender/walsender_test_util.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "protocol/os/check.h"
#include "protocol/postmaster/pmsignal.h"
#include "protocol/pq/backend_startup.h"
#include "protocol/pq/pqcomm.h"
#include "protocol/walsender/walsender.h"
#include "protocol/wal/xlog_records.h"
#include "protocol/wire/copy_data.h"
#include "protocol/wire/startup_packet.h"
#include "protocol/xlog/initdb.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::walsender {
namespace {

constexpr int kPort = 5432;
constexpr uint64_t kSystemId = 7310000000000000001ull;

absl::Span<const uint8_t> Bytes(const std::string& s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Not a lambda: g++ 12 miscompiles coroutine lambdas awaited in a coroutine.
// `frame` must outlive the call (a named local): g++ 12 mis-destroys
// class-type temporaries in a co_await full-expression.
os::Task<> SendFrame(os::Os& os, os::Fd fd, const std::string* frame) {
  (void)co_await os.Send(fd, Bytes(*frame));
}

}  // namespace

XLogRecPtr ClientResult::ReceivedEnd(XLogRecPtr start) const {
  XLogRecPtr end = start;
  for (const wire::XLogData& d : xlog_data) {
    CHECK_EQ(d.data_start, end) << "WAL received out of order";
    end += d.wal.size();
  }
  return end;
}

node::Behavior Profile(const char* name) {
  absl::StatusOr<node::Behavior> b = node::Behavior::ForProfile(name);
  CHECK(b.ok()) << b.status();
  return *b;
}

os::Task<> SleepFully(os::Os& os, os::Duration d) {
  const os::Instant until = os.Monotonic() + d;
  while (os.Monotonic() < until) (void)co_await os.Sleep(until - os.Monotonic());
}

XLogRecPtr InsertWal(node::NodeShmem& shm, uint64_t bytes, uint32_t payload) {
  const XLogRecPtr from = shm.XLogCtl.pos.Insert;
  uint32_t xid = 1000;
  while (shm.XLogCtl.pos.Insert - from < bytes) {
    wal::HeapInsert ins;
    ins.rnode = {1663, 5, 16384};
    ins.blkno = xid % 100;
    ins.offnum = 1;
    ins.tuple_data.assign(payload, static_cast<uint8_t>(xid));
    xlog::XLogInsert(shm, wal::MakeHeapInsertRecord(xid++, ins));
  }
  return shm.XLogCtl.pos.Insert;
}

XLogRecPtr InsertShutdownCheckpoint(node::NodeShmem& shm) {
  wal::CheckPoint cp;
  cp.redo = shm.XLogCtl.pos.Insert;
  cp.ThisTimeLineID = shm.XLogCtl.ThisTimeLineID;
  cp.PrevTimeLineID = cp.ThisTimeLineID;
  cp.nextXid = 5000;
  return xlog::XLogInsert(shm, wal::MakeCheckpointRecord(cp, /*shutdown=*/true)).EndRecPtr;
}

os::Task<std::string> ReadPrimaryWal(os::Os& os, node::NodeShmem& shm, XLogRecPtr from,
                                     XLogRecPtr to, uint32_t tli) {
  std::string out(to - from, '\0');
  const os::Errno e =
      co_await xlog::XLogRead(os, shm.data_dir, shm.behavior.server_version_num, tli, from,
                              absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()), out.size()));
  CHECK(e == os::Errno::kOk);
  co_return out;
}

WalSenderWorld::WalSenderWorld(uint64_t seed, node::Behavior behavior,
                               sim::os_sim::ClusterConfig config)
    : shm(std::make_shared<node::NodeShmem>()), world(seed, true), cluster(world, config) {
  shm->node_name = "primary";
  shm->data_dir = "/pgdata";
  shm->gucs = node::Gucs::Defaults(behavior.server_version_num);
  shm->gucs.max_wal_senders = 2;
  shm->behavior = std::move(behavior);
  cluster.AddHost("primary");
  cluster.AddHost("standby");
  cluster.Spawn("primary", "postmaster", [this](os::Os& os) { return Postmaster(os); });
  cluster.Spawn("standby", "client", [this](os::Os& os) { return Client(os); });
}

WalSenderWorld::~WalSenderWorld() = default;

void WalSenderWorld::Run(os::Duration until) {
  world.Run({.until = os::Instant() + until});
}

std::vector<std::string> WalSenderWorld::WalSenderLog() {
  std::vector<std::string> out;
  for (const sim::TraceEvent& e : world.trace().events()) {
    if (e.process != "walsender" || e.kind != "log") continue;
    const sim::TraceField* k = e.Find("kind");
    const sim::TraceField* m = e.Find("message");
    if (k != nullptr && m != nullptr) out.push_back(absl::StrCat(k->s, ": ", m->s));
  }
  return out;
}

bool WalSenderWorld::WalSenderLogged(const std::string& needle) {
  for (const std::string& l : WalSenderLog()) {
    if (absl::StrContains(l, needle)) return true;
  }
  return false;
}

// The tiny postmaster: initdb, WAL, then a "walsender" child that accepts
// the connection itself (the simulated OS has no descriptor inheritance)
// and runs the start-up exchange and WalSndMain; then the test's script;
// then it stays up (the walsender watches for postmaster death).
os::Task<> WalSenderWorld::Postmaster(os::Os& os) {
  shm->postmaster_pid = os.MyPid();
  os.SetSignalHandler(os::Signal::kSIGUSR1, [this] { ++pmsignals; });  // sigusr1_handler
  const os::Errno init =
      co_await xlog::InitDb(os, shm->data_dir, shm->behavior.server_version_num, kSystemId);
  CHECK(init == os::Errno::kOk);
  shm->ControlFile.system_identifier = kSystemId;
  shm->XLogCtl.SharedRecoveryInProgress = false;
  xlog::StartXLogInsert(*shm, 1, kWalStart, xlog::kBootstrapCheckPoint);
  if (prepare) {
    co_await prepare(os, *this);
  } else {
    const XLogRecPtr end = InsertWal(*shm, 8 * 2048);
    (void)co_await xlog::XLogFlush(os, *shm, end);
  }
  node::ShmemRef ref = shm;
  postmaster::InitPMChildSlots(*shm, 4);
  const int slot = postmaster::AssignPostmasterChildSlot(*shm);
  os::Result<os::Pid> child = os.StartChild("walsender", [ref](os::Os& c) -> os::Task<> {
    postmaster::MarkPostmasterChildActive(c, *ref);
    os::Result<os::Fd> listener = c.Listen(kPort, 8);
    CHECK(listener.ok());
    os::Result<os::Fd> sock = co_await c.Accept(*listener);
    CHECK(sock.ok());
    c.Close(*listener);
    auto conn = std::make_unique<pq::PqComm>(c, *sock);
    absl::StatusOr<wire::StartupPacket> packet = co_await pq::ReadStartupPacket(*conn);
    CHECK(packet.ok() && std::holds_alternative<wire::StartupMessage>(*packet));
    const auto& startup = std::get<wire::StartupMessage>(*packet);
    WalSndPort port;
    port.application_name = startup.Get("application_name").value_or("");
    pq::StartupResponse resp;
    resp.parameters = pq::DefaultParameterStatus(port.application_name, "15.15", false);
    resp.backend_pid = static_cast<uint32_t>(c.MyPid());
    const os::Errno sent = co_await pq::SendStartupResponse(*conn, resp);
    CHECK(sent == os::Errno::kOk);
    co_await WalSndMain(c, ref, std::move(conn), port);
  });
  CHECK(child.ok());
  postmaster::SetPostmasterChildPid(*shm, slot, *child);
  walsender_pid = *child;
  if (primary_script) co_await primary_script(os, *this);
  for (;;) {
    if (std::optional<os::ChildExit> e = os.WaitChild()) walsender_exit = e;
    (void)co_await os.Sleep(os::Milliseconds(100));
  }
}

// The scripted standby: raw frames, so every byte and ending is visible.
os::Task<> WalSenderWorld::Client(os::Os& os) {
  os::Result<os::Fd> s = os::Errno::kECONNREFUSED;
  for (int i = 0; i < 100 && !s.ok(); ++i) {
    (void)co_await os.Sleep(os::Milliseconds(10));
    s = co_await os.Connect("primary", kPort);
  }
  CHECK(s.ok());
  const os::Fd fd = *s;
  const std::string hello = wire::EncodeStartupPacket(wire::StartupMessage{
      wire::kProtocolVersion3,
      {{"user", "postgres"}, {"replication", "true"},
       {"application_name", client.application_name}}});
  (void)co_await os.Send(fd, Bytes(hello));
  wire::FrameDecoder decoder = wire::FrameDecoder::ForClient(false);
  size_t next_command = 0;
  XLogRecPtr received = 0;
  std::optional<os::Instant> reply_due;
  std::string buf(65536, '\0');
  auto status_update = [&]() {
    wire::StandbyStatusUpdate r;
    r.write = received;
    r.flush = client.flush_zero ? 0 : received;
    r.apply = received;
    r.send_time = wire::UnixMicrosToTimestampTz(os.WallClockMicros());
    return wire::Encode(wire::CopyData{wire::EncodeCopyPayload(r)});
  };
  for (;;) {
    // Everything already decoded.
    for (;;) {
      absl::StatusOr<std::optional<wire::Frame>> f = decoder.Next();
      CHECK(f.ok()) << f.status();
      if (!f->has_value()) break;
      absl::StatusOr<wire::BackendMessage> m = wire::DecodeBackendMessage(**f);
      CHECK(m.ok()) << m.status();
      if (auto* d = std::get_if<wire::CopyData>(&*m)) {
        absl::StatusOr<wire::WalSenderMessage> w = wire::DecodeWalSenderMessage(d->data);
        CHECK(w.ok()) << w.status();
        if (auto* x = std::get_if<wire::XLogData>(&*w)) {
          if (received == 0) received = x->data_start;
          received = x->data_start + x->wal.size();
          result.xlog_data.push_back(*x);
          if (client.reply && !reply_due) reply_due = os.Monotonic() + client.reply_delay;
        } else {
          ++result.keepalives;
          if (client.reply && std::get<wire::PrimaryKeepalive>(*w).reply_requested) {
            const std::string r = status_update();
            co_await SendFrame(os, fd, &r);
          }
        }
        continue;
      }
      result.messages.push_back(*m);
      if (std::holds_alternative<wire::ReadyForQuery>(*m)) {
        if (next_command < client.commands.size()) {
          const std::string q = wire::Encode(wire::Query{client.commands[next_command++]});
          co_await SendFrame(os, fd, &q);
        } else {
          co_await SleepFully(os, client.linger);
          const std::string x = wire::Encode(wire::Terminate{});
          co_await SendFrame(os, fd, &x);
          os.Close(fd);
          result.ending = "terminated";
          co_return;
        }
      } else if (std::holds_alternative<wire::CopyBothResponse>(*m)) {
        result.got_copy_both = true;
      } else if (std::holds_alternative<wire::CopyDone>(*m)) {
        result.got_copy_done = true;
        const std::string c = wire::Encode(wire::CopyDone{});
        if (client.answer_copy_done) co_await SendFrame(os, fd, &c);
      } else if (auto* c = std::get_if<wire::CommandComplete>(&*m)) {
        result.command_tags.push_back(c->tag);
      } else if (auto* e = std::get_if<wire::ErrorResponse>(&*m)) {
        result.errors.push_back(e->fields.message());
        result.error_details.push_back(e->fields.Get(wire::kFieldDetail).value_or(""));
      }
    }
    if (reply_due && os.Monotonic() >= *reply_due) {
      reply_due.reset();
      const std::string r = status_update();
      co_await SendFrame(os, fd, &r);
    }
    const os::Duration wait =
        reply_due ? std::max(os::Duration(), *reply_due - os.Monotonic()) : os::Seconds(1);
    (void)co_await os.WaitLatchOrSocket(nullptr, os::WL_SOCKET_READABLE | os::WL_TIMEOUT, fd,
                                        wait);
    os::Result<size_t> r =
        os.TryRecv(fd, absl::MakeSpan(reinterpret_cast<uint8_t*>(buf.data()), buf.size()));
    if (!r.ok() && r.error() == os::Errno::kEAGAIN) continue;
    if (!r.ok()) {
      result.ending = std::string(os::ErrnoName(r.error()));
      co_return;
    }
    if (*r == 0) {
      result.ending = "eof";
      co_return;
    }
    decoder.Feed(absl::string_view(buf.data(), *r));
  }
}

}  // namespace replsim::walsender
