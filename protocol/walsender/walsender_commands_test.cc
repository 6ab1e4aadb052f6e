// Replication commands and errors: historic timelines (next_tli without
// COPY at the switchpoint, streaming a historic timeline to its switchpoint
// from the next timeline's copy of the switch segment, PostgreSQL's texts for
// start points and timelines not in the history), TIMELINE_HISTORY, SQL on a
// physical connection, a start point ahead of flush (error inside COPY),
// SIGTERM's FATAL, SIGUSR2 outside streaming (9.3 vs 15), max_wal_senders.
#include <string>

#include "gtest/gtest.h"
#include "protocol/walsender/walsender_test_util.h"
#include "protocol/wire/result_sets.h"
#include "protocol/wire/sqlstate.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::walsender {
namespace {

// TLI 1 WAL flushed up to S, then the server switched to TLI 2 at S: the
// switch segment was copied to TLI 2's file and TLI 1's removed (as archive
// recovery may leave it), 00000002.history written.
void PrepareTimelineSwitch(WalSenderWorld& w, XLogRecPtr* S, std::string* tli1_wal) {
  w.prepare = [S, tli1_wal](os::Os& os, WalSenderWorld& w) -> os::Task<> {
    *S = InsertWal(*w.shm, 200 * 1024);
    (void)co_await xlog::XLogFlush(os, *w.shm, *S);
    *tli1_wal = co_await ReadPrimaryWal(os, *w.shm, kWalStart, *S);
    const std::string path = xlog::XLogFilePath(*w.shm, 1, 2);
    (void)co_await xlog::XLogWriteRaw(
        os, w.shm->data_dir, w.shm->behavior.server_version_num, 2, kWalStart,
        absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(tli1_wal->data()), tli1_wal->size()));
    (void)os.Unlink(path);
    const std::string history = "1\t" + wal::LsnToString(*S) + "\tno recovery target specified\n";
    os::Result<os::Fd> fd =
        os.Open(xlog::XLogDir(*w.shm) + "/00000002.history", os::kOpenReadWrite | os::kOpenCreate);
    (void)co_await os.PWrite(
        *fd, absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(history.data()),
                                 history.size()),
        0);
    os.Close(*fd);
    xlog::StartXLogInsert(*w.shm, 2, *S, *S - 64);
  };
}

std::vector<wire::EndOfTimelineResult> EndOfTimelineResults(const ClientResult& r) {
  std::vector<wire::EndOfTimelineResult> out;
  wire::ResultSet rs;
  for (const wire::BackendMessage& m : r.messages) {
    if (auto* d = std::get_if<wire::RowDescription>(&m)) rs = {*d, {}};
    if (auto* row = std::get_if<wire::DataRow>(&m)) {
      rs.rows.push_back(*row);
      if (rs.description.fields.size() == 2 && rs.description.fields[0].name == "next_tli") {
        absl::StatusOr<wire::EndOfTimelineResult> e = wire::ReadEndOfTimeline(rs);
        if (e.ok()) out.push_back(*e);
      }
    }
  }
  return out;
}

class CommandsTest : public ::testing::TestWithParam<const char*> {};

TEST_P(CommandsTest, HistoricTimelinesAndErrorsAsPostgreSQL) {
  WalSenderWorld w(1, Profile(GetParam()));
  const bool v15 = w.shm->behavior.server_version_num >= 90400;
  XLogRecPtr S = 0;
  std::string tli1_wal;
  PrepareTimelineSwitch(w, &S, &tli1_wal);
  // S is only known once prepared; the client's commands are read lazily.
  w.client.commands = {"IDENTIFY_SYSTEM"};
  w.primary_script = [&](os::Os&, WalSenderWorld& w) -> os::Task<> {
    const std::string s = wal::LsnToString(S);
    w.client.commands.push_back("START_REPLICATION " + s + " TIMELINE 1");
    w.client.commands.push_back("START_REPLICATION 0/2000000 TIMELINE 1");
    w.client.commands.push_back("START_REPLICATION " + wal::LsnToString(S + 8) + " TIMELINE 1");
    w.client.commands.push_back("START_REPLICATION 0/2000000 TIMELINE 3");
    w.client.commands.push_back("TIMELINE_HISTORY 2");
    w.client.commands.push_back("TIMELINE_HISTORY 5");
    w.client.commands.push_back("START_REPLICATION 0/9000000 TIMELINE 2");
    co_return;
  };
  w.Run(os::Seconds(20));
  const std::string s = wal::LsnToString(S);

  // At the switchpoint: next_tli without COPY; before it: TLI 1 streamed to
  // S (from TLI 2's copy of the switch segment), CopyDone, then next_tli.
  std::vector<wire::EndOfTimelineResult> eot = EndOfTimelineResults(w.result);
  ASSERT_EQ(eot.size(), 2u);
  for (const auto& e : eot) {
    EXPECT_EQ(e.next_tli, 2u);
    EXPECT_EQ(e.next_tli_startpos, S);
  }
  EXPECT_TRUE(w.result.got_copy_done);
  EXPECT_EQ(w.result.ReceivedEnd(kWalStart), S);
  std::string got;
  for (const wire::XLogData& x : w.result.xlog_data) got += x.wal;
  EXPECT_TRUE(got == tli1_wal);

  ASSERT_EQ(w.result.errors.size(), 4u);
  EXPECT_EQ(w.result.errors[0], "requested starting point " + wal::LsnToString(S + 8) +
                                    " on timeline 1 is not in this server's history");
  EXPECT_EQ(w.result.error_details[0],
            "This server's history forked from timeline 1 at " + s + (v15 ? "." : ""));
  EXPECT_EQ(w.result.errors[1], "requested timeline 3 is not in this server's history");
  EXPECT_EQ(w.result.errors[2], std::string("could not open file \"") +
                                    (v15 ? "pg_wal" : "pg_xlog") +
                                    "/00000005.history\": No such file or directory");
  EXPECT_EQ(w.result.errors[3], "requested starting point 0/9000000 is ahead of the WAL flush "
                                "position of this server " + s);
  // TIMELINE_HISTORY 2 returned the file.
  bool history_seen = false;
  for (const wire::BackendMessage& m : w.result.messages) {
    if (auto* row = std::get_if<wire::DataRow>(&m)) {
      if (row->values.size() == 2 && row->values[0] == "00000002.history") {
        history_seen = true;
        EXPECT_EQ(*row->values[1], "1\t" + s + "\tno recovery target specified\n");
      }
    }
  }
  EXPECT_TRUE(history_seen);
  // Tags: 9.3 "SELECT" after each command, 15 the command's name, plus
  // START_STREAMING after every START_REPLICATION that got that far.
  int streaming = 0, select = 0, start_replication = 0;
  for (const std::string& t : w.result.command_tags) {
    streaming += t == "START_STREAMING";
    select += t == "SELECT";
    start_replication += t == "START_REPLICATION";
  }
  EXPECT_EQ(streaming, 2);
  EXPECT_EQ(v15 ? start_replication : select, v15 ? 2 : 4);  // 9.3: + IDENTIFY, HISTORY
  EXPECT_EQ(w.result.ending, "terminated");  // the session went on after each error
}

TEST_P(CommandsTest, SigtermIsAFatalErrorResponse) {
  WalSenderWorld w(2, Profile(GetParam()));
  w.client.commands = {"START_REPLICATION 0/2000000"};
  w.primary_script = [](os::Os& os, WalSenderWorld& w) -> os::Task<> {
    co_await SleepFully(os, os::Seconds(1));
    (void)os.Kill(w.walsender_pid, os::Signal::kSIGTERM);
  };
  w.Run(os::Seconds(5));
  ASSERT_TRUE(w.walsender_exit.has_value());
  EXPECT_EQ(w.walsender_exit->code, 1);
  ASSERT_EQ(w.result.errors.size(), 1u);
  EXPECT_EQ(w.result.errors[0], "terminating connection due to administrator command");
  EXPECT_EQ(w.shm->WalSndCtl.walsnds[0].pid, 0);
}

TEST_P(CommandsTest, Sigusr2OutsideStreaming) {
  // 9.3: SIGUSR2 before START_REPLICATION is SIGTERM (RW-7); 15 only sets
  // got_SIGUSR2, which matters once streaming or at the next error.
  WalSenderWorld w(3, Profile(GetParam()));
  const bool stopping_state = w.shm->behavior.walsnd_stopping_state;
  w.client.commands = {"IDENTIFY_SYSTEM"};
  w.client.linger = os::Seconds(1);
  w.primary_script = [](os::Os& os, WalSenderWorld& w) -> os::Task<> {
    co_await SleepFully(os, os::Milliseconds(200));
    (void)os.Kill(w.walsender_pid, os::Signal::kSIGUSR2);
  };
  w.Run(os::Seconds(2));
  if (stopping_state) {
    ASSERT_TRUE(w.walsender_exit.has_value());
    EXPECT_EQ(w.walsender_exit->code, 0);  // left at the client's Terminate
    EXPECT_EQ(w.result.ending, "terminated");
  } else {
    ASSERT_TRUE(w.walsender_exit.has_value());
    EXPECT_EQ(w.walsender_exit->code, 1);
    EXPECT_TRUE(w.WalSenderLogged("FATAL: terminating connection due to administrator command"));
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, CommandsTest, ::testing::Values("pg-9.3.5", "pg-15"));

TEST(CommandsTest, SqlOnAPhysicalConnectionIsAnErrorIn15) {
  WalSenderWorld w(4, Profile("pg-15"));
  w.client.commands = {"SELECT 1", "IDENTIFY_SYSTEM"};
  w.Run(os::Seconds(2));
  ASSERT_EQ(w.result.errors.size(), 1u);
  EXPECT_EQ(w.result.errors[0], "cannot execute SQL commands in WAL sender for physical replication");
  EXPECT_EQ(w.result.command_tags.back(), "IDENTIFY_SYSTEM");  // the session goes on
}

TEST(CommandsTest, TooManyWalsendersIsFatal) {
  WalSenderWorld w(5, Profile("pg-15"));
  w.shm->gucs.max_wal_senders = 0;
  w.client.commands = {"IDENTIFY_SYSTEM"};
  w.Run(os::Seconds(2));
  ASSERT_TRUE(w.walsender_exit.has_value());
  EXPECT_EQ(w.walsender_exit->code, 1);
  ASSERT_EQ(w.result.errors.size(), 1u);
  EXPECT_EQ(w.result.errors[0],
            "number of requested standby connections exceeds max_wal_senders (currently 0)");
}

}  // namespace
}  // namespace replsim::walsender
