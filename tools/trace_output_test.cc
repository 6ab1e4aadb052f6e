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
  EXPECT_NE(s.find("\"name\":\"thread_name\",\"pid\":2,\"tid\":2,\"args\":{\"name\":\"walreceiver\"}"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("\"ts\":1.500"), std::string::npos) << s;
}

TEST(TraceOutputTest, UnknownFormatIsAClearError) {
  absl::Status st = WriteTrace(Sample(), "xml", Tmp("t.xml"));
  EXPECT_EQ(st.message(), "--trace_format: expected text, json or perfetto, got \"xml\"");
}

}  // namespace
}  // namespace replsim::tools
