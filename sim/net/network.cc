// The process-facing half of Network: hosts, listen/accept/connect, send,
// recv, close and connection faults. The data path is in transport.cc, the
// SYN exchange in connect.cc, keepalive and the persist timer in probes.cc.
#include "sim/net/network.h"

#include <algorithm>

#include "protocol/os/check.h"

namespace replsim::sim::net {

Network::Network(World& world, NetConfig config)
    : world_(world),
      config_(config),
      links_(world, config.link) {}

TraceBuilder Network::Emit(const std::string& host, std::string_view kind) {
  return world_.trace().Emit(world_.now(), host, "tcp", kind);
}

TcpSocket& Network::NewSocket(const std::string& host, TcpSocket::State state) {
  const SocketId id = sockets_.size() + 1;
  sockets_.push_back(std::make_unique<TcpSocket>(id, host, state, config_.snd_buf,
                                                 config_.rcv_buf));
  return *sockets_.back();
}

TcpSocket* Network::Find(SocketId id) {
  return id >= 1 && id <= sockets_.size() ? sockets_[id - 1].get() : nullptr;
}

void Network::HostUp(const std::string& host) { down_.erase(host); }

void Network::HostDown(const std::string& host) {
  down_.insert(host);
  for (auto& s : sockets_) {
    if (s->host() != host || s->vanished) continue;
    s->vanished = true;
    CancelTimers(*s);
    s->inflight().clear();
    s->snd().Clear();
  }
  for (auto it = listeners_.begin(); it != listeners_.end();) {
    it = it->first.first == host ? listeners_.erase(it) : std::next(it);
  }
}

bool Network::IsUp(const std::string& host) const { return !down_.contains(host); }

os::Result<SocketId> Network::Listen(const std::string& host, int port,
                                     int backlog) {
  auto key = std::make_pair(host, port);
  if (listeners_.contains(key)) return os::Errno::kEADDRINUSE;
  TcpSocket& s = NewSocket(host, TcpSocket::State::kListening);
  s.backlog = std::max(backlog, 0);
  s.port = port;
  listeners_.emplace(key, s.id());
  Emit(host, "tcp_listen").Uint("socket", s.id()).Int("port", port);
  return s.id();
}

os::Result<SocketId> Network::Accept(SocketId listener) {
  TcpSocket* l = Find(listener);
  if (l == nullptr || l->state() != TcpSocket::State::kListening) {
    return os::Errno::kEINVAL;
  }
  if (l->accept_queue.empty()) return os::Errno::kEAGAIN;
  SocketId id = l->accept_queue.front();
  l->accept_queue.pop_front();
  Emit(l->host(), "tcp_accept").Uint("socket", id);
  return id;
}

SocketId Network::StartConnect(const std::string& host, const std::string& dst,
                               int port) {
  TcpSocket& s = NewSocket(host, TcpSocket::State::kConnecting);
  s.peer_host = dst;
  Emit(host, "tcp_connect").Uint("socket", s.id()).Str("to", dst).Int("port", port);
  SynAttempt(s.id(), port, 0);
  return s.id();
}

os::Result<size_t> Network::Send(SocketId id, absl::Span<const uint8_t> data) {
  TcpSocket* s = Find(id);
  os::Result<size_t> r = s->Send(data);
  if (r.ok()) Pump(*s);
  return r;
}

os::Result<size_t> Network::Recv(SocketId id, absl::Span<uint8_t> buf) {
  TcpSocket* s = Find(id);
  os::Result<size_t> r = s->Recv(buf);
  if (r.ok() && *r > 0 && s->state() == TcpSocket::State::kEstablished) {
    WindowUpdate(*s);
  }
  return r;
}

os::Errno Network::ShutdownWrite(SocketId id) {
  TcpSocket* s = Find(id);
  if (s->state() != TcpSocket::State::kEstablished) return os::Errno::kENOTCONN;
  s->shut_wr = true;
  Pump(*s);
  return os::Errno::kOk;
}

void Network::Close(SocketId id) {
  TcpSocket* s = Find(id);
  CHECK(!s->fd_closed) << "socket " << id << " closed twice";
  s->fd_closed = true;
  if (s->vanished) return;
  switch (s->state()) {
    case TcpSocket::State::kListening: {
      listeners_.erase(std::make_pair(s->host(), s->port));
      std::deque<SocketId> queued = std::move(s->accept_queue);
      s->Kill(os::Errno::kOk);
      Emit(s->host(), "tcp_listener_closed").Uint("socket", id);
      for (SocketId q : queued) Abort(*Find(q), "listener_closed");
      return;
    }
    case TcpSocket::State::kConnecting:
      s->Kill(os::Errno::kOk);
      return;
    case TcpSocket::State::kDead:
      return;
    case TcpSocket::State::kEstablished:
      break;
  }
  if (s->aborted) return;
  if (s->rcv_buffered() > 0) {
    Abort(*s, "unread_input");
    return;
  }
  Emit(s->host(), "tcp_close").Uint("socket", id).Uint("unsent", s->snd_buffered());
  s->shut_wr = true;
  Pump(*s);
}

void Network::Partition(const std::string& a, const std::string& b, bool two_way) {
  links_.Partition(a, b, two_way);
  world_.trace()
      .Emit(world_.now(), a, "net", "fault_partition", Severity::kWarning)
      .Str("to", b)
      .Bool("two_way", two_way);
}

void Network::Heal(const std::string& a, const std::string& b, bool two_way) {
  links_.Heal(a, b, two_way);
  world_.trace()
      .Emit(world_.now(), a, "net", "fault_partition_healed")
      .Str("to", b)
      .Bool("two_way", two_way);
}

void Network::DropConnection(SocketId id) {
  TcpSocket* s = Find(id);
  world_.trace()
      .Emit(world_.now(), s->host(), "net", "fault_drop_connection", Severity::kWarning)
      .Uint("socket", id);
  TcpSocket* peer = s->peer != 0 ? Find(s->peer) : nullptr;
  if (!s->vanished) KillSocket(*s, os::Errno::kOk, "");
  if (peer != nullptr && !peer->vanished) KillSocket(*peer, os::Errno::kOk, "");
}

std::vector<SocketId> Network::LiveConnections(const std::string& host) const {
  std::vector<SocketId> out;
  for (const auto& s : sockets_) {
    if (s->state() == TcpSocket::State::kEstablished && !s->vanished &&
        !s->aborted && (host.empty() || s->host() == host)) {
      out.push_back(s->id());
    }
  }
  return out;
}

}  // namespace replsim::sim::net
