// One test per rule of the disk's fault model (disk.h).
#include "sim/disk/disk.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace replsim::sim::disk {
namespace {

using os::Errno;

class DiskTest : public ::testing::Test {
 protected:
  DiskTest() : world_(3), disk_(world_, "h") {}

  InodeId Create(std::string_view path) {
    os::Result<InodeId> id = disk_.Open(path, os::kOpenReadWrite | os::kOpenCreate);
    EXPECT_TRUE(id.ok());
    return *id;
  }
  void Put(InodeId id, int64_t off, const std::string& s) {
    auto r = disk_.Write(id, off, absl::MakeConstSpan(
                                      reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    ASSERT_TRUE(r.ok());
  }
  // A file with durable data and a durable name (its directory synced).
  void CreateDurable(const std::string& dir, const std::string& name, const std::string& data) {
    InodeId f = Create(dir + "/" + name);
    Put(f, 0, data);
    ASSERT_EQ(disk_.Sync(f), Errno::kOk);
    ASSERT_EQ(disk_.SyncDir(dir), Errno::kOk);
    disk_.Release(f);
  }
  std::string Get(std::string_view path) {
    os::Result<InodeId> id = disk_.Open(path, os::kOpenRead);
    if (!id.ok()) return "<" + std::string(os::ErrnoName(id.error())) + ">";
    std::string out(*disk_.Size(*id), '\0');
    (void)disk_.Read(*id, 0, absl::MakeSpan(reinterpret_cast<uint8_t*>(out.data()),
                                            out.size()));
    disk_.Release(*id);
    return out;
  }

  World world_;
  Disk disk_;
};

TEST_F(DiskTest, CrashLosesWrittenButNotFsyncedPage) {
  InodeId f = Create("wal");
  ASSERT_EQ(disk_.SyncDir(""), Errno::kOk);
  Put(f, 0, "synced");
  ASSERT_EQ(disk_.Sync(f), Errno::kOk);
  Put(f, 8192, "volatile");
  EXPECT_EQ(Get("wal").substr(8192), "volatile");  // the cache sees it
  disk_.Release(f);
  disk_.Crash();
  EXPECT_EQ(Get("wal"), "synced");
}

TEST_F(DiskTest, CreateWithoutDirectoryFsyncIsUndoneByCrash) {
  InodeId f = Create("new");
  Put(f, 0, "data");
  ASSERT_EQ(disk_.Sync(f), Errno::kOk);  // file data durable, its name not
  disk_.Release(f);
  disk_.Crash();
  EXPECT_EQ(Get("new"), "<ENOENT>");
}

TEST_F(DiskTest, RenameWithoutDirectoryFsyncIsUndoneByCrash) {
  ASSERT_EQ(disk_.MakeDir("pg_wal"), Errno::kOk);
  ASSERT_EQ(disk_.SyncDir(""), Errno::kOk);
  CreateDurable("pg_wal", "xlogtemp", "segment");
  ASSERT_EQ(disk_.Rename("pg_wal/xlogtemp", "pg_wal/000000010000000000000001"),
            Errno::kOk);
  EXPECT_EQ(*disk_.List("pg_wal"), std::vector<std::string>{"000000010000000000000001"});
  disk_.Crash();
  EXPECT_EQ(*disk_.List("pg_wal"), std::vector<std::string>{"xlogtemp"});
  ASSERT_EQ(disk_.Rename("pg_wal/xlogtemp", "pg_wal/000000010000000000000001"),
            Errno::kOk);
  ASSERT_EQ(disk_.SyncDir("pg_wal"), Errno::kOk);
  disk_.Crash();
  EXPECT_EQ(Get("pg_wal/000000010000000000000001"), "segment");
}

// CreateSlotOnDisk's dance: fill "slot.tmp", rename the directory into
// place. The entries move with the directory; before the parent is synced a
// crash brings back the old name with them, after it the new one.
TEST_F(DiskTest, RenamingADirectoryMovesItsEntries) {
  ASSERT_EQ(disk_.MakeDir("pg_replslot"), Errno::kOk);
  ASSERT_EQ(disk_.SyncDir(""), Errno::kOk);
  ASSERT_EQ(disk_.MakeDir("pg_replslot/s.tmp"), Errno::kOk);
  ASSERT_EQ(disk_.SyncDir("pg_replslot"), Errno::kOk);
  CreateDurable("pg_replslot/s.tmp", "state", "slot");

  ASSERT_EQ(disk_.Rename("pg_replslot/s.tmp", "pg_replslot/s"), Errno::kOk);
  EXPECT_EQ(*disk_.List("pg_replslot"), std::vector<std::string>{"s"});
  EXPECT_EQ(Get("pg_replslot/s/state"), "slot");
  EXPECT_EQ(Get("pg_replslot/s.tmp/state"), "<ENOENT>");
  disk_.Crash();  // the parent was not synced: the old name, with its entry
  EXPECT_EQ(*disk_.List("pg_replslot"), std::vector<std::string>{"s.tmp"});
  EXPECT_EQ(Get("pg_replslot/s.tmp/state"), "slot");

  ASSERT_EQ(disk_.Rename("pg_replslot/s.tmp", "pg_replslot/s"), Errno::kOk);
  ASSERT_EQ(disk_.SyncDir("pg_replslot"), Errno::kOk);
  disk_.Crash();
  EXPECT_EQ(*disk_.List("pg_replslot"), std::vector<std::string>{"s"});
  EXPECT_EQ(Get("pg_replslot/s/state"), "slot");
}

TEST_F(DiskTest, DirectoryRenameAndRemoveFollowLinux) {
  ASSERT_EQ(disk_.MakeDir("a"), Errno::kOk);
  ASSERT_EQ(disk_.MakeDir("b"), Errno::kOk);
  disk_.Release(Create("b/f"));
  disk_.Release(Create("file"));
  EXPECT_EQ(disk_.Rename("a", "b"), Errno::kENOTEMPTY);
  EXPECT_EQ(disk_.Rename("a", "file"), Errno::kENOTDIR);
  EXPECT_EQ(disk_.Rename("file", "a"), Errno::kEISDIR);
  EXPECT_EQ(disk_.RemoveDir("b"), Errno::kENOTEMPTY);
  EXPECT_EQ(disk_.RemoveDir("file"), Errno::kENOTDIR);
  EXPECT_EQ(disk_.RemoveDir("nope"), Errno::kENOENT);
  ASSERT_EQ(disk_.Unlink("b/f"), Errno::kOk);
  EXPECT_EQ(disk_.Rename("a", "b"), Errno::kOk);  // onto an empty directory
  EXPECT_EQ(disk_.RemoveDir("b"), Errno::kOk);
  EXPECT_EQ(*disk_.List(""), std::vector<std::string>{"file"});
}

// A file whose directory entry never became durable is gone after a crash,
// even if its own name was synced into that directory.
TEST_F(DiskTest, EntriesOfANonDurableDirectoryDoNotSurviveACrash) {
  ASSERT_EQ(disk_.MakeDir("d"), Errno::kOk);
  InodeId f = Create("d/f");
  Put(f, 0, "x");
  ASSERT_EQ(disk_.Sync(f), Errno::kOk);
  ASSERT_EQ(disk_.SyncDir("d"), Errno::kOk);  // but "" is never synced
  disk_.Release(f);
  disk_.Crash();
  EXPECT_EQ(Get("d/f"), "<ENOENT>");
  EXPECT_TRUE(disk_.List("").ok());
  EXPECT_TRUE(disk_.List("")->empty());
}

TEST_F(DiskTest, UnlinkWithoutDirectoryFsyncIsUndoneByCrash) {
  InodeId f = Create("f");
  Put(f, 0, "x");
  ASSERT_EQ(disk_.Sync(f), Errno::kOk);
  ASSERT_EQ(disk_.SyncDir(""), Errno::kOk);
  disk_.Release(f);
  ASSERT_EQ(disk_.Unlink("f"), Errno::kOk);
  EXPECT_EQ(Get("f"), "<ENOENT>");
  disk_.Crash();
  EXPECT_EQ(Get("f"), "x");
}

TEST_F(DiskTest, FsyncEioReportedOnceAndPagesLost) {
  InodeId f = Create("f");
  ASSERT_EQ(disk_.SyncDir(""), Errno::kOk);
  Put(f, 0, "old!");
  ASSERT_EQ(disk_.Sync(f), Errno::kOk);
  Put(f, 0, "new!");
  disk_.FailNextFsync();
  EXPECT_EQ(disk_.Sync(f), Errno::kEIO);
  EXPECT_EQ(disk_.Sync(f), Errno::kOk);  // reported once: pages now "clean"
  EXPECT_EQ(Get("f"), "new!");           // the cache still has them
  disk_.Release(f);
  disk_.Crash();
  EXPECT_EQ(Get("f"), "old!");  // but they never reached the platter
}

TEST_F(DiskTest, TornWriteAtSectorGranularityOnCrash) {
  disk_.set_crash_sector_persist({1, 2});
  InodeId f = Create("f");
  ASSERT_EQ(disk_.SyncDir(""), Errno::kOk);
  Put(f, 0, std::string(4096, 'o'));
  ASSERT_EQ(disk_.Sync(f), Errno::kOk);
  Put(f, 0, std::string(4096, 'n'));
  disk_.Release(f);
  disk_.Crash();
  std::string page = Get("f");
  ASSERT_EQ(page.size(), 4096u);
  int new_sectors = 0;
  for (int s = 0; s < 8; ++s) {
    std::string sector = page.substr(s * 512, 512);
    ASSERT_TRUE(sector == std::string(512, 'o') || sector == std::string(512, 'n'));
    new_sectors += sector[0] == 'n';
  }
  EXPECT_GT(new_sectors, 0);  // seed 3 gives a torn page: some of each
  EXPECT_LT(new_sectors, 8);
}

TEST_F(DiskTest, EnospcWhenFullWritesNothing) {
  InodeId f = Create("f");
  Put(f, 0, "abc");
  disk_.Fill();
  std::string more = "d";
  auto r = disk_.Write(f, 3, absl::MakeConstSpan(
                                 reinterpret_cast<const uint8_t*>(more.data()), 1));
  EXPECT_EQ(r.error(), Errno::kENOSPC);
  Put(f, 0, "x");  // overwriting in place needs no space
  EXPECT_EQ(Get("f"), "xbc");
}

TEST_F(DiskTest, AllocatedSpaceIsWrittenIntoWithoutGrowingAndFreedWithTheFile) {
  InodeId f = Create("f");
  ASSERT_EQ(disk_.Allocate(f, 1000), Errno::kOk);
  EXPECT_EQ(disk_.used(), 1000);
  EXPECT_EQ(Get("f"), "") << "the zeros are not stored";
  disk_.Fill();
  Put(f, 990, "0123456789");  // inside the allocation: fits on a full disk
  EXPECT_EQ(disk_.used(), 1000);
  std::string more = "x";
  auto r = disk_.Write(f, 1000, absl::MakeConstSpan(
                                    reinterpret_cast<const uint8_t*>(more.data()), 1));
  EXPECT_EQ(r.error(), Errno::kENOSPC) << "past it needs new space";
  InodeId g = Create("g");
  EXPECT_EQ(disk_.Allocate(g, 10), Errno::kENOSPC);
  disk_.Free();
  ASSERT_EQ(disk_.Unlink("f"), Errno::kOk);
  disk_.Release(f);
  EXPECT_EQ(disk_.used(), 0) << "the allocation went with the file";
  EXPECT_EQ(disk_.Allocate(g, 10), Errno::kOk);
  disk_.Release(g);
}

TEST_F(DiskTest, OpenFlagsAndMissingParent) {
  EXPECT_EQ(disk_.Open("nodir/f", os::kOpenCreate).error(), Errno::kENOENT);
  EXPECT_EQ(disk_.Open("f", os::kOpenRead).error(), Errno::kENOENT);
  InodeId f = Create("f");
  EXPECT_EQ(disk_.Open("f", os::kOpenCreate | os::kOpenExclusive).error(),
            Errno::kEEXIST);
  disk_.Release(f);
}

}  // namespace
}  // namespace replsim::sim::disk
