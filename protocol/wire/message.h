// File: protocol/wire/message.h
//
// All typed messages of one direction as a std::variant, and the glue between
// them and framing.h's Frames:
//
//   Encode(m)            the complete frame bytes of any message struct
//   Decode<T>(body)      one struct from a frame body; the whole body must be
//                        consumed ("invalid message format", as pq_getmsgend)
//   DecodeBackendMessage / DecodeFrontendMessage
//                        dispatch on the type byte of a typed Frame
//
// Type bytes mean different things per direction ('D' DataRow vs Describe,
// 'S' ParameterStatus vs Sync...), hence two variants. A frontend type that
// PostgreSQL 15 accepts but forbids on a replication connection ('P','B',
// 'E','C','D','F') decodes to its error ("extended query protocol not
// supported in a replication connection", "fastpath function calls not
// supported in a replication connection"); an unknown backend type gives
// libpq's "unexpected response from server; first received character was
// \"%c\"".
//
//   std::string bytes = Encode(ReadyForQuery{ReadyForQuery::kIdle});
//   absl::StatusOr<BackendMessage> m = DecodeBackendMessage(frame);
#ifndef REPLSIM_PROTOCOL_WIRE_MESSAGE_H_
#define REPLSIM_PROTOCOL_WIRE_MESSAGE_H_

#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "protocol/wire/backend_messages.h"
#include "protocol/wire/byte_io.h"
#include "protocol/wire/copy_messages.h"
#include "protocol/wire/error_fields.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/frontend_messages.h"

namespace replsim::wire {

using BackendMessage =
    std::variant<AuthenticationRequest, ParameterStatus, BackendKeyData,
                 ReadyForQuery, RowDescription, DataRow, CommandComplete,
                 EmptyQueryResponse, ErrorResponse, NoticeResponse,
                 CopyInResponse, CopyOutResponse, CopyBothResponse, CopyData,
                 CopyDone>;

using FrontendMessage =
    std::variant<Query, CopyData, CopyDone, CopyFail, Terminate, Sync, Flush>;

// ErrorResponse / NoticeResponse bodies are their field lists.
inline void EncodeBodyOf(const ErrorResponse& m, ByteWriter& w) {
  EncodeErrorFields(m.fields, w);
}
inline void EncodeBodyOf(const NoticeResponse& m, ByteWriter& w) {
  EncodeErrorFields(m.fields, w);
}
template <class T>
void EncodeBodyOf(const T& m, ByteWriter& w) {
  m.EncodeBody(w);
}

template <class T>
std::string Encode(const T& m) {
  ByteWriter w;
  EncodeBodyOf(m, w);
  return EncodeTypedFrame(T::kType, w.bytes());
}

template <class T>
absl::StatusOr<T> Decode(absl::string_view body) {
  ByteReader r(body);
  if constexpr (std::is_same_v<T, ErrorResponse> ||
                std::is_same_v<T, NoticeResponse>) {
    WIRE_ASSIGN_OR_RETURN(ErrorFields f, DecodeErrorFields(r));
    return T{std::move(f)};
  } else {
    WIRE_ASSIGN_OR_RETURN(T m, T::DecodeBody(r));
    WIRE_RETURN_IF_ERROR(r.ExpectEnd());
    return m;
  }
}

std::string EncodeBackendMessage(const BackendMessage& m);
std::string EncodeFrontendMessage(const FrontendMessage& m);

// `frame` must be a kTyped frame (CHECKed).
absl::StatusOr<BackendMessage> DecodeBackendMessage(const Frame& frame);
absl::StatusOr<FrontendMessage> DecodeFrontendMessage(const Frame& frame);

// The type byte of the message held.
char TypeOf(const BackendMessage& m);
char TypeOf(const FrontendMessage& m);

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_MESSAGE_H_
