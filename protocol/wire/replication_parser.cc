// ParseReplicationCommand: a recursive-descent reading of repl_gram.y (15)
// and its 9.3 ancestor. Tokens are taken one at a time so that errors come in
// PostgreSQL's order; a semantic check (TIMELINE 0) fires right after its
// token, as bison's default reduction does, before the next token is lexed.
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/wire/byte_io.h"
#include "protocol/wire/replication_command.h"
#include "protocol/wire/replication_scanner.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

using Kind = ReplToken::Kind;

absl::Status SyntaxError() {
  return WireError(sqlstate::kSyntaxError, "syntax error");
}

class Parser {
 public:
  Parser(absl::string_view query, Dialect dialect)
      : scanner_(query, dialect), dialect_(dialect) {}

  absl::StatusOr<ReplicationCommand> Command();

 private:
  absl::StatusOr<ReplToken> Peek() {
    if (!peek_.has_value()) {
      WIRE_ASSIGN_OR_RETURN(ReplToken t, scanner_.Next());
      peek_ = std::move(t);
    }
    return *peek_;
  }
  absl::StatusOr<ReplToken> Take() {
    WIRE_ASSIGN_OR_RETURN(ReplToken t, Peek());
    peek_.reset();
    return t;
  }
  // Takes the next token if it is keyword `k`.
  absl::StatusOr<bool> Accept(absl::string_view k) {
    WIRE_ASSIGN_OR_RETURN(ReplToken t, Peek());
    if (!t.IsKeyword(k)) return false;
    peek_.reset();
    return true;
  }
  absl::StatusOr<ReplToken> Expect(Kind kind) {
    WIRE_ASSIGN_OR_RETURN(ReplToken t, Take());
    if (t.kind != kind) return SyntaxError();
    return t;
  }
  absl::StatusOr<uint32_t> Timeline() {  // UCONST, checked > 0
    WIRE_ASSIGN_OR_RETURN(ReplToken t, Expect(Kind::kUconst));
    if (t.value == 0) {
      return WireError(sqlstate::kSyntaxError,
                       absl::StrFormat("invalid timeline %u", t.value));
    }
    return static_cast<uint32_t>(t.value);
  }
  absl::Status End();

  absl::StatusOr<ReplicationCommand> StartReplication();
  absl::StatusOr<ReplicationCommand> BaseBackup93();
  absl::StatusOr<ReplicationCommand> CreateSlot();
  absl::StatusOr<std::string> VarName();
  absl::StatusOr<std::vector<CommandOption>> GenericOptions();  // after '('
  absl::StatusOr<std::vector<CommandOption>> PluginOptions();   // after '('

  ReplicationScanner scanner_;
  Dialect dialect_;
  std::optional<ReplToken> peek_;
};

absl::Status Parser::End() {
  WIRE_ASSIGN_OR_RETURN(ReplToken t, Take());
  if (t.IsChar(';')) {
    WIRE_ASSIGN_OR_RETURN(t, Take());
  }
  if (t.kind != Kind::kEnd) return SyntaxError();
  return absl::OkStatus();
}

absl::StatusOr<std::string> Parser::VarName() {
  WIRE_ASSIGN_OR_RETURN(ReplToken first, Expect(Kind::kIdent));
  std::string name = first.text;
  while (true) {
    WIRE_ASSIGN_OR_RETURN(ReplToken t, Peek());
    if (!t.IsChar('.')) return name;
    peek_.reset();
    WIRE_ASSIGN_OR_RETURN(ReplToken part, Expect(Kind::kIdent));
    absl::StrAppend(&name, ".", part.text);
  }
}

absl::StatusOr<std::vector<CommandOption>> Parser::GenericOptions() {
  std::vector<CommandOption> options;
  while (true) {
    WIRE_ASSIGN_OR_RETURN(ReplToken t, Take());
    CommandOption o;
    if (t.kind == Kind::kIdent) {
      o.name = t.text;
    } else if (t.kind == Kind::kKeyword) {  // ident_or_keyword
      o.name = absl::AsciiStrToLower(t.text);
    } else {
      return SyntaxError();
    }
    WIRE_ASSIGN_OR_RETURN(ReplToken arg, Take());
    if (arg.kind == Kind::kIdent || arg.kind == Kind::kSconst) {
      o.arg_kind = arg.kind == Kind::kIdent ? CommandOption::ArgKind::kIdent
                                            : CommandOption::ArgKind::kString;
      o.text = arg.text;
      WIRE_ASSIGN_OR_RETURN(arg, Take());
    } else if (arg.kind == Kind::kUconst) {
      o.arg_kind = CommandOption::ArgKind::kInteger;
      o.integer = static_cast<uint32_t>(arg.value);
      WIRE_ASSIGN_OR_RETURN(arg, Take());
    }
    options.push_back(std::move(o));
    if (arg.IsChar(')')) return options;
    if (!arg.IsChar(',')) return SyntaxError();
  }
}

absl::StatusOr<std::vector<CommandOption>> Parser::PluginOptions() {
  std::vector<CommandOption> options;
  while (true) {
    WIRE_ASSIGN_OR_RETURN(ReplToken name, Expect(Kind::kIdent));
    CommandOption o;
    o.name = name.text;
    WIRE_ASSIGN_OR_RETURN(ReplToken arg, Take());
    if (arg.kind == Kind::kSconst) {
      o.arg_kind = CommandOption::ArgKind::kString;
      o.text = arg.text;
      WIRE_ASSIGN_OR_RETURN(arg, Take());
    }
    options.push_back(std::move(o));
    if (arg.IsChar(')')) return options;
    if (!arg.IsChar(',')) return SyntaxError();
  }
}

absl::StatusOr<ReplicationCommand> Parser::StartReplication() {
  StartReplicationCmd cmd;
  if (dialect_ != Dialect::kPg93) {
    WIRE_ASSIGN_OR_RETURN(bool slot, Accept("SLOT"));
    if (slot) {
      WIRE_ASSIGN_OR_RETURN(ReplToken name, Expect(Kind::kIdent));
      cmd.slot_name = name.text;
      WIRE_ASSIGN_OR_RETURN(cmd.logical, Accept("LOGICAL"));
    }
    if (!cmd.logical) {
      WIRE_ASSIGN_OR_RETURN(bool physical, Accept("PHYSICAL"));
      (void)physical;
    }
  }
  WIRE_ASSIGN_OR_RETURN(ReplToken start, Expect(Kind::kRecptr));
  cmd.start_point = start.value;
  if (cmd.logical) {
    WIRE_ASSIGN_OR_RETURN(ReplToken t, Peek());
    if (t.IsChar('(')) {
      peek_.reset();
      WIRE_ASSIGN_OR_RETURN(cmd.plugin_options, PluginOptions());
    }
  } else {
    WIRE_ASSIGN_OR_RETURN(bool has_timeline, Accept("TIMELINE"));
    if (has_timeline) {
      WIRE_ASSIGN_OR_RETURN(cmd.timeline, Timeline());
    }
  }
  return ReplicationCommand(std::move(cmd));
}

absl::StatusOr<ReplicationCommand> Parser::BaseBackup93() {
  BaseBackupCmd cmd;
  while (true) {
    WIRE_ASSIGN_OR_RETURN(ReplToken t, Peek());
    if (t.kind != Kind::kKeyword) return ReplicationCommand(std::move(cmd));
    CommandOption o;
    o.name = absl::AsciiStrToLower(t.text);
    if (t.text == "LABEL") {
      peek_.reset();
      WIRE_ASSIGN_OR_RETURN(ReplToken label, Expect(Kind::kSconst));
      o.arg_kind = CommandOption::ArgKind::kString;
      o.text = label.text;
    } else if (t.text == "PROGRESS" || t.text == "FAST" || t.text == "WAL" ||
               t.text == "NOWAIT") {
      peek_.reset();
      o.arg_kind = CommandOption::ArgKind::kInteger;
      o.integer = 1;
    } else {
      return ReplicationCommand(std::move(cmd));
    }
    cmd.options.push_back(std::move(o));
  }
}

absl::StatusOr<ReplicationCommand> Parser::CreateSlot() {
  CreateReplicationSlotCmd cmd;
  WIRE_ASSIGN_OR_RETURN(ReplToken name, Expect(Kind::kIdent));
  cmd.slot_name = name.text;
  WIRE_ASSIGN_OR_RETURN(cmd.temporary, Accept("TEMPORARY"));
  WIRE_ASSIGN_OR_RETURN(ReplToken kind, Take());
  if (kind.IsKeyword("LOGICAL")) {
    cmd.logical = true;
    WIRE_ASSIGN_OR_RETURN(ReplToken plugin, Expect(Kind::kIdent));
    cmd.plugin = plugin.text;
  } else if (!kind.IsKeyword("PHYSICAL")) {
    return SyntaxError();
  }
  WIRE_ASSIGN_OR_RETURN(ReplToken t, Peek());
  if (t.IsChar('(')) {
    peek_.reset();
    WIRE_ASSIGN_OR_RETURN(cmd.options, GenericOptions());
    return ReplicationCommand(std::move(cmd));
  }
  struct Legacy {
    const char* keyword;
    const char* name;
    const char* value;  // nullptr: boolean true
  };
  static constexpr Legacy kLegacy[] = {
      {"EXPORT_SNAPSHOT", "snapshot", "export"},
      {"NOEXPORT_SNAPSHOT", "snapshot", "nothing"},
      {"USE_SNAPSHOT", "snapshot", "use"},
      {"RESERVE_WAL", "reserve_wal", nullptr},
      {"TWO_PHASE", "two_phase", nullptr}};
  while (true) {
    WIRE_ASSIGN_OR_RETURN(ReplToken opt, Peek());
    const Legacy* match = nullptr;
    for (const Legacy& l : kLegacy) {
      if (opt.IsKeyword(l.keyword)) match = &l;
    }
    if (match == nullptr) return ReplicationCommand(std::move(cmd));
    peek_.reset();
    CommandOption o;
    o.name = match->name;
    if (match->value != nullptr) {
      o.arg_kind = CommandOption::ArgKind::kString;
      o.text = match->value;
    } else {
      o.arg_kind = CommandOption::ArgKind::kIdent;
      o.text = "true";
    }
    cmd.options.push_back(std::move(o));
  }
}

absl::StatusOr<ReplicationCommand> Parser::Command() {
  WIRE_ASSIGN_OR_RETURN(ReplToken first, Take());
  std::optional<ReplicationCommand> cmd;
  if (first.IsKeyword("IDENTIFY_SYSTEM")) {
    cmd = IdentifySystemCmd{};
  } else if (first.IsKeyword("TIMELINE_HISTORY")) {
    WIRE_ASSIGN_OR_RETURN(uint32_t tli, Timeline());
    cmd = TimelineHistoryCmd{tli};
  } else if (first.IsKeyword("START_REPLICATION")) {
    WIRE_ASSIGN_OR_RETURN(cmd, StartReplication());
  } else if (first.IsKeyword("BASE_BACKUP")) {
    if (dialect_ == Dialect::kPg93) {
      WIRE_ASSIGN_OR_RETURN(cmd, BaseBackup93());
    } else {
      BaseBackupCmd bb;
      WIRE_ASSIGN_OR_RETURN(ReplToken t, Peek());
      if (t.IsChar('(')) {
        peek_.reset();
        WIRE_ASSIGN_OR_RETURN(bb.options, GenericOptions());
      }
      cmd = std::move(bb);
    }
  } else if (first.IsKeyword("SHOW")) {
    WIRE_ASSIGN_OR_RETURN(std::string name, VarName());
    cmd = ShowCmd{std::move(name)};
  } else if (first.IsKeyword("READ_REPLICATION_SLOT")) {
    WIRE_ASSIGN_OR_RETURN(std::string name, VarName());
    cmd = ReadReplicationSlotCmd{std::move(name)};
  } else if (first.IsKeyword("DROP_REPLICATION_SLOT")) {
    WIRE_ASSIGN_OR_RETURN(ReplToken name, Expect(Kind::kIdent));
    WIRE_ASSIGN_OR_RETURN(bool wait, Accept("WAIT"));
    cmd = DropReplicationSlotCmd{name.text, wait};
  } else if (first.IsKeyword("CREATE_REPLICATION_SLOT")) {
    WIRE_ASSIGN_OR_RETURN(cmd, CreateSlot());
  } else {
    return SyntaxError();
  }
  WIRE_RETURN_IF_ERROR(End());
  return *std::move(cmd);
}

bool IsReplicationKeyword(const ReplToken& t) {
  for (absl::string_view k :
       {"IDENTIFY_SYSTEM", "BASE_BACKUP", "START_REPLICATION",
        "CREATE_REPLICATION_SLOT", "DROP_REPLICATION_SLOT",
        "READ_REPLICATION_SLOT", "TIMELINE_HISTORY", "SHOW"}) {
    if (t.IsKeyword(k)) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<ReplicationCommand> ParseReplicationCommand(
    absl::string_view query, Dialect dialect) {
  if (dialect != Dialect::kPg93) {
    // replication_scanner_is_replication_command: one token decides.
    ReplicationScanner first_only(query, dialect);
    WIRE_ASSIGN_OR_RETURN(ReplToken first, first_only.Next());
    if (!IsReplicationKeyword(first)) {
      return ReplicationCommand(SqlCommand{std::string(query)});
    }
  }
  return Parser(query, dialect).Command();
}

absl::Status PhysicalWalSenderSqlError() {
  return WireError(
      sqlstate::kFeatureNotSupported,
      "cannot execute SQL commands in WAL sender for physical replication");
}

}  // namespace replsim::wire
