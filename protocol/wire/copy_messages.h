// File: protocol/wire/copy_messages.h
//
// The COPY sub-protocol messages: CopyData 'd' and CopyDone 'c' travel both
// ways (START_REPLICATION runs in CopyBoth mode: WAL and keepalives one way,
// status updates the other, each inside a CopyData — see copy_data.h for those
// payloads); CopyFail 'f' is frontend only. Same shape as backend_messages.h.
#ifndef REPLSIM_PROTOCOL_WIRE_COPY_MESSAGES_H_
#define REPLSIM_PROTOCOL_WIRE_COPY_MESSAGES_H_

#include <string>

#include "absl/status/statusor.h"
#include "protocol/wire/byte_io.h"
#include "protocol/wire/empty_message.h"

namespace replsim::wire {

struct CopyData {
  static constexpr char kType = 'd';
  std::string data;

  void EncodeBody(ByteWriter& w) const { w.PutBytes(data); }
  static absl::StatusOr<CopyData> DecodeBody(ByteReader& r) {
    return CopyData{r.GetRest()};
  }
  bool operator==(const CopyData&) const = default;
};

using CopyDone = EmptyMessage<'c'>;

struct CopyFail {
  static constexpr char kType = 'f';
  std::string message;

  void EncodeBody(ByteWriter& w) const { w.PutString(message); }
  static absl::StatusOr<CopyFail> DecodeBody(ByteReader& r) {
    CopyFail f;
    WIRE_ASSIGN_OR_RETURN(f.message, r.GetString());
    return f;
  }
  bool operator==(const CopyFail&) const = default;
};

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_COPY_MESSAGES_H_
