// File: protocol/pq/message_note.h
//
// Names each FE/BE protocol message that crosses a connection and tells the
// OS about it (os::Os::NoteMessage), so that the trace can show who sent
// what to whom: "XLogData start=0/1001630 end=0/10016A8" from the walsender,
// "StandbyStatusUpdate write=... flush=... apply=..." from the walreceiver,
// "CommandComplete COPY 0", "ErrorResponse FATAL: ...". Both ends call it:
// the sender when a message enters its send buffer (what walsender.c counts
// as sent), the reader when it takes the whole message from its input.
//
// A MessageStream counts one direction's bytes on one end, so that the
// sender's and the reader's notes of the same message carry the same
// offset (the trace's viewers match them by it).
#ifndef REPLSIM_PROTOCOL_PQ_MESSAGE_NOTE_H_
#define REPLSIM_PROTOCOL_PQ_MESSAGE_NOTE_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "protocol/os/os.h"
#include "protocol/wire/framing.h"

namespace replsim::pq {

// Which end sends the messages of a stream: the type bytes mean different
// things each way ('D' DataRow from a server, Describe from a client).
enum class Sender { kServer, kClient };

class MessageStream {
 public:
  MessageStream(os::Os& os, os::Fd sock, bool sent, Sender sender)
      : os_(os), sock_(sock), sent_(sent), sender_(sender) {}

  // A typed message: its type byte and body (without the length word).
  void Typed(char type, absl::string_view body);
  // A decoded frame as a reader gets it.
  void Frame(const wire::Frame& f);
  // Bytes of whole encoded messages, as put into a send buffer: typed
  // frames, or with `untyped` one startup packet (SSLRequest,
  // StartupMessage). One byte is the answer to an SSLRequest.
  void Raw(absl::string_view bytes, bool untyped = false);

 private:
  void Note(uint64_t len, absl::string_view name,
            absl::Span<const os::NoteField> fields);

  os::Os& os_;
  os::Fd sock_;
  bool sent_;
  Sender sender_;
  uint64_t offset_ = 0;
};

}  // namespace replsim::pq

#endif  // REPLSIM_PROTOCOL_PQ_MESSAGE_NOTE_H_
