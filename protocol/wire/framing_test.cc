// Tests for framing: the length word counts itself, the decoder reassembles
// messages from any split, starts in startup mode on the server side, and
// rejects bad lengths with PostgreSQL's texts without waiting for (or
// allocating) the announced bytes.
#include "protocol/wire/framing.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

std::vector<Frame> DrainAll(FrameDecoder& d) {
  std::vector<Frame> out;
  while (true) {
    absl::StatusOr<std::optional<Frame>> f = d.Next();
    EXPECT_TRUE(f.ok()) << f.status();
    if (!f.ok() || !f->has_value()) return out;
    out.push_back(**f);
  }
}

absl::Status FirstError(FrameDecoder& d) {
  while (true) {
    absl::StatusOr<std::optional<Frame>> f = d.Next();
    if (!f.ok()) return f.status();
    if (!f->has_value()) return absl::OkStatus();
  }
}

TEST(FramingTest, TypedFrameLengthCountsItselfNotTheType) {
  EXPECT_EQ(EncodeTypedFrame('Z', "I"), std::string("Z\0\0\0\x05I", 6));
  EXPECT_EQ(EncodeTypedFrame('c', ""), std::string("c\0\0\0\x04", 5));
  EXPECT_EQ(EncodeStartupFrame(std::string("\x04\xd2\x16\x2f", 4)),
            std::string("\0\0\0\x08\x04\xd2\x16\x2f", 8));
}

TEST(FramingTest, ServerDecoderStartsInStartupModeAndStaysAfterSslRequest) {
  std::string ssl = EncodeStartupFrame(std::string("\x04\xd2\x16\x2f", 4));
  std::string startup = EncodeStartupFrame(
      std::string("\0\x03\0\0user\0u\0\0", 12));
  std::string query = EncodeTypedFrame('Q', std::string("IDENTIFY_SYSTEM\0", 16));
  FrameDecoder d = FrameDecoder::ForServer();
  d.Feed(ssl + startup + query);
  std::vector<Frame> frames = DrainAll(d);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].kind, Frame::Kind::kStartupPacket);
  EXPECT_EQ(frames[1].kind, Frame::Kind::kStartupPacket);
  EXPECT_EQ(frames[1].body.size(), 12u);
  EXPECT_EQ(frames[2].kind, Frame::Kind::kTyped);
  EXPECT_EQ(frames[2].type, 'Q');
  for (const Frame& f : frames) EXPECT_NE(EncodeFrame(f).size(), 0u);
  EXPECT_EQ(EncodeFrame(frames[0]) + EncodeFrame(frames[1]) +
                EncodeFrame(frames[2]),
            ssl + startup + query);
  EXPECT_TRUE(d.AtEof().ok());
}

TEST(FramingTest, ClientDecoderReadsTheSslAnswerByteFirst) {
  FrameDecoder d = FrameDecoder::ForClient(/*ssl_requested=*/true);
  d.Feed("N");
  d.Feed(EncodeTypedFrame('Z', "I"));
  std::vector<Frame> frames = DrainAll(d);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].kind, Frame::Kind::kSslResponse);
  EXPECT_EQ(frames[0].type, 'N');
  EXPECT_EQ(frames[1].type, 'Z');

  FrameDecoder bad = FrameDecoder::ForClient(true);
  bad.Feed("R");
  EXPECT_EQ(FirstError(bad).message(),
            "received invalid response to SSL negotiation: R");
}

TEST(FramingTest, ReassemblesByteByByte) {
  std::string stream = EncodeTypedFrame('d', "hello") +
                       EncodeTypedFrame('c', "") + EncodeTypedFrame('X', "");
  FrameDecoder d = FrameDecoder::ForClient(false);
  std::vector<Frame> frames;
  for (char c : stream) {
    d.Feed(std::string(1, c));
    for (Frame& f : DrainAll(d)) frames.push_back(f);
  }
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].body, "hello");
  EXPECT_EQ(frames[1].type, 'c');
  EXPECT_EQ(frames[2].type, 'X');
}

TEST(FramingTest, IncompleteMessageIsNotReturnedAndAtEofComplains) {
  FrameDecoder d = FrameDecoder::ForServer();
  d.Feed(std::string("\0\0\0\x08\x04\xd2", 6));
  EXPECT_EQ(FirstError(d), absl::OkStatus());
  EXPECT_EQ(d.AtEof().message(), "incomplete startup packet");

  FrameDecoder t = FrameDecoder::ForServer();
  t.Feed(EncodeStartupFrame(std::string("\0\x03\0\0user\0u\0\0", 12)));
  DrainAll(t);
  t.Feed(std::string("Q\0\0", 3));
  EXPECT_EQ(FirstError(t), absl::OkStatus());
  EXPECT_EQ(t.AtEof().message(), "unexpected EOF within message length word");
  t.Feed(std::string("\0\x09" "abc", 5));
  EXPECT_EQ(FirstError(t), absl::OkStatus());
  EXPECT_EQ(t.AtEof().message(), "incomplete message from client");
}

TEST(FramingTest, StartupLengthLimits) {
  for (uint32_t len : {0u, 4u, 7u, 10005u, 0x7fffffffu, 0xffffffffu}) {
    FrameDecoder d = FrameDecoder::ForServer();
    std::string word = {static_cast<char>(len >> 24), static_cast<char>(len >> 16),
                        static_cast<char>(len >> 8), static_cast<char>(len)};
    d.Feed(word);
    absl::Status s = FirstError(d);
    EXPECT_EQ(s.message(), "invalid length of startup packet") << len;
    EXPECT_EQ(SqlStateOf(s), sqlstate::kProtocolViolation);
  }
  FrameDecoder ok = FrameDecoder::ForServer();
  ok.Feed(std::string("\0\0\x27\x14", 4));  // 10004: body of exactly 10000
  EXPECT_TRUE(FirstError(ok).ok());
}

TEST(FramingTest, ServerTypedLimitsFollowSocketBackend) {
  auto after_startup = [] {
    FrameDecoder d = FrameDecoder::ForServer();
    d.Feed(EncodeStartupFrame(std::string("\0\x03\0\0user\0u\0\0", 12)));
    DrainAll(d);
    return d;
  };
  FrameDecoder unknown = after_startup();
  unknown.Feed("w");
  EXPECT_EQ(FirstError(unknown).message(), "invalid frontend message type 119");

  FrameDecoder small = after_startup();  // 'c' is at most 10000
  small.Feed(std::string("c\0\0\x27\x11", 5));
  EXPECT_EQ(FirstError(small).message(), "invalid message length");
  FrameDecoder short_len = after_startup();
  short_len.Feed(std::string("d\0\0\0\x03", 5));
  EXPECT_EQ(FirstError(short_len).message(), "invalid message length");
  FrameDecoder large = after_startup();  // 'd' may be ~1 GB: waits for bytes
  large.Feed(std::string("d\x3f\xff\xff\xfe", 5));
  EXPECT_TRUE(FirstError(large).ok());
  EXPECT_EQ(large.buffered_bytes(), 5u);
  FrameDecoder huge = after_startup();
  huge.Feed(std::string("d\x7f\xff\xff\xff", 5));
  EXPECT_EQ(FirstError(huge).message(), "invalid message length");
}

TEST(FramingTest, ClientLimitsFollowLibpq) {
  FrameDecoder d = FrameDecoder::ForClient(false);
  d.Feed(std::string("Z\0\0\x75\x31", 5));  // 30001 for a short type
  absl::Status s = FirstError(d);
  EXPECT_EQ(s.message(),
            "lost synchronization with server: got message type \"Z\", "
            "length 30001");
  FrameDecoder long_ok = FrameDecoder::ForClient(false);
  long_ok.Feed(std::string("d\0\0\x75\x31", 5));
  EXPECT_TRUE(FirstError(long_ok).ok());
  FrameDecoder negative = FrameDecoder::ForClient(false);
  negative.Feed(std::string("D\xff\xff\xff\xff", 5));
  EXPECT_EQ(FirstError(negative).message(),
            "lost synchronization with server: got message type \"D\", "
            "length -1");
}

TEST(FramingTest, ErrorsAreStickyAndDropBufferedBytes) {
  FrameDecoder d = FrameDecoder::ForClient(false);
  d.Feed(std::string("Z\0\0\0\x02", 5));
  absl::Status first = FirstError(d);
  ASSERT_FALSE(first.ok());
  d.Feed(EncodeTypedFrame('Z', "I"));
  EXPECT_EQ(d.buffered_bytes(), 0u);
  EXPECT_EQ(FirstError(d), first);
  EXPECT_EQ(d.AtEof(), first);
}

TEST(FramingTest, SetMaxLengthLowersTheLimit) {
  FrameDecoder d = FrameDecoder::ForClient(false);
  d.set_max_length(100);
  d.Feed(std::string("d\0\0\0\x65", 5));  // 101
  EXPECT_FALSE(FirstError(d).ok());
}

}  // namespace
}  // namespace replsim::wire
