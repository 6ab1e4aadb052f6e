// File: protocol/wire/backend_messages.h
//
// Typed messages a PostgreSQL server sends (protocol.sgml "Message Formats"),
// as values. Each struct has its type byte as kType, EncodeBody (the bytes
// after the length word) and DecodeBody, which reads from a ByteReader and
// leaves the end-of-body check to the caller (message.h's Decode<T> does it).
// CopyData/CopyDone, used both ways, are in copy_messages.h; ErrorResponse and
// NoticeResponse in error_fields.h.
//
// Every field the wire carries is kept, so decode-then-encode is byte-exact.
#ifndef REPLSIM_PROTOCOL_WIRE_BACKEND_MESSAGES_H_
#define REPLSIM_PROTOCOL_WIRE_BACKEND_MESSAGES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "protocol/wire/byte_io.h"
#include "protocol/wire/empty_message.h"

namespace replsim::wire {

// 'R'. code 0 is AuthenticationOk; every other request (3 cleartext password,
// 5 MD5 with a 4-byte salt in `data`, 10/11/12 SASL...) is kept opaque.
struct AuthenticationRequest {
  static constexpr char kType = 'R';
  static constexpr int32_t kOk = 0;
  static constexpr int32_t kCleartextPassword = 3;
  static constexpr int32_t kMd5Password = 5;
  static constexpr int32_t kSasl = 10;
  static constexpr int32_t kSaslContinue = 11;
  static constexpr int32_t kSaslFinal = 12;

  int32_t code = kOk;
  std::string data;  // whatever follows the code

  void EncodeBody(ByteWriter& w) const;
  static absl::StatusOr<AuthenticationRequest> DecodeBody(ByteReader& r);
  bool operator==(const AuthenticationRequest&) const = default;
};

// 'S': a run-time parameter's value (server_version, in_hot_standby...).
struct ParameterStatus {
  static constexpr char kType = 'S';
  std::string name;
  std::string value;

  void EncodeBody(ByteWriter& w) const;
  static absl::StatusOr<ParameterStatus> DecodeBody(ByteReader& r);
  bool operator==(const ParameterStatus&) const = default;
};

// 'K': what a CancelRequest must quote.
struct BackendKeyData {
  static constexpr char kType = 'K';
  uint32_t backend_pid = 0;
  uint32_t cancel_key = 0;

  void EncodeBody(ByteWriter& w) const;
  static absl::StatusOr<BackendKeyData> DecodeBody(ByteReader& r);
  bool operator==(const BackendKeyData&) const = default;
};

// 'Z'. status: 'I' idle, 'T' in a transaction block, 'E' in a failed one.
// Other bytes decode as they are (libpq maps them to PQTRANS_UNKNOWN).
struct ReadyForQuery {
  static constexpr char kType = 'Z';
  static constexpr char kIdle = 'I';
  static constexpr char kInTransaction = 'T';
  static constexpr char kFailedTransaction = 'E';
  char status = kIdle;

  void EncodeBody(ByteWriter& w) const;
  static absl::StatusOr<ReadyForQuery> DecodeBody(ByteReader& r);
  bool operator==(const ReadyForQuery&) const = default;
};

// Type OIDs (pg_type.dat) replication result sets use.
inline constexpr uint32_t kByteaOid = 17;
inline constexpr uint32_t kInt8Oid = 20;
inline constexpr uint32_t kInt4Oid = 23;
inline constexpr uint32_t kTextOid = 25;

// 'T'.
struct RowDescription {
  static constexpr char kType = 'T';
  struct Field {
    std::string name;
    uint32_t table_oid = 0;
    int16_t column_number = 0;
    uint32_t type_oid = 0;
    int16_t type_size = 0;       // pg_type.typlen; -1 for varlena
    int32_t type_modifier = -1;  // atttypmod
    int16_t format = 0;          // 0 text, 1 binary
    bool operator==(const Field&) const = default;
  };
  std::vector<Field> fields;

  void EncodeBody(ByteWriter& w) const;
  static absl::StatusOr<RowDescription> DecodeBody(ByteReader& r);
  bool operator==(const RowDescription&) const = default;
};

// 'D'. nullopt is SQL NULL (length -1 on the wire).
struct DataRow {
  static constexpr char kType = 'D';
  std::vector<std::optional<std::string>> values;

  void EncodeBody(ByteWriter& w) const;
  // A length below -1 is an error ("invalid DataRow field length").
  static absl::StatusOr<DataRow> DecodeBody(ByteReader& r);
  bool operator==(const DataRow&) const = default;
};

// 'C': "IDENTIFY_SYSTEM", "START_REPLICATION", "COPY 0", "SELECT"...
struct CommandComplete {
  static constexpr char kType = 'C';
  std::string tag;

  void EncodeBody(ByteWriter& w) const;
  static absl::StatusOr<CommandComplete> DecodeBody(ByteReader& r);
  bool operator==(const CommandComplete&) const = default;
};

// 'I': the answer to an empty query string.
using EmptyQueryResponse = EmptyMessage<'I'>;

// 'G' CopyInResponse, 'H' CopyOutResponse, 'W' CopyBothResponse: Int8 overall
// format, Int16 column count, Int16 format per column. START_REPLICATION's
// CopyBothResponse is format 0 with no columns.
template <char K>
struct CopyResponse {
  static constexpr char kType = K;
  int8_t overall_format = 0;
  std::vector<int16_t> column_formats;

  void EncodeBody(ByteWriter& w) const {
    w.PutInt8(static_cast<uint8_t>(overall_format));
    w.PutInt16(static_cast<uint16_t>(column_formats.size()));
    for (int16_t f : column_formats) w.PutInt16(static_cast<uint16_t>(f));
  }
  static absl::StatusOr<CopyResponse> DecodeBody(ByteReader& r) {
    CopyResponse c;
    WIRE_ASSIGN_OR_RETURN(uint8_t format, r.GetInt8());
    c.overall_format = static_cast<int8_t>(format);
    WIRE_ASSIGN_OR_RETURN(uint16_t n, r.GetInt16());
    for (uint16_t i = 0; i < n; ++i) {
      WIRE_ASSIGN_OR_RETURN(uint16_t f, r.GetInt16());
      c.column_formats.push_back(static_cast<int16_t>(f));
    }
    return c;
  }
  bool operator==(const CopyResponse&) const = default;
};
using CopyInResponse = CopyResponse<'G'>;
using CopyOutResponse = CopyResponse<'H'>;
using CopyBothResponse = CopyResponse<'W'>;

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_BACKEND_MESSAGES_H_
