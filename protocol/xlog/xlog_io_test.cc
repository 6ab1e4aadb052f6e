// WAL and pg_control through the simulated OS: inserted WAL reaches the files
// only when written, survives a host crash only when flushed, and reads back
// byte for byte; pg_control round-trips and is durable once written.
#include "protocol/xlog/xlog_io.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "protocol/wal/wal_reader.h"
#include "protocol/wal/xlog_records.h"
#include "protocol/xlog/control_file.h"
#include "protocol/xlog/initdb.h"
#include "sim/os/cluster.h"

namespace replsim::xlog {
namespace {

using sim::os_sim::Cluster;

constexpr XLogRecPtr kStart = 0x3000028;
constexpr int kPg15 =
    150000;  // PG_VERSION_NUM: the WAL directory is pg_wal  // after segment 3's long header

os::Task<> MakeDataDir(os::Os& os, int server_version_num = kPg15) {
  os.MakeDir("/pgdata");
  os.MakeDir(XLogDir("/pgdata", server_version_num));
  os.MakeDir("/pgdata/global");
  co_await os.FsyncDir("/");
  co_await os.FsyncDir("/pgdata");
}

struct Fixture {
  sim::World world{1, true};
  Cluster cluster{world};
  node::NodeShmem shm;
  Fixture() {
    cluster.AddHost("h");
    shm.data_dir = "/pgdata";
    shm.ControlFile.system_identifier = 7;
  }
  void Run() { world.Run({.until = world.now() + os::Seconds(100)}); }
};

wal::WalRecord Insert(uint32_t xid) {
  return wal::MakeCommitRecord(xid, /*xact_time=*/1000 + xid);
}

TEST(XLogIoTest, FlushedWalReadsBackAndDecodes) {
  Fixture f;
  std::vector<XLogRecPtr> starts;
  std::vector<uint8_t> read;
  XLogRecPtr end = 0;
  f.cluster.Spawn("h", "backend", [&](os::Os& os) -> os::Task<> {
    co_await MakeDataDir(os);
    // Begin at a segment start so the first page gets its long header.
    StartXLogInsert(f.shm, 1, 0x3000000, 0x2FFFF00);
    for (uint32_t x = 1; x <= 500; ++x) starts.push_back(XLogInsert(f.shm, Insert(x)).ReadRecPtr);
    end = f.shm.XLogCtl.pos.Insert;
    EXPECT_EQ(co_await XLogFlush(os, f.shm, end), os::Errno::kOk);
    EXPECT_EQ(f.shm.XLogCtl.pos.LogwrtResult.Flush, end);
    read.resize(end - 0x3000000);
    EXPECT_EQ(co_await XLogRead(os, "/pgdata", kPg15, 1, 0x3000000, absl::MakeSpan(read)),
              os::Errno::kOk);
  });
  f.Run();
  ASSERT_EQ(starts.size(), 500u);
  EXPECT_EQ(starts[0], kStart);
  // Decode what the files hold.
  wal::WalBuffer buf;
  buf.Write(0x3000000, read);
  wal::XLogReaderState reader(
      {.system_identifier = 7},
      [&](XLogRecPtr page, uint32_t, absl::Span<uint8_t> out) {
        return wal::ReadPageFromWalBuffer(buf, end, 1, page, 0, out);
      });
  reader.XLogBeginRead(kStart);
  for (size_t i = 0; i < starts.size(); ++i) {
    auto rec = reader.XLogReadRecord();
    ASSERT_TRUE(rec.ok()) << i << ": " << rec.status();
    EXPECT_EQ(reader.ReadRecPtr(), starts[i]);
  }
}

TEST(XLogIoTest, HostCrashKeepsFlushedWalAndLosesWrittenOnlyWal) {
  Fixture f;
  XLogRecPtr flushed = 0, written = 0;
  f.cluster.Spawn("h", "backend", [&](os::Os& os) -> os::Task<> {
    co_await MakeDataDir(os);
    StartXLogInsert(f.shm, 1, 0x3000000, 0x2FFFF00);
    for (uint32_t x = 1; x <= 50; ++x) XLogInsert(f.shm, Insert(x));
    flushed = f.shm.XLogCtl.pos.Insert;
    co_await XLogFlush(os, f.shm, flushed);
    for (uint32_t x = 51; x <= 600; ++x) XLogInsert(f.shm, Insert(x));
    written = f.shm.XLogCtl.pos.Insert;
    co_await XLogWrite(os, f.shm, written);  // in the page cache only
    EXPECT_EQ(f.shm.XLogCtl.pos.LogwrtResult.Write, written);
    EXPECT_EQ(f.shm.XLogCtl.pos.LogwrtResult.Flush, flushed);
  });
  f.Run();
  std::vector<uint8_t> before, after;
  auto read_all = [&](std::vector<uint8_t>* out) {
    f.cluster.Spawn("h", "reader", [&, out](os::Os& os) -> os::Task<> {
      out->resize(written - 0x3000000);
      EXPECT_EQ(co_await XLogRead(os, "/pgdata", kPg15, 1, 0x3000000, absl::MakeSpan(*out)),
                os::Errno::kOk);
    });
    f.Run();
  };
  read_all(&before);
  f.cluster.CrashHost("h");
  f.cluster.RestartHost("h");
  read_all(&after);
  ASSERT_EQ(before.size(), after.size());
  // Everything below the flush point survived, byte for byte.
  const size_t keep = flushed - 0x3000000;
  EXPECT_TRUE(std::equal(before.begin(), before.begin() + keep, after.begin()));
  // The written-only tail is gone (the crash lost it: it reads as zeros, at
  // least from the first page that was dirty only after the flush).
  const size_t lost_from = ((keep + 4095) / 4096) * 4096;
  ASSERT_LT(lost_from, after.size());
  EXPECT_NE(std::vector<uint8_t>(before.begin() + lost_from, before.end()),
            std::vector<uint8_t>(after.begin() + lost_from, after.end()));
  EXPECT_TRUE(std::all_of(after.begin() + lost_from, after.end(),
                          [](uint8_t b) { return b == 0; }));
}

TEST(XLogIoTest, ReadOfAMissingSegmentIsEnoent) {
  Fixture f;
  os::Errno e = os::Errno::kOk;
  f.cluster.Spawn("h", "walsender", [&](os::Os& os) -> os::Task<> {
    co_await MakeDataDir(os);
    std::vector<uint8_t> buf(100);
    e = co_await XLogRead(os, "/pgdata", kPg15, 1, 0x5000000, absl::MakeSpan(buf));
  });
  f.Run();
  EXPECT_EQ(e, os::Errno::kENOENT);
}

TEST(XLogIoTest, ControlFileRoundTripsAndSurvivesACrash) {
  Fixture f;
  node::ControlFileData c;
  c.system_identifier = 42;
  c.state = node::DBState::DB_SHUTDOWNED;
  c.checkPoint = 0x300AAC0;
  c.checkPointCopy.redo = 0x300AAC0;
  c.checkPointCopy.ThisTimeLineID = 1;
  c.checkPointCopy.PrevTimeLineID = 1;
  c.checkPointCopy.nextXid = 740;
  c.minRecoveryPoint = 0x300AB38;
  c.minRecoveryPointTLI = 1;
  f.cluster.Spawn("h", "checkpointer", [&](os::Os& os) -> os::Task<> {
    co_await MakeDataDir(os);
    EXPECT_EQ(co_await WriteControlFile(os, "/pgdata", c), os::Errno::kOk);
    // initdb makes the new file's directory entry durable.
    co_await os.FsyncDir("/pgdata/global");
  });
  f.Run();
  f.cluster.CrashHost("h");
  f.cluster.RestartHost("h");
  std::optional<node::ControlFileData> got;
  f.cluster.Spawn("h", "startup", [&](os::Os& os) -> os::Task<> {
    os::Result<node::ControlFileData> r = co_await ReadControlFile(os, "/pgdata");
    if (r.ok()) got = *r;
  });
  f.Run();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->state, node::DBState::DB_SHUTDOWNED);
  EXPECT_EQ(got->checkPoint, 0x300AAC0u);
  EXPECT_EQ(got->checkPointCopy, c.checkPointCopy);
  EXPECT_EQ(got->minRecoveryPoint, 0x300AB38u);
  // A flipped byte is a checksum failure, as PostgreSQL reports it.
  std::vector<uint8_t> bytes = EncodeControlFile(c);
  bytes[10] ^= 1;
  auto bad = DecodeControlFile(bytes);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "incorrect checksum in control file");
}

TEST(XLogIoTest, InitDbLeavesADurableShutDownClusterAtTheBootstrapCheckpoint) {
  Fixture f;
  f.cluster.Spawn("h", "initdb", [&](os::Os& os) -> os::Task<> {
    EXPECT_EQ(co_await InitDb(os, "/pgdata", kPg15, 7), os::Errno::kOk);
  });
  f.Run();
  f.cluster.CrashHost("h");
  f.cluster.RestartHost("h");
  std::optional<node::ControlFileData> c;
  std::vector<uint8_t> wal(0x100);
  f.cluster.Spawn("h", "startup", [&](os::Os& os) -> os::Task<> {
    os::Result<node::ControlFileData> r = co_await ReadControlFile(os, "/pgdata");
    if (r.ok()) c = *r;
    EXPECT_EQ(co_await XLogRead(os, "/pgdata", kPg15, 1, 0x1000000, absl::MakeSpan(wal)),
              os::Errno::kOk);
  });
  f.Run();
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->state, node::DBState::DB_SHUTDOWNED);
  EXPECT_EQ(c->checkPoint, kBootstrapCheckPoint);
  wal::WalBuffer buf;
  buf.Write(0x1000000, wal);
  wal::XLogReaderState reader({.system_identifier = 7}, [&](XLogRecPtr page, uint32_t,
                                                            absl::Span<uint8_t> out) {
    return wal::ReadPageFromWalBuffer(buf, 0x1000100, 1, page, 0, out);
  });
  reader.XLogBeginRead(kBootstrapCheckPoint);
  auto rec = reader.XLogReadRecord();
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_EQ((*rec)->info(), wal::XLOG_CHECKPOINT_SHUTDOWN);
  auto cp = wal::DecodeCheckPoint((*rec)->main_data);
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->redo, kBootstrapCheckPoint);
}

// The WAL directory is the release's: pg_xlog before 10 (f82ec32ac3),
// pg_wal from 10, in initdb's directories and the segment paths alike.
TEST(XLogIoTest, InitDbMakesTheReleasesWalDirectory) {
  for (const auto& [version, dir] : {std::pair<int, std::string>{90300, "pg_xlog"},
                                     {96000, "pg_xlog"},
                                     {100000, "pg_wal"},
                                     {150000, "pg_wal"}}) {
    Fixture f;
    bool dir_made = false, segment_there = false, other_dir = true;
    f.cluster.Spawn("h", "initdb", [&, version = version](os::Os& os) -> os::Task<> {
      EXPECT_EQ(co_await InitDb(os, "/pgdata", version, 7), os::Errno::kOk);
      dir_made = os.Stat("/pgdata/" + dir).ok();
      segment_there = os.Stat(XLogFilePath("/pgdata", version, 1, 1)).ok();
      other_dir = os.Stat(dir == "pg_wal" ? "/pgdata/pg_xlog" : "/pgdata/pg_wal").ok();
    });
    f.Run();
    EXPECT_EQ(XLogDirName(version), dir);
    EXPECT_EQ(XLogFilePath("/pgdata", version, 1, 1),
              "/pgdata/" + dir + "/000000010000000000000001");
    EXPECT_TRUE(dir_made) << version;
    EXPECT_TRUE(segment_there) << version;
    EXPECT_FALSE(other_dir) << version;
  }
}

// A failed WAL write or fsync, and a failed pg_control fsync, PANIC where
// PostgreSQL raises them, with the text of the release.
std::vector<std::string> Panics(sim::World& w) {
  std::vector<std::string> out;
  for (const sim::TraceEvent& e : w.trace().events()) {
    const sim::TraceField* k = e.Find("kind");
    const sim::TraceField* m = e.Find("message");
    if (e.kind == "log" && k != nullptr && k->s == "PANIC" && m != nullptr) out.push_back(m->s);
  }
  return out;
}

struct IoFailures {
  std::vector<std::string> panics;
  os::Pid pid = 0;
};

// A failed fsync; a full disk, which fails no write into an existing
// segment (XLogFileInit took its 16 MiB) but fails the next segment's
// creation; and a failed pg_control fsync.
IoFailures FailWalAndControlFileIo(int server_version_num) {
  Fixture f;
  f.shm.behavior.server_version_num = server_version_num;
  sim::disk::Disk& disk = f.cluster.host("h").disk();
  IoFailures out;
  out.pid = f.cluster.Spawn("h", "backend", [&](os::Os& os) -> os::Task<> {
    co_await MakeDataDir(os, server_version_num);
    // 8 KiB before the end of segment 3.
    StartXLogInsert(f.shm, 1, 0x3FFE000, 0x3FFDF00);
    XLogInsert(f.shm, Insert(1));
    EXPECT_EQ(co_await XLogFlush(os, f.shm, f.shm.XLogCtl.pos.Insert), os::Errno::kOk);
    disk.FailNextFsync();
    XLogInsert(f.shm, Insert(2));
    EXPECT_EQ(co_await XLogFlush(os, f.shm, f.shm.XLogCtl.pos.Insert), os::Errno::kEIO);
    disk.Fill();
    XLogInsert(f.shm, Insert(3));
    EXPECT_EQ(co_await XLogFlush(os, f.shm, f.shm.XLogCtl.pos.Insert), os::Errno::kOk)
        << "segment 3's space was taken when it was created";
    uint32_t x = 4;
    while (f.shm.XLogCtl.pos.Insert < 0x4000100) XLogInsert(f.shm, Insert(x++));
    EXPECT_EQ(co_await XLogFlush(os, f.shm, f.shm.XLogCtl.pos.Insert), os::Errno::kENOSPC);
    EXPECT_FALSE(os.Stat(XLogFilePath(f.shm, 1, 4)).ok());
    EXPECT_FALSE(os.Stat(absl::StrCat(XLogDir(f.shm), "/xlogtemp.", os.MyPid())).ok());
    disk.Free();
    EXPECT_EQ(co_await XLogFlush(os, f.shm, f.shm.XLogCtl.pos.Insert), os::Errno::kOk);
    EXPECT_TRUE(os.Stat(XLogFilePath(f.shm, 1, 4)).ok());
    EXPECT_EQ(co_await UpdateControlFile(os, f.shm), os::Errno::kOk);
    disk.FailNextFsync();
    EXPECT_EQ(co_await UpdateControlFile(os, f.shm), os::Errno::kEIO);
  });
  f.Run();
  out.panics = Panics(f.world);
  return out;
}

TEST(XLogIoTest, FailedWalAndControlFileIoPanicWithTheReleasesText) {
  IoFailures v93 = FailWalAndControlFileIo(90300);
  EXPECT_EQ(v93.panics,
            (std::vector<std::string>{
                "could not fdatasync log file 000000010000000000000003: Input/output error",
                absl::StrFormat("could not write to file \"pg_xlog/xlogtemp.%d\": No space left "
                                "on device", v93.pid),
                "could not fsync control file: Input/output error"}));
  IoFailures v15 = FailWalAndControlFileIo(150000);
  EXPECT_EQ(v15.panics,
            (std::vector<std::string>{
                "could not fdatasync file \"000000010000000000000003\": Input/output error",
                absl::StrFormat("could not write to file \"pg_wal/xlogtemp.%d\": No space left "
                                "on device", v15.pid),
                "could not fsync file \"/pgdata/global/pg_control\": Input/output error"}));
}

TEST(XLogIoTest, ASegmentInstalledMeanwhileIsNotReplaced) {
  // The walreceiver creates segment 5 and writes into it while the
  // checkpointer, which started creating segment 5 too (PreallocXlogFiles),
  // is still zero-filling its own copy. Its rename must not replace the file
  // holding the walreceiver's WAL: it goes one number ahead instead.
  Fixture f;
  std::vector<uint8_t> read(4);
  std::vector<std::string> names;
  f.cluster.Spawn("h", "checkpointer", [&](os::Os& os) -> os::Task<> {
    co_await MakeDataDir(os);
    XLogIoFailure failure;
    EXPECT_EQ(co_await XLogFileInit(os, "/pgdata", kPg15, 1, 5, /*durable_install=*/true, &failure), os::Errno::kOk);
  });
  f.cluster.Spawn("h", "walreceiver", [&](os::Os& os) -> os::Task<> {
    co_await os.Sleep(os::Microseconds(1));
    const std::vector<uint8_t> wal = {1, 2, 3, 4};
    EXPECT_EQ(co_await XLogWriteRaw(os, "/pgdata", kPg15, 1, 5 * wal::kWalSegSize, wal),
              os::Errno::kOk);
  });
  f.Run();
  f.cluster.Spawn("h", "reader", [&](os::Os& os) -> os::Task<> {
    EXPECT_EQ(
        co_await XLogRead(os, "/pgdata", kPg15, 1, 5 * wal::kWalSegSize, absl::MakeSpan(read)),
        os::Errno::kOk);
    names = *os.ListDir("/pgdata/pg_wal");
  });
  f.Run();
  EXPECT_EQ(read, (std::vector<uint8_t>{1, 2, 3, 4}));
  EXPECT_EQ(names, (std::vector<std::string>{"000000010000000000000005",
                                             "000000010000000000000006"}));
}

}  // namespace
}  // namespace replsim::xlog
