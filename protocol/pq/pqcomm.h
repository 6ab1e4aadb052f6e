// File: protocol/pq/pqcomm.h
//
// The server side of one client connection, as a backend (and so a
// walsender) sees it through libpq/pqcomm.c: a user-space send buffer in front
// of the kernel socket, and message reads on the receive side.
//
// What matters to the races:
// - PutMessage (pq_putmessage_noblock) only appends to the user-space buffer.
//   Bytes reach the kernel's send buffer in Flush / FlushIfWritable, and the
//   wire only from there. walsender.c's sentPtr counts bytes placed here.
// - IsSendPending (pq_is_send_pending) is about the user-space buffer only;
//   bytes sitting in the kernel's send buffer are "sent" as far as the
//   walsender can tell (RW-2: a later abortive close discards them).
// - Flush (pq_flush) blocks until the user-space buffer is empty or the
//   socket fails; it checks no timeout (RW-4).
// - TryReadMessage is ProcessRepliesIfAny's read: it never blocks to wait for
//   a first byte (pq_getbyte_if_available) but, once a message has started,
//   waits for the rest of it (pq_getmessage). Reads take at most 8192 bytes
//   from the kernel at a time (PQ_RECV_BUFFER_SIZE), so input PostgreSQL has
//   not yet read stays in the kernel, where it decides FIN vs RST at close.
// - Once a send has failed, further output is discarded (ClientConnectionLost
//   / whereToSendOutput = DestNone), as after a COMMERROR.
#ifndef REPLSIM_PROTOCOL_PQ_PQCOMM_H_
#define REPLSIM_PROTOCOL_PQ_PQCOMM_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "protocol/os/errno.h"
#include "protocol/os/os.h"
#include "protocol/os/task.h"
#include "protocol/pq/message_note.h"
#include "protocol/wire/framing.h"

namespace replsim::pq {

// What a read found.
enum class ReadStatus {
  kMessage,     // *frame holds a whole message
  kNoData,      // nothing available now (TryReadMessage only)
  kEof,         // the client closed the connection cleanly
  kError,       // ECONNRESET / protocol error: the connection is unusable
};

class PqComm {
 public:
  // Takes ownership of the connected socket `sock` (closed by Close or the
  // process's exit).
  PqComm(os::Os& os, os::Fd sock);
  PqComm(const PqComm&) = delete;
  PqComm& operator=(const PqComm&) = delete;

  os::Fd socket() const { return sock_; }

  // pq_putmessage_noblock: appends a typed message to the send buffer.
  void PutMessage(char type, absl::string_view body);
  // Appends raw bytes (a pre-encoded message or result set).
  void PutRaw(absl::string_view bytes);

  // pq_flush: blocks until the send buffer is empty. kOk, or the socket's
  // error (after which output is discarded).
  os::Task<os::Errno> Flush();
  // pq_flush_if_writable: moves as much as the kernel takes without blocking.
  os::Errno FlushIfWritable();
  // pq_is_send_pending.
  bool IsSendPending() const { return !send_failed_ && !send_buffer_.empty(); }
  size_t send_pending_bytes() const { return send_buffer_.size(); }

  // Blocking read of the next message (startup packets first, then typed
  // messages; the decoder is the server-side one). On kError/kEof, *error
  // holds PostgreSQL's COMMERROR text ("could not receive data from client:
  // Connection reset by peer", "invalid message length", ...).
  os::Task<ReadStatus> ReadMessage(wire::Frame* frame, std::string* error);
  // ProcessRepliesIfAny's read: kNoData when no byte is available; otherwise
  // waits for the whole message.
  os::Task<ReadStatus> TryReadMessage(wire::Frame* frame, std::string* error);

  // Closes the socket (a process exit does it too): Linux semantics decide
  // FIN or RST from what is unread.
  void Close();

 private:
  os::Task<ReadStatus> ReadInternal(bool wait_for_first_byte, wire::Frame* frame,
                                    std::string* error);
  // Takes one pq_recvbuf's worth from the kernel into the decoder.
  ReadStatus AbsorbRecv(const os::Result<size_t>& r, std::string* error);
  os::Errno FailSend(os::Errno e);

  os::Os& os_;
  os::Fd sock_;
  std::string send_buffer_;
  bool send_failed_ = false;
  wire::FrameDecoder decoder_;
  std::string recv_chunk_;
  bool closed_ = false;
  MessageStream sent_notes_;      // what this server puts, for the trace
  MessageStream received_notes_;  // what it reads
};

// strerror() text of a socket errno, as %m prints it ("Connection reset by
// peer").
std::string SocketErrorText(os::Errno e);

}  // namespace replsim::pq

#endif  // REPLSIM_PROTOCOL_PQ_PQCOMM_H_
