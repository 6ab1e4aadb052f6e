// File: sim/net/network.h
//
// The virtual TCP network: every host's sockets, listeners and the wires
// between them. Per direction of a connection: a bounded send buffer (in the
// TcpSocket) -> segments in flight over a Link (latency, bandwidth, in order)
// -> the peer's bounded receive buffer -> the application's recv.
//
// Rules (each has a test in network_test.cc), Linux's where Linux has one:
// - Flow control: a segment is transmitted only while the peer's receive
//   buffer has room for it and everything still undelivered (the window).
//   A reader that does not read fills its receive buffer, then the writer's
//   send buffer fills and send() blocks (EAGAIN).
// - Persist timer: data waiting behind a zero window with nothing in flight
//   is probed at rto_min, doubling up to rto_max. An answered probe resets the
//   unanswered count (a live peer that never reads holds the connection open
//   for ever, as RFC 1122 asks) and, once the window has room, data flows
//   again, even when the reader's window update was lost; after retries2
//   unanswered probes -> ETIMEDOUT; a probe answered by RST -> ECONNRESET.
// - Connect: SYN after the link latency; ECONNREFUSED (an RST) when nobody
//   listens; a SYN lost (partition, host down, full backlog, random loss) is
//   retransmitted by a timer started at each send: syn_rto doubling (1, 2,
//   4 ... s), ETIMEDOUT when it fires after syn_retries retransmissions
//   (1+2+...+64 = 127 s for tcp_syn_retries = 6).
// - Loss: a segment (or its ACK) that meets a partition, a down host or
//   random loss is retransmitted when its timer fires, rto_min doubling up to
//   rto_max after each retransmission; the sender gives up with ETIMEDOUT when
//   a timer fires GiveUpTime(retries2) after the segment's first send
//   (924.6 s for tcp_retries2 = 15). With a one-way partition the data may
//   arrive while its ACK is lost: the receiver keeps it, the sender still
//   retransmits and times out.
// - close(): unread input -> RST at once, unsent data discarded (segments
//   already on the wire still arrive, never retransmitted); otherwise FIN after
//   the send buffer drains. Data reaching a closed socket is answered by RST.
// - Host crash (HostDown): its sockets vanish without FIN or RST; peers see
//   nothing until they send (retransmission gives up, or once the host is back
//   its kernel answers RST) or their keepalive gives up.
// - Keepalive (SO_KEEPALIVE): only a connection with nothing to send and
//   nothing heard from the peer for `idle` is probed; `count` unanswered probes
//   `interval` apart -> ETIMEDOUT at idle + interval * count after the peer was
//   last heard; an answer resets the count; a probe answered by RST ->
//   ECONNRESET.
//
// Every step is traced (process "tcp", kinds tcp_*). Sockets are kept by id
// (a vector index) and never freed before the Network (ids are never reused).
// Contract: the Network outlives every Run of its World.
#ifndef REPLSIM_SIM_NET_NETWORK_H_
#define REPLSIM_SIM_NET_NETWORK_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "protocol/os/errno.h"
#include "protocol/os/os.h"
#include "sim/net/link.h"
#include "sim/net/tcp_socket.h"
#include "sim/world.h"

namespace replsim::sim::net {

struct NetConfig {
  LinkConfig link;
  // Socket buffers (SO_SNDBUF, SO_RCVBUF): what Linux's autotuning holds for a
  // peer that does not read, as measured (linux-tcp-semantics.md: 4,179,300
  // bytes queued in all, 112,949 of them in the reader's receive buffer).
  size_t snd_buf = 4'066'351;
  size_t rcv_buf = 112'949;
  size_t mss = 64 * 1024;  // largest segment (TSO-sized, to keep events few)
  int retries2 = 15;                               // tcp_retries2
  os::Duration rto_min = os::Milliseconds(200);    // TCP_RTO_MIN
  os::Duration rto_max = os::Seconds(120);         // TCP_RTO_MAX
  int syn_retries = 6;                             // tcp_syn_retries
  os::Duration syn_rto = os::Seconds(1);           // TCP_TIMEOUT_INIT
};

// Linux's tcp_model_timeout: how long after a packet's first send its
// sender gives up, for `boundary` retransmissions whose timeout starts at
// `base` and doubles up to `max`. (15, 200 ms, 120 s): 924.6 s;
// (6, 1 s, 120 s): 127 s.
os::Duration GiveUpTime(int boundary, os::Duration base, os::Duration max);

class Network {
 public:
  explicit Network(World& world, NetConfig config = NetConfig());
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // ---- Hosts ----
  void HostUp(const std::string& host);
  // The host lost power: its sockets vanish silently.
  void HostDown(const std::string& host);
  bool IsUp(const std::string& host) const;

  // ---- What a process's socket calls do ----
  os::Result<SocketId> Listen(const std::string& host, int port, int backlog);
  os::Result<SocketId> Accept(SocketId listener);  // kEAGAIN when none
  // A socket in kConnecting; it becomes established or dead (with the error
  // pending) later, waking its readiness waitables.
  SocketId StartConnect(const std::string& host, const std::string& dst_host,
                        int port);
  os::Result<size_t> Send(SocketId id, absl::Span<const uint8_t> data);
  os::Result<size_t> Recv(SocketId id, absl::Span<uint8_t> buf);
  os::Errno ShutdownWrite(SocketId id);
  void SetKeepalive(SocketId id, const os::KeepaliveConfig& config);
  // close(): by the rules above. Also what process exit does.
  void Close(SocketId id);

  TcpSocket* Find(SocketId id);

  // ---- Faults ----
  void Partition(const std::string& a, const std::string& b, bool two_way);
  void Heal(const std::string& a, const std::string& b, bool two_way);
  // A middlebox resets the connection: both ends receive RST now.
  void DropConnection(SocketId id);
  // Established, not vanished sockets of `host` (or every host if empty), in
  // id order.
  std::vector<SocketId> LiveConnections(const std::string& host = "") const;

  Links& links() { return links_; }
  const NetConfig& config() const { return config_; }

 private:
  TcpSocket& NewSocket(const std::string& host, TcpSocket::State state);
  TraceBuilder Emit(const std::string& host, std::string_view kind);
  void Pump(TcpSocket& s);
  void Abort(TcpSocket& s, std::string_view reason);
  void Enqueue(TcpSocket& s, Segment seg);
  void ScheduleAttempt(TcpSocket& s, os::Instant at);
  void Attempt(SocketId id);
  void DeliverToPeer(TcpSocket& s, Segment& seg, TcpSocket& peer);
  void Retransmit(TcpSocket& s);
  void RespondRst(const std::string& from_host, SocketId to);
  void KillSocket(TcpSocket& s, os::Errno error, std::string_view reason);
  // connect.cc: the SYN, its retransmission timer, the SYN-ACK.
  void SynAttempt(SocketId id, int port, int attempt);
  void SynArrive(SocketId id, int port);
  void SynTimer(SocketId id, int port, int attempt);
  void SynAckArrive(SocketId id);
  // probes.cc: keepalive and the persist timer.
  void KeepaliveTick(SocketId id);
  void ArmPersist(TcpSocket& s);
  void StopPersist(TcpSocket& s);
  void PersistTick(SocketId id);
  void WindowUpdate(TcpSocket& reader);
  void CancelTimers(TcpSocket& s);
  os::Duration Rto(int backoff) const;
  bool Reachable(const std::string& src, const std::string& dst) const {
    return !links_.Blocked(src, dst) && IsUp(dst);
  }
  // A packet sent now src->dst arrives (no partition, the host is up, not
  // lost at random).
  bool Arrives(const std::string& src, const std::string& dst) {
    return Reachable(src, dst) && !links_.Lost(src, dst);
  }

  World& world_;
  NetConfig config_;
  Links links_;
  // Socket `id` is sockets_[id - 1]: ids count up from 1 and are never reused.
  std::vector<std::unique_ptr<TcpSocket>> sockets_;
  absl::btree_map<std::pair<std::string, int>, SocketId> listeners_;
  absl::btree_set<std::string> down_;
};

}  // namespace replsim::sim::net

#endif  // REPLSIM_SIM_NET_NETWORK_H_
