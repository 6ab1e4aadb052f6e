#include "protocol/wire/backend_messages.h"

#include "protocol/os/check.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {

void AuthenticationRequest::EncodeBody(ByteWriter& w) const {
  w.PutInt32(static_cast<uint32_t>(code));
  w.PutBytes(data);
}

absl::StatusOr<AuthenticationRequest> AuthenticationRequest::DecodeBody(
    ByteReader& r) {
  AuthenticationRequest a;
  WIRE_ASSIGN_OR_RETURN(uint32_t code, r.GetInt32());
  a.code = static_cast<int32_t>(code);
  a.data = r.GetRest();
  return a;
}

void ParameterStatus::EncodeBody(ByteWriter& w) const {
  w.PutString(name);
  w.PutString(value);
}

absl::StatusOr<ParameterStatus> ParameterStatus::DecodeBody(ByteReader& r) {
  ParameterStatus p;
  WIRE_ASSIGN_OR_RETURN(p.name, r.GetString());
  WIRE_ASSIGN_OR_RETURN(p.value, r.GetString());
  return p;
}

void BackendKeyData::EncodeBody(ByteWriter& w) const {
  w.PutInt32(backend_pid);
  w.PutInt32(cancel_key);
}

absl::StatusOr<BackendKeyData> BackendKeyData::DecodeBody(ByteReader& r) {
  BackendKeyData k;
  WIRE_ASSIGN_OR_RETURN(k.backend_pid, r.GetInt32());
  WIRE_ASSIGN_OR_RETURN(k.cancel_key, r.GetInt32());
  return k;
}

void ReadyForQuery::EncodeBody(ByteWriter& w) const {
  w.PutInt8(static_cast<uint8_t>(status));
}

absl::StatusOr<ReadyForQuery> ReadyForQuery::DecodeBody(ByteReader& r) {
  WIRE_ASSIGN_OR_RETURN(uint8_t status, r.GetInt8());
  return ReadyForQuery{static_cast<char>(status)};
}

void RowDescription::EncodeBody(ByteWriter& w) const {
  CHECK_LE(fields.size(), 0x7fffu);
  w.PutInt16(static_cast<uint16_t>(fields.size()));
  for (const Field& f : fields) {
    w.PutString(f.name);
    w.PutInt32(f.table_oid);
    w.PutInt16(static_cast<uint16_t>(f.column_number));
    w.PutInt32(f.type_oid);
    w.PutInt16(static_cast<uint16_t>(f.type_size));
    w.PutInt32(static_cast<uint32_t>(f.type_modifier));
    w.PutInt16(static_cast<uint16_t>(f.format));
  }
}

absl::StatusOr<RowDescription> RowDescription::DecodeBody(ByteReader& r) {
  RowDescription d;
  WIRE_ASSIGN_OR_RETURN(uint16_t n, r.GetInt16());
  for (uint16_t i = 0; i < n; ++i) {
    Field f;
    WIRE_ASSIGN_OR_RETURN(f.name, r.GetString());
    WIRE_ASSIGN_OR_RETURN(f.table_oid, r.GetInt32());
    WIRE_ASSIGN_OR_RETURN(uint16_t column, r.GetInt16());
    f.column_number = static_cast<int16_t>(column);
    WIRE_ASSIGN_OR_RETURN(f.type_oid, r.GetInt32());
    WIRE_ASSIGN_OR_RETURN(uint16_t size, r.GetInt16());
    f.type_size = static_cast<int16_t>(size);
    WIRE_ASSIGN_OR_RETURN(uint32_t modifier, r.GetInt32());
    f.type_modifier = static_cast<int32_t>(modifier);
    WIRE_ASSIGN_OR_RETURN(uint16_t format, r.GetInt16());
    f.format = static_cast<int16_t>(format);
    d.fields.push_back(std::move(f));
  }
  return d;
}

void DataRow::EncodeBody(ByteWriter& w) const {
  CHECK_LE(values.size(), 0x7fffu);
  w.PutInt16(static_cast<uint16_t>(values.size()));
  for (const std::optional<std::string>& v : values) {
    if (!v.has_value()) {
      w.PutInt32(0xffffffffu);  // -1: NULL
      continue;
    }
    w.PutInt32(static_cast<uint32_t>(v->size()));
    w.PutBytes(*v);
  }
}

absl::StatusOr<DataRow> DataRow::DecodeBody(ByteReader& r) {
  DataRow row;
  WIRE_ASSIGN_OR_RETURN(uint16_t n, r.GetInt16());
  for (uint16_t i = 0; i < n; ++i) {
    WIRE_ASSIGN_OR_RETURN(uint32_t raw_len, r.GetInt32());
    int32_t len = static_cast<int32_t>(raw_len);
    if (len == -1) {
      row.values.push_back(std::nullopt);
      continue;
    }
    if (len < 0) {
      return WireError(sqlstate::kProtocolViolation,
                       "invalid DataRow field length");
    }
    WIRE_ASSIGN_OR_RETURN(std::string value,
                          r.GetBytes(static_cast<size_t>(len)));
    row.values.push_back(std::move(value));
  }
  return row;
}

void CommandComplete::EncodeBody(ByteWriter& w) const { w.PutString(tag); }

absl::StatusOr<CommandComplete> CommandComplete::DecodeBody(ByteReader& r) {
  CommandComplete c;
  WIRE_ASSIGN_OR_RETURN(c.tag, r.GetString());
  return c;
}

}  // namespace replsim::wire
