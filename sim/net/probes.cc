// The probing timers of Network: keepalive (tcp_keepalive_timer) and the
// persist timer with its zero-window probes (tcp_probe_timer), and the window
// update a read sends. See network.h for the rules.
#include <algorithm>

#include "protocol/os/check.h"
#include "sim/net/network.h"

namespace replsim::sim::net {

os::Duration GiveUpTime(int boundary, os::Duration base, os::Duration max) {
  // tcp_model_timeout: doubling while below max (ilog2(max / base) times),
  // then max per further retransmission.
  int linear = 0;
  while ((base * (int64_t{2} << linear)) <= max) ++linear;
  if (boundary <= linear) return base * ((int64_t{2} << boundary) - 1);
  return base * ((int64_t{2} << linear) - 1) + max * (boundary - linear);
}

os::Duration Network::Rto(int backoff) const {
  return std::min(config_.rto_min * (int64_t{1} << std::min(backoff, 20)),
                  config_.rto_max);
}

void Network::SetKeepalive(SocketId id, const os::KeepaliveConfig& config) {
  TcpSocket* s = Find(id);
  s->keepalive = true;
  s->keepalive_config = config;
  s->keepalive_probes = 0;
  world_.queue().Cancel(s->keepalive_timer);
  s->keepalive_timer = world_.queue().ScheduleAfter(
      config.idle, [this, id] { KeepaliveTick(id); });
}

void Network::KeepaliveTick(SocketId id) {
  TcpSocket* s = Find(id);
  s->keepalive_timer = TimerId();
  // Not re-armed while connecting (tcp_finish_connect arms it) or once gone.
  if (s->state() != TcpSocket::State::kEstablished || s->vanished || s->aborted) {
    return;
  }
  const os::KeepaliveConfig& c = s->keepalive_config;
  os::Duration next = c.idle;
  const os::Duration idle_for = world_.now() - s->last_heard;
  if (!s->inflight().empty() || s->snd_buffered() > 0) {
    // Data to send or in flight: its own timers watch the peer.
  } else if (idle_for < c.idle) {
    next = c.idle - idle_for;  // heard from the peer since: not idle yet
  } else if (s->keepalive_probes >= c.count) {
    KillSocket(*s, os::Errno::kETIMEDOUT, "keepalive");
    return;
  } else {
    Emit(s->host(), "tcp_keepalive_probe")
        .Uint("socket", id)
        .Int("unanswered", s->keepalive_probes);
    ++s->keepalive_probes;
    next = c.interval;
    TcpSocket* peer = Find(s->peer);
    if (Arrives(s->host(), s->peer_host)) {
      if (peer->vanished || peer->aborted || peer->dead()) {
        RespondRst(s->peer_host, id);  // its kernel knows no such connection
        return;
      }
      if (Arrives(s->peer_host, s->host())) {
        // Answered: the ACK resets the count and the idle time.
        s->keepalive_probes = 0;
        s->last_heard = world_.now();
        next = c.idle;
      }
    }
  }
  s->keepalive_timer = world_.queue().ScheduleAfter(
      next, [this, id] { KeepaliveTick(id); });
}

void Network::ArmPersist(TcpSocket& s) {
  if (s.persist_timer.valid()) return;
  SocketId id = s.id();
  s.persist_timer = world_.queue().ScheduleAfter(Rto(s.persist_backoff),
                                                 [this, id] { PersistTick(id); });
}

void Network::StopPersist(TcpSocket& s) {
  world_.queue().Cancel(s.persist_timer);
  s.persist_timer = TimerId();
  s.persist_backoff = 0;
  s.probes_out = 0;
}

void Network::PersistTick(SocketId id) {
  TcpSocket* s = Find(id);
  s->persist_timer = TimerId();
  if (s->state() != TcpSocket::State::kEstablished || s->vanished || s->aborted) {
    return;
  }
  if (s->snd_buffered() == 0 || !s->inflight().empty()) {
    StopPersist(*s);  // nothing waits, or the retransmission timer watches
    return;
  }
  if (s->probes_out >= config_.retries2) {
    KillSocket(*s, os::Errno::kETIMEDOUT, "zero_window_probe_timeout");
    return;
  }
  Emit(s->host(), "tcp_zero_window_probe")
      .Uint("socket", id)
      .Int("unanswered", s->probes_out);
  ++s->probes_out;
  s->persist_backoff = std::min(s->persist_backoff + 1, config_.retries2);
  TcpSocket* peer = Find(s->peer);
  if (Arrives(s->host(), s->peer_host)) {
    if (peer->vanished || peer->aborted || peer->dead()) {
      RespondRst(s->peer_host, id);
      return;
    }
    if (Arrives(s->peer_host, s->host())) {
      // The answer (an ACK carrying the window) comes back after a round trip.
      s->probes_out = 0;
      s->last_heard = world_.now();
      if (peer->rcv_space() > 0) {
        world_.queue().ScheduleAfter(
            links_.Latency(s->host(), s->peer_host) +
                links_.Latency(s->peer_host, s->host()),
            [this, id] {
              TcpSocket* w = Find(id);
              StopPersist(*w);
              Pump(*w);
            });
        return;
      }
    }
  }
  ArmPersist(*s);
}

void Network::WindowUpdate(TcpSocket& reader) {
  TcpSocket* writer = Find(reader.peer);
  if (writer == nullptr || writer->snd_buffered() == 0) return;
  if (!Arrives(reader.host(), writer->host())) return;  // lost: probes recover
  SocketId wid = writer->id();
  world_.queue().ScheduleAfter(links_.Delay(reader.host(), writer->host()),
                               [this, wid] { Pump(*Find(wid)); });
}

}  // namespace replsim::sim::net
