// File: protocol/wire/replication_command.h
//
// Walsender replication commands as values (PostgreSQL 15's replnodes.h:
// IdentifySystemCmd, BaseBackupCmd, StartReplicationCmd, ...), the parser
// that reads a simple-query string into one (replication_parser.cc, after
// repl_gram.y), and the canonical text a walreceiver sends (after
// libpqwalreceiver.c).
//
// ParseReplicationCommand(query, dialect):
//   kPg15  exec_replication_command: if the first token is not IDENTIFY_SYSTEM,
//          BASE_BACKUP, START_REPLICATION, CREATE_/DROP_/READ_REPLICATION_SLOT,
//          TIMELINE_HISTORY or SHOW, the query is SQL (SqlCommand); a physical
//          walsender then fails with PhysicalWalSenderSqlError(). Otherwise
//          the grammar applies: "syntax error", "invalid timeline %u", the
//          scanner's errors — all SQLSTATE 42601.
//   kPg93  every query is parsed by the 9.3 grammar (IDENTIFY_SYSTEM,
//          TIMELINE_HISTORY n, START_REPLICATION X/X [TIMELINE n],
//          BASE_BACKUP [LABEL 'x'] [PROGRESS] [FAST] [WAL] [NOWAIT]); there is
//          no SQL and no SHOW.
// Keywords are upper-case only in both (lower-case "identify_system" is SQL
// in 15 and a syntax error in 9.3). A trailing ';' is allowed.
//
//   absl::StatusOr<ReplicationCommand> c =
//       ParseReplicationCommand("START_REPLICATION 0/3000000 TIMELINE 1",
//                               Dialect::kPg15);
//   FormatStartReplication(std::nullopt, 0x3000000, 1)
//       // "START_REPLICATION 0/3000000 TIMELINE 1"
#ifndef REPLSIM_PROTOCOL_WIRE_REPLICATION_COMMAND_H_
#define REPLSIM_PROTOCOL_WIRE_REPLICATION_COMMAND_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "protocol/wire/dialect.h"
#include "protocol/wire/lsn.h"

namespace replsim::wire {

// A DefElem from generic_option / plugin_opt_elem: a name and an optional
// argument that was an identifier, a quoted string or an unsigned integer.
struct CommandOption {
  enum class ArgKind { kNone, kIdent, kString, kInteger };
  std::string name;
  ArgKind arg_kind = ArgKind::kNone;
  std::string text;      // kIdent / kString
  uint32_t integer = 0;  // kInteger
  bool operator==(const CommandOption&) const = default;
};

struct IdentifySystemCmd {
  bool operator==(const IdentifySystemCmd&) const = default;
};

struct TimelineHistoryCmd {
  uint32_t timeline = 0;  // > 0
  bool operator==(const TimelineHistoryCmd&) const = default;
};

struct StartReplicationCmd {
  bool logical = false;
  std::optional<std::string> slot_name;
  XLogRecPtr start_point = 0;
  uint32_t timeline = 0;  // 0: not given (use the server's current one)
  std::vector<CommandOption> plugin_options;  // logical only
  bool operator==(const StartReplicationCmd&) const = default;
};

// 15: the parenthesised generic options, names as written (down-cased
// identifiers, or keywords). 9.3: label (string), progress, fast, wal,
// nowait (kInteger 1), as the 9.3 grammar builds them.
struct BaseBackupCmd {
  std::vector<CommandOption> options;
  bool operator==(const BaseBackupCmd&) const = default;
};

struct ShowCmd {
  std::string name;  // var_name: IDENT ('.' IDENT)*
  bool operator==(const ShowCmd&) const = default;
};

struct CreateReplicationSlotCmd {
  std::string slot_name;
  bool temporary = false;
  bool logical = false;
  std::string plugin;  // logical only
  // '(' options ')' or the legacy keywords: EXPORT_SNAPSHOT etc. become
  // snapshot=export|nothing|use, RESERVE_WAL reserve_wal, TWO_PHASE two_phase.
  std::vector<CommandOption> options;
  bool operator==(const CreateReplicationSlotCmd&) const = default;
};

struct DropReplicationSlotCmd {
  std::string slot_name;
  bool wait = false;
  bool operator==(const DropReplicationSlotCmd&) const = default;
};

struct ReadReplicationSlotCmd {
  std::string slot_name;
  bool operator==(const ReadReplicationSlotCmd&) const = default;
};

// Not a replication command (15 only): the query, untouched.
struct SqlCommand {
  std::string sql;
  bool operator==(const SqlCommand&) const = default;
};

using ReplicationCommand =
    std::variant<IdentifySystemCmd, TimelineHistoryCmd, StartReplicationCmd,
                 BaseBackupCmd, ShowCmd, CreateReplicationSlotCmd,
                 DropReplicationSlotCmd, ReadReplicationSlotCmd, SqlCommand>;

absl::StatusOr<ReplicationCommand> ParseReplicationCommand(
    absl::string_view query, Dialect dialect);

// What a PostgreSQL 15 physical walsender answers a SqlCommand with
// (SQLSTATE 0A000).
absl::Status PhysicalWalSenderSqlError();

// The command tag of CommandComplete after the command in 15
// (exec_replication_command: "IDENTIFY_SYSTEM", "START_REPLICATION", "SHOW",
// ...; "" for SqlCommand). 9.3 sent "SELECT" after every command instead.
std::string CommandTag(const ReplicationCommand& command);

// libpqwalreceiver's command texts. START_REPLICATION for physical streaming:
// "START_REPLICATION[ SLOT \"<slot>\"] %X/%X TIMELINE %u".
std::string FormatStartReplication(const std::optional<std::string>& slot_name,
                                   XLogRecPtr start_point, uint32_t timeline);
std::string FormatTimelineHistory(uint32_t timeline);  // "TIMELINE_HISTORY %u"
inline constexpr char kIdentifySystemText[] = "IDENTIFY_SYSTEM";

}  // namespace replsim::wire

#endif  // REPLSIM_PROTOCOL_WIRE_REPLICATION_COMMAND_H_
