// SimOs: sockets over the virtual TCP network (sim/net).
#include "protocol/os/check.h"
#include "sim/os/cluster.h"
#include "sim/os/sim_os.h"

namespace replsim::sim::os_sim {

os::Fd SimOs::AddFd(FdEntry e) {
  return fds_.Add(e);
}

net::TcpSocket* SimOs::SocketOf(os::Fd fd) {
  const FdEntry* e = fds_.Find(fd);
  if (e == nullptr || !e->socket) return nullptr;
  return cluster_.network().Find(e->id);
}

os::Result<os::Fd> SimOs::Listen(int port, int backlog) {
  os::Result<net::SocketId> id = cluster_.network().Listen(host_.name(), port, backlog);
  if (!id.ok()) return id.error();
  return AddFd({true, *id});
}

os::Result<os::Fd> SimOs::TryAccept(os::Fd listener) {
  net::TcpSocket* l = SocketOf(listener);
  if (l == nullptr) return os::Errno::kEBADF;
  os::Result<net::SocketId> id = cluster_.network().Accept(l->id());
  if (!id.ok()) return id.error();
  return AddFd({true, *id});
}

os::Task<os::Result<os::Fd>> SimOs::Accept(os::Fd listener) {
  const WaitScope waiting = Waiting({.kind = WaitKind::kAccept});
  for (;;) {
    os::Result<os::Fd> r = TryAccept(listener);
    if (r.ok() || r.error() != os::Errno::kEAGAIN) co_return r;
    co_await BlockOn(SocketOf(listener)->readable(), std::nullopt);
  }
}

os::Task<os::Result<os::Fd>> SimOs::Connect(std::string_view host, int port) {
  const WaitScope waiting = Waiting({.kind = WaitKind::kConnect});
  os::Fd fd = *ConnectStart(host, port);
  net::TcpSocket* s = SocketOf(fd);
  while (s->state() == net::TcpSocket::State::kConnecting) {
    co_await BlockOn(s->writable(), std::nullopt);
  }
  const os::Errno e = ConnectResult(fd);
  if (e == os::Errno::kOk) co_return fd;
  Close(fd);
  co_return e;
}

os::Result<os::Fd> SimOs::ConnectStart(std::string_view host, int port) {
  net::SocketId id =
      cluster_.network().StartConnect(host_.name(), std::string(host), port);
  return AddFd({true, id});
}

os::Errno SimOs::ConnectResult(os::Fd sock) {
  net::TcpSocket* s = SocketOf(sock);
  if (s == nullptr) return os::Errno::kEBADF;
  if (s->state() == net::TcpSocket::State::kConnecting) return os::Errno::kEINPROGRESS;
  if (s->state() == net::TcpSocket::State::kEstablished) return os::Errno::kOk;
  os::Result<size_t> err = s->Recv({});  // takes the pending error
  return err.ok() ? os::Errno::kECONNREFUSED : err.error();
}

os::Result<size_t> SimOs::TrySend(os::Fd sock, absl::Span<const uint8_t> data) {
  net::TcpSocket* s = SocketOf(sock);
  if (s == nullptr) return os::Errno::kEBADF;
  os::Result<size_t> r = cluster_.network().Send(s->id(), data);
  if (r.ok()) Copied(*r);
  return r;
}

os::Task<os::Result<size_t>> SimOs::Send(os::Fd sock, absl::Span<const uint8_t> data) {
  const WaitScope waiting = Waiting({.kind = WaitKind::kSend});
  size_t done = 0;
  for (;;) {
    os::Result<size_t> r = TrySend(sock, data.subspan(done));
    if (r.ok()) {
      done += *r;
      if (done == data.size()) co_return done;
    } else if (r.error() != os::Errno::kEAGAIN) {
      if (done > 0) co_return done;
      co_return r;
    }
    co_await BlockOn(SocketOf(sock)->writable(), std::nullopt);
  }
}

os::Result<size_t> SimOs::TryRecv(os::Fd sock, absl::Span<uint8_t> buf) {
  net::TcpSocket* s = SocketOf(sock);
  if (s == nullptr) return os::Errno::kEBADF;
  os::Result<size_t> r = cluster_.network().Recv(s->id(), buf);
  if (r.ok()) Copied(*r);
  if (r.ok() && slow_read_bytes_per_ms_ > 0) {
    read_debt_ += os::Nanoseconds(static_cast<int64_t>(*r) * 1'000'000 /
                                  slow_read_bytes_per_ms_);
  }
  return r;
}

os::Task<os::Result<size_t>> SimOs::Recv(os::Fd sock, absl::Span<uint8_t> buf) {
  const WaitScope waiting = Waiting({.kind = WaitKind::kRecv});
  for (;;) {
    os::Result<size_t> r = TryRecv(sock, buf);
    if (r.ok() || r.error() != os::Errno::kEAGAIN) co_return r;
    co_await BlockOn(SocketOf(sock)->readable(), std::nullopt);
  }
}

os::Errno SimOs::ShutdownWrite(os::Fd sock) {
  net::TcpSocket* s = SocketOf(sock);
  if (s == nullptr) return os::Errno::kEBADF;
  return cluster_.network().ShutdownWrite(s->id());
}

os::Errno SimOs::SetKeepalive(os::Fd sock, const os::KeepaliveConfig& config) {
  net::TcpSocket* s = SocketOf(sock);
  if (s == nullptr) return os::Errno::kEBADF;
  cluster_.network().SetKeepalive(s->id(), config);
  return os::Errno::kOk;
}

os::Result<std::string> SimOs::PeerHost(os::Fd sock) {
  net::TcpSocket* s = SocketOf(sock);
  if (s == nullptr) return os::Errno::kEBADF;
  if (s->peer == 0) return os::Errno::kENOTCONN;
  return s->peer_host;
}

os::Errno SimOs::Close(os::Fd fd) {
  const std::optional<FdEntry> e = fds_.Take(fd);
  if (!e.has_value()) return os::Errno::kEBADF;
  if (e->socket) {
    cluster_.network().Close(e->id);
  } else {
    host_.disk().Release(e->id);
  }
  return os::Errno::kOk;
}

void SimOs::NoteMessage(os::Fd sock, bool sent, uint64_t offset, uint64_t len,
                        std::string_view name, absl::Span<const os::NoteField> fields) {
  const FdEntry* e = fds_.Find(sock);
  if (e == nullptr || !e->socket) return;
  TraceBuilder b = Emit(sent ? "msg_sent" : "msg_received");
  b.Uint("socket", e->id).Uint("offset", offset).Uint("bytes", len).Str("msg", name);
  for (const os::NoteField& f : fields) {
    switch (f.type) {
      case os::NoteField::Type::kLsn: b.Lsn(f.key, f.value); break;
      case os::NoteField::Type::kUint: b.Uint(f.key, f.value); break;
      case os::NoteField::Type::kBool: b.Bool(f.key, f.value != 0); break;
      case os::NoteField::Type::kText: b.Str(f.key, f.text); break;
    }
  }
}

}  // namespace replsim::sim::os_sim
