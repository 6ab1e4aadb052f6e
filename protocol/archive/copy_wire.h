// File: protocol/archive/copy_wire.h
//
// The bytes between a copy command (remote_copy.h) and the archive host's
// server (archive_server.h): one request and one reply per connection, as
// an scp or rsync run is one ssh session. Not a real protocol's format:
// only what crosses the network, and how long that takes, is modelled.
//
//   request: op (1: 'P' put, 'G' get), flags (1), path length (u16 BE),
//            path, data length (u32 BE), data (a put's file contents)
//   reply:   status (1: 0 ok, 1 no such file, 2 failed), data length
//            (u32 BE), data (a get's file contents)
#ifndef REPLSIM_PROTOCOL_ARCHIVE_COPY_WIRE_H_
#define REPLSIM_PROTOCOL_ARCHIVE_COPY_WIRE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/os/os.h"
#include "protocol/os/task.h"

namespace replsim::archive {

// The port the archive host's server listens on (ssh's).
inline constexpr int kArchivePort = 22;

inline constexpr uint8_t kOpPut = 'P';
inline constexpr uint8_t kOpGet = 'G';
// Put flags: fsync the file before it is complete (rsync --fsync), and
// write a temporary file renamed into place (rsync; scp writes in place).
inline constexpr uint8_t kFlagFsync = 1;
inline constexpr uint8_t kFlagTempRename = 2;

enum class CopyStatus : uint8_t { kOk = 0, kNoSuchFile = 1, kFailed = 2 };

struct CopyRequest {
  uint8_t op = kOpPut;
  uint8_t flags = 0;
  std::string path;
  std::vector<uint8_t> data;
};

struct CopyReply {
  CopyStatus status = CopyStatus::kFailed;
  std::vector<uint8_t> data;
};

std::vector<uint8_t> EncodeRequest(const CopyRequest& r);
std::vector<uint8_t> EncodeReply(const CopyReply& r);

// A whole local file into `out`: kOk, or the open or read error.
os::Task<os::Errno> ReadWholeFile(os::Os& os, const std::string& path, std::vector<uint8_t>* out);

// Reads exactly `n` bytes; false at EOF or an error first.
os::Task<bool> RecvExactly(os::Os& os, os::Fd sock, size_t n, std::vector<uint8_t>* out);
// Reads one request or reply; nullopt when the connection ends first.
os::Task<std::optional<CopyRequest>> RecvRequest(os::Os& os, os::Fd sock);
os::Task<std::optional<CopyReply>> RecvReply(os::Os& os, os::Fd sock);

}  // namespace replsim::archive

#endif  // REPLSIM_PROTOCOL_ARCHIVE_COPY_WIRE_H_
