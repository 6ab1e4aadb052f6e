// recovery.conf (before 12) as the harness writes it and the startup
// process reads it back; PostgreSQL's errors for what it cannot take.
#include "protocol/node/recovery_conf.h"

#include "gtest/gtest.h"

namespace replsim::node {
namespace {

constexpr int kPg93 = 90300;

TEST(RecoveryConfTest, TheReleaseDecidesBetweenRecoveryConfAndSignalFiles) {
  EXPECT_TRUE(UsesRecoveryConf(90300));
  EXPECT_TRUE(UsesRecoveryConf(110000));
  EXPECT_FALSE(UsesRecoveryConf(120000));
  EXPECT_FALSE(UsesRecoveryConf(150000));
}

TEST(RecoveryConfTest, AStandbysSettingsSurviveTheRoundTrip) {
  Gucs g = Gucs::Defaults(kPg93);
  g.standby_mode = true;
  g.primary_conninfo = "host=primary port=5432 application_name='it''s'";
  g.recovery_target_timeline = "latest";
  const std::string text = FormatRecoveryConf(g);
  EXPECT_EQ(text,
            "standby_mode = 'on'\n"
            "primary_conninfo = 'host=primary port=5432 application_name=''it''''s'''\n"
            "recovery_target_timeline = 'latest'\n");
  Gucs back = Gucs::Defaults(kPg93);
  ASSERT_TRUE(ApplyRecoveryConf(text, kPg93, &back).ok());
  EXPECT_TRUE(back.standby_mode);
  EXPECT_EQ(back.primary_conninfo, g.primary_conninfo);
  EXPECT_EQ(back.recovery_target_timeline, "latest");
}

TEST(RecoveryConfTest, CommentsBlankLinesAndUnquotedWordsAreTaken) {
  Gucs g = Gucs::Defaults(kPg93);
  ASSERT_TRUE(ApplyRecoveryConf("# a standby\n\nstandby_mode on  # yes\ntrigger_file = '/tmp/t'\n",
                                kPg93, &g)
                  .ok());
  EXPECT_TRUE(g.standby_mode);
  EXPECT_EQ(g.promote_trigger_file, "/tmp/t");
}

TEST(RecoveryConfTest, WhatPostgresqlRefusesIsAnErrorWithItsText) {
  Gucs g = Gucs::Defaults(kPg93);
  EXPECT_EQ(ApplyRecoveryConf("standby_mode = 'on'\nprimary_conninfo = 'host=a\n", kPg93, &g)
                .message(),
            "syntax error in file \"recovery.conf\" line 2, near end of line");
  EXPECT_EQ(ApplyRecoveryConf("wal_sender_timeout = '5s'\n", kPg93, &g).message(),
            "unrecognized recovery parameter \"wal_sender_timeout\"");
  EXPECT_EQ(ApplyRecoveryConf("standby_mode = 'maybe'\n", kPg93, &g).message(),
            "parameter \"standby_mode\" requires a Boolean value");
}

}  // namespace
}  // namespace replsim::node
