// File: protocol/wire/frontend_messages.h
//
// Typed messages a client sends that replication uses: Query 'Q' (every
// replication command travels as a simple query), Terminate 'X', Sync 'S',
// Flush 'H'. Same shape as backend_messages.h; CopyData/CopyDone/CopyFail are
// in copy_messages.h.
#ifndef REPLSIM_PROTOCOL_WIRE_FRONTEND_MESSAGES_H_
#define REPLSIM_PROTOCOL_WIRE_FRONTEND_MESSAGES_H_

#include <string>

#include "absl/status/statusor.h"
#include "protocol/wire/byte_io.h"
#include "protocol/wire/empty_message.h"

namespace replsim::wire {

struct Query {
  static constexpr char kType = 'Q';
  std::string sql;

  void EncodeBody(ByteWriter& w) const { w.PutString(sql); }
  static absl::StatusOr<Query> DecodeBody(ByteReader& r) {
    Query q;
    WIRE_ASSIGN_OR_RETURN(q.sql, r.GetString());
    return q;
  }
  bool operator==(const Query&) const = default;
};

using Terminate = EmptyMessage<'X'>;
using Sync = EmptyMessage<'S'>;
using Flush = EmptyMessage<'H'>;

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_FRONTEND_MESSAGES_H_
