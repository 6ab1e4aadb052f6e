#include "sim/trace.h"

#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace replsim::sim {
namespace {

using os::Instant;

void EmitSample(Trace& t, uint64_t lsn) {
  t.Emit(Instant::FromNanos(1'500'000'000), "primary", "walsender", "send")
      .Lsn("start", lsn)
      .Int("bytes", 8192)
      .Str("msg", "hello world")
      .Bool("caughtup", true)
      .Dur("lag", os::Milliseconds(3));
}

TEST(TraceTest, FingerprintIsTheSameWhetherOrNotEventsAreKept) {
  Trace kept(true), hashed(false);
  EmitSample(kept, 0x3000000);
  EmitSample(hashed, 0x3000000);
  EXPECT_EQ(kept.fingerprint(), hashed.fingerprint());
  EXPECT_EQ(kept.events().size(), 1u);
  EXPECT_TRUE(hashed.events().empty());
}

TEST(TraceTest, EveryFieldReachesTheFingerprint) {
  Trace a, b, c, d;
  EmitSample(a, 0x3000000);
  EmitSample(b, 0x3000001);  // one value differs
  c.Emit(Instant::FromNanos(1'500'000'000), "primary", "walsender", "send")
      .Lsn("begin", 0x3000000);  // a key differs
  d.Emit(Instant::FromNanos(1'500'000'000), "primary", "walsender", "send")
      .Uint("start", 0x3000000);  // a type differs
  Trace e;
  e.Emit(Instant::FromNanos(1'500'000'000), "primary", "walsender", "send")
      .Lsn("start", 0x3000000);
  EXPECT_NE(a.fingerprint(), b.fingerprint());
  EXPECT_NE(c.fingerprint(), e.fingerprint());
  EXPECT_NE(d.fingerprint(), e.fingerprint());
}

TEST(TraceTest, EventOrderReachesTheFingerprint) {
  Trace a, b;
  a.Emit(Instant(), "h", "p", "x");
  a.Emit(Instant(), "h", "p", "y");
  b.Emit(Instant(), "h", "p", "y");
  b.Emit(Instant(), "h", "p", "x");
  EXPECT_NE(a.fingerprint(), b.fingerprint());
}

TEST(TraceTest, FormatsInPostgresVocabulary) {
  Trace t(true);
  EmitSample(t, 0x100000028ULL);
  EXPECT_EQ(FormatTraceEvent(t.events()[0]),
            "     1.500000000 primary walsender send start=1/28 bytes=8192 "
            "msg=\"hello world\" caughtup=true lag=0.003000000s");
  EXPECT_EQ(FormatLsn(0x300AB38), "0/300AB38");
}

// The reader of a text trace: a quoted value with its escapes undone.
std::string Unquote(std::string_view q) {
  if (q.empty() || q.front() != '"') return std::string(q);
  std::string out;
  for (size_t i = 1; i + 1 < q.size(); ++i) {
    if (q[i] != '\\') {
      out += q[i];
      continue;
    }
    const char c = q[++i];
    if (c == 'n')
      out += '\n';
    else if (c == 't')
      out += '\t';
    else if (c == 'r')
      out += '\r';
    else if (c == 'x') {
      out += static_cast<char>(std::stoi(std::string(q.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

TEST(TraceTest, StringValuesAreEscapedOntoOneUnambiguousLine) {
  const std::string msg =
      "could not connect to server: \"x\"\n\tIs the server running on host \"primary\"?";
  Trace t(true);
  t.Emit(Instant(), "standby", "walreceiver", "log")
      .Str("kind", "FATAL")
      .Str("message", msg)
      .Str("path", "C:\\dir=1")
      .Str("bell", std::string("a\x07"
                               "b"))
      .Str("empty", "");
  const std::string line = FormatTraceEvent(t.events()[0]);
  EXPECT_EQ(line,
            "     0.000000000 standby walreceiver log kind=FATAL "
            "message=\"could not connect to server: \\\"x\\\"\\n\\tIs the server running on host "
            "\\\"primary\\\"?\" path=\"C:\\\\dir=1\" bell=\"a\\x07b\" empty=\"\"");
  EXPECT_EQ(line.find('\n'), std::string::npos);
  // Each value reads back as it was emitted.
  for (const char* raw : {msg.c_str(), "C:\\dir=1", "plain", "", "a b"}) {
    EXPECT_EQ(Unquote(QuoteTraceString(raw)), raw);
  }
  EXPECT_EQ(QuoteTraceString("pg_xlog/000000010000000000000001"),
            "pg_xlog/000000010000000000000001");
}

TEST(TraceTest, TheFingerprintHashesRawValuesNotTheirEscapedText) {
  const std::string raw = "a \"b\"\nc";
  Trace a, b, kept(true);
  a.Emit(Instant(), "h", "p", "log").Str("message", raw);
  kept.Emit(Instant(), "h", "p", "log").Str("message", raw);
  b.Emit(Instant(), "h", "p", "log").Str("message", QuoteTraceString(raw));
  EXPECT_EQ(a.fingerprint(), kept.fingerprint());
  EXPECT_NE(a.fingerprint(), b.fingerprint());
  EXPECT_EQ(kept.events()[0].fields[0].s, raw);
}

TEST(TraceTest, SinkSeesEventsAndErrorsAreCounted) {
  Trace t;
  std::vector<std::string> kinds;
  t.set_sink([&](const TraceEvent& e) { kinds.push_back(e.kind); });
  t.Emit(Instant(), "h", "p", "a");
  t.Emit(Instant(), "h", "p", "panic", Severity::kError);
  EXPECT_EQ(kinds, (std::vector<std::string>{"a", "panic"}));
  EXPECT_EQ(t.error_count(), 1u);
  EXPECT_EQ(t.event_count(), 2u);
  Trace quiet;
  quiet.Emit(Instant(), "h", "p", "panic", Severity::kError);
  EXPECT_EQ(quiet.error_count(), 1u) << "errors count even when not kept";
}

TEST(TraceTest, WithoutHashingEventsAreCountedAndSeenButNotHashed) {
  Trace a, b, hashed;
  a.set_hashing(false);
  b.set_hashing(false);
  std::vector<std::string> seen;
  a.set_sink([&](const TraceEvent& e) { seen.push_back(FormatTraceEvent(e)); });
  EmitSample(a, 0x3000000);
  EmitSample(b, 0x3000001);
  EmitSample(hashed, 0x3000000);
  EXPECT_EQ(a.event_count(), 1u);
  ASSERT_EQ(seen.size(), 1u) << "the sink still sees the whole event";
  EXPECT_NE(seen[0].find("start=0/3000000 bytes=8192"), std::string::npos) << seen[0];
  EXPECT_EQ(a.fingerprint(), b.fingerprint()) << "nothing was hashed";
  EXPECT_NE(a.fingerprint(), hashed.fingerprint());
}

TEST(TraceTest, AnEventEmittedWhileAnotherIsBeingBuiltKeepsBothIntact) {
  Trace t(true);
  auto inner = [&t] {
    t.Emit(Instant(), "h", "p", "inner").Int("n", 2);
    return std::string("outer value");
  };
  t.Emit(Instant(), "h", "p", "outer").Int("n", 1).Str("s", inner());
  t.Emit(Instant(), "h", "p", "after").Int("n", 3);
  ASSERT_EQ(t.events().size(), 3u);
  EXPECT_EQ(FormatTraceEvent(t.events()[0]), "     0.000000000 h p inner n=2");
  EXPECT_EQ(FormatTraceEvent(t.events()[1]),
            "     0.000000000 h p outer n=1 s=\"outer value\"");
  EXPECT_EQ(FormatTraceEvent(t.events()[2]), "     0.000000000 h p after n=3");
}

}  // namespace
}  // namespace replsim::sim
