#include "protocol/xlog/control_file.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/wal/byte_codec.h"
#include "protocol/wal/crc32c.h"
#include "protocol/wal/xlog_records.h"

namespace replsim::xlog {
namespace {
constexpr uint32_t kControlMagic = 0x52504354;  // "RPCT"
constexpr size_t kMaxControlBytes = 512;
}  // namespace

std::string ControlFilePath(const std::string& data_dir) {
  return absl::StrCat(data_dir, "/global/pg_control");
}

std::vector<uint8_t> EncodeControlFile(const node::ControlFileData& c) {
  std::vector<uint8_t> out;
  out.reserve(kMaxControlBytes);
  wal::ByteWriter w(&out);
  w.U32(kControlMagic);
  w.U64(c.system_identifier);
  w.U32(static_cast<uint32_t>(c.state));
  w.U64(c.checkPoint);
  w.Bytes(wal::EncodeCheckPoint(c.checkPointCopy));
  w.U64(c.minRecoveryPoint);
  w.U32(c.minRecoveryPointTLI);
  w.U64(c.backupStartPoint);
  w.U64(c.backupEndPoint);
  w.U8(c.backupEndRequired ? 1 : 0);
  const wal::pg_crc32c crc =
      wal::Crc32cFin(wal::Crc32cComp(wal::Crc32cInit(), out));
  w.U32(crc);
  CHECK_LE(out.size(), kMaxControlBytes);
  return out;
}

absl::StatusOr<node::ControlFileData> DecodeControlFile(
    absl::Span<const uint8_t> bytes) {
  const size_t body = 4 + 8 + 4 + 8 + wal::kSizeOfCheckPoint + 8 + 4 + 8 + 8 + 1;
  if (bytes.size() < body + 4) {
    return absl::DataLossError("invalid data in control file: too short");
  }
  const wal::pg_crc32c crc =
      wal::Crc32cFin(wal::Crc32cComp(wal::Crc32cInit(), bytes.subspan(0, body)));
  if (crc != wal::LoadU32(&bytes[body])) {
    return absl::DataLossError("incorrect checksum in control file");
  }
  wal::ByteReader r(bytes.subspan(0, body));
  if (r.U32() != kControlMagic) {
    return absl::DataLossError("invalid data in control file: bad magic");
  }
  node::ControlFileData c;
  c.system_identifier = r.U64();
  const uint32_t state = r.U32();
  if (state > static_cast<uint32_t>(node::DBState::DB_IN_PRODUCTION)) {
    return absl::DataLossError("invalid data in control file: bad state");
  }
  c.state = static_cast<node::DBState>(state);
  c.checkPoint = r.U64();
  absl::StatusOr<wal::CheckPoint> cp =
      wal::DecodeCheckPoint(bytes.subspan(4 + 8 + 4 + 8, wal::kSizeOfCheckPoint));
  if (!cp.ok()) return cp.status();
  c.checkPointCopy = *cp;
  r = wal::ByteReader(bytes.subspan(4 + 8 + 4 + 8 + wal::kSizeOfCheckPoint,
                                    body - (4 + 8 + 4 + 8 + wal::kSizeOfCheckPoint)));
  c.minRecoveryPoint = r.U64();
  c.minRecoveryPointTLI = r.U32();
  c.backupStartPoint = r.U64();
  c.backupEndPoint = r.U64();
  c.backupEndRequired = r.U8() != 0;
  return c;
}

os::Task<os::Errno> WriteControlFile(os::Os& os, const std::string& data_dir,
                                     const node::ControlFileData& c, std::string* failure) {
  const std::string path = ControlFilePath(data_dir);
  auto fail = [&](const char* what, os::Errno e) {
    if (failure != nullptr) {
      *failure = absl::StrFormat("could not %s file \"%s\": %s", what, path, os::StrError(e));
    }
    return e;
  };
  const std::vector<uint8_t> bytes = EncodeControlFile(c);
  os::Result<os::Fd> fd = os.Open(path, os::kOpenReadWrite | os::kOpenCreate);
  if (!fd.ok()) co_return fail("create", fd.error());
  os::Result<size_t> w = co_await os.PWrite(*fd, bytes, 0);
  if (!w.ok()) {
    os.Close(*fd);
    co_return fail("write", w.error());
  }
  os::Errno e = co_await os.Fsync(*fd);
  os.Close(*fd);
  if (e != os::Errno::kOk) co_return fail("fsync", e);
  co_return os::Errno::kOk;
}

os::Task<os::Errno> UpdateControlFile(os::Os& os, const node::NodeShmem& shm) {
  // WriteControlFile's steps, each PANICking with its release's text.
  const bool v15 = shm.behavior.server_version_num >= 150000;
  const std::string path = ControlFilePath(shm.data_dir);
  auto panic = [&](const char* what, os::Errno e) {
    const std::string_view m = os::StrError(e);
    std::string text;
    if (std::string_view(what) == "open") {
      text = v15 ? absl::StrFormat("could not open file \"%s\": %s", path, m)
                 : absl::StrFormat("could not open control file \"%s\": %s",
                                   "global/pg_control", m);
    } else if (std::string_view(what) == "write") {
      text = v15 ? absl::StrFormat("could not write file \"%s\": %s", path, m)
                 : absl::StrFormat("could not write to control file: %s", m);
    } else {
      text = v15 ? absl::StrFormat("could not fsync file \"%s\": %s", path, m)
                 : absl::StrFormat("could not fsync control file: %s", m);
    }
    os.Log("PANIC", text);
    return e;
  };
  const std::vector<uint8_t> bytes = EncodeControlFile(shm.ControlFile);
  os::Result<os::Fd> fd = os.Open(path, os::kOpenReadWrite | os::kOpenCreate);
  if (!fd.ok()) co_return panic("open", fd.error());
  os::Result<size_t> w = co_await os.PWrite(*fd, bytes, 0);
  if (!w.ok()) {
    os.Close(*fd);
    co_return panic("write", w.error());
  }
  os::Errno e = co_await os.Fsync(*fd);
  os.Close(*fd);
  if (e != os::Errno::kOk) co_return panic("fsync", e);
  co_return os::Errno::kOk;
}

os::Task<os::Result<node::ControlFileData>> ReadControlFile(
    os::Os& os, const std::string& data_dir) {
  os::Result<os::Fd> fd = os.Open(ControlFilePath(data_dir), os::kOpenRead);
  if (!fd.ok()) co_return fd.error();
  std::vector<uint8_t> buf(kMaxControlBytes);
  os::Result<size_t> n = co_await os.PRead(*fd, absl::MakeSpan(buf), 0);
  os.Close(*fd);
  if (!n.ok()) co_return n.error();
  buf.resize(*n);
  absl::StatusOr<node::ControlFileData> c = DecodeControlFile(buf);
  if (!c.ok()) co_return os::Errno::kEIO;
  co_return *c;
}

}  // namespace replsim::xlog
