// The stop check at shutdown (postgres-replication.md §1.6, RW-1..RW-5):
// a shutdown checkpoint is inserted and flushed after a tail of WAL, then
// the walsender gets SIGUSR2 (15: after INIT_STOPPING). Before 985bd7d497 it
// leaves once its output is out of user space; unread standby replies make
// that exit abortive and the standby loses the unsent tail. With 985bd7d497
// it waits for flush == sentPtr. pg_receivexlog (flush = 0) hangs it without
// 5c6d9fc4b2. Without e0b581acd2 a lagging standby gets one more chunk.
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "protocol/postmaster/walsnd_stopping.h"
#include "protocol/walsender/walsender.h"
#include "protocol/walsender/walsender_private.h"
#include "protocol/walsender/walsender_test_util.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::walsender {
namespace {

struct Shutdown {
  XLogRecPtr before_tail = 0;  // end of WAL when the tail starts
  XLogRecPtr end = 0;          // end of the shutdown checkpoint record
  std::string wal;             // [kWalStart, end) as the primary's files hold it
};

// After `settle`, inserts `tail` bytes and a shutdown checkpoint, flushes,
// and asks the walsender for its last cycle as the postmaster does.
void ScriptShutdown(WalSenderWorld& w, Shutdown* s, uint64_t tail,
                    os::Duration settle = os::Seconds(1)) {
  w.primary_script = [s, tail, settle](os::Os& os, WalSenderWorld& w) -> os::Task<> {
    co_await SleepFully(os, settle);
    s->before_tail = w.shm->XLogCtl.pos.Insert;
    if (w.shm->behavior.walsnd_stopping_state) {
      // 15's ShutdownXLOG: walsenders to STOPPING before the checkpoint.
      postmaster::WalSndInitStopping(os, *w.shm);
      co_await postmaster::WalSndWaitStopping(os, *w.shm);
    }
    InsertWal(*w.shm, tail);
    s->end = InsertShutdownCheckpoint(*w.shm);
    (void)co_await xlog::XLogFlush(os, *w.shm, s->end);
    (void)os.Kill(w.walsender_pid, os::Signal::kSIGUSR2);
    s->wal = co_await ReadPrimaryWal(os, *w.shm, kWalStart, s->end);
  };
}

std::string Received(const ClientResult& r) {
  std::string got;
  for (const wire::XLogData& x : r.xlog_data) got += x.wal;
  return got;
}

bool GotCopy0(const ClientResult& r) {
  for (const std::string& t : r.command_tags) {
    if (t == "COPY 0") return true;
  }
  return false;
}

std::string ExitLine(XLogRecPtr sent, XLogRecPtr write, XLogRecPtr flush) {
  return "walsender exiting at shutdown: sentPtr " + wal::LsnToString(sent) + ", standby write " +
         wal::LsnToString(write) + " flush " + wal::LsnToString(flush);
}

TEST(ShutdownTest, Pre985bd7d497ExitIsAbortiveWhenRepliesAreUnreadAndTheTailIsLost) {
  int lost = 0, complete = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    WalSenderWorld w(seed, Profile("pg-9.2.4"));
    w.client.commands = {"START_REPLICATION 0/2000000"};
    w.client.reply_delay = os::Microseconds(100 * (seed % 4));
    Shutdown s;
    ScriptShutdown(w, &s, 3 << 20);
    w.Run(os::Seconds(30));
    SCOPED_TRACE(seed);
    // It never waited for a flush report: it left with sentPtr at the end,
    // whatever the standby had confirmed.
    ASSERT_TRUE(w.walsender_exit.has_value());
    EXPECT_EQ(w.walsender_exit->code, 0);
    EXPECT_EQ(w.shm->WalSndCtl.walsnds[0].pid, 0);  // WalSndKill ran
    const XLogRecPtr got_end = w.result.ReceivedEnd(kWalStart);
    const std::string got = Received(w.result);
    EXPECT_TRUE(got == s.wal.substr(0, got.size()));  // a prefix, never other bytes
    if (got_end < s.end) {
      ++lost;
      // Only an abortive close loses bytes that were "sent".
      EXPECT_EQ(w.result.ending, "ECONNRESET");
      EXPECT_FALSE(GotCopy0(w.result));
    } else {
      ++complete;
      EXPECT_TRUE(GotCopy0(w.result));
    }
    bool exited_early = false;
    for (const std::string& l : w.WalSenderLog()) {
      if (absl::StrContains(l, "walsender exiting at shutdown: sentPtr " + wal::LsnToString(s.end)) &&
          !absl::StrContains(l, "flush " + wal::LsnToString(s.end))) {
        exited_early = true;
      }
    }
    EXPECT_TRUE(exited_early) << "the 9.3-pre walsender waits for nobody";
  }
  EXPECT_GT(lost, 0);
  // The same exit with nothing unread (a standby that never replies) is a
  // graceful close: FIN after the whole tail and "COPY 0".
  WalSenderWorld quiet(1, Profile("pg-9.2.4"));
  quiet.client.commands = {"START_REPLICATION 0/2000000"};
  quiet.client.reply = false;
  Shutdown qs;
  ScriptShutdown(quiet, &qs, 3 << 20);
  quiet.Run(os::Seconds(30));
  EXPECT_EQ(quiet.result.ReceivedEnd(kWalStart), qs.end);
  EXPECT_TRUE(GotCopy0(quiet.result));
  EXPECT_EQ(quiet.result.ending, "eof");
  EXPECT_TRUE(quiet.WalSenderLogged(ExitLine(qs.end, 0, 0)));
  fprintf(stderr, "pre-985bd7d497: %d of 12 lost the tail (%d complete)\n", lost, complete);
}

class FixedTest : public ::testing::TestWithParam<const char*> {};

TEST_P(FixedTest, WaitsForTheStandbysFlushThenSendsCopy0) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    WalSenderWorld w(seed, Profile(GetParam()));
    w.client.commands = {"START_REPLICATION 0/2000000"};
    w.client.reply_delay = os::Milliseconds(seed % 3);  // an fsync's worth
    Shutdown s;
    ScriptShutdown(w, &s, 3 << 20);
    w.Run(os::Seconds(30));
    SCOPED_TRACE(seed);
    ASSERT_TRUE(w.walsender_exit.has_value());
    EXPECT_EQ(w.walsender_exit->code, 0);
    EXPECT_EQ(w.result.ReceivedEnd(kWalStart), s.end);
    EXPECT_TRUE(Received(w.result) == s.wal);
    // The exit waited for the standby's flush of everything sent.
    EXPECT_TRUE(w.WalSenderLogged(ExitLine(s.end, s.end, s.end)));
    // A reply the walsender did not read (15: the answer to its own ping
    // racing the standby's status update) still makes the close abortive,
    // but only "COPY 0" is lost then (RW-2, post-fix).
    // (A reply sent after the walsender's FIN is answered by RST, too.)
    if (!GotCopy0(w.result)) {
      EXPECT_EQ(w.result.ending, "ECONNRESET");
    }
    EXPECT_TRUE(w.result.ending == "eof" || w.result.ending == "ECONNRESET");
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, FixedTest,
                         ::testing::Values("pg-9.2.5", "pg-9.3.5", "pg-15"));

TEST(ShutdownTest, WithoutThePingA93WalsenderWaitsForTheStandbysOwnReply) {
  // RW-3: the standby answers only keepalives that ask; 9.3 asks only at
  // wal_sender_timeout/2, 15's WalSndDone asks at once.
  for (const char* profile : {"pg-9.3.5", "pg-15"}) {
    WalSenderWorld w(2, Profile(profile));
    w.shm->gucs.wal_sender_timeout = os::Seconds(20);
    w.client.commands = {"START_REPLICATION 0/2000000"};
    w.client.reply_delay = os::Seconds(1000);  // never replies on its own
    Shutdown s;
    ScriptShutdown(w, &s, 64 << 10);
    w.Run(os::Seconds(30));
    SCOPED_TRACE(profile);
    ASSERT_TRUE(w.walsender_exit.has_value());
    const sim::TraceEvent* exit_event = nullptr;
    for (const sim::TraceEvent& e : w.world.trace().events()) {
      if (e.process == "walsender" && e.kind == "process_exit") exit_event = &e;
    }
    ASSERT_NE(exit_event, nullptr);
    const os::Duration after_start = exit_event->time - os::Instant();
    if (std::string(profile) == "pg-15") {
      EXPECT_LT(after_start, os::Seconds(2));
    } else {
      EXPECT_GE(after_start, os::Seconds(10));  // the half-timeout ping
    }
    EXPECT_TRUE(w.WalSenderLogged(ExitLine(s.end, s.end, s.end)));
  }
}

TEST(ShutdownTest, Before59455018a8TheStoppingWalsenderAsksOnEveryIteration) {
  // 9.4's WalSndDone asks for a reply; without 59455018a8 nothing marks the
  // request outstanding, so each iteration that finds the output drained
  // asks again, as fast as the socket takes them, until the answer (which
  // confirms the flush here) comes back one round trip later.
  for (const char* profile : {"pg-9.4.7", "pg-9.4.8"}) {
    WalSenderWorld w(6, Profile(profile));
    w.shm->gucs.wal_sender_timeout = os::Seconds(20);
    w.client.commands = {"START_REPLICATION 0/2000000"};
    w.client.reply_delay = os::Seconds(1000);  // answers only when asked
    Shutdown s;
    ScriptShutdown(w, &s, 64 << 10);
    w.Run(os::Seconds(5));
    SCOPED_TRACE(profile);
    EXPECT_EQ(w.result.ReceivedEnd(kWalStart), s.end);
    ASSERT_TRUE(w.walsender_exit.has_value());
    EXPECT_TRUE(w.WalSenderLogged(ExitLine(s.end, s.end, s.end)));
    const int64_t repeats = w.shm->walsnd_observed.repeated_reply_requests;
    if (std::string(profile) == "pg-9.4.7") {
      EXPECT_GT(repeats, 1000);
      EXPECT_GT(w.result.keepalives, 1000);
      // Those still in the socket when it exits go unsent or are reset.
      EXPECT_LE(w.result.keepalives, repeats + 1);
    } else {
      EXPECT_EQ(w.result.keepalives, 1);
      EXPECT_EQ(repeats, 0);
    }
  }
}

TEST(ShutdownTest, PgReceivexlogHangsShutdownWithout5c6d9fc4b2) {
  for (const char* profile : {"pg-9.3.0", "pg-9.3.4"}) {
    WalSenderWorld w(3, Profile(profile));
    w.client.commands = {"START_REPLICATION 0/2000000"};
    w.client.flush_zero = true;
    Shutdown s;
    ScriptShutdown(w, &s, 256 << 10);
    w.Run(os::Seconds(150));
    SCOPED_TRACE(profile);
    EXPECT_EQ(w.result.ReceivedEnd(kWalStart), s.end);
    if (std::string(profile) == "pg-9.3.0") {
      // flush stays 0 != sentPtr; the client answers pings, so not even
      // wal_sender_timeout ends it.
      EXPECT_FALSE(w.walsender_exit.has_value());
      EXPECT_TRUE(w.cluster.IsAlive(w.walsender_pid));
      EXPECT_GT(w.result.keepalives, 0);
    } else {
      ASSERT_TRUE(w.walsender_exit.has_value());
      EXPECT_TRUE(GotCopy0(w.result));
      EXPECT_TRUE(w.WalSenderLogged(ExitLine(s.end, s.end, 0)));
    }
  }
}

TEST(ShutdownTest, WithoutE0b581acd2ALaggingStandbyGetsOneMoreChunk) {
  for (bool fix : {false, true}) {
    node::Behavior b = Profile("pg-9.3.5");
    ASSERT_TRUE(b.Set("e0b581acd2", fix).ok());
    WalSenderWorld w(4, b);
    w.client.commands = {"START_REPLICATION 0/2000000"};
    Shutdown s;
    ScriptShutdown(w, &s, 2 << 20);
    w.Run(os::Seconds(30));
    SCOPED_TRACE(fix);
    ASSERT_TRUE(w.walsender_exit.has_value());
    const XLogRecPtr got = w.result.ReceivedEnd(kWalStart);
    if (fix) {
      EXPECT_EQ(got, s.end);
    } else {
      // The tail was flushed and SIGUSR2 sent at once: the last cycle saw
      // the whole tail pending and sent one MAX_SEND_SIZE chunk of it.
      XLogRecPtr one = s.before_tail + kMaxSendSize;
      one -= one % 8192;
      EXPECT_EQ(got, one);
      EXPECT_TRUE(GotCopy0(w.result));
    }
  }
}

TEST(ShutdownTest, FifteenMovesToStoppingBeforeTheCheckpoint) {
  WalSenderWorld w(5, Profile("pg-15"));
  w.client.commands = {"START_REPLICATION 0/2000000"};
  node::WalSndState seen = node::WalSndState::WALSNDSTATE_STARTUP;
  w.primary_script = [&seen](os::Os& os, WalSenderWorld& w) -> os::Task<> {
    co_await SleepFully(os, os::Seconds(1));
    postmaster::WalSndInitStopping(os, *w.shm);
    co_await postmaster::WalSndWaitStopping(os, *w.shm);
    seen = w.shm->WalSndCtl.walsnds[0].state;
  };
  w.Run(os::Seconds(5));
  EXPECT_EQ(seen, node::WalSndState::WALSNDSTATE_STOPPING);
  EXPECT_TRUE(w.cluster.IsAlive(w.walsender_pid));  // still streaming, waiting for SIGUSR2
}

}  // namespace
}  // namespace replsim::walsender
