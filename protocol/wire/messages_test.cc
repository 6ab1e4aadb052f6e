// Tests for typed messages: exact bytes of the common ones, round trips of
// every alternative, ErrorResponse fields, and direction-specific decoding.
#include "protocol/wire/message.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

Frame FrameOf(const std::string& bytes) {
  return Frame{Frame::Kind::kTyped, bytes[0], bytes.substr(5)};
}

TEST(MessagesTest, ExactBytes) {
  EXPECT_EQ(Encode(AuthenticationRequest{}), std::string("R\0\0\0\x08\0\0\0\0", 9));
  EXPECT_EQ(Encode(ReadyForQuery{ReadyForQuery::kInTransaction}),
            std::string("Z\0\0\0\x05T", 6));
  EXPECT_EQ(Encode(CommandComplete{"COPY 0"}), std::string("C\0\0\0\x0b" "COPY 0\0", 12));
  EXPECT_EQ(Encode(DataRow{{std::nullopt, std::string("")}}),
            std::string("D\0\0\0\x0e\0\x02\xff\xff\xff\xff\0\0\0\0", 15));
  EXPECT_EQ(Encode(CopyOutResponse{1, {1, 0}}),
            std::string("H\0\0\0\x0b\x01\0\x02\0\x01\0\0", 12));
  EXPECT_EQ(Encode(Terminate{}), std::string("X\0\0\0\x04", 5));
  EXPECT_EQ(Encode(EmptyQueryResponse{}), std::string("I\0\0\0\x04", 5));
}

TEST(MessagesTest, EveryBackendMessageRoundTrips) {
  RowDescription rd;
  rd.fields.push_back({"next_tli", 0, 0, kInt8Oid, 8, -1, 0});
  std::vector<BackendMessage> all = {
      AuthenticationRequest{AuthenticationRequest::kMd5Password, "salt"},
      ParameterStatus{"in_hot_standby", "off"},
      BackendKeyData{0x55abc89e, 0x14a5a01},
      ReadyForQuery{ReadyForQuery::kFailedTransaction},
      rd,
      DataRow{{std::string("2"), std::nullopt}},
      CommandComplete{"START_REPLICATION"},
      EmptyQueryResponse{},
      ErrorResponse{ErrorFields::Make("ERROR", sqlstate::kUndefinedFile,
                                      "requested WAL segment "
                                      "000000010000000000000003 has already "
                                      "been removed")},
      NoticeResponse{ErrorFields::Make("WARNING", "01000", "w", "d", "h")},
      CopyInResponse{0, {0}},
      CopyOutResponse{},
      CopyBothResponse{},
      CopyData{std::string("w\0x", 3)},
      CopyDone{}};
  for (const BackendMessage& m : all) {
    std::string bytes = EncodeBackendMessage(m);
    EXPECT_EQ(bytes[0], TypeOf(m));
    absl::StatusOr<BackendMessage> d = DecodeBackendMessage(FrameOf(bytes));
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(*d, m) << bytes[0];
  }
}

TEST(MessagesTest, EveryFrontendMessageRoundTrips) {
  std::vector<FrontendMessage> all = {Query{"IDENTIFY_SYSTEM"}, CopyData{"r"},
                                      CopyDone{}, CopyFail{"aborted"},
                                      Terminate{}, Sync{}, Flush{}};
  for (const FrontendMessage& m : all) {
    std::string bytes = EncodeFrontendMessage(m);
    absl::StatusOr<FrontendMessage> d = DecodeFrontendMessage(FrameOf(bytes));
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(*d, m) << bytes[0];
  }
}

TEST(MessagesTest, TypeBytesMeanDifferentThingsPerDirection) {
  std::string sync = Encode(Sync{});
  EXPECT_TRUE(std::holds_alternative<Sync>(*DecodeFrontendMessage(FrameOf(sync))));
  // To a client, 'S' is ParameterStatus, and an empty body is malformed.
  EXPECT_EQ(DecodeBackendMessage(FrameOf(sync)).status().message(),
            "invalid string in message");
  EXPECT_EQ(DecodeFrontendMessage(FrameOf(Encode(Query{"x"}).replace(0, 1, "P")))
                .status()
                .message(),
            "extended query protocol not supported in a replication connection");
  EXPECT_EQ(DecodeFrontendMessage(Frame{Frame::Kind::kTyped, 'F', ""})
                .status()
                .message(),
            "fastpath function calls not supported in a replication connection");
  EXPECT_EQ(DecodeBackendMessage(Frame{Frame::Kind::kTyped, 'q', ""})
                .status()
                .message(),
            "unexpected response from server; first received character was "
            "\"q\"");
}

TEST(MessagesTest, ErrorFieldsKeepOrderAndLookups) {
  ErrorFields f = ErrorFields::Make("FATAL", sqlstate::kAdminShutdown,
                                    "terminating connection due to "
                                    "administrator command")
                      .WithLocation("postgres.c", 3185, "ProcessInterrupts");
  EXPECT_EQ(f.severity(), "FATAL");
  EXPECT_EQ(f.sqlstate(), "57P01");
  EXPECT_EQ(f.Get(kFieldSourceLine), "3185");
  EXPECT_EQ(f.Get(kFieldDetail), std::nullopt);
  std::string bytes = Encode(ErrorResponse{f});
  EXPECT_EQ(bytes.substr(5, 8), std::string("SFATAL\0V", 8));
  EXPECT_EQ(bytes.back(), '\0');
  // Trailing bytes after the terminator, a missing terminator: malformed.
  EXPECT_FALSE(Decode<ErrorResponse>(bytes.substr(5) + "x").ok());
  EXPECT_EQ(Decode<ErrorResponse>(bytes.substr(5, bytes.size() - 6))
                .status()
                .message(),
            "no data left in message");
}

TEST(MessagesTest, MalformedBodies) {
  EXPECT_EQ(Decode<ReadyForQuery>("IT").status().message(),
            "invalid message format");
  EXPECT_EQ(Decode<DataRow>(std::string("\0\x01\0\0\0\x05" "ab", 8))
                .status()
                .message(),
            "insufficient data left in message");
  EXPECT_EQ(Decode<DataRow>(std::string("\0\x01\xff\xff\xff\xfe", 6))
                .status()
                .message(),
            "invalid DataRow field length");
  EXPECT_EQ(SqlStateOf(Decode<BackendKeyData>("abc").status()), "08P01");
}

}  // namespace
}  // namespace replsim::wire
