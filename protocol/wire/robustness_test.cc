// Randomized robustness: garbage, truncated and mutated inputs (seeded from
// the real PostgreSQL 15 streams and from our own encodings) into every
// decoder and the command parser. Each must return a value or a clear error
// (a message and a SQLSTATE), never crash, and never hold more bytes than it
// was fed; whatever decodes must re-encode and decode to the same value.
// Run it under --config=asan as well.
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocol/wire/copy_data.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/message.h"
#include "protocol/wire/replication_command.h"
#include "protocol/wire/startup_packet.h"
#include "protocol/wire/wire_error.h"

namespace replsim::wire {
namespace {

struct SplitMix64 {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return n == 0 ? 0 : Next() % n; }
};

std::string ReadFile(const std::string& name) {
  std::ifstream in("protocol/wire/testdata/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ExpectClearError(const absl::Status& s) {
  EXPECT_FALSE(s.message().empty());
  EXPECT_EQ(SqlStateOf(s).size(), 5u) << s;
}

// Flips, inserts, deletes, truncates or replaces with garbage.
std::string Mutate(std::string s, SplitMix64& rng) {
  switch (rng.Below(5)) {
    case 0:  // pure garbage
      s.assign(rng.Below(64), '\0');
      for (char& c : s) c = static_cast<char>(rng.Next());
      return s;
    case 1:  // truncate
      s.resize(rng.Below(s.size() + 1));
      return s;
    default:  // a few byte edits
      for (size_t n = 1 + rng.Below(4); n > 0; --n) {
        size_t at = rng.Below(s.size() + 1);
        char c = static_cast<char>(rng.Next());
        if (rng.Below(3) == 0 || s.empty() || at == s.size()) {
          s.insert(at, 1, c);
        } else if (rng.Below(2) == 0) {
          s[at] = c;
        } else {
          s.erase(at, 1);
        }
      }
      return s;
  }
}

void FeedDecoder(FrameDecoder d, const std::string& bytes, SplitMix64& rng) {
  size_t pos = 0;
  size_t fed = 0;
  while (pos < bytes.size()) {
    size_t n = std::min(bytes.size() - pos, 1 + rng.Below(300));
    d.Feed(absl::string_view(bytes).substr(pos, n));
    pos += n;
    fed += n;
    ASSERT_LE(d.buffered_bytes(), fed);
    while (true) {
      absl::StatusOr<std::optional<Frame>> f = d.Next();
      if (!f.ok()) {
        ExpectClearError(f.status());
        return;
      }
      if (!f->has_value()) break;
      const Frame& frame = **f;
      EXPECT_EQ(EncodeFrame(frame).size(),
                frame.body.size() + (frame.kind == Frame::Kind::kSslResponse
                                         ? 1
                                         : frame.kind == Frame::Kind::kTyped ? 5 : 4));
    }
  }
  absl::Status eof = d.AtEof();
  if (!eof.ok()) ExpectClearError(eof);
}

template <class Variant, class DecodeFn, class EncodeFn>
void CheckDecoder(const std::string& input, DecodeFn decode, EncodeFn encode) {
  absl::StatusOr<Variant> m = decode(input);
  if (!m.ok()) {
    ExpectClearError(m.status());
    return;
  }
  absl::StatusOr<Variant> again = decode(encode(*m));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *m);
}

TEST(RobustnessTest, MutatedStreamsIntoTheFrameDecoders) {
  const std::string c2s = ReadFile("pg15_physical_stream.client_to_server.bin");
  const std::string s2c = ReadFile("pg15_physical_stream.server_to_client.bin");
  ASSERT_FALSE(c2s.empty());
  ASSERT_FALSE(s2c.empty());
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    SplitMix64 rng{seed};
    FeedDecoder(FrameDecoder::ForServer(), Mutate(c2s, rng), rng);
    FeedDecoder(FrameDecoder::ForClient(true), Mutate(s2c, rng), rng);
    FeedDecoder(FrameDecoder::ForClient(false), Mutate(c2s, rng), rng);
  }
}

TEST(RobustnessTest, MutatedBodiesIntoMessageDecoders) {
  const std::vector<std::string> backend = {
      Encode(AuthenticationRequest{}), Encode(ParameterStatus{"a", "b"}),
      Encode(BackendKeyData{1, 2}), Encode(ReadyForQuery{}),
      Encode(RowDescription{{{"systemid", 0, 0, kTextOid, -1, -1, 0}}}),
      Encode(DataRow{{std::string("x"), std::nullopt}}),
      Encode(CommandComplete{"COPY 0"}),
      Encode(ErrorResponse{ErrorFields::Make("FATAL", "57P01", "bye")}),
      Encode(CopyBothResponse{0, {0, 1}}), Encode(CopyData{"k"}),
      Encode(CopyDone{})};
  const std::vector<std::string> frontend = {
      Encode(Query{"IDENTIFY_SYSTEM"}), Encode(CopyFail{"x"}), Encode(Terminate{}),
      Encode(CopyData{"r"})};
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    SplitMix64 rng{seed};
    std::string b = Mutate(backend[rng.Below(backend.size())], rng);
    if (b.size() >= 1) {
      Frame f{Frame::Kind::kTyped, b[0], b.size() >= 5 ? b.substr(5) : ""};
      CheckDecoder<BackendMessage>(
          "", [&](const std::string& bytes) {
            return bytes.empty() ? DecodeBackendMessage(f)
                                 : DecodeBackendMessage(
                                       Frame{Frame::Kind::kTyped, bytes[0],
                                             bytes.substr(5)});
          },
          [](const BackendMessage& m) { return EncodeBackendMessage(m); });
    }
    std::string q = Mutate(frontend[rng.Below(frontend.size())], rng);
    if (q.size() >= 1) {
      Frame f{Frame::Kind::kTyped, q[0], q.size() >= 5 ? q.substr(5) : ""};
      absl::StatusOr<FrontendMessage> m = DecodeFrontendMessage(f);
      if (!m.ok()) {
        ExpectClearError(m.status());
      } else {
        std::string again = EncodeFrontendMessage(*m);
        EXPECT_EQ(*DecodeFrontendMessage(
                      Frame{Frame::Kind::kTyped, again[0], again.substr(5)}),
                  *m);
      }
    }
    std::string sp = Mutate(EncodeStartupPacket(StartupMessage{
                                kProtocolVersion3,
                                {{"user", "u"}, {"replication", "true"}}}),
                            rng);
    CheckDecoder<StartupPacket>(
        sp.size() >= 4 ? sp.substr(4) : sp,
        [](const std::string& body) { return DecodeStartupPacket(body); },
        [](const StartupPacket& p) { return EncodeStartupPacket(p).substr(4); });
  }
}

TEST(RobustnessTest, MutatedCopyPayloads) {
  const std::vector<std::string> to_standby = {
      EncodeCopyPayload(XLogData{1, 2, 3, "wal"}),
      EncodeCopyPayload(PrimaryKeepalive{1, 2, true})};
  const std::vector<std::string> to_primary = {
      EncodeCopyPayload(StandbyStatusUpdate{1, 2, 3, 4, false}),
      EncodeCopyPayload(HotStandbyFeedback{1, 2, 3, 4, 5})};
  for (uint64_t seed = 1; seed <= 3000; ++seed) {
    SplitMix64 rng{seed};
    CheckDecoder<WalSenderMessage>(
        Mutate(to_standby[rng.Below(2)], rng),
        [](const std::string& p) { return DecodeWalSenderMessage(p); },
        [](const WalSenderMessage& m) { return EncodeCopyPayload(m); });
    const Dialect dialect = rng.Below(2) == 0 ? Dialect::kPg93 : Dialect::kPg15;
    const std::string p = Mutate(to_primary[rng.Below(2)], rng);
    absl::StatusOr<StandbyMessage> m = DecodeStandbyMessage(p, dialect);
    if (!m.ok()) ExpectClearError(m.status());
  }
}

TEST(RobustnessTest, MutatedCommandsIntoTheParser) {
  const std::vector<std::string> commands = {
      "IDENTIFY_SYSTEM", "START_REPLICATION SLOT \"s\" PHYSICAL 0/3000000 TIMELINE 1",
      "TIMELINE_HISTORY 2", "BASE_BACKUP (LABEL 'x', WAL, MAX_RATE 32)",
      "BASE_BACKUP LABEL 'x' WAL NOWAIT FAST", "SHOW a.b;",
      "CREATE_REPLICATION_SLOT s LOGICAL p (TWO_PHASE)", "SELECT 'x'"};
  for (uint64_t seed = 1; seed <= 5000; ++seed) {
    SplitMix64 rng{seed};
    std::string q = Mutate(commands[rng.Below(commands.size())], rng);
    for (Dialect d : {Dialect::kPg93, Dialect::kPg15}) {
      absl::StatusOr<ReplicationCommand> c = ParseReplicationCommand(q, d);
      if (!c.ok()) {
        ExpectClearError(c.status());
        EXPECT_EQ(SqlStateOf(c.status()), "42601") << q;
      }
    }
  }
}

}  // namespace
}  // namespace replsim::wire
