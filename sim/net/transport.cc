// The data path of Network: transmission under flow control, delivery in
// order, retransmission with backoff, RST. See network.h for the rules.
#include <algorithm>

#include "protocol/os/check.h"
#include "sim/net/network.h"

namespace replsim::sim::net {

void Network::Enqueue(TcpSocket& s, Segment seg) {
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
    if (window == 0) break;  // zero window: the peer's read reopens it
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
  if (sent) s.writable().Wake();
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
  bool fwd = Reachable(s->host(), s->peer_host);
  bool rev = Reachable(s->peer_host, s->host());
  if (fwd && !seg.delivered) {
    seg.delivered = true;
    DeliverToPeer(*s, seg, *peer);
    if (s->inflight().empty()) return;  // the delivery answered with RST
  }
  if ((fwd && rev) || seg.once) {
    // Acknowledged (or, for an aborted socket, sent for the last time).
    bool was_rst = seg.rst;
    s->inflight().pop_front();
    s->retries = 0;
    if (was_rst || (s->aborted && s->inflight().empty())) {
      s->Kill(os::Errno::kECONNRESET);
      return;
    }
    if (!s->inflight().empty()) ScheduleAttempt(*s, s->inflight().front().arrival);
    Pump(*s);
    return;
  }
  Retransmit(*s);
}

void Network::Retransmit(TcpSocket& s) {
  if (++s.retries > config_.retries2) {
    KillSocket(s, os::Errno::kETIMEDOUT, "retransmission_timeout");
    return;
  }
  int shift = std::min(s.retries - 1, 20);
  os::Duration rto = std::min(config_.rto_min * (int64_t{1} << shift),
                              config_.rto_max);
  Emit(s.host(), "tcp_retransmit")
      .Uint("socket", s.id())
      .Int("retry", s.retries)
      .Dur("rto", rto);
  ScheduleAttempt(s, world_.now() + rto);
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

void Network::KillSocket(TcpSocket& s, os::Errno error, std::string_view reason) {
  world_.queue().Cancel(s.attempt_timer);
  world_.queue().Cancel(s.keepalive_timer);
  s.attempt_timer = s.keepalive_timer = TimerId();
  if (!reason.empty()) {
    Emit(s.host(), "tcp_connection_failed")
        .Uint("socket", s.id())
        .Str("errno", os::ErrnoName(error))
        .Str("reason", reason);
  }
  s.Kill(error);
}

void Network::WindowUpdate(TcpSocket& reader) {
  TcpSocket* writer = Find(reader.peer);
  if (writer == nullptr || writer->snd_buffered() == 0) return;
  if (links_.Blocked(reader.host(), writer->host())) return;
  SocketId wid = writer->id();
  world_.queue().ScheduleAfter(links_.Latency(reader.host(), writer->host()),
                               [this, wid] { Pump(*Find(wid)); });
}

}  // namespace replsim::sim::net
