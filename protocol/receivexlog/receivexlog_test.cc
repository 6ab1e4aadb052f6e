// pg_receivexlog against a real simulated primary: what it writes, what it
// reports, the fast shutdown it hangs on 9.3.0 (5c6d9fc4b2, §5(a)), and 9.4's
// --slot client whose flush position only an fsync on a reply request
// (f66c20b317, §5(b)) brings up to what it received.
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "protocol/receivexlog/receivexlog.h"
#include "protocol/wal/segment.h"
#include "protocol/xlog/xlog_io.h"
#include "scenarios/harness/harness.h"
#include "scenarios/harness/real_processes.h"

namespace replsim::receivexlog {
namespace {

using scenarios::Harness;
using scenarios::PgNode;
using scenarios::Shutdown;

constexpr char kArchiveHost[] = "archive";

// Lets `d` of virtual time pass (RunFor stops early when the world is idle).
void Advance(Harness& t, os::Duration d) { t.RunUntil([] { return false; }, d); }

// Runs `body` as a short process on `host` until it has finished.
void RunOn(Harness& t, const std::string& host, os::ProcessBody body) {
  const os::Pid pid = t.cluster().Spawn(host, "helper", std::move(body));
  ASSERT_TRUE(t.RunUntil([&] { return !t.cluster().IsAlive(pid); }, os::Seconds(60)));
}

// Bytes [offset, offset + len) of a file on `host` ("" if unreadable).
std::string ReadBytes(Harness& t, const std::string& host, const std::string& path,
                      int64_t offset, size_t len) {
  auto out = std::make_shared<std::string>();
  RunOn(t, host, [out, path, offset, len](os::Os& os) -> os::Task<> {
    os::Result<os::Fd> fd = os.Open(path, os::kOpenRead);
    if (!fd.ok()) co_return;
    std::vector<uint8_t> buf(len);
    os::Result<size_t> n = co_await os.PRead(*fd, absl::MakeSpan(buf), offset);
    if (n.ok()) out->assign(buf.begin(), buf.begin() + static_cast<int64_t>(*n));
    os.Close(*fd);
  });
  return *out;
}

// A primary with the real processes, ready to accept connections, and an
// empty /archive on the archive host.
PgNode& StartPrimary(Harness& t, std::optional<os::Duration> wal_sender_timeout = std::nullopt) {
  PgNode& p = t.Node("primary");
  p.entry_points() = scenarios::RealEntryPoints();
  EXPECT_EQ(p.InitDb(), absl::OkStatus());
  p.config().gucs.max_wal_senders = 3;        // 9.3's default is 0
  p.config().gucs.max_replication_slots = 2;  // 9.4's default is 0
  if (wal_sender_timeout.has_value()) p.config().gucs.wal_sender_timeout = *wal_sender_timeout;
  p.Start();
  Advance(t, os::Seconds(2));
  p.ExpectLog("database system is ready to accept connections");
  t.Node(kArchiveHost);
  RunOn(t, kArchiveHost, [](os::Os& os) -> os::Task<> {
    (void)os.MakeDir("/archive");
    co_return;
  });
  return p;
}

os::Pid StartClient(Harness& t, ReceiveXlogOptions options = ReceiveXlogOptions()) {
  return t.cluster().Spawn(kArchiveHost, "pg_receivexlog",
                           [options](os::Os& os) { return ReceiveXlogMain(os, options); });
}

// The client streams a small workload for 5 s, then pg_ctl stop -m fast.
os::Pid StreamThenStopFast(Harness& t, PgNode& p) {
  const os::Pid client = StartClient(t);
  p.Workload({.sessions = 1, .transactions = 10});
  Advance(t, os::Seconds(5));
  p.Stop(Shutdown::kFast);
  return client;
}

// The walsender slot serving pg_receivexlog (nullptr if none).
const node::WalSnd* ClientSlot(PgNode& p) {
  for (const node::WalSnd& w : p.shmem()->WalSndCtl.walsnds) {
    if (w.pid != 0 && w.application_name == "pg_receivexlog") return &w;
  }
  return nullptr;
}

bool HostLogs(Harness& t, const std::string& host, const std::string& text) {
  for (const scenarios::LogLine& l : t.logs()) {
    if (l.host == host && l.message.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ReceiveXlogTest, StreamsThePrimarysWalAndReportsWriteOnly) {
  Harness t(1, "pg-15");
  PgNode& p = StartPrimary(t);
  StartClient(t);
  p.Workload({.sessions = 2, .transactions = 10});
  Advance(t, os::Seconds(12));  // past one status interval
  ASSERT_TRUE(HostLogs(t, kArchiveHost, "starting log streaming at 0/1000000 (timeline 1)"));
  const node::WalSnd* w = ClientSlot(p);
  ASSERT_NE(w, nullptr);
  const wal::XLogRecPtr write1 = w->write;
  EXPECT_GT(write1, wal::XLogRecPtr{0x1000000});
  EXPECT_EQ(w->flush, 0u);
  EXPECT_EQ(w->apply, 0u);

  p.Workload({.sessions = 2, .transactions = 10});
  Advance(t, os::Seconds(12));
  w = ClientSlot(p);
  ASSERT_NE(w, nullptr);
  const wal::XLogRecPtr write2 = w->write;
  EXPECT_GT(write2, write1);
  EXPECT_EQ(w->write, w->sentPtr);  // everything sent was received
  EXPECT_EQ(w->flush, 0u);
  EXPECT_EQ(w->apply, 0u);

  // What the client wrote is the primary's WAL, byte for byte.
  ASSERT_EQ(wal::XLByteToSeg(write2), 1u);
  const size_t len = wal::XLogSegmentOffset(write2);
  const std::string name = wal::XLogFileName(1, 1);
  const std::string archived = ReadBytes(t, kArchiveHost, "/archive/" + name + ".partial", 0, len);
  const std::string primary = ReadBytes(
      t, "primary",
      xlog::XLogFilePath(p.config().data_dir, p.config().behavior.server_version_num, 1, 1), 0,
      len);
  ASSERT_EQ(archived.size(), len);
  EXPECT_TRUE(archived == primary);
  // The segment is incomplete: still a pre-padded .partial file.
  EXPECT_EQ(ReadBytes(t, kArchiveHost, "/archive/" + name, 0, 1), "");
  EXPECT_EQ(ReadBytes(t, kArchiveHost, "/archive/" + name + ".partial", wal::kWalSegSize - 1, 8),
            std::string(1, '\0'));
}

TEST(ReceiveXlogTest, FastShutdownNeverCompletesOn930WithoutTimeout) {
  Harness t(2, "pg-9.3.0");
  PgNode& p = StartPrimary(t, os::Seconds(0));
  const os::Pid client = StreamThenStopFast(t, p);
  EXPECT_FALSE(t.RunUntilExited(p, os::Seconds(30)));
  EXPECT_TRUE(t.cluster().IsAlive(client));
  const node::WalSnd* w = ClientSlot(p);
  ASSERT_NE(w, nullptr);
  // The client has everything (the shutdown checkpoint included) but never
  // reports a flush: sentPtr == flush never holds.
  EXPECT_EQ(w->write, w->sentPtr);
  EXPECT_EQ(w->flush, 0u);
  // The shutdown checkpoint is written (the checkpointer logs "database
  // system is shut down" before the walsenders are told to stop).
  p.ExpectLog("database system is shut down");
}

TEST(ReceiveXlogTest, FastShutdownOn930WaitsForTheTimeoutOnceTheClientStopsAnswering) {
  Harness t(3, "pg-9.3.0");
  PgNode& p = StartPrimary(t, os::Seconds(10));
  StreamThenStopFast(t, p);
  // While the client answers the walsender's pings, the timeout never fires.
  ASSERT_FALSE(t.RunUntilExited(p, os::Seconds(60)));
  EXPECT_FALSE(p.HasLog("terminating walsender process due to replication timeout"));

  // The client goes silent (partitioned away): wal_sender_timeout ends it.
  t.cluster().network().Partition(kArchiveHost, "primary", /*two_way=*/true);
  const os::Instant cut = t.world().now();
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(30)));
  p.ExpectLog("terminating walsender process due to replication timeout");
  EXPECT_GE(t.world().now() - cut, os::Seconds(5));  // at least the ping's half
}

TEST(ReceiveXlogTest, FastShutdownOn934ComparesTheWritePositionAndEndsTheStream) {
  Harness t(4, "pg-9.3.4");
  PgNode& p = StartPrimary(t, os::Seconds(0));
  const os::Pid client = StreamThenStopFast(t, p);
  // 9.3 does not ask for the reply it waits for (no ping on the stop path):
  // the client's next periodic status update (-s 10 s) brings the write
  // position that now counts.
  ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(11)));
  p.ExpectLog("database system is shut down");
  ASSERT_TRUE(t.RunUntil([&] { return !t.cluster().IsAlive(client); }, os::Seconds(5)));
  EXPECT_TRUE(HostLogs(t, kArchiveHost, "replication stream was terminated before stop point"));
  EXPECT_TRUE(HostLogs(t, kArchiveHost, "disconnected"));
  EXPECT_TRUE(HostLogs(t, kArchiveHost, "segment is not complete"));
  const std::optional<sim::ExitStatus> exit = t.cluster().exit_status(client);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->code, 1);
}

// pg_receivexlog --create-slot then --slot archiver.
ReceiveXlogOptions SlotClient(bool flush_on_reply_request) {
  ReceiveXlogOptions o;
  o.slot_name = "archiver";
  o.create_slot = true;
  o.flush_on_reply_request = flush_on_reply_request;
  return o;
}

class SlotFlushTest : public ::testing::TestWithParam<bool> {};

// The walsender pings once wal_sender_timeout / 2 passes without a reply;
// with -s 0 the client only ever answers pings.
TEST_P(SlotFlushTest, AReplyRequestFsyncsOnlyWithTheSwitch) {
  const bool on = GetParam();
  Harness t(5, "pg-9.4.0");
  PgNode& p = StartPrimary(t, os::Seconds(4));
  ReceiveXlogOptions o = SlotClient(on);
  o.status_interval = os::Seconds(0);
  StartClient(t, o);
  p.Workload({.sessions = 1, .transactions = 10});
  Advance(t, os::Seconds(12));
  ASSERT_TRUE(HostLogs(t, kArchiveHost, "creating replication slot \"archiver\""));
  const node::WalSnd* w = ClientSlot(p);
  ASSERT_NE(w, nullptr);
  const node::ReplicationSlot& slot = p.shmem()->ReplicationSlotCtl.replication_slots[0];
  EXPECT_EQ(slot.name, "archiver");
  EXPECT_EQ(slot.active_pid, w->pid);  // the walsender streams through it
  // Still in the first streamed segment: nothing was fsynced at a switch.
  ASSERT_EQ(wal::XLByteToSeg(w->sentPtr), 1u);
  EXPECT_EQ(w->write, w->sentPtr);
  if (on) {
    EXPECT_EQ(w->flush, w->write);  // fsynced, then reported
  } else {
    EXPECT_EQ(w->flush, wal::XLogRecPtr{0x1000000});  // the stream's start
  }
}

INSTANTIATE_TEST_SUITE_P(Switch, SlotFlushTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) {
                           return i.param ? std::string("f66c20b317") : std::string("before");
                         });

class SlotShutdownTest : public ::testing::TestWithParam<const char*> {};

// 9.4's WalSndDone pings for the flush it waits for. Before f66c20b317 the
// client answers every ping with the flush of the stream's start: the fast
// stop never completes. With it, the ping's fsync ends the wait. Both run
// with 59455018a8 (one ping per reply): without it the stopping walsender
// re-pings on every loop iteration, a flood that costs no virtual time, so
// on 9.4beta3 the clock never reaches the end of the wait, and on 9.4.0 the
// thousands of synchronous loop iterations before the first reply overflow
// the stack under ASan (coroutine resumption is not a tail call there).
TEST_P(SlotShutdownTest, FastStop) {
  const std::string profile = GetParam();
  node::Behavior b = *node::Behavior::ForProfile(profile);
  ASSERT_TRUE(b.ApplyOverrides("59455018a8=on").ok());
  Harness t(6, b);
  PgNode& p = StartPrimary(t);  // wal_sender_timeout 60 s
  const os::Pid client = t.cluster().Spawn(
      kArchiveHost, "pg_receivexlog", [&t](os::Os& os) {
        return ReceiveXlogMain(
            os, SlotClient(t.behavior().receivexlog_flush_on_reply_request));
      });
  p.Workload({.sessions = 1, .transactions = 10});
  Advance(t, os::Seconds(5));
  p.Stop(Shutdown::kFast);
  if (profile == "pg-9.4.0") {
    ASSERT_TRUE(t.RunUntilExited(p, os::Seconds(5)));
    p.ExpectLog("database system is shut down");
    // The walsender left once the client's flush reached sentPtr.
    p.ExpectLog("walsender exiting at shutdown");
    ASSERT_TRUE(t.RunUntil([&] { return !t.cluster().IsAlive(client); }, os::Seconds(5)));
    EXPECT_TRUE(HostLogs(t, kArchiveHost, "disconnected"));
    return;
  }
  EXPECT_FALSE(t.RunUntilExited(p, os::Seconds(70)));  // past wal_sender_timeout
  EXPECT_TRUE(t.cluster().IsAlive(client));
  const node::WalSnd* w = ClientSlot(p);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->write, w->sentPtr);                      // everything arrived
  EXPECT_EQ(w->flush, wal::XLogRecPtr{0x1000000});      // but is reported unflushed
  EXPECT_FALSE(p.HasLog("terminating walsender process due to replication timeout"));
}

INSTANTIATE_TEST_SUITE_P(Profiles, SlotShutdownTest,
                         ::testing::Values("pg-9.4beta3", "pg-9.4.0"),
                         [](const ::testing::TestParamInfo<const char*>& i) {
                           std::string n = i.param;
                           for (char& c : n) {
                             if (c == '-' || c == '.') c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace replsim::receivexlog
