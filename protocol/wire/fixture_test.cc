// Fixture tests: the bytes a real PostgreSQL 15.20 walsender and walreceiver
// exchanged (testdata/, copied from shared/fixtures). Every message must
// decode to exactly the fields listed in pg15_physical_stream.messages.tsv,
// re-encode to exactly the same bytes, and come out the same when the stream
// is fed to the decoder in random pieces.
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "protocol/wire/copy_data.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/message.h"
#include "protocol/wire/replication_command.h"
#include "protocol/wire/result_sets.h"
#include "protocol/wire/startup_packet.h"

namespace replsim::wire {
namespace {

std::string ReadFile(const std::string& name) {
  std::ifstream in("protocol/wire/testdata/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TsvRow {
  std::string direction, type, decoded;
  size_t offset = 0;
  size_t length = 0;
};

std::vector<TsvRow> ReadTsv(const std::string& direction) {
  std::vector<TsvRow> rows;
  std::vector<std::string> lines =
      absl::StrSplit(ReadFile("pg15_physical_stream.messages.tsv"), '\n');
  for (size_t i = 1; i < lines.size(); ++i) {  // skip the header
    if (lines[i].empty()) continue;
    std::vector<std::string> cols = absl::StrSplit(lines[i], '\t');
    EXPECT_EQ(cols.size(), 5u) << lines[i];
    if (cols.size() != 5 || cols[0] != direction) continue;
    TsvRow r{cols[0], cols[2], cols[4]};
    r.offset = std::stoul(cols[1]);
    r.length = std::stoul(cols[3]);
    rows.push_back(r);
  }
  return rows;
}

// splitmix64, for the split points.
uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::vector<Frame> DecodeStream(FrameDecoder d, const std::string& bytes,
                                uint64_t seed /* 0: all at once */) {
  std::vector<Frame> frames;
  size_t pos = 0;
  uint64_t state = seed;
  while (pos < bytes.size()) {
    size_t n = seed == 0 ? bytes.size() : 1 + SplitMix64(state) % 700;
    n = std::min(n, bytes.size() - pos);
    d.Feed(absl::string_view(bytes).substr(pos, n));
    pos += n;
    while (true) {
      absl::StatusOr<std::optional<Frame>> f = d.Next();
      EXPECT_TRUE(f.ok()) << f.status();
      if (!f.ok() || !f->has_value()) break;
      frames.push_back(**f);
    }
  }
  EXPECT_TRUE(d.AtEof().ok());
  return frames;
}

std::string Lsn(XLogRecPtr p) { return FormatLsn(p); }

// The TSV's "decoded" column for a client->server frame.
std::string DescribeClientFrame(const Frame& f) {
  if (f.kind == Frame::Kind::kStartupPacket) {
    absl::StatusOr<StartupPacket> p = DecodeStartupPacket(f.body);
    EXPECT_TRUE(p.ok()) << p.status();
    if (!p.ok()) return "<error>";
    if (std::holds_alternative<SslRequest>(*p)) return "";
    std::vector<std::string> kv;
    for (const auto& [k, v] : std::get<StartupMessage>(*p).parameters) {
      kv.push_back(absl::StrCat(k, "=", v));
    }
    return absl::StrJoin(kv, " ");
  }
  absl::StatusOr<FrontendMessage> m = DecodeFrontendMessage(f);
  EXPECT_TRUE(m.ok()) << m.status();
  if (!m.ok()) return "<error>";
  if (const Query* q = std::get_if<Query>(&*m)) return q->sql;
  const CopyData& cd = std::get<CopyData>(*m);
  absl::StatusOr<StandbyMessage> s = DecodeStandbyMessage(cd.data, Dialect::kPg15);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return "<error>";
  if (const auto* r = std::get_if<StandbyStatusUpdate>(&*s)) {
    EXPECT_EQ(EncodeCopyPayload(*r), cd.data);
    return absl::StrCat("r write=", Lsn(r->write), " flush=", Lsn(r->flush),
                        " apply=", Lsn(r->apply), " sendTime=", r->send_time,
                        " replyRequested=", r->reply_requested ? 1 : 0);
  }
  const auto& h = std::get<HotStandbyFeedback>(*s);
  EXPECT_EQ(EncodeCopyPayload(h, Dialect::kPg15), cd.data);
  return absl::StrCat("h sendTime=", h.send_time, " xmin=", h.xmin,
                      " epoch=", h.epoch, " catalog_xmin=", h.catalog_xmin,
                      " catalog_epoch=", h.catalog_epoch);
}

// The TSV's "decoded" column for a server->client frame; collects WAL.
std::string DescribeServerFrame(const Frame& f, std::string* wal) {
  if (f.kind == Frame::Kind::kSslResponse) return std::string(1, f.type);
  absl::StatusOr<BackendMessage> m = DecodeBackendMessage(f);
  EXPECT_TRUE(m.ok()) << m.status();
  if (!m.ok()) return "<error>";
  if (const auto* a = std::get_if<AuthenticationRequest>(&*m)) {
    return absl::StrCat("code=", a->code);
  }
  if (const auto* p = std::get_if<ParameterStatus>(&*m)) {
    return absl::StrCat(p->name, "=", p->value);
  }
  if (const auto* z = std::get_if<ReadyForQuery>(&*m)) {
    return absl::StrCat("status=", std::string(1, z->status));
  }
  if (const auto* c = std::get_if<CommandComplete>(&*m)) return c->tag;
  const CopyData* cd = std::get_if<CopyData>(&*m);
  if (cd == nullptr) return "";  // T, D, K, W: checked separately
  absl::StatusOr<WalSenderMessage> w = DecodeWalSenderMessage(cd->data);
  EXPECT_TRUE(w.ok()) << w.status();
  if (!w.ok()) return "<error>";
  EXPECT_EQ(EncodeCopyPayload(*w), cd->data);
  if (const auto* x = std::get_if<XLogData>(&*w)) {
    EXPECT_EQ(x->data_start, 0x3000000 + wal->size()) << "WAL is contiguous";
    *wal += x->wal;
    return absl::StrCat("w dataStart=", Lsn(x->data_start), " walEnd=",
                        Lsn(x->wal_end), " sendTime=", x->send_time,
                        " walBytes=", x->wal.size());
  }
  const auto& k = std::get<PrimaryKeepalive>(*w);
  return absl::StrCat("k walEnd=", Lsn(k.wal_end), " sendTime=", k.send_time,
                      " replyRequested=", k.reply_requested ? 1 : 0);
}

std::string TypeName(const Frame& f, size_t index) {
  switch (f.kind) {
    case Frame::Kind::kSslResponse:
      return "SSLResponse";
    case Frame::Kind::kStartupPacket:
      return index == 0 ? "SSLRequest" : "StartupMessage";
    case Frame::Kind::kTyped:
      return std::string(1, f.type);
  }
  return "?";
}

void CheckAgainstTsv(const std::string& bytes, const std::vector<Frame>& frames,
                     const std::vector<TsvRow>& rows, bool client_side,
                     std::string* wal) {
  ASSERT_EQ(frames.size(), rows.size());
  size_t offset = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    const Frame& f = frames[i];
    const std::string encoded = EncodeFrame(f);
    SCOPED_TRACE(absl::StrCat("message ", i, " at ", offset));
    EXPECT_EQ(rows[i].offset, offset);
    EXPECT_EQ(TypeName(f, i), rows[i].type);
    EXPECT_EQ(rows[i].length, f.kind == Frame::Kind::kSslResponse
                                  ? 1
                                  : f.body.size() + 4);
    EXPECT_EQ(encoded, bytes.substr(offset, encoded.size()));
    EXPECT_EQ(client_side ? DescribeClientFrame(f) : DescribeServerFrame(f, wal),
              rows[i].decoded);
    offset += encoded.size();
  }
  EXPECT_EQ(offset, bytes.size());
}

TEST(FixtureTest, ClientToServerMatchesTsvAndReencodes) {
  const std::string bytes = ReadFile("pg15_physical_stream.client_to_server.bin");
  std::vector<Frame> frames = DecodeStream(FrameDecoder::ForServer(), bytes, 0);
  CheckAgainstTsv(bytes, frames, ReadTsv("C>S"), /*client_side=*/true, nullptr);
  // Structured re-encoding of the startup packets and queries.
  ASSERT_GE(frames.size(), 4u);
  StartupPacket startup = *DecodeStartupPacket(frames[1].body);
  EXPECT_EQ(EncodeStartupPacket(startup), bytes.substr(8, 81));
  EXPECT_EQ(std::get<StartupMessage>(startup).protocol_version, 196608u);
  EXPECT_EQ(*ParseReplicationParameter(
                *std::get<StartupMessage>(startup).Get("replication")),
            ReplicationMode::kPhysical);
  EXPECT_EQ(EncodeStartupPacket(SslRequest{}), bytes.substr(0, 8));
  EXPECT_EQ(Encode(Query{kIdentifySystemText}), bytes.substr(89, 21));
  EXPECT_EQ(Encode(Query{FormatStartReplication(std::nullopt, 0x3000000, 1)}),
            bytes.substr(110, 44));
}

TEST(FixtureTest, ServerToClientMatchesTsvReencodesAndCarriesTheWal) {
  const std::string bytes = ReadFile("pg15_physical_stream.server_to_client.bin");
  std::vector<Frame> frames = DecodeStream(FrameDecoder::ForClient(true), bytes, 0);
  std::string wal;
  CheckAgainstTsv(bytes, frames, ReadTsv("S>C"), /*client_side=*/false, &wal);
  EXPECT_EQ(wal, ReadFile("pg15_wal_0-3000000_to_0-300AB38.bin"));
}

TEST(FixtureTest, IdentifySystemResultSetIsWhatWeBuild) {
  const std::string bytes = ReadFile("pg15_physical_stream.server_to_client.bin");
  // 'T' at 423, 'D' at 535, 'C' at 587, 'Z' at 608 (TSV offsets).
  ResultSet rs;
  rs.description = *Decode<RowDescription>(bytes.substr(423 + 5, 111 - 4));
  rs.rows.push_back(*Decode<DataRow>(bytes.substr(535 + 5, 51 - 4)));
  absl::StatusOr<IdentifySystemResult> r = ReadIdentifySystem(rs);
  ASSERT_TRUE(r.ok()) << r.status();
  // identify_system.txt: 7712202343776888185 | 1 | 0/3000000 | (NULL)
  IdentifySystemResult expected{7712202343776888185ull, 1, 0x3000000, std::nullopt};
  EXPECT_EQ(*r, expected);
  EXPECT_EQ(BuildIdentifySystem(expected, Dialect::kPg15), rs);
  EXPECT_EQ(EncodeResultSet(rs, "IDENTIFY_SYSTEM"), bytes.substr(423, 608 - 423));
  // CopyBothResponse: format 0, no columns.
  EXPECT_EQ(Encode(CopyBothResponse{}), bytes.substr(614, 8));
  // The shutdown ending: CommandComplete "COPY 0" and nothing after it.
  EXPECT_EQ(Encode(CommandComplete{"COPY 0"}), bytes.substr(44804));
}

TEST(FixtureTest, RandomSplitsGiveTheSameFrames) {
  const std::string c2s = ReadFile("pg15_physical_stream.client_to_server.bin");
  const std::string s2c = ReadFile("pg15_physical_stream.server_to_client.bin");
  const std::vector<Frame> c_whole = DecodeStream(FrameDecoder::ForServer(), c2s, 0);
  const std::vector<Frame> s_whole =
      DecodeStream(FrameDecoder::ForClient(true), s2c, 0);
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    EXPECT_EQ(DecodeStream(FrameDecoder::ForServer(), c2s, seed), c_whole) << seed;
    EXPECT_EQ(DecodeStream(FrameDecoder::ForClient(true), s2c, seed), s_whole)
        << seed;
  }
}

}  // namespace
}  // namespace replsim::wire
