// The HTML space-time diagram: the page is self-contained, and, in a real
// headless Chromium, the known failing seed of clean_switchover (pg-9.3beta2,
// seed 7971) shows its lanes, the shutdown checkpoint's XLogData that the
// standby never read, the promotion, and the violation mark. The browser test
// skips when /usr/bin/chromium is missing (tools/setup.sh installs it) and
// leaves a screenshot in the test's outputs (TEST_UNDECLARED_OUTPUTS_DIR).
#include "tools/html_diagram.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/container/btree_map.h"
#include "absl/container/btree_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "scenarios/runner.h"
#include "scenarios/scenario_loader.h"
#include "tools/sweep_plots.h"

namespace replsim::tools {
namespace {

constexpr char kChromium[] = "/usr/bin/chromium";

std::string Dir(const char* env) {
  const char* d = std::getenv(env);
  return d != nullptr ? d : "/tmp";
}

std::string Slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The diagram of clean_switchover's known failing seed, written to a file.
std::string WriteFailingSeedDiagram() {
  absl::StatusOr<scenarios::Scenario> s =
      scenarios::LoadScenarioFile("scenarios/clean_switchover.textproto");
  EXPECT_TRUE(s.ok()) << s.status();
  HtmlDiagram d;
  scenarios::RunOptions o;
  o.profile = "pg-9.3beta2";
  o.sink = [&](const sim::TraceEvent& e) { d.Add(e); };
  absl::StatusOr<scenarios::RunReport> r = scenarios::RunScenario(*s, 7971, o);
  EXPECT_TRUE(r.ok()) << r.status();
  EXPECT_NE(r->first_violation(), nullptr) << "seed 7971 is expected to fail under pg-9.3beta2";
  const std::string path = Dir("TEST_TMPDIR") + "/clean_switchover_7971.html";
  EXPECT_TRUE(d.Write(path, DiagramRunFrom("clean_switchover pg-9.3beta2 seed 7971", "", *r)).ok());
  return path;
}

TEST(HtmlDiagramTest, PageIsSelfContainedAndEscapesScriptEnds) {
  HtmlDiagram d;
  sim::Trace t(true);
  t.Emit(os::Instant::FromNanos(5), "primary", "backend", "log").Str("message", "</script><b>");
  d.Add(t.events()[0]);
  const std::string page = d.Page(DiagramRun{"t", "ok", "", {}});
  EXPECT_EQ(page.find("</script><b>"), std::string::npos) << "an event's text ended the script";
  EXPECT_NE(page.find("<\\/script><b>"), std::string::npos);
  for (const char* external : {"<script src", "<link", "@import", "url(http", "fetch("}) {
    EXPECT_EQ(page.find(external), std::string::npos) << external;
  }
}

// The diagram's arrows match a reader's msg_received to its sender's
// msg_sent by connection and byte offset: that needs every byte both ends
// exchange to be noted, in order, at both ends.
TEST(HtmlDiagramTest, EveryMessageReadWasNotedByItsSenderAtItsOffset) {
  absl::StatusOr<scenarios::Scenario> s =
      scenarios::LoadScenarioFile("scenarios/clean_switchover.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  absl::btree_map<uint64_t, uint64_t> peer, next_offset;
  absl::btree_set<std::pair<uint64_t, uint64_t>> sent;
  int received = 0, matched = 0;
  scenarios::RunOptions o;
  o.profile = "pg-9.3beta2";
  o.sink = [&](const sim::TraceEvent& e) {
    if (e.kind == "tcp_established") {
      peer[e.Find("socket")->u] = e.Find("peer")->u;
      peer[e.Find("peer")->u] = e.Find("socket")->u;
    }
    if (e.kind != "msg_sent" && e.kind != "msg_received") return;
    const uint64_t socket = e.Find("socket")->u, offset = e.Find("offset")->u;
    if (e.kind == "msg_sent") {
      EXPECT_EQ(offset, next_offset[socket]) << "a gap in what socket " << socket << " sent";
      next_offset[socket] = offset + e.Find("bytes")->u;
      sent.insert({socket, offset});
      return;
    }
    ++received;
    if (sent.count({peer[socket], offset}) > 0) ++matched;
  };
  ASSERT_TRUE(scenarios::RunScenario(*s, 7971, o).ok());
  EXPECT_GT(received, 100);
  EXPECT_EQ(matched, received);
}

// Runs Chromium headless as the test's outputs need it; returns its exit code.
int Chromium(const std::string& args, const std::string& out) {
  const std::string profile = Dir("TEST_TMPDIR") + "/chromium-profile";
  const std::string cmd = absl::StrCat(
      "rm -rf '", profile, "' && timeout 120 ", kChromium,
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --disable-dev-shm-usage --user-data-dir='", profile, "' ", args, " > '", out,
      "' 2> '", out, ".stderr'");
  return std::system(cmd.c_str());
}

TEST(HtmlDiagramBrowserTest, FailingSeedShowsLanesArrowsAndTheViolationInChromium) {
  if (access(kChromium, X_OK) != 0) GTEST_SKIP() << kChromium << " is not installed";
  const std::string page = WriteFailingSeedDiagram();
  const std::string dom_path = Dir("TEST_TMPDIR") + "/dom.html";
  ASSERT_EQ(Chromium(absl::StrCat("--dump-dom 'file://", page, "'"), dom_path), 0)
      << Slurp(dom_path + ".stderr");
  const std::string dom = Slurp(dom_path);
  // The script ran to its end (an exception would stop it before).
  EXPECT_NE(dom.find("data-ready=\"true\""), std::string::npos) << dom.substr(0, 2000);
  for (const char* lane : {"primary/walsender", "standby/walreceiver", "standby/startup",
                           "primary/postmaster", "standby/postmaster"}) {
    EXPECT_NE(dom.find(absl::StrCat("data-lane=\"", lane, "\"")), std::string::npos) << lane;
  }
  // The shutdown checkpoint's WAL, sent and never read by the walreceiver;
  // the connection ending; the promotion; the violation mark.
  EXPECT_NE(dom.find("XLogData 0/1001A18..0/1001A90"), std::string::npos);
  EXPECT_NE(dom.find("class=\"arrow kind-wal unread\""), std::string::npos);
  EXPECT_NE(dom.find("never read"), std::string::npos);
  EXPECT_NE(dom.find("rst received unread=162"), std::string::npos);
  EXPECT_NE(dom.find("LOG: received promote request"), std::string::npos);
  EXPECT_NE(dom.find("class=\"violation\""), std::string::npos);
  EXPECT_NE(dom.find("VIOLATION at 5.189717s: CLEAN_SWITCHOVER"), std::string::npos);
  // The primary's walsender as boxes of its WalSndState: streaming, then
  // stopping from the postmaster's SIGUSR2 until it exits.
  EXPECT_NE(dom.find("class=\"wsstate ws-streaming\""), std::string::npos);
  EXPECT_NE(dom.find("class=\"wsstate ws-stopping\""), std::string::npos);
  EXPECT_NE(dom.find("WALSNDSTATE_STOPPING"), std::string::npos);
  EXPECT_NE(dom.find("data-state=\"PM_SHUTDOWN_2\""), std::string::npos);

  const std::string png = Dir("TEST_UNDECLARED_OUTPUTS_DIR") + "/clean_switchover_7971.png";
  ASSERT_EQ(Chromium(absl::StrCat("--window-size=1600,1000 --screenshot='", png, "' 'file://",
                                  page, "'"),
                     Dir("TEST_TMPDIR") + "/shot.log"),
            0);
  EXPECT_GT(Slurp(png).size(), 20000u) << "an empty screenshot";
}

// The replsim binary, run with `args` and `env`; returns its exit code.
int Replsim(const std::string& env, const std::string& args) {
  const std::string cmd =
      absl::StrCat(env, " tools/replsim ", args, " > '", Dir("TEST_TMPDIR"), "/replsim.out' 2>&1");
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

// A run that crashes replsim still leaves its page: the events up to the
// crash and a crash mark.
TEST(HtmlDiagramBrowserTest, CrashedRunLeavesAPartialPageWithACrashMark) {
  if (access(kChromium, X_OK) != 0) GTEST_SKIP() << kChromium << " is not installed";
  const std::string page = Dir("TEST_TMPDIR") + "/crashed.html";
  ASSERT_EQ(Replsim("REPLSIM_SELFTEST_CRASH_AFTER_EVENTS=300",
                    absl::StrCat("run scenarios/clean_switchover.textproto --seed 7971 --profile "
                                 "pg-9.3beta2 --html ", page)),
            3)
      << Slurp(Dir("TEST_TMPDIR") + "/replsim.out");
  const std::string dom_path = Dir("TEST_TMPDIR") + "/crashed_dom.html";
  ASSERT_EQ(Chromium(absl::StrCat("--dump-dom 'file://", page, "'"), dom_path), 0);
  const std::string dom = Slurp(dom_path);
  EXPECT_NE(dom.find("data-ready=\"true\""), std::string::npos);
  EXPECT_NE(dom.find("class=\"violation crash\""), std::string::npos);
  EXPECT_NE(dom.find("REPLSIM CRASHED: replsim crashed after this event"), std::string::npos);
  EXPECT_NE(dom.find("data-lane=\"primary/postmaster\""), std::string::npos);
  // Only the events up to the crash: the run's violation (at 5.2 s) is not there.
  EXPECT_EQ(dom.find("VIOLATION at"), std::string::npos);
}

// sweep --report-html and --html-dir over a range with clean_switchover's
// known failing seed, read back through Chromium's DOM.
TEST(HtmlDiagramBrowserTest, SweepReportPlotsTheFailingSeedAndLinksItsDiagram) {
  if (access(kChromium, X_OK) != 0) GTEST_SKIP() << kChromium << " is not installed";
  const std::string report = Dir("TEST_TMPDIR") + "/sweep/report.html";
  const std::string pages = Dir("TEST_TMPDIR") + "/sweep/pages";
  ASSERT_EQ(Replsim("", absl::StrCat("sweep scenarios/clean_switchover.textproto --seeds 7951..7990 "
                                     "--profile pg-9.3beta2 --report-html ", report,
                                     " --html-dir ", pages)),
            1)
      << Slurp(Dir("TEST_TMPDIR") + "/replsim.out");
  const std::string dom_path = Dir("TEST_TMPDIR") + "/report_dom.html";
  ASSERT_EQ(Chromium(absl::StrCat("--dump-dom 'file://", report, "'"), dom_path), 0);
  const std::string dom = Slurp(dom_path);
  EXPECT_NE(dom.find("data-run=\"40\" data-failing=\"1\""), std::string::npos) << dom;
  EXPECT_NE(dom.find("class=\"fail\" data-seed=\"7971\" data-count=\"1\""), std::string::npos);
  EXPECT_NE(dom.find("class=\"first-failure\" data-seeds=\"21\""), std::string::npos);
  EXPECT_NE(dom.find("class=\"sig\" data-count=\"1\" data-signature=\"CLEAN_SWITCHOVER: "),
            std::string::npos);
  EXPECT_NE(dom.find("95% Wilson interval"), std::string::npos);
  EXPECT_NE(dom.find("href=\"pages/CLEAN_SWITCHOVER-"), std::string::npos);
  EXPECT_EQ(dom.find("<script"), std::string::npos) << "the report needs no script";
  const std::string png = Dir("TEST_UNDECLARED_OUTPUTS_DIR") + "/sweep_report.png";
  EXPECT_EQ(Chromium(absl::StrCat("--window-size=1200,700 --screenshot='", png, "' 'file://",
                                  report, "'"),
                     Dir("TEST_TMPDIR") + "/shot2.log"),
            0);
  EXPECT_TRUE(absl::StrContains(Slurp(Dir("TEST_TMPDIR") + "/replsim.out"), "seed 7971"));
}

TEST(SweepPlotsTest, WilsonIntervalMatchesTheFormula) {
  // No failure in 100 runs: the upper bound is z^2 / (n + z^2).
  const Interval none = WilsonInterval(0, 100);
  EXPECT_DOUBLE_EQ(none.low, 0);
  EXPECT_NEAR(none.high, 3.8415 / 103.8415, 1e-5);
  // Half of 100: symmetric around one half.
  const Interval half = WilsonInterval(50, 100);
  EXPECT_NEAR(half.low + half.high, 1.0, 1e-12);
  EXPECT_NEAR(half.high - half.low, 2 * 0.0960, 1e-3);
}

}  // namespace
}  // namespace replsim::tools
