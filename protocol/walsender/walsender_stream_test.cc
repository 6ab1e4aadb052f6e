// Streaming: IDENTIFY_SYSTEM, START_REPLICATION, the WAL bytes the standby
// receives (exactly the primary's, up to the flush pointer, in page-cut
// chunks of at most MAX_SEND_SIZE), the 07e8b6aabc switch, and replies
// landing in the WalSnd slot.
#include <string>

#include "gtest/gtest.h"
#include "protocol/walsender/walsender_private.h"
#include "protocol/walsender/walsender_test_util.h"
#include "protocol/wire/result_sets.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::walsender {
namespace {

// Prepares 1 MiB of flushed WAL and 100 KiB more written but not flushed.
struct Positions {
  XLogRecPtr flush = 0;
  XLogRecPtr write = 0;
  std::string files;  // [kWalStart, write) as the files hold it
};

void PrepareFlushedAndWritten(WalSenderWorld& w, Positions* p) {
  w.prepare = [p](os::Os& os, WalSenderWorld& w) -> os::Task<> {
    p->flush = InsertWal(*w.shm, 1 << 20);
    (void)co_await xlog::XLogFlush(os, *w.shm, p->flush);
    p->write = InsertWal(*w.shm, 100 * 1024);
    (void)co_await xlog::XLogWrite(os, *w.shm, p->write);
    p->files = co_await ReadPrimaryWal(os, *w.shm, kWalStart, p->write);
  };
}

std::optional<wire::IdentifySystemResult> IdentifySystemAnswer(const ClientResult& r) {
  wire::ResultSet rs;
  for (const wire::BackendMessage& m : r.messages) {
    if (auto* d = std::get_if<wire::RowDescription>(&m)) rs.description = *d;
    if (auto* row = std::get_if<wire::DataRow>(&m)) {
      rs.rows.push_back(*row);
      absl::StatusOr<wire::IdentifySystemResult> id = wire::ReadIdentifySystem(rs);
      if (id.ok()) return *id;
    }
  }
  return std::nullopt;
}

void ExpectChunksCutAtPages(const ClientResult& r) {
  for (const wire::XLogData& x : r.xlog_data) {
    EXPECT_LE(x.wal.size(), kMaxSendSize);
    const XLogRecPtr end = x.data_start + x.wal.size();
    // A chunk ends at a page boundary unless it ends at the send limit.
    EXPECT_TRUE(end % 8192 == 0 || end == x.wal_end) << wal::LsnToString(end);
    EXPECT_LE(end, x.wal_end);
  }
}

class StreamTest : public ::testing::TestWithParam<const char*> {};

TEST_P(StreamTest, SendsExactlyTheFlushedWalInPageCutChunks) {
  WalSenderWorld w(3, Profile(GetParam()));
  Positions p;
  PrepareFlushedAndWritten(w, &p);
  w.client.commands = {"IDENTIFY_SYSTEM", "START_REPLICATION 0/2000000 TIMELINE 1"};
  w.Run(os::Seconds(20));

  const bool v15 = w.shm->behavior.server_version_num >= 90400;
  std::optional<wire::IdentifySystemResult> id = IdentifySystemAnswer(w.result);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->system_id, w.shm->ControlFile.system_identifier);
  EXPECT_EQ(id->timeline, 1u);
  // 9.3 reports the insert position (LogwrtRqst.Write), 15 the flush.
  EXPECT_EQ(id->xlogpos, v15 ? p.flush : p.write);
  EXPECT_EQ(w.result.command_tags.front(), v15 ? "IDENTIFY_SYSTEM" : "SELECT");

  ASSERT_TRUE(w.result.got_copy_both);
  ASSERT_GT(w.result.xlog_data.size(), 8u);  // 1 MiB needs at least 8 chunks
  const XLogRecPtr end = w.result.ReceivedEnd(kWalStart);
  EXPECT_EQ(end, p.flush);  // never beyond flush (07e8b6aabc)
  std::string got;
  for (const wire::XLogData& x : w.result.xlog_data) got += x.wal;
  EXPECT_TRUE(got == p.files.substr(0, p.flush - kWalStart));
  ExpectChunksCutAtPages(w.result);
  for (const wire::XLogData& x : w.result.xlog_data) EXPECT_EQ(x.wal_end, p.flush);

  // The replies reached the slot; the walsender reached STREAMING.
  const node::WalSnd& slot = w.shm->WalSndCtl.walsnds[0];
  EXPECT_EQ(slot.sentPtr, p.flush);
  EXPECT_EQ(slot.write, p.flush);
  EXPECT_EQ(slot.flush, p.flush);
  EXPECT_EQ(slot.apply, p.flush);
  EXPECT_EQ(slot.state, node::WalSndState::WALSNDSTATE_STREAMING);
  EXPECT_TRUE(w.WalSenderLogged(v15 ? "\"standby1\" has now caught up with upstream server"
                                    : "standby \"standby1\" has now caught up with primary"));
}

TEST_P(StreamTest, WithoutTheFlushOnlyFixItSendsWrittenWal) {
  node::Behavior b = Profile(GetParam());
  ASSERT_TRUE(b.Set("07e8b6aabc", false).ok());
  WalSenderWorld w(4, b);
  w.shm->gucs.wal_sender_timeout = os::Seconds(2);  // wakes without a WAL flush
  Positions p;
  PrepareFlushedAndWritten(w, &p);
  w.client.commands = {"START_REPLICATION 0/2000000"};
  w.Run(os::Seconds(20));
  const XLogRecPtr end = w.result.ReceivedEnd(kWalStart);
  EXPECT_EQ(end, p.write);
  EXPECT_GT(end, p.flush);
  std::string got;
  for (const wire::XLogData& x : w.result.xlog_data) got += x.wal;
  EXPECT_TRUE(got == p.files);
  ExpectChunksCutAtPages(w.result);
}

TEST_P(StreamTest, NewlyFlushedWalWakesTheWalsender) {
  WalSenderWorld w(5, Profile(GetParam()));
  XLogRecPtr second = 0;
  w.primary_script = [&](os::Os& os, WalSenderWorld& w) -> os::Task<> {
    co_await SleepFully(os, os::Seconds(2));
    second = InsertWal(*w.shm, 300 * 1024);
    (void)co_await xlog::XLogFlush(os, *w.shm, second);
  };
  w.client.commands = {"START_REPLICATION 0/2000000"};
  w.Run(os::Milliseconds(2500));  // well before any timed wake-up
  EXPECT_EQ(w.result.ReceivedEnd(kWalStart), second);
  ExpectChunksCutAtPages(w.result);
}

INSTANTIATE_TEST_SUITE_P(Profiles, StreamTest, ::testing::Values("pg-9.3.5", "pg-15"));

}  // namespace
}  // namespace replsim::walsender
