#include "sim/net/tcp_socket.h"

#include <algorithm>

#include "protocol/os/check.h"

namespace replsim::sim::net {

bool SocketReadiness::IsReady() const {
  return readable_ ? !socket_->RecvWouldBlock() : !socket_->SendWouldBlock();
}

TcpSocket::TcpSocket(SocketId id, std::string host, State state,
                     size_t snd_capacity, size_t rcv_capacity)
    : id_(id),
      host_(std::move(host)),
      state_(state),
      snd_capacity_(snd_capacity),
      rcv_capacity_(rcv_capacity) {}

bool TcpSocket::RecvWouldBlock() const {
  switch (state_) {
    case State::kListening: return accept_queue.empty();
    case State::kConnecting: return error_ == os::Errno::kOk;
    case State::kEstablished:
      return rcv_.empty() && !fin_received_ && error_ == os::Errno::kOk;
    case State::kDead: return false;
  }
  return false;
}

bool TcpSocket::SendWouldBlock() const {
  switch (state_) {
    case State::kListening: return true;
    case State::kConnecting: return error_ == os::Errno::kOk;
    case State::kEstablished:
      return !shut_wr && error_ == os::Errno::kOk &&
             snd_.size() >= snd_capacity_;
    case State::kDead: return false;
  }
  return false;
}

os::Result<size_t> TcpSocket::Recv(absl::Span<uint8_t> buf) {
  if (state_ == State::kListening) return os::Errno::kEINVAL;
  if (state_ == State::kConnecting) return os::Errno::kEAGAIN;
  if (!rcv_.empty()) {
    if (buf.empty()) return size_t{0};
    return rcv_.Take(buf);
  }
  if (fin_received_) return size_t{0};
  if (error_ != os::Errno::kOk) return std::exchange(error_, os::Errno::kOk);
  if (state_ == State::kDead) return size_t{0};
  return os::Errno::kEAGAIN;
}

os::Result<size_t> TcpSocket::Send(absl::Span<const uint8_t> data) {
  if (state_ == State::kListening) return os::Errno::kENOTCONN;
  if (error_ != os::Errno::kOk) return std::exchange(error_, os::Errno::kOk);
  if (state_ == State::kDead || shut_wr) return os::Errno::kEPIPE;
  if (state_ == State::kConnecting) return os::Errno::kEAGAIN;
  size_t space = snd_capacity_ - std::min(snd_capacity_, snd_.size());
  if (space == 0) return os::Errno::kEAGAIN;
  size_t n = std::min(space, data.size());
  snd_.Append(data.subspan(0, n));
  return n;
}

size_t TcpSocket::rcv_space() const {
  return rcv_capacity_ - std::min(rcv_capacity_, rcv_.size());
}

size_t TcpSocket::inflight_undelivered() const {
  size_t n = 0;
  for (const Segment& s : inflight_) {
    if (!s.delivered) n += s.bytes.size();
  }
  return n;
}

void TcpSocket::Deliver(const std::string& bytes) {
  if (state_ != State::kEstablished) return;
  rcv_.Append(bytes);
  readable_.Wake();
}

void TcpSocket::DeliverFin() {
  if (state_ != State::kEstablished) return;
  fin_received_ = true;
  readable_.Wake();
}

void TcpSocket::Kill(os::Errno error) {
  if (state_ == State::kDead) return;
  if (error == os::Errno::kOk) {
    error = fin_received_ ? os::Errno::kEPIPE : os::Errno::kECONNRESET;
  }
  if (state_ == State::kListening) {
    accept_queue.clear();
  }
  state_ = State::kDead;
  error_ = error;
  snd_.Clear();
  inflight_.clear();
  WakeAll();
}

void TcpSocket::FinishConnect(os::Errno result) {
  CHECK(state_ == State::kConnecting);
  if (result == os::Errno::kOk) {
    state_ = State::kEstablished;
  } else {
    state_ = State::kDead;
    error_ = result;
  }
  WakeAll();
}

void TcpSocket::WakeAll() {
  readable_.Wake();
  writable_.Wake();
}

}  // namespace replsim::sim::net
