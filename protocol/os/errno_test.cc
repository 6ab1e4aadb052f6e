// Tests for Errno names and Result<T>.
#include "protocol/os/errno.h"

#include <string>

#include "gtest/gtest.h"
#include "protocol/os/signal.h"

namespace replsim::os {
namespace {

TEST(ErrnoTest, NamesAndLinuxNumbers) {
  EXPECT_EQ(ErrnoName(Errno::kECONNRESET), "ECONNRESET");
  EXPECT_EQ(ErrnoName(Errno::kEPIPE), "EPIPE");
  EXPECT_EQ(ErrnoName(Errno::kOk), "OK");
  EXPECT_EQ(static_cast<int>(Errno::kECONNRESET), 104);
  EXPECT_EQ(static_cast<int>(Errno::kETIMEDOUT), 110);
  EXPECT_EQ(SignalName(Signal::kSIGUSR2), "SIGUSR2");
  EXPECT_EQ(static_cast<int>(Signal::kSIGCHLD), 17);
}

TEST(ResultTest, ValueOrError) {
  Result<std::string> v(std::string("abc"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->size(), 3u);
  Result<std::string> e(Errno::kEAGAIN);
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.error(), Errno::kEAGAIN);
}

TEST(ResultDeathTest, ValueOfErrorIsAProgrammerError) {
  Result<int> e(Errno::kEIO);
  EXPECT_DEATH((void)e.value(), "value\\(\\) of EIO");
}

}  // namespace
}  // namespace replsim::os
