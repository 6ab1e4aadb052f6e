#include "protocol/node/behavior.h"

#include <set>
#include <string>

#include "gtest/gtest.h"

namespace replsim::node {
namespace {

TEST(BehaviorTest, TheCleanSwitchoverFixArrivesIn925) {
  EXPECT_FALSE(Behavior::ForProfile("pg-9.2.4")->walsnd_wait_for_standby_flush);
  EXPECT_TRUE(Behavior::ForProfile("pg-9.2.5")->walsnd_wait_for_standby_flush);
  EXPECT_TRUE(Behavior::ForProfile("pg-9.3.0")->walsnd_wait_for_standby_flush);
  EXPECT_FALSE(Behavior::ForProfile("pg-9.3beta2")->walsnd_wait_for_standby_flush)
      << "9.3beta2 (2013-06-24) predates the fix (2013-06-26)";
  EXPECT_TRUE(Behavior::ForProfile("pg-15")->walsnd_wait_for_standby_flush);
  EXPECT_FALSE(Behavior::ForProfile("pg-9.0.3")->walsnd_wait_for_standby_flush)
      << "985bd7d497 was back-patched only to 9.1";
}

TEST(BehaviorTest, OtherFixesFollowTheirReleases) {
  EXPECT_FALSE(Behavior::ForProfile("pg-9.0.2")->walrcv_flush_on_exit);
  EXPECT_TRUE(Behavior::ForProfile("pg-9.0.3")->walrcv_flush_on_exit);
  EXPECT_FALSE(Behavior::ForProfile("pg-9.3.0")->walsnd_flush_or_write);
  EXPECT_TRUE(Behavior::ForProfile("pg-9.3.4")->walsnd_flush_or_write);
  EXPECT_FALSE(Behavior::ForProfile("pg-9.3.5")->walsnd_stopping_state);
  EXPECT_TRUE(Behavior::ForProfile("pg-15")->walsnd_stopping_state);
  EXPECT_FALSE(Behavior::ForProfile("pg-9.4beta3")->receivexlog_flush_on_reply_request);
  EXPECT_TRUE(Behavior::ForProfile("pg-9.4.0")->receivexlog_flush_on_reply_request);
  EXPECT_FALSE(Behavior::ForProfile("pg-9.4.7")->walsnd_done_ping_sets_waiting);
  EXPECT_TRUE(Behavior::ForProfile("pg-9.4.8")->walsnd_done_ping_sets_waiting);
  EXPECT_TRUE(Behavior::ForProfile("pg-15")->walsnd_done_ping_sets_waiting);
  EXPECT_TRUE(Behavior::ForProfile("pg-9.4.0")->walsnd_stop_path_ping)
      << "9.4's WalSndDone pings";
  EXPECT_FALSE(Behavior::ForProfile("pg-9.4.8")->walsnd_stopping_state);
}

TEST(BehaviorTest, SyncRepFixesOnlyInFifteen) {
  for (const char* p : {"pg-9.3.5", "pg-9.4.8"}) {
    const Behavior b = *Behavior::ForProfile(p);
    EXPECT_FALSE(b.syncrep_stopping_walsenders_release) << p << ": 4c703369af is 9.4.21";
    EXPECT_FALSE(b.syncrep_wait_on_shared_flag) << p << ": 48c9f49265 is 11.0";
    EXPECT_FALSE(b.syncrep_sync_standbys_init) << p << ": 2e57790836 is 13.21";
  }
  const Behavior b = *Behavior::ForProfile("pg-15");
  EXPECT_TRUE(b.syncrep_stopping_walsenders_release);
  EXPECT_TRUE(b.syncrep_wait_on_shared_flag);
  EXPECT_TRUE(b.syncrep_sync_standbys_init);
}

TEST(BehaviorTest, DurabilityFixesFollowTheirBackPatches) {
  // 1d4a0ab19a reached 9.4 in 9.4.7 (2016-03-31), never 9.0 (out of
  // support); 2ce439f337 reached every branch from 9.0 in the 2015-05-22
  // releases (9.4.2, 9.3.7, ...), after every 9.0-9.3 profile's release.
  struct Row {
    const char* profile;
    bool durable_rename;    // 1d4a0ab19a
    bool sync_after_crash;  // 2ce439f337
  };
  for (const Row& r : {Row{"pg-9.0.3", false, false}, Row{"pg-9.3.5", false, false},
                       Row{"pg-9.4.0", false, false}, Row{"pg-9.4.7", true, true},
                       Row{"pg-15", true, true}}) {
    const Behavior b = *Behavior::ForProfile(r.profile);
    EXPECT_EQ(b.xlog_durable_rename, r.durable_rename) << r.profile;
    EXPECT_EQ(b.sync_data_directory_after_crash, r.sync_after_crash) << r.profile;
  }
}

TEST(BehaviorTest, UnknownProfileNamesTheKnownOnes) {
  auto b = Behavior::ForProfile("pg-9.9");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("pg-9.2.4"), std::string::npos);
  EXPECT_NE(b.status().message().find("\"pg-9.9\""), std::string::npos);
}

TEST(BehaviorTest, OverridesByCommitPrefixOrField) {
  Behavior b = *Behavior::ForProfile("pg-15");
  ASSERT_TRUE(b.ApplyOverrides("e0b581a=off, 07e8b6aabc=off").ok());
  EXPECT_FALSE(b.walsnd_drain_all_at_shutdown);
  EXPECT_FALSE(b.walsnd_send_only_flushed);
  ASSERT_TRUE(b.Set("walsnd_wait_for_standby_flush", false).ok());
  EXPECT_FALSE(b.walsnd_wait_for_standby_flush);
  EXPECT_EQ(b.description, "pg-15 -e0b581acd2 -07e8b6aabc -985bd7d497");
}

TEST(BehaviorTest, BadOverridesAreClearErrors) {
  Behavior b = *Behavior::ForProfile("pg-15");
  EXPECT_FALSE(b.ApplyOverrides("985bd7d497").ok());
  EXPECT_FALSE(b.ApplyOverrides("985bd7d497=maybe").ok());
  EXPECT_FALSE(b.Set("985bd", true).ok()) << "prefixes need 7 characters";
  auto s = b.Set("deadbeef", true);
  EXPECT_NE(s.message().find("985bd7d497"), std::string::npos) << s.message();
}

TEST(BehaviorTest, EverySwitchIsDistinctAndSettable) {
  std::set<std::string> commits;
  for (const SwitchInfo& s : AllSwitches()) {
    EXPECT_TRUE(commits.insert(s.commit).second) << s.commit;
    Behavior b = *Behavior::ForProfile("pg-15");
    ASSERT_TRUE(b.Set(s.commit, false).ok()) << s.commit;
    EXPECT_FALSE(b.*(s.member)) << s.commit;
  }
  EXPECT_EQ(AllProfiles().size(), 13u);
}

}  // namespace
}  // namespace replsim::node
