// File: protocol/wire/sqlstate.h
//
// The SQLSTATE codes replsim's PostgreSQL processes report, as the five-char
// strings ErrorResponse carries in its 'C' field. Names and values follow
// PostgreSQL 15's src/backend/utils/errcodes.txt (ERRCODE_<NAME> there is
// k<Name> here). Only the codes the replication paths raise are listed.
//
//   ErrorFields::Error("FATAL", sqlstate::kAdminShutdown, "terminating ...");
#ifndef REPLSIM_PROTOCOL_WIRE_SQLSTATE_H_
#define REPLSIM_PROTOCOL_WIRE_SQLSTATE_H_

namespace replsim::wire::sqlstate {

inline constexpr char kSuccessfulCompletion[] = "00000";
inline constexpr char kConnectionException[] = "08000";
inline constexpr char kConnectionDoesNotExist[] = "08003";
inline constexpr char kConnectionFailure[] = "08006";
// Framing and message-content errors (pqcomm.c, pqformat.c, walsender.c).
inline constexpr char kProtocolViolation[] = "08P01";
// "cannot execute SQL commands in WAL sender for physical replication".
inline constexpr char kFeatureNotSupported[] = "0A000";
inline constexpr char kInvalidParameterValue[] = "22023";
// PreventInTransactionBlock (BASE_BACKUP inside a transaction block).
inline constexpr char kActiveSqlTransaction[] = "25001";
inline constexpr char kInFailedSqlTransaction[] = "25P02";
inline constexpr char kInvalidAuthorizationSpecification[] = "28000";
inline constexpr char kInvalidPassword[] = "28P01";
// Replication grammar errors ("syntax error", "invalid timeline %u").
inline constexpr char kSyntaxError[] = "42601";
inline constexpr char kUndefinedObject[] = "42704";
inline constexpr char kDuplicateObject[] = "42710";
inline constexpr char kDiskFull[] = "53100";
inline constexpr char kOutOfMemory[] = "53200";
// "sorry, too many clients already", and max_wal_senders exhausted.
inline constexpr char kTooManyConnections[] = "53300";
inline constexpr char kConfigurationLimitExceeded[] = "53400";
// "cannot execute new commands while WAL sender is in stopping mode",
// "requested starting point %X/%X is ahead of the WAL flush position ...".
inline constexpr char kObjectNotInPrerequisiteState[] = "55000";
inline constexpr char kObjectInUse[] = "55006";
inline constexpr char kQueryCanceled[] = "57014";
// "terminating connection due to administrator command" (SIGTERM's FATAL).
inline constexpr char kAdminShutdown[] = "57P01";
inline constexpr char kCrashShutdown[] = "57P02";
// "the database system is shutting down" / "... is starting up".
inline constexpr char kCannotConnectNow[] = "57P03";
inline constexpr char kIoError[] = "58030";
// "requested WAL segment %s has already been removed", and a missing
// timeline history file.
inline constexpr char kUndefinedFile[] = "58P01";
inline constexpr char kInternalError[] = "XX000";
inline constexpr char kDataCorrupted[] = "XX001";

}  // namespace replsim::wire::sqlstate

#endif  // REPLSIM_PROTOCOL_WIRE_SQLSTATE_H_
