// The data path of Network: transmission under flow control, delivery in
// order, retransmission with backoff, RST. See network.h for the rules.
#include <algorithm>

#include "protocol/os/check.h"
#include "sim/net/network.h"

namespace replsim::sim::net {

void Network::Enqueue(TcpSocket& s, Segment seg) {
  seg.sent = world_.now();
  seg.arrival = links_.Transmit(s.host(), s.peer_host, world_.now(),
                                seg.bytes.size());
  bool first = s.inflight().empty();
  s.inflight().push_back(std::move(seg));
  if (first) ScheduleAttempt(s, s.inflight().front().arrival);
}

void Network::ScheduleAttempt(TcpSocket& s, os::Instant at) {
  world_.queue().Cancel(s.attempt_timer);
  SocketId id = s.id();
  s.attempt_timer = world_.queue().Schedule(std::max(at, world_.now()),
                                            [this, id] { Attempt(id); });
}

void Network::Pump(TcpSocket& s) {
  if (s.state() != TcpSocket::State::kEstablished || s.vanished || s.aborted) {
    return;
  }
  TcpSocket* peer = Find(s.peer);
  CHECK(peer != nullptr);
  bool sent = false;
  while (s.snd_buffered() > 0) {
    size_t room = peer->rcv_space();
    size_t pending = s.inflight_undelivered();
    size_t window = room > pending ? room - pending : 0;
    if (window == 0) {
      // Zero window: the peer's read reopens it (its window update), or the
      // persist timer's probe finds it open.
      if (s.inflight().empty()) ArmPersist(s);
      break;
    }
    Segment seg;
    s.snd().Take(std::min({window, config_.mss, s.snd_buffered()}), &seg.bytes);
    Emit(s.host(), "tcp_segment_sent")
        .Uint("socket", s.id())
        .Uint("bytes", seg.bytes.size());
    Enqueue(s, std::move(seg));
    sent = true;
  }
  if (s.snd_buffered() == 0 && s.shut_wr && !s.fin_sent) {
    s.fin_sent = true;
    Emit(s.host(), "tcp_fin_sent").Uint("socket", s.id());
    Segment fin;
    fin.fin = true;
    Enqueue(s, std::move(fin));
  }
  if (sent) {
    StopPersist(s);
    s.writable().Wake();
  }
}

void Network::Abort(TcpSocket& s, std::string_view reason) {
  Emit(s.host(), "tcp_rst_sent")
      .Uint("socket", s.id())
      .Str("reason", reason)
      .Uint("discarded", s.snd_buffered());
  s.aborted = true;
  s.shut_wr = true;
  s.fin_sent = true;
  s.snd().Clear();
  world_.queue().Cancel(s.keepalive_timer);
  StopPersist(s);
  for (Segment& seg : s.inflight()) seg.once = true;
  Segment rst;
  rst.rst = true;
  rst.once = true;
  Enqueue(s, std::move(rst));
}

void Network::Attempt(SocketId id) {
  TcpSocket* s = Find(id);
  CHECK(s != nullptr);
  s->attempt_timer = TimerId();
  if (s->vanished || s->inflight().empty()) return;
  TcpSocket* peer = Find(s->peer);
  CHECK(peer != nullptr);
  Segment& seg = s->inflight().front();
  // This copy reaches the peer, and the peer's ACK for it comes back.
  const bool fwd = Arrives(s->host(), s->peer_host);
  if (fwd && !seg.delivered) {
    seg.delivered = true;
    DeliverToPeer(*s, seg, *peer);
    if (s->inflight().empty()) return;  // the delivery answered with RST
  }
  if ((fwd && Arrives(s->peer_host, s->host())) || seg.once) {
    // Acknowledged (or, for an aborted socket, sent for the last time).
    const bool was_rst = seg.rst;
    const bool acked = !seg.once;
    s->inflight().pop_front();
    s->retries = 0;
    if (acked) s->last_heard = world_.now();
    if (was_rst || (s->aborted && s->inflight().empty())) {
      s->Kill(os::Errno::kECONNRESET);
      return;
    }
    if (!s->inflight().empty()) {
      // tcp_rearm_rto: the timer restarts for what is still outstanding.
      Segment& next = s->inflight().front();
      next.sent = std::max(next.sent, world_.now());
      ScheduleAttempt(*s, next.arrival);
    }
    Pump(*s);
    return;
  }
  Retransmit(*s);
}

void Network::Retransmit(TcpSocket& s) {
  Segment& seg = s.inflight().front();
  if (s.retries == 0) s.retrans_stamp = seg.sent;
  // The retransmission timer, started when this copy was sent, fires (a copy
  // that arrived later than its timeout is treated as lost then).
  const os::Instant fire = std::max(world_.now(), seg.sent + Rto(s.retries));
  SocketId id = s.id();
  if (s.retries > 0 &&
      fire - s.retrans_stamp >=
          GiveUpTime(config_.retries2, config_.rto_min, config_.rto_max)) {
    // tcp_write_timeout: the timer fires once more and gives up.
    world_.queue().Cancel(s.attempt_timer);
    s.attempt_timer = world_.queue().Schedule(fire, [this, id] {
      TcpSocket* t = Find(id);
      t->attempt_timer = TimerId();
      if (t->vanished || t->dead()) return;
      KillSocket(*t, os::Errno::kETIMEDOUT, "retransmission_timeout");
    });
    return;
  }
  ++s.retries;
  Emit(s.host(), "tcp_retransmit")
      .Uint("socket", s.id())
      .Int("retry", s.retries)
      .Dur("rto", fire - seg.sent);
  seg.sent = fire;
  ScheduleAttempt(s, fire + links_.Delay(s.host(), s.peer_host));
}

void Network::DeliverToPeer(TcpSocket& s, Segment& seg, TcpSocket& peer) {
  bool carries = !seg.bytes.empty() || seg.fin;
  if (peer.vanished || peer.aborted || peer.dead()) {
    // The peer's kernel has no such connection (rebooted host, closed
    // socket): it answers data with RST.
    if (carries && !seg.rst) RespondRst(s.peer_host, s.id());
    return;
  }
  if (seg.rst) {
    Emit(peer.host(), "tcp_rst_received")
        .Uint("socket", peer.id())
        .Uint("unread", peer.rcv_buffered());
    KillSocket(peer, os::Errno::kOk, "");
    return;
  }
  if (peer.fd_closed && !seg.bytes.empty()) {
    // Data for a socket its application closed: Linux resets it.
    Abort(peer, "data_after_close");
    return;
  }
  peer.last_heard = world_.now();
  if (!seg.bytes.empty()) {
    Emit(peer.host(), "tcp_segment_delivered")
        .Uint("socket", peer.id())
        .Uint("bytes", seg.bytes.size());
    peer.Deliver(seg.bytes);
  }
  if (seg.fin) {
    Emit(peer.host(), "tcp_fin_received").Uint("socket", peer.id());
    peer.DeliverFin();
  }
}

void Network::RespondRst(const std::string& from_host, SocketId to) {
  TcpSocket* s = Find(to);
  if (links_.Blocked(from_host, s->host())) return;  // the RST is lost
  world_.queue().ScheduleAfter(links_.Latency(from_host, s->host()), [this, to] {
    TcpSocket* t = Find(to);
    if (t->vanished || t->dead()) return;
    Emit(t->host(), "tcp_rst_received")
        .Uint("socket", t->id())
        .Uint("unread", t->rcv_buffered());
    KillSocket(*t, os::Errno::kOk, "");
  });
}

void Network::CancelTimers(TcpSocket& s) {
  world_.queue().Cancel(s.attempt_timer);
  world_.queue().Cancel(s.keepalive_timer);
  s.attempt_timer = s.keepalive_timer = TimerId();
  StopPersist(s);
}

void Network::KillSocket(TcpSocket& s, os::Errno error, std::string_view reason) {
  CancelTimers(s);
  if (!reason.empty()) {
    Emit(s.host(), "tcp_connection_failed")
        .Uint("socket", s.id())
        .Str("errno", os::ErrnoName(error))
        .Str("reason", reason);
  }
  s.Kill(error);
}

}  // namespace replsim::sim::net
