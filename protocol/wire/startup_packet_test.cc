// Tests for startup-phase packets against ProcessStartupPacket's rules.
#include "protocol/wire/startup_packet.h"

#include <string>

#include "gtest/gtest.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

std::string BodyOf(const StartupPacket& p) { return EncodeStartupPacket(p).substr(4); }

TEST(StartupPacketTest, StartupMessageRoundTrips) {
  StartupMessage m{kProtocolVersion3,
                   {{"user", "postgres"}, {"replication", "true"},
                    {"application_name", "n2"}}};
  std::string bytes = EncodeStartupPacket(m);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\0\0\0\x3c\0\x03\0\0", 8));
  EXPECT_EQ(bytes.back(), '\0');
  absl::StatusOr<StartupPacket> d = DecodeStartupPacket(bytes.substr(4));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(std::get<StartupMessage>(*d), m);
  EXPECT_EQ(m.Get("application_name"), "n2");
  EXPECT_EQ(m.Get("database"), std::nullopt);
}

TEST(StartupPacketTest, SpecialRequests) {
  EXPECT_EQ(EncodeStartupPacket(SslRequest{}), std::string("\0\0\0\x08\x04\xd2\x16\x2f", 8));
  EXPECT_TRUE(std::holds_alternative<GssEncRequest>(
      *DecodeStartupPacket(BodyOf(GssEncRequest{}))));
  CancelRequest c{1234, 0xdeadbeef};
  EXPECT_EQ(std::get<CancelRequest>(*DecodeStartupPacket(BodyOf(c))), c);
  EXPECT_EQ(DecodeStartupPacket(BodyOf(c) + "x").status().message(),
            "invalid length of startup packet");
}

TEST(StartupPacketTest, ProcessStartupPacketErrors) {
  auto error = [](const std::string& body) {
    return std::string(DecodeStartupPacket(body).status().message());
  };
  EXPECT_EQ(error(std::string("\0\x02\0\0user\0u\0\0", 12)),
            "unsupported frontend protocol 2.0: server supports 3.0 to 3.0");
  EXPECT_EQ(error(std::string("\0\x03\0\0user\0u\0", 11)),
            "invalid startup packet layout: expected terminator as last byte");
  EXPECT_EQ(error(std::string("\0\x03\0\0user\0u\0\0\0", 13)),
            "invalid startup packet layout: expected terminator as last byte");
  EXPECT_EQ(error(std::string("\0\x03\0\0database\0d\0\0", 16)),
            "no PostgreSQL user name specified in startup packet");
  absl::Status bad = DecodeStartupPacket(
                         std::string("\0\x03\0\0replication\0maybe\0user\0u\0\0", 30))
                         .status();
  EXPECT_EQ(bad.message(), "invalid value for parameter \"replication\": \"maybe\"");
  EXPECT_EQ(SqlStateOf(bad), "22023");
}

TEST(StartupPacketTest, ReplicationParameterFollowsParseBool) {
  for (const char* yes : {"true", "t", "TR", "yes", "y", "on", "ON", "1"}) {
    EXPECT_EQ(*ParseReplicationParameter(yes), ReplicationMode::kPhysical) << yes;
  }
  for (const char* no : {"false", "f", "no", "n", "off", "of", "0"}) {
    EXPECT_EQ(*ParseReplicationParameter(no), ReplicationMode::kNone) << no;
  }
  EXPECT_EQ(*ParseReplicationParameter("database"), ReplicationMode::kDatabase);
  for (const char* bad : {"", "o", "truee", "2", "Database", " true"}) {
    EXPECT_FALSE(ParseReplicationParameter(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace replsim::wire
