// File: protocol/wire/empty_message.h
//
// A typed message whose body is empty (length word 4): EmptyQueryResponse
// 'I', CopyDone 'c', Terminate 'X', Sync 'S', Flush 'H'. Same shape as the
// structs in backend_messages.h.
#ifndef REPLSIM_PROTOCOL_WIRE_EMPTY_MESSAGE_H_
#define REPLSIM_PROTOCOL_WIRE_EMPTY_MESSAGE_H_

#include "absl/status/statusor.h"
#include "protocol/wire/byte_io.h"

namespace replsim::wire {

template <char K>
struct EmptyMessage {
  static constexpr char kType = K;
  void EncodeBody(ByteWriter&) const {}
  static absl::StatusOr<EmptyMessage> DecodeBody(ByteReader&) {
    return EmptyMessage{};
  }
  bool operator==(const EmptyMessage&) const = default;
};

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_EMPTY_MESSAGE_H_
