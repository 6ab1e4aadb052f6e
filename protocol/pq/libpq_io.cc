// PgConn's socket I/O, as fe-misc.c: the output buffer and pqSendSome's
// write_failed rule, pqReadData, pqWait, and the frame reader.
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "protocol/os/fault_points.h"
#include "protocol/os/latch.h"
#include "protocol/pq/libpq.h"
#include "protocol/pq/pqcomm.h"
#include "protocol/wire/framing.h"

namespace replsim::pq {
namespace {

constexpr size_t kReadChunk = 16384;
constexpr int kMaxChunksPerRead = 8;

}  // namespace

const char kServerClosedConnection[] =
    "server closed the connection unexpectedly\n"
    "\tThis probably means the server terminated abnormally\n"
    "\tbefore or while processing the request.\n";

PgConn::PgConn(os::Os& os, os::Fd sock)
    : os_(os),
      sock_(sock),
      decoder_(wire::FrameDecoder::ForClient(/*ssl_requested=*/true)),
      sent_notes_(os, sock, /*sent=*/true, Sender::kClient),
      received_notes_(os, sock, /*sent=*/false, Sender::kServer) {}

PgConn::~PgConn() { Finish(); }

void PgConn::Finish() {
  if (closed_) return;
  if (!bad_) {
    // closePGconn: Terminate, flushed without waiting.
    PutBytes(wire::EncodeTypedFrame('X', ""));
    (void)os_.TrySend(sock_, absl::Span<const uint8_t>(
                                 reinterpret_cast<const uint8_t*>(out_.data()), out_.size()));
  }
  out_.clear();
  closed_ = true;
  bad_ = true;
  async_ = Async::kIdle;
  (void)os_.Close(sock_);
}

std::string PgConn::ParameterStatus(absl::string_view name) const {
  for (const auto& [n, v] : parameters_) {
    if (n == name) return v;
  }
  return "";
}

void PgConn::PutMessage(char type, absl::string_view body) {
  sent_notes_.Typed(type, body);
  wire::AppendTypedFrame(&out_, type, body);
}

void PgConn::PutBytes(absl::string_view bytes, bool untyped) {
  sent_notes_.Raw(bytes, untyped);
  out_.append(bytes.data(), bytes.size());
}

void PgConn::SetBad(std::string message) {
  error_ = std::move(message);
  bad_ = true;
  if (!closed_) {
    // pqDropConnection.
    closed_ = true;
    (void)os_.Close(sock_);
  }
}

int PgConn::ReadData() {
  if (closed_) {
    if (error_.empty()) error_ = "connection not open\n";
    return -1;
  }
  if (!deferred_read_error_.empty()) {
    SetBad(std::exchange(deferred_read_error_, ""));
    return -1;
  }
  bool got = false;
  // One buffer for the connection's life: zero-filling 16 KiB per poll was
  // the simulator's single largest cost.
  std::string& buf = read_buffer_;
  if (buf.size() != kReadChunk) buf.resize(kReadChunk);
  for (int i = 0; i < kMaxChunksPerRead; ++i) {
    os::Result<size_t> r = os_.TryRecv(
        sock_, absl::Span<uint8_t>(reinterpret_cast<uint8_t*>(buf.data()), buf.size()));
    if (r.ok() && *r > 0) {
      decoder_.Feed(absl::string_view(buf.data(), *r));
      got = true;
      if (*r < buf.size()) return 1;
      continue;
    }
    if (!r.ok() && r.error() == os::Errno::kEAGAIN) return got ? 1 : 0;
    std::string message;
    if (r.ok() || r.error() == os::Errno::kECONNRESET || r.error() == os::Errno::kEPIPE) {
      message = kServerClosedConnection;
    } else {
      message = absl::StrCat("could not receive data from server: ",
                             SocketErrorText(r.error()), "\n");
    }
    if (got) {
      // Report it at the next read, after the bytes already taken.
      deferred_read_error_ = std::move(message);
      return 1;
    }
    SetBad(std::move(message));
    return -1;
  }
  return 1;
}

os::Task<int> PgConn::Flush() {
  while (!out_.empty()) {
    if (closed_) {
      out_.clear();
      if (error_.empty()) error_ = "connection not open\n";
      co_return -1;
    }
    if (write_failed_) {
      // pqSendSome after a write failure: discard, and let a read report it.
      out_.clear();
      co_return ReadData() < 0 ? -1 : 0;
    }
    // The fault point makes send() take only part (pqSendSome then reads
    // and waits for the socket, as after EAGAIN, below).
    const size_t n = os::ShortCount(os_, os::kLibpqShortSend, out_.size());
    const bool short_send = n < out_.size();
    os::Result<size_t> r = os_.TrySend(
        sock_, absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(out_.data()), n));
    if (r.ok()) {
      out_.erase(0, *r);
      if (!short_send) continue;
    } else if (r.error() != os::Errno::kEAGAIN) {
      write_failed_ = true;
      continue;
    }
    // Read while waiting so a server blocked on its own output cannot
    // deadlock us (pqSendSome).
    if (ReadData() < 0) co_return -1;
    int ready = co_await WaitSocket(os::WL_SOCKET_READABLE | os::WL_SOCKET_WRITEABLE);
    if ((ready & os::WL_SOCKET_READABLE) != 0 && ReadData() < 0) co_return -1;
  }
  co_return 0;
}

os::Task<int> PgConn::WaitAndRead() {
  for (;;) {
    int r = ReadData();
    if (r != 0) co_return r;
    (void)co_await WaitSocket(os::WL_SOCKET_READABLE);
  }
}

os::Task<int> PgConn::WaitSocket(int events) {
  if (interrupts_ == nullptr) {
    co_return co_await os_.WaitLatchOrSocket(nullptr, events, sock_, os::Duration());
  }
  const int ready = co_await os_.WaitLatchOrSocket(interrupts_->latch,
                                                   events | os::WL_LATCH_SET, sock_,
                                                   os::Duration());
  if ((ready & os::WL_LATCH_SET) != 0) {
    interrupts_->latch->Reset();
    co_await interrupts_->check();
  }
  co_return ready;
}

const wire::Frame* PgConn::PeekFrame() {
  if (peeked_.has_value()) return &*peeked_;
  if (sync_lost_) return nullptr;
  absl::StatusOr<std::optional<wire::Frame>> next = decoder_.Next();
  if (!next.ok()) {
    // handleSyncLoss.
    sync_lost_ = true;
    SetBad(absl::StrCat(next.status().message(), "\n"));
    return nullptr;
  }
  if (!next->has_value()) return nullptr;
  peeked_ = std::move(**next);
  received_notes_.Frame(*peeked_);
  return &*peeked_;
}

}  // namespace replsim::pq
