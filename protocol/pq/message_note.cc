// MessageStream: names FE/BE messages (protocol.sgml "Message Formats") and
// the replication payloads inside CopyData for the trace.
#include "protocol/pq/message_note.h"

#include <string_view>

#include "protocol/wire/copy_data.h"

namespace replsim::pq {
namespace {

using Field = os::NoteField;
using Type = os::NoteField::Type;

uint64_t BigEndian(std::string_view s, size_t at, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width && at + i < s.size(); ++i) {
    v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  }
  return v;
}

const char* ServerMessageName(char type) {
  switch (type) {
    case 'R': return "Authentication";
    case 'S': return "ParameterStatus";
    case 'K': return "BackendKeyData";
    case 'Z': return "ReadyForQuery";
    case 'T': return "RowDescription";
    case 'D': return "DataRow";
    case 'C': return "CommandComplete";
    case 'E': return "ErrorResponse";
    case 'N': return "NoticeResponse";
    case 'W': return "CopyBothResponse";
    case 'H': return "CopyOutResponse";
    case 'G': return "CopyInResponse";
    case 'd': return "CopyData";
    case 'c': return "CopyDone";
    case 'I': return "EmptyQueryResponse";
    default: return "message";
  }
}

const char* ClientMessageName(char type) {
  switch (type) {
    case 'Q': return "Query";
    case 'd': return "CopyData";
    case 'c': return "CopyDone";
    case 'f': return "CopyFail";
    case 'X': return "Terminate";
    case 'p': return "PasswordMessage";
    default: return "message";
  }
}

// The 'S' (severity) and 'M' (message) fields of an ErrorResponse or
// NoticeResponse body: (code byte, NUL-terminated text)*, then a NUL.
void ErrorText(std::string_view body, std::string_view* severity,
               std::string_view* message) {
  size_t i = 0;
  while (i < body.size() && body[i] != '\0') {
    const char code = body[i++];
    const size_t end = body.find('\0', i);
    const std::string_view value = body.substr(i, end == body.npos ? body.npos : end - i);
    if (code == 'S') *severity = value;
    if (code == 'M') *message = value;
    if (end == body.npos) return;
    i = end + 1;
  }
}

}  // namespace

void MessageStream::Note(uint64_t len, absl::string_view name,
                         absl::Span<const os::NoteField> fields) {
  os_.NoteMessage(sock_, sent_, offset_, len, std::string_view(name.data(), name.size()), fields);
  offset_ += len;
}

void MessageStream::Typed(char type, absl::string_view body_view) {
  const std::string_view body(body_view.data(), body_view.size());
  const uint64_t len = 5 + body.size();
  const bool server = sender_ == Sender::kServer;
  if (type == 'd' && !body.empty()) {
    const char sub = body[0];
    if (server && sub == wire::XLogData::kType && body.size() > wire::XLogData::kHeaderSize) {
      const uint64_t start = BigEndian(body, 1, 8);
      const Field f[] = {{"start", Type::kLsn, start},
                         {"end", Type::kLsn, start + body.size() - 1 - wire::XLogData::kHeaderSize},
                         {"wal_end", Type::kLsn, BigEndian(body, 9, 8)}};
      return Note(len, "XLogData", f);
    }
    if (server && sub == wire::PrimaryKeepalive::kType) {
      const Field f[] = {{"wal_end", Type::kLsn, BigEndian(body, 1, 8)},
                         {"reply_requested", Type::kBool, BigEndian(body, 17, 1)}};
      return Note(len, "PrimaryKeepalive", f);
    }
    if (!server && sub == wire::StandbyStatusUpdate::kType) {
      const Field f[] = {{"write", Type::kLsn, BigEndian(body, 1, 8)},
                         {"flush", Type::kLsn, BigEndian(body, 9, 8)},
                         {"apply", Type::kLsn, BigEndian(body, 17, 8)},
                         {"reply_requested", Type::kBool, BigEndian(body, 33, 1)}};
      return Note(len, "StandbyStatusUpdate", f);
    }
    if (!server && sub == wire::HotStandbyFeedback::kType) {
      const Field f[] = {{"xmin", Type::kUint, BigEndian(body, 9, 4)}};
      return Note(len, "HotStandbyFeedback", f);
    }
  }
  if (server && (type == 'E' || type == 'N')) {
    std::string_view severity, message;
    ErrorText(body, &severity, &message);
    const Field f[] = {{"severity", Type::kText, 0, severity}, {"text", Type::kText, 0, message}};
    return Note(len, ServerMessageName(type), f);
  }
  if ((server && type == 'C') || (!server && type == 'Q')) {
    const std::string_view text = body.substr(0, body.find('\0'));
    const Field f[] = {{"text", Type::kText, 0, text}};
    return Note(len, server ? "CommandComplete" : "Query", f);
  }
  Note(len, server ? ServerMessageName(type) : ClientMessageName(type), {});
}

void MessageStream::Frame(const wire::Frame& f) {
  switch (f.kind) {
    case wire::Frame::Kind::kTyped:
      return Typed(f.type, f.body);
    case wire::Frame::Kind::kStartupPacket: {
      const bool ssl = BigEndian(f.body, 0, 4) == wire::kSslRequestCode;
      return Note(4 + f.body.size(), ssl ? "SSLRequest" : "StartupMessage", {});
    }
    case wire::Frame::Kind::kSslResponse: {
      const Field a[] = {{"accepted", Type::kBool, f.type == 'S' ? 1u : 0u}};
      return Note(1, "SSLResponse", a);
    }
  }
}

void MessageStream::Raw(absl::string_view bytes, bool untyped) {
  if (untyped || bytes.size() == 1) {
    wire::Frame f;
    if (bytes.size() == 1) {
      f.kind = wire::Frame::Kind::kSslResponse;
      f.type = bytes[0];
    } else {
      f.kind = wire::Frame::Kind::kStartupPacket;
      f.body = std::string(bytes.substr(4));
    }
    return Frame(f);
  }
  size_t at = 0;
  while (at + 5 <= bytes.size()) {
    const size_t len = 1 + BigEndian(std::string_view(bytes.data(), bytes.size()), at + 1, 4);
    Typed(bytes[at], bytes.substr(at + 5, len - 5));
    at += len;
  }
}

}  // namespace replsim::pq
