// PqComm: pqcomm.c's send buffer and message reads over an os::Os socket.
#include "protocol/pq/pqcomm.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "protocol/os/check.h"
#include "protocol/os/fault_points.h"
#include "protocol/os/latch.h"

namespace replsim::pq {
namespace {

// PQ_RECV_BUFFER_SIZE in pqcomm.c.
constexpr size_t kRecvBufferSize = 8192;

absl::Span<const uint8_t> AsBytes(absl::string_view s) {
  return absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace

std::string SocketErrorText(os::Errno e) {
  switch (e) {
    case os::Errno::kECONNRESET: return "Connection reset by peer";
    case os::Errno::kEPIPE: return "Broken pipe";
    case os::Errno::kETIMEDOUT: return "Connection timed out";
    case os::Errno::kECONNREFUSED: return "Connection refused";
    case os::Errno::kEHOSTUNREACH: return "No route to host";
    case os::Errno::kENETUNREACH: return "Network is unreachable";
    case os::Errno::kENOTCONN: return "Transport endpoint is not connected";
    case os::Errno::kEBADF: return "Bad file descriptor";
    default: return std::string(os::ErrnoName(e));
  }
}

PqComm::PqComm(os::Os& os, os::Fd sock)
    : os_(os),
      sock_(sock),
      decoder_(wire::FrameDecoder::ForServer()),
      sent_notes_(os, sock, /*sent=*/true, Sender::kServer),
      received_notes_(os, sock, /*sent=*/false, Sender::kClient) {}

void PqComm::PutMessage(char type, absl::string_view body) {
  if (send_failed_) return;
  sent_notes_.Typed(type, body);
  wire::AppendTypedFrame(&send_buffer_, type, body);
}

void PqComm::PutRaw(absl::string_view bytes) {
  if (send_failed_) return;
  sent_notes_.Raw(bytes);
  send_buffer_.append(bytes.data(), bytes.size());
}

// internal_flush's failure path: the buffered data is dropped and the
// connection is considered lost (ClientConnectionLost).
os::Errno PqComm::FailSend(os::Errno e) {
  send_buffer_.clear();
  send_failed_ = true;
  os_.Log("pq", absl::StrCat("could not send data to client: ", SocketErrorText(e)));
  return e;
}

os::Errno PqComm::FlushIfWritable() {
  if (send_failed_) return os::Errno::kEPIPE;
  while (!send_buffer_.empty()) {
    const size_t n = os::ShortCount(os_, os::kPqShortSend, send_buffer_.size());
    os::Result<size_t> r = os_.TrySend(sock_, AsBytes(send_buffer_).first(n));
    if (!r.ok()) {
      if (r.error() == os::Errno::kEAGAIN) return os::Errno::kOk;
      return FailSend(r.error());
    }
    send_buffer_.erase(0, *r);
  }
  return os::Errno::kOk;
}

os::Task<os::Errno> PqComm::Flush() {
  if (send_failed_) co_return os::Errno::kEPIPE;
  bool interrupted = false;
  while (!send_buffer_.empty()) {
    // internal_flush: send() interrupted before it queued a byte returns
    // EINTR, and "Ok if we were interrupted": it is retried.
    if (!interrupted && os_.FaultPoint(os::kPqSendEintr)) {
      interrupted = true;
      continue;
    }
    const size_t n = os::ShortCount(os_, os::kPqShortSend, send_buffer_.size());
    os::Result<size_t> r = co_await os_.Send(sock_, AsBytes(send_buffer_).first(n));
    if (!r.ok()) co_return FailSend(r.error());
    // A short count means the socket failed after a partial write; the next
    // send reports why.
    send_buffer_.erase(0, *r);
  }
  co_return os::Errno::kOk;
}

ReadStatus PqComm::AbsorbRecv(const os::Result<size_t>& r, std::string* error) {
  if (!r.ok()) {
    *error = absl::StrCat("could not receive data from client: ", SocketErrorText(r.error()));
    return ReadStatus::kError;
  }
  if (*r == 0) {
    absl::Status at_eof = decoder_.AtEof();
    if (!at_eof.ok()) {
      *error = std::string(at_eof.message());
      return ReadStatus::kError;
    }
    *error = "unexpected EOF on client connection";
    return ReadStatus::kEof;
  }
  decoder_.Feed(absl::string_view(recv_chunk_.data(), *r));
  return ReadStatus::kMessage;
}

os::Task<ReadStatus> PqComm::ReadInternal(bool wait_for_first_byte, wire::Frame* frame,
                                          std::string* error) {
  CHECK(!closed_) << "read on a closed PqComm";
  for (;;) {
    absl::StatusOr<std::optional<wire::Frame>> next = decoder_.Next();
    if (!next.ok()) {
      *error = std::string(next.status().message());
      co_return ReadStatus::kError;
    }
    if (next->has_value()) {
      *frame = std::move(**next);
      received_notes_.Frame(*frame);
      co_return ReadStatus::kMessage;
    }
    recv_chunk_.resize(kRecvBufferSize);
    // pq_recvbuf: recv() may return less than has arrived.
    const size_t want = os_.FaultPoint(os::kPqShortRecv) ? os::kShortRecvBytes : kRecvBufferSize;
    absl::Span<uint8_t> buf(reinterpret_cast<uint8_t*>(recv_chunk_.data()), want);
    os::Result<size_t> r = os_.TryRecv(sock_, buf);
    if (!r.ok() && r.error() == os::Errno::kEAGAIN) {
      // pq_getbyte_if_available: no first byte, no wait.
      if (!wait_for_first_byte && decoder_.buffered_bytes() == 0) co_return ReadStatus::kNoData;
      r = co_await os_.Recv(sock_, buf);
    }
    ReadStatus st = AbsorbRecv(r, error);
    if (st != ReadStatus::kMessage) co_return st;
  }
}

os::Task<ReadStatus> PqComm::ReadMessage(wire::Frame* frame, std::string* error) {
  return ReadInternal(/*wait_for_first_byte=*/true, frame, error);
}

os::Task<ReadStatus> PqComm::TryReadMessage(wire::Frame* frame, std::string* error) {
  return ReadInternal(/*wait_for_first_byte=*/false, frame, error);
}

void PqComm::Close() {
  if (closed_) return;
  closed_ = true;
  (void)os_.Close(sock_);
}

}  // namespace replsim::pq
