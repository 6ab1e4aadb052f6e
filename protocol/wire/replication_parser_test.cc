// Tests for the replication command grammar of PostgreSQL 15 and 9.3: what
// parses, into what, and the exact errors for what does not.
#include <string>

#include "gtest/gtest.h"
#include "protocol/wire/replication_command.h"
#include "protocol/wire/replication_scanner.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

ReplicationCommand Parse15(absl::string_view q) {
  absl::StatusOr<ReplicationCommand> c = ParseReplicationCommand(q, Dialect::kPg15);
  EXPECT_TRUE(c.ok()) << q << ": " << c.status();
  return c.ok() ? *c : ReplicationCommand(SqlCommand{"<error>"});
}

std::string Error(absl::string_view q, Dialect d = Dialect::kPg15) {
  absl::StatusOr<ReplicationCommand> c = ParseReplicationCommand(q, d);
  if (c.ok()) return "<ok>";
  EXPECT_EQ(SqlStateOf(c.status()), "42601") << q;
  return std::string(c.status().message());
}

TEST(ReplicationParserTest, IdentifySystemWithSemicolonAndWhitespace) {
  EXPECT_TRUE(std::holds_alternative<IdentifySystemCmd>(Parse15("IDENTIFY_SYSTEM")));
  EXPECT_TRUE(std::holds_alternative<IdentifySystemCmd>(
      Parse15(" \t\r\nIDENTIFY_SYSTEM\f ; \n")));
  EXPECT_EQ(Error("IDENTIFY_SYSTEM;;"), "syntax error");
  EXPECT_EQ(Error("IDENTIFY_SYSTEM 1"), "syntax error");
}

TEST(ReplicationParserTest, StartReplicationForms) {
  StartReplicationCmd c = std::get<StartReplicationCmd>(
      Parse15("START_REPLICATION 0/3000000 TIMELINE 1"));
  EXPECT_EQ(c.start_point, 0x3000000u);
  EXPECT_EQ(c.timeline, 1u);
  EXPECT_FALSE(c.slot_name.has_value());
  c = std::get<StartReplicationCmd>(
      Parse15("START_REPLICATION SLOT \"My Slot\" PHYSICAL a/B0"));
  EXPECT_EQ(c.slot_name, "My Slot");
  EXPECT_EQ(c.start_point, 0xA000000B0ull);
  EXPECT_EQ(c.timeline, 0u);
  c = std::get<StartReplicationCmd>(Parse15("START_REPLICATION SLOT Abc 0/0"));
  EXPECT_EQ(c.slot_name, "abc");  // identifiers are down-cased
  c = std::get<StartReplicationCmd>(Parse15(
      "START_REPLICATION SLOT s LOGICAL 0/10 (proto_version '1', binary)"));
  EXPECT_TRUE(c.logical);
  ASSERT_EQ(c.plugin_options.size(), 2u);
  EXPECT_EQ(c.plugin_options[0].text, "1");
  EXPECT_EQ(c.plugin_options[1].name, "binary");
}

TEST(ReplicationParserTest, StartReplicationErrors) {
  EXPECT_EQ(Error("START_REPLICATION 0/3000000 TIMELINE 0"), "invalid timeline 0");
  // strtoul then uint32: 2^32 wraps to 0.
  EXPECT_EQ(Error("START_REPLICATION 0/1 TIMELINE 4294967296"),
            "invalid timeline 0");
  // The TIMELINE check fires before the next token is even lexed.
  EXPECT_EQ(Error("START_REPLICATION 0/1 TIMELINE 0 'open"), "invalid timeline 0");
  EXPECT_EQ(Error("START_REPLICATION 0/1 TIMELINE 1 'open"),
            "unterminated quoted string");
  EXPECT_EQ(Error("START_REPLICATION 0/XYZ"), "syntax error");
  EXPECT_EQ(Error("START_REPLICATION"), "syntax error");
  EXPECT_EQ(Error("START_REPLICATION PHYSICAL SLOT s 0/0"), "syntax error");
  EXPECT_EQ(Error("START_REPLICATION 0/1 TIMELINE -1"), "syntax error");
}

TEST(ReplicationParserTest, TimelineHistory) {
  EXPECT_EQ(std::get<TimelineHistoryCmd>(Parse15("TIMELINE_HISTORY 2")).timeline,
            2u);
  EXPECT_EQ(Error("TIMELINE_HISTORY 0"), "invalid timeline 0");
  EXPECT_EQ(Error("TIMELINE_HISTORY"), "syntax error");
  EXPECT_EQ(Error("TIMELINE_HISTORY x"), "syntax error");
}

TEST(ReplicationParserTest, BaseBackup15OptionList) {
  BaseBackupCmd b = std::get<BaseBackupCmd>(Parse15(
      "BASE_BACKUP (LABEL 'it''s', WAL, CHECKPOINT 'fast', WAIT 0, "
      "MAX_RATE 32, PROGRESS true)"));
  ASSERT_EQ(b.options.size(), 6u);
  EXPECT_EQ(b.options[0].name, "label");
  EXPECT_EQ(b.options[0].text, "it's");
  EXPECT_EQ(b.options[0].arg_kind, CommandOption::ArgKind::kString);
  EXPECT_EQ(b.options[1].arg_kind, CommandOption::ArgKind::kNone);
  EXPECT_EQ(b.options[3].integer, 0u);
  EXPECT_EQ(b.options[4].integer, 32u);
  EXPECT_EQ(b.options[5].arg_kind, CommandOption::ArgKind::kIdent);
  EXPECT_TRUE(std::get<BaseBackupCmd>(Parse15("BASE_BACKUP")).options.empty());
  // 15 has no unparenthesised form any more.
  EXPECT_EQ(Error("BASE_BACKUP LABEL 'x' WAL NOWAIT FAST"), "syntax error");
  EXPECT_EQ(Error("BASE_BACKUP ()"), "syntax error");
  EXPECT_EQ(Error("BASE_BACKUP (WAL"), "syntax error");
}

TEST(ReplicationParserTest, BaseBackup93KeywordForm) {
  absl::StatusOr<ReplicationCommand> c = ParseReplicationCommand(
      "BASE_BACKUP LABEL 'x' WAL NOWAIT FAST", Dialect::kPg93);
  ASSERT_TRUE(c.ok()) << c.status();
  const BaseBackupCmd& b = std::get<BaseBackupCmd>(*c);
  ASSERT_EQ(b.options.size(), 4u);
  EXPECT_EQ(b.options[0].name, "label");
  EXPECT_EQ(b.options[3].name, "fast");
  EXPECT_EQ(Error("BASE_BACKUP (WAL)", Dialect::kPg93),
            "syntax error: unexpected character \"(\"");
}

TEST(ReplicationParserTest, SqlIsRecognisedByTheFirstTokenIn15) {
  EXPECT_EQ(std::get<SqlCommand>(Parse15("SELECT 1")).sql, "SELECT 1");
  EXPECT_TRUE(std::holds_alternative<SqlCommand>(Parse15("")));
  // Keywords are upper-case only: this is SQL to a 15 walsender...
  EXPECT_TRUE(std::holds_alternative<SqlCommand>(Parse15("identify_system")));
  // ...and a syntax error to 9.3, which has no SQL.
  EXPECT_EQ(Error("identify_system", Dialect::kPg93),
            "syntax error: unexpected character \"i\"");
  EXPECT_EQ(Error("'open"), "unterminated quoted string");
  absl::Status s = PhysicalWalSenderSqlError();
  EXPECT_EQ(s.message(),
            "cannot execute SQL commands in WAL sender for physical replication");
  EXPECT_EQ(SqlStateOf(s), "0A000");
}

TEST(ReplicationParserTest, ShowAndSlots) {
  EXPECT_EQ(std::get<ShowCmd>(Parse15("SHOW wal_segment_size")).name,
            "wal_segment_size");
  EXPECT_EQ(std::get<ShowCmd>(Parse15("SHOW a.B")).name, "a.b");
  EXPECT_EQ(Error("SHOW"), "syntax error");
  EXPECT_EQ(Error("SHOW 'x'"), "syntax error");
  DropReplicationSlotCmd d =
      std::get<DropReplicationSlotCmd>(Parse15("DROP_REPLICATION_SLOT s WAIT"));
  EXPECT_EQ(d.slot_name, "s");
  EXPECT_TRUE(d.wait);
  CreateReplicationSlotCmd c = std::get<CreateReplicationSlotCmd>(
      Parse15("CREATE_REPLICATION_SLOT s TEMPORARY PHYSICAL RESERVE_WAL"));
  EXPECT_TRUE(c.temporary);
  ASSERT_EQ(c.options.size(), 1u);
  EXPECT_EQ(c.options[0].name, "reserve_wal");
  EXPECT_EQ(std::get<ReadReplicationSlotCmd>(Parse15("READ_REPLICATION_SLOT s"))
                .slot_name,
            "s");
}

TEST(ReplicationParserTest, ScannerLongestMatch) {
  ReplicationScanner s("SHOWX DEADBEEF/1 12 1A/0 TIMELINE_HISTORY", Dialect::kPg15);
  EXPECT_EQ(s.Next()->kind, ReplToken::Kind::kIdent);
  ReplToken t = *s.Next();
  EXPECT_EQ(t.kind, ReplToken::Kind::kRecptr);
  EXPECT_EQ(t.value, 0xDEADBEEF00000001ull);
  EXPECT_EQ(s.Next()->value, 12u);
  EXPECT_EQ(s.Next()->value, 0x1A00000000ull);
  EXPECT_TRUE(s.Next()->IsKeyword("TIMELINE_HISTORY"));
  EXPECT_EQ(s.Next()->kind, ReplToken::Kind::kEnd);
}

TEST(ReplicationParserTest, CanonicalTextsParseBack) {
  EXPECT_EQ(FormatStartReplication(std::nullopt, 0x3000000, 1),
            "START_REPLICATION 0/3000000 TIMELINE 1");
  std::string with_slot = FormatStartReplication("node_b", 0x10000000AB38ull, 2);
  EXPECT_EQ(with_slot, "START_REPLICATION SLOT \"node_b\" 1000/AB38 TIMELINE 2");
  StartReplicationCmd c = std::get<StartReplicationCmd>(Parse15(with_slot));
  EXPECT_EQ(c.slot_name, "node_b");
  EXPECT_EQ(c.start_point, 0x10000000AB38ull);
  EXPECT_EQ(c.timeline, 2u);
  EXPECT_EQ(FormatTimelineHistory(2), "TIMELINE_HISTORY 2");
  EXPECT_EQ(CommandTag(c), "START_REPLICATION");
  EXPECT_EQ(CommandTag(Parse15(kIdentifySystemText)), "IDENTIFY_SYSTEM");
}

}  // namespace
}  // namespace replsim::wire
