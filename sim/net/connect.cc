// The connecting half of Network: the SYN, its retransmission timer and the
// SYN-ACK or RST that answers it. See network.h for the rules.
#include "protocol/os/check.h"
#include "sim/net/network.h"

namespace replsim::sim::net {

void Network::SynAttempt(SocketId id, int port, int attempt) {
  TcpSocket* s = Find(id);
  if (s->state() != TcpSocket::State::kConnecting || s->vanished) return;
  // Linux arms the retransmission timer at each send: TCP_TIMEOUT_INIT,
  // doubled per retransmission; the SYN's fate does not matter to it.
  s->attempt_timer = world_.queue().ScheduleAfter(
      config_.syn_rto * (int64_t{1} << attempt),
      [this, id, port, attempt] { SynTimer(id, port, attempt); });
  if (!Arrives(s->host(), s->peer_host)) return;
  world_.queue().ScheduleAfter(links_.Delay(s->host(), s->peer_host),
                               [this, id, port] { SynArrive(id, port); });
}

void Network::SynTimer(SocketId id, int port, int attempt) {
  TcpSocket* s = Find(id);
  s->attempt_timer = TimerId();
  if (s->state() != TcpSocket::State::kConnecting || s->vanished) return;
  if (attempt >= config_.syn_retries) {
    Emit(s->host(), "tcp_connect_failed").Uint("socket", id).Str("errno", "ETIMEDOUT");
    s->FinishConnect(os::Errno::kETIMEDOUT);
    return;
  }
  SynAttempt(id, port, attempt + 1);
}

void Network::SynArrive(SocketId id, int port) {
  TcpSocket* s = Find(id);
  if (s->state() != TcpSocket::State::kConnecting || s->vanished) return;
  const std::string& dst = s->peer_host;
  if (!IsUp(dst)) return;  // the SYN is lost; the timer retransmits it
  if (s->peer != 0) {
    // A retransmitted SYN for a connection the server already has: it
    // answers with its SYN-ACK again.
    if (Arrives(dst, s->host())) {
      world_.queue().ScheduleAfter(links_.Delay(dst, s->host()),
                                   [this, id] { SynAckArrive(id); });
    }
    return;
  }
  auto it = listeners_.find(std::make_pair(dst, port));
  if (!Arrives(dst, s->host())) return;  // the SYN-ACK (or RST) is lost
  if (it == listeners_.end()) {
    world_.queue().ScheduleAfter(links_.Delay(dst, s->host()), [this, id] {
      TcpSocket* c = Find(id);
      if (c->state() != TcpSocket::State::kConnecting || c->vanished) return;
      world_.queue().Cancel(c->attempt_timer);
      c->attempt_timer = TimerId();
      Emit(c->host(), "tcp_connect_failed")
          .Uint("socket", id)
          .Str("errno", "ECONNREFUSED");
      c->FinishConnect(os::Errno::kECONNREFUSED);
    });
    return;
  }
  TcpSocket& l = *Find(it->second);
  // Linux's sk_acceptq_is_full: the queue holds backlog + 1.
  if (static_cast<int>(l.accept_queue.size()) > l.backlog) {
    Emit(dst, "tcp_syn_dropped").Uint("socket", l.id()).Str("reason", "backlog");
    return;
  }
  TcpSocket& server = NewSocket(dst, TcpSocket::State::kEstablished);
  server.peer = id;
  server.peer_host = s->host();
  server.last_heard = world_.now();
  s->peer = server.id();
  l.accept_queue.push_back(server.id());
  Emit(dst, "tcp_accept_queued").Uint("socket", server.id()).Uint("peer", id);
  l.readable().Wake();
  world_.queue().ScheduleAfter(links_.Delay(dst, s->host()),
                               [this, id] { SynAckArrive(id); });
}

void Network::SynAckArrive(SocketId id) {
  TcpSocket* c = Find(id);
  if (c->state() != TcpSocket::State::kConnecting || c->vanished) return;
  world_.queue().Cancel(c->attempt_timer);
  c->attempt_timer = TimerId();
  c->last_heard = world_.now();
  if (c->keepalive) {
    // tcp_finish_connect: SO_KEEPALIVE set while connecting starts counting
    // idle time now.
    SetKeepalive(id, c->keepalive_config);
  }
  Emit(c->host(), "tcp_established").Uint("socket", id).Uint("peer", c->peer);
  c->FinishConnect(os::Errno::kOk);
  Pump(*c);
}

}  // namespace replsim::sim::net
