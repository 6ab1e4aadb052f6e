// The walreceiver of releases before 9.3, against a scripted walsender: a
// 9.0 standby sends no status updates (b186523fd9 came in 9.1), and before
// 9.3 the primary's timeline must be the recovery target timeline
// (abfd192b1b). Each test runs with its switch off and on.
#include "protocol/walreceiver/walreceiver.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "protocol/walreceiver/scripted_walsender.h"
#include "protocol/walreceiver/walreceiver_test_util.h"

namespace replsim::walreceiver {
namespace {

// A profile with one switch set; the profile must have it off.
node::Behavior ProfileWithSwitch(const char* profile, const char* commit,
                                 bool node::Behavior::*member, bool on) {
  absl::StatusOr<node::Behavior> b = node::Behavior::ForProfile(profile);
  CHECK(b.ok()) << profile;
  CHECK(!(*b.*member)) << profile << " already has " << commit;
  CHECK(b->Set(commit, on).ok()) << commit;
  return *b;
}

// b186523fd9: a 9.0 standby streams, writes and fsyncs as later ones do,
// but sends nothing back; with the switch on, the same stream is answered.
TEST(WalReceiverPre93Test, A90StandbySendsNoStatusUpdates) {
  for (const bool status_updates : {false, true}) {
    WalRcvFixture f(ProfileWithSwitch("pg-9.0.3", "b186523fd9",
                                      &node::Behavior::walrcv_status_updates, status_updates));
    f.RequestStreaming(kStart, 1);
    const std::string wal = PatternBytes(kStart, 64 * 1024);
    const uint64_t end = kStart + wal.size();
    size_t replies = 0;
    f.cluster.Spawn("primary", "walsender", [&](os::Os& os) -> os::Task<> {
      ScriptedWalSender ws(os, {.system_id = kSystemId, .timeline = 1});
      std::optional<wire::StartReplicationCmd> start;
      const bool failed = !co_await OpenStream(os, ws, &start);
      if (failed) co_return;
      co_await ws.SendWal(kStart, wal);
      co_await os.Sleep(os::Seconds(2));
      co_await ws.DrainReplies();
      replies = ws.replies().size();
      co_await os.Sleep(os::Seconds(1000));  // stay connected
    });
    f.StartWalReceiver();
    f.RunFor(os::Seconds(3));
    EXPECT_EQ(f.shm->WalRcv.receivedUpto, end) << status_updates;  // fsynced either way
    if (status_updates) {
      EXPECT_GT(replies, 0u);
    } else {
      EXPECT_EQ(replies, 0u);
    }
  }
}

// abfd192b1b: before 9.3 a standby whose recovery target is timeline 1
// cannot stream from a primary on timeline 2 (a promoted standby); with
// the switch it fetches timeline 2's history and streams timeline 1's WAL.
TEST(WalReceiverPre93Test, ThePrimarysTimelineMustBeTheTarget) {
  for (const bool follow : {false, true}) {
    WalRcvFixture f(ProfileWithSwitch("pg-9.2.5", "abfd192b1b",
                                      &node::Behavior::walrcv_follow_timeline_switch, follow));
    f.shm->XLogCtl.RecoveryTargetTLI = 1;
    f.RequestStreaming(kStart, 1);
    std::optional<wire::StartReplicationCmd> start;
    f.cluster.Spawn("primary", "walsender", [&](os::Os& os) -> os::Task<> {
      ScriptedWalSender ws(os, {.system_id = kSystemId, .timeline = 2,
                                .histories = {{2, "1\t0/4000000\tno recovery target specified\n"}}});
      co_await OpenStream(os, ws, &start);
      co_await os.Sleep(os::Seconds(1000));  // stay connected
    });
    f.StartWalReceiver();
    f.RunFor(os::Seconds(1));
    const std::vector<std::string> log = f.WalRcvLog();
    const bool mismatch =
        HasLine(log, "FATAL: timeline 2 of the primary does not match recovery target timeline 1");
    EXPECT_EQ(mismatch, !follow) << absl::StrJoin(log, "\n");
    EXPECT_EQ(start.has_value(), follow);
  }
}

}  // namespace
}  // namespace replsim::walreceiver
