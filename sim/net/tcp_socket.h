// File: sim/net/tcp_socket.h
//
// One endpoint of a virtual TCP connection (or a listener): the kernel state a
// process's socket fd refers to, and the rules its reads and writes follow.
// The Network moves bytes between endpoints; this file decides what a recv or
// send returns. The rules are Linux's, as measured in
// shared/reference/linux-tcp-semantics.md:
//
// - recv: buffered bytes first; then, with the empty buffer: EOF (0) if the
//   peer's FIN arrived; else a pending error once (ECONNRESET, ETIMEDOUT); else
//   EOF if the connection is dead; else EAGAIN.
// - send: a pending error once; then EPIPE on a dead or write-shut connection;
//   else as much as fits in the send buffer (partial writes), or EAGAIN.
// - An RST that arrives after the peer's FIN leaves EPIPE pending (Linux's
//   tcp_reset in CLOSE_WAIT), otherwise ECONNRESET; the endpoint's unsent
//   and in-flight data is discarded, its receive buffer stays readable.
//
// Readable / Writable are the level-triggered Waitables a process blocks on
// (WL_SOCKET_READABLE / WL_SOCKET_WRITEABLE): readable when recv would not
// return EAGAIN, writable when send would not.
#ifndef REPLSIM_SIM_NET_TCP_SOCKET_H_
#define REPLSIM_SIM_NET_TCP_SOCKET_H_

#include <cstdint>
#include <deque>
#include <string>

#include "absl/types/span.h"
#include "protocol/os/errno.h"
#include "protocol/os/os.h"
#include "sim/event_queue.h"
#include "sim/net/byte_queue.h"
#include "sim/waitable.h"

namespace replsim::sim::net {

using SocketId = uint64_t;

// A segment on the wire from one endpoint to its peer.
struct Segment {
  std::string bytes;
  bool fin = false;
  bool rst = false;
  bool delivered = false;  // reached the peer (its ACK may still be lost)
  bool once = false;       // never retransmitted (sent by an aborted socket)
  os::Instant sent;        // when this copy was put on the wire
  os::Instant arrival;
};

class TcpSocket;

// A Waitable whose readiness is a predicate of its socket.
class SocketReadiness final : public Waitable {
 public:
  SocketReadiness(const TcpSocket* socket, bool readable)
      : socket_(socket), readable_(readable) {}
  bool IsReady() const override;
  void Wake() { WakeWaiters(); }

 private:
  const TcpSocket* socket_;
  bool readable_;
};

class TcpSocket {
 public:
  enum class State { kListening, kConnecting, kEstablished, kDead };

  TcpSocket(SocketId id, std::string host, State state, size_t snd_capacity,
            size_t rcv_capacity);
  TcpSocket(const TcpSocket&) = delete;
  TcpSocket& operator=(const TcpSocket&) = delete;

  // ---- What a process's calls do (no network side effects) ----
  os::Result<size_t> Recv(absl::Span<uint8_t> buf);
  // Appends to the send buffer; the caller then pumps the network.
  os::Result<size_t> Send(absl::Span<const uint8_t> data);
  bool RecvWouldBlock() const;
  bool SendWouldBlock() const;

  // ---- What the network does to it ----
  // Bytes arrive into the receive buffer (flow control keeps them within
  // capacity) or the peer's FIN arrives.
  void Deliver(const std::string& bytes);
  void DeliverFin();
  // An RST arrived (or the kernel gave up with `error`): dead, send side
  // discarded, receive buffer kept, `error` pending (kOk: derive from FIN).
  void Kill(os::Errno error);
  // The connection completed or failed (kOk: established).
  void FinishConnect(os::Errno result);
  void WakeAll();

  SocketId id() const { return id_; }
  const std::string& host() const { return host_; }
  State state() const { return state_; }
  bool dead() const { return state_ == State::kDead; }

  size_t rcv_space() const;
  size_t rcv_buffered() const { return rcv_.size(); }
  size_t snd_buffered() const { return snd_.size(); }
  size_t snd_capacity() const { return snd_capacity_; }
  ByteQueue& snd() { return snd_; }
  std::deque<Segment>& inflight() { return inflight_; }
  size_t inflight_undelivered() const;
  os::Errno pending_error() const { return error_; }
  bool fin_received() const { return fin_received_; }

  SocketReadiness& readable() { return readable_; }
  SocketReadiness& writable() { return writable_; }

  // Connection bookkeeping, set by the Network.
  SocketId peer = 0;
  std::string peer_host;
  bool fd_closed = false;   // the application closed it (orphaned)
  bool shut_wr = false;     // shutdown(SHUT_WR) or close(): FIN wanted
  bool fin_sent = false;    // the FIN segment is queued on the wire
  bool vanished = false;    // its host crashed: the kernel state is gone
  bool aborted = false;     // closed with RST: only its last segments remain
  // Retransmission of the oldest unacknowledged segment (Linux's
  // icsk_retransmits and retrans_stamp: when its first copy was sent). While
  // connecting, attempt_timer is the SYN retransmission timer.
  int retries = 0;
  os::Instant retrans_stamp;
  TimerId attempt_timer;
  // The persist timer (ICSK_TIME_PROBE0): zero-window probes while data waits
  // behind a closed window with nothing in flight.
  TimerId persist_timer;
  int persist_backoff = 0;  // icsk_backoff
  int probes_out = 0;       // icsk_probes_out: probes not answered
  // When anything last arrived from the peer (rcv_tstamp / lrcvtime):
  // keepalive probes only a connection idle that long.
  os::Instant last_heard;
  TimerId keepalive_timer;
  bool keepalive = false;
  os::KeepaliveConfig keepalive_config;
  int keepalive_probes = 0;
  // Listener state.
  int backlog = 0;
  int port = 0;
  std::deque<SocketId> accept_queue;

 private:
  SocketId id_;
  std::string host_;
  State state_;
  size_t snd_capacity_;
  size_t rcv_capacity_;
  ByteQueue snd_;
  ByteQueue rcv_;
  std::deque<Segment> inflight_;
  bool fin_received_ = false;
  os::Errno error_ = os::Errno::kOk;
  SocketReadiness readable_{this, true};
  SocketReadiness writable_{this, false};
};

}  // namespace replsim::sim::net

#endif  // REPLSIM_SIM_NET_TCP_SOCKET_H_
