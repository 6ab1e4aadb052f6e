#include "tools/trace_output.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace replsim::tools {
namespace {

std::vector<sim::TraceEvent> Sample() {
  sim::Trace t(true);
  t.Emit(os::Instant::FromNanos(1500), "primary", "walsender", "send").Lsn("start", 0x3000000);
  t.Emit(os::Instant::FromNanos(2500), "standby", "walreceiver", "log")
      .Str("message", "replication terminated by \"primary\"");
  return t.events();
}

std::string Slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Tmp(const char* n) {
  const char* d = std::getenv("TEST_TMPDIR");
  return std::string(d ? d : "/tmp") + "/" + n;
}

TEST(TraceOutputTest, TextIsOneLinePerEventInPostgresVocabulary) {
  ASSERT_TRUE(WriteTrace(Sample(), "text", Tmp("t.txt")).ok());
  const std::string s = Slurp(Tmp("t.txt"));
  EXPECT_NE(s.find("primary walsender send start=0/3000000"), std::string::npos) << s;
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 2);
}

TEST(TraceOutputTest, JsonLinesEscapeStrings) {
  ASSERT_TRUE(WriteTrace(Sample(), "json", Tmp("t.json")).ok());
  const std::string s = Slurp(Tmp("t.json"));
  EXPECT_NE(s.find("{\"time_ns\":1500,\"host\":\"primary\",\"process\":\"walsender\","
                   "\"kind\":\"send\",\"fields\":{\"start\":\"0/3000000\"}}"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("by \\\"primary\\\""), std::string::npos) << s;
}

TEST(TraceOutputTest, PerfettoNamesHostsAndProcessesAndPlacesEventsInMicroseconds) {
  ASSERT_TRUE(WriteTrace(Sample(), "perfetto", Tmp("t.pf.json")).ok());
  const std::string s = Slurp(Tmp("t.pf.json"));
  EXPECT_NE(s.find("\"traceEvents\""), std::string::npos);
  EXPECT_NE(s.find("\"name\":\"process_name\",\"pid\":1,\"args\":{\"name\":\"primary\"}"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("\"args\":{\"name\":\"walreceiver\"}"), std::string::npos) << s;
  EXPECT_NE(s.find("\"ts\":1.500"), std::string::npos) << s;
  // A log event is named by its level and text, not "log".
  EXPECT_NE(s.find("\"name\":\": replication terminated by \\\"primary\\\"\""), std::string::npos)
      << s;
}

// A walsender's XLogData read by a walreceiver: tracks named by process and
// pid, the lifetime as a slice, a flow from sender to reader, LSN counters,
// and a violation as a global instant.
TEST(TraceOutputTest, PerfettoHasTracksSlicesFlowsCountersAndTheViolation) {
  sim::Trace t(true);
  auto at = [](int64_t ns) { return os::Instant::FromNanos(ns); };
  t.Emit(at(0), "primary", "backend", "process_start", sim::Severity::kInfo, 14).Int("pid", 14);
  t.Emit(at(0), "standby", "walreceiver", "process_start", sim::Severity::kInfo, 13)
      .Int("pid", 13);
  t.Emit(at(10), "standby", "tcp", "tcp_established").Uint("socket", 3).Uint("peer", 4);
  t.Emit(at(2000), "primary", "backend", "msg_sent", sim::Severity::kInfo, 14)
      .Uint("socket", 4).Uint("offset", 6548).Uint("bytes", 150).Str("msg", "XLogData")
      .Lsn("start", 0x1001630).Lsn("end", 0x10016A8);
  t.Emit(at(5000), "standby", "walreceiver", "msg_received", sim::Severity::kInfo, 13)
      .Uint("socket", 3).Uint("offset", 6548).Uint("bytes", 150).Str("msg", "XLogData")
      .Lsn("start", 0x1001630).Lsn("end", 0x10016A8);
  t.Emit(at(9000), "standby", "walreceiver", "process_exit").Int("pid", 13).Int("code", 1);
  absl::StatusOr<std::unique_ptr<TraceWriter>> w = TraceWriter::Open("perfetto", Tmp("f.json"));
  ASSERT_TRUE(w.ok());
  for (const auto& e : t.events()) (*w)->Write(e);
  (*w)->MarkViolation(9500, "CLEAN_SWITCHOVER at 0.000010s: missed the tail", "evidence");
  ASSERT_TRUE((*w)->Finish().ok());
  const std::string s = Slurp(Tmp("f.json"));
  EXPECT_NE(s.find("\"tid\":14,\"args\":{\"name\":\"walsender 14\"}"), std::string::npos) << s;
  EXPECT_NE(s.find("{\"ph\":\"B\",\"name\":\"walreceiver\",\"pid\":2,\"tid\":13,\"ts\":0.000}"),
            std::string::npos) << s;
  EXPECT_NE(s.find("{\"ph\":\"E\",\"name\":\"\",\"pid\":2,\"tid\":13,\"ts\":9.000}"),
            std::string::npos) << s;
  const std::string id = std::to_string((uint64_t{4} << 32) | 6548);
  EXPECT_NE(s.find("{\"ph\":\"s\",\"name\":\"message\",\"cat\":\"message\",\"id\":" + id +
                   ",\"pid\":1,\"tid\":14,\"ts\":2.000}"),
            std::string::npos) << s;
  EXPECT_NE(s.find("{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"message\",\"cat\":\"message\",\"id\":" +
                   id + ",\"pid\":2,\"tid\":13,\"ts\":5.000}"),
            std::string::npos) << s;
  EXPECT_NE(s.find("\"name\":\"XLogData 0/1001630..0/10016A8\""), std::string::npos) << s;
  EXPECT_NE(s.find("\"name\":\"received LSN\",\"pid\":2,\"ts\":5.000,\"args\":{\"lsn\":16783016}"),
            std::string::npos) << s;
  EXPECT_NE(s.find("\"ph\":\"i\",\"s\":\"g\",\"name\":\"CLEAN_SWITCHOVER at"), std::string::npos)
      << s;
  // The primary's backend never exited: its slice is closed at the end.
  EXPECT_NE(s.find("{\"ph\":\"E\",\"name\":\"\",\"pid\":1,\"tid\":14,\"ts\":9.000}"),
            std::string::npos) << s;
}

TEST(TraceOutputTest, UnknownFormatIsAClearError) {
  absl::Status st = WriteTrace(Sample(), "xml", Tmp("t.xml"));
  EXPECT_EQ(st.message(), "--trace_format: expected text, json or perfetto, got \"xml\"");
}

}  // namespace
}  // namespace replsim::tools
