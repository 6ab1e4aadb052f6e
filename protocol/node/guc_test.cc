#include "protocol/node/guc.h"

#include <string>

#include "gtest/gtest.h"

namespace replsim::node {
namespace {

TEST(GucTest, DefaultsFollowTheRelease) {
  Gucs g93 = Gucs::Defaults(90305);
  EXPECT_EQ(g93.max_wal_senders, 0);
  EXPECT_FALSE(g93.hot_standby);
  EXPECT_EQ(g93.recovery_target_timeline, "");
  EXPECT_EQ(Gucs::Defaults(90400).max_replication_slots, 0);  // 9.4 added it, as 0
  Gucs g15 = Gucs::Defaults(150000);
  EXPECT_EQ(g15.max_wal_senders, 10);
  EXPECT_EQ(g15.max_replication_slots, 10);
  EXPECT_TRUE(g15.hot_standby);
  EXPECT_EQ(g15.recovery_target_timeline, "latest");
  EXPECT_EQ(g15.wal_sender_timeout, os::Seconds(60));
  EXPECT_EQ(g15.wal_receiver_status_interval, os::Seconds(10));
}

TEST(GucTest, TimesTakeTheParametersBaseUnit) {
  Gucs g;
  ASSERT_TRUE(g.Set("wal_sender_timeout", "5000").ok());  // ms
  EXPECT_EQ(g.wal_sender_timeout, os::Seconds(5));
  ASSERT_TRUE(g.Set("wal_receiver_status_interval", "2").ok());  // s
  EXPECT_EQ(g.wal_receiver_status_interval, os::Seconds(2));
  ASSERT_TRUE(g.Set("wal_receiver_timeout", "1min").ok());
  EXPECT_EQ(g.wal_receiver_timeout, os::Seconds(60));
  ASSERT_TRUE(g.Set("tcp_keepalives_idle", "30").ok());  // s; 0: the system's
  EXPECT_EQ(g.tcp_keepalives_idle, os::Seconds(30));
  ASSERT_TRUE(g.Set("tcp_keepalives_interval", "5s").ok());
  EXPECT_EQ(g.tcp_keepalives_interval, os::Seconds(5));
  ASSERT_TRUE(g.Set("tcp_keepalives_count", "4").ok());
  EXPECT_EQ(g.tcp_keepalives_count, 4);
  ASSERT_TRUE(g.Set("wal_sender_timeout", "0").ok());
  EXPECT_EQ(g.wal_sender_timeout, os::Seconds(0));
  ASSERT_TRUE(g.Set("wal_sender_timeout", " 250 ms ").ok());
  EXPECT_EQ(g.wal_sender_timeout, os::Milliseconds(250));
}

TEST(GucTest, MaxReplicationSlotsIsAnInteger) {
  Gucs g = Gucs::Defaults(90400);
  ASSERT_TRUE(g.Set("max_replication_slots", "4").ok());
  EXPECT_EQ(g.max_replication_slots, 4);
  EXPECT_EQ(std::string(g.Set("max_replication_slots", "many").message()),
            "invalid value for parameter \"max_replication_slots\": \"many\"");
  EXPECT_EQ(g.max_replication_slots, 4);
}

TEST(GucTest, BadValuesGetPostgresMessages) {
  Gucs g;
  auto s = g.Set("wal_sender_timeout", "5 fortnights");
  EXPECT_EQ(std::string(s.message()),
            "invalid value for parameter \"wal_sender_timeout\": \"5 fortnights\"\n"
            "HINT:  Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", "
            "\"h\", and \"d\".");
  EXPECT_EQ(std::string(g.Set("hot_standby", "maybe").message()),
            "parameter \"hot_standby\" requires a Boolean value");
  EXPECT_EQ(std::string(g.Set("wal_sender_timout", "1s").message()),
            "unrecognized configuration parameter \"wal_sender_timout\"");
  EXPECT_FALSE(g.Set("max_wal_senders", "-1").ok());
  EXPECT_FALSE(g.Set("synchronous_commit", "sometimes").ok());
}

TEST(GucTest, BooleansStringsAndEnums) {
  Gucs g;
  ASSERT_TRUE(g.Set("hot_standby_feedback", "on").ok());
  EXPECT_TRUE(g.hot_standby_feedback);
  ASSERT_TRUE(g.Set("hot_standby_feedback", "of").ok());  // unique prefix of off
  EXPECT_FALSE(g.hot_standby_feedback);
  EXPECT_FALSE(g.Set("hot_standby_feedback", "o").ok()) << "ambiguous: on/off";
  ASSERT_TRUE(g.Set("primary_conninfo", "'host=primary port=5432 user=''rep'''").ok());
  EXPECT_EQ(g.primary_conninfo, "host=primary port=5432 user='rep'");
  ASSERT_TRUE(g.Set("synchronous_commit", "remote_write").ok());
  EXPECT_EQ(g.synchronous_commit, SynchronousCommit::kRemoteWrite);
  ASSERT_TRUE(g.Set("synchronous_commit", "off").ok());
  EXPECT_EQ(g.synchronous_commit, SynchronousCommit::kOff);
  ASSERT_TRUE(g.Set("wal_keep_segments", "4").ok());
  EXPECT_EQ(g.wal_keep_size_mb, 64);
}

}  // namespace
}  // namespace replsim::node

namespace replsim::node {
namespace {

TEST(GucExistsTest, ParametersComeAndGoWithReleases) {
  EXPECT_TRUE(Gucs::CheckExists("checkpoint_segments", 90305).ok());
  EXPECT_EQ(std::string(Gucs::CheckExists("checkpoint_segments", 150000).message()),
            "unrecognized configuration parameter \"checkpoint_segments\" (PostgreSQL up to 9.4)");
  EXPECT_EQ(std::string(Gucs::CheckExists("max_wal_size", 90305).message()),
            "unrecognized configuration parameter \"max_wal_size\" (PostgreSQL 9.5 and later)");
  EXPECT_EQ(std::string(Gucs::CheckExists("replication_timeout", 90300).message()),
            "unrecognized configuration parameter \"replication_timeout\" (PostgreSQL 9.1 to "
            "9.2)");
  EXPECT_TRUE(Gucs::CheckExists("wal_keep_segments", 90300).ok());
  EXPECT_FALSE(Gucs::CheckExists("wal_keep_size", 90300).ok());
  EXPECT_TRUE(Gucs::CheckExists("wal_keep_size", 150000).ok());
  EXPECT_FALSE(Gucs::CheckExists("wal_receiver_status_interval", 90002).ok());
  EXPECT_TRUE(Gucs::CheckExists("max_wal_senders", 90002).ok());  // every release
}

}  // namespace
}  // namespace replsim::node
