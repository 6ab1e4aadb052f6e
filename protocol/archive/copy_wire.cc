#include "protocol/archive/copy_wire.h"

#include <string>

namespace replsim::archive {
namespace {

void PutU16(std::vector<uint8_t>* b, uint32_t v) {
  b->push_back(static_cast<uint8_t>(v >> 8));
  b->push_back(static_cast<uint8_t>(v));
}
void PutU32(std::vector<uint8_t>* b, uint32_t v) {
  PutU16(b, v >> 16);
  PutU16(b, v & 0xFFFF);
}
uint32_t GetU32(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) |
         uint32_t{b[at + 3]};
}

}  // namespace

std::vector<uint8_t> EncodeRequest(const CopyRequest& r) {
  std::vector<uint8_t> b = {r.op, r.flags};
  PutU16(&b, static_cast<uint32_t>(r.path.size()));
  b.insert(b.end(), r.path.begin(), r.path.end());
  PutU32(&b, static_cast<uint32_t>(r.data.size()));
  b.insert(b.end(), r.data.begin(), r.data.end());
  return b;
}

std::vector<uint8_t> EncodeReply(const CopyReply& r) {
  std::vector<uint8_t> b = {static_cast<uint8_t>(r.status)};
  PutU32(&b, static_cast<uint32_t>(r.data.size()));
  b.insert(b.end(), r.data.begin(), r.data.end());
  return b;
}

os::Task<os::Errno> ReadWholeFile(os::Os& os, const std::string& path, std::vector<uint8_t>* out) {
  os::Result<os::Fd> fd = os.Open(path, os::kOpenRead);
  if (!fd.ok()) co_return fd.error();
  constexpr size_t kChunk = 1 << 20;
  for (;;) {
    const size_t at = out->size();
    out->resize(at + kChunk);
    os::Result<size_t> r = co_await os.PRead(*fd, absl::MakeSpan(out->data() + at, kChunk), at);
    if (!r.ok()) {
      os.Close(*fd);
      out->clear();
      co_return r.error();
    }
    out->resize(at + *r);
    if (*r < kChunk) break;
  }
  os.Close(*fd);
  co_return os::Errno::kOk;
}

os::Task<bool> RecvExactly(os::Os& os, os::Fd sock, size_t n, std::vector<uint8_t>* out) {
  out->resize(n);
  for (size_t got = 0; got < n;) {
    os::Result<size_t> r =
        co_await os.Recv(sock, absl::MakeSpan(out->data() + got, n - got));
    if (!r.ok() || *r == 0) co_return false;
    got += *r;
  }
  co_return true;
}

os::Task<std::optional<CopyRequest>> RecvRequest(os::Os& os, os::Fd sock) {
  std::vector<uint8_t> head;
  const bool got1 = co_await RecvExactly(os, sock, 4, &head);
  if (!got1) co_return std::nullopt;
  CopyRequest r;
  r.op = head[0];
  r.flags = head[1];
  const size_t path_len = (size_t{head[2]} << 8) | head[3];
  std::vector<uint8_t> path;
  const bool got2 = co_await RecvExactly(os, sock, path_len, &path);
  if (!got2) co_return std::nullopt;
  r.path.assign(path.begin(), path.end());
  std::vector<uint8_t> len;
  const bool got3 = co_await RecvExactly(os, sock, 4, &len);
  if (!got3) co_return std::nullopt;
  const bool got4 = co_await RecvExactly(os, sock, GetU32(len, 0), &r.data);
  if (!got4) co_return std::nullopt;
  co_return r;
}

os::Task<std::optional<CopyReply>> RecvReply(os::Os& os, os::Fd sock) {
  std::vector<uint8_t> head;
  const bool got5 = co_await RecvExactly(os, sock, 5, &head);
  if (!got5) co_return std::nullopt;
  CopyReply r;
  r.status = static_cast<CopyStatus>(head[0]);
  const bool got6 = co_await RecvExactly(os, sock, GetU32(head, 1), &r.data);
  if (!got6) co_return std::nullopt;
  co_return r;
}

}  // namespace replsim::archive
