#include "protocol/archive/remote_copy.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "protocol/archive/copy_wire.h"

namespace replsim::archive {
namespace {

// "host:/path" -> (host, path); nullopt for a local path.
std::optional<std::pair<std::string, std::string>> SplitRemote(std::string_view operand) {
  const size_t colon = operand.find(':');
  if (colon == std::string_view::npos || colon == 0 || operand.find('/') < colon) {
    return std::nullopt;
  }
  return std::make_pair(std::string(operand.substr(0, colon)),
                        std::string(operand.substr(colon + 1)));
}

os::Task<os::Result<os::Fd>> ConnectTo(os::Os& os, const CopyCommand& c) {
  if (c.connect_timeout <= os::Duration()) co_return co_await os.Connect(c.host, kArchivePort);
  os::Result<os::Fd> fd = os.ConnectStart(c.host, kArchivePort);
  if (!fd.ok()) co_return fd;
  const int rc = co_await os.WaitLatchOrSocket(nullptr, os::WL_SOCKET_WRITEABLE | os::WL_TIMEOUT,
                                               *fd, c.connect_timeout);
  const os::Errno e = (rc & os::WL_SOCKET_WRITEABLE) ? os.ConnectResult(*fd)
                                                     : os::Errno::kETIMEDOUT;
  if (e != os::Errno::kOk) {
    os.Close(*fd);
    co_return e;
  }
  co_return fd;
}

os::Task<bool> WriteLocal(os::Os& os, const std::string& path, const std::vector<uint8_t>& data) {
  os::Result<os::Fd> fd =
      os.Open(path, os::kOpenReadWrite | os::kOpenCreate | os::kOpenTruncate);
  if (!fd.ok()) co_return false;
  bool ok = true;
  if (!data.empty()) ok = (co_await os.PWrite(*fd, data, 0)).ok();
  os.Close(*fd);
  co_return ok;
}

}  // namespace

absl::StatusOr<CopyCommand> ParseCopyCommand(std::string_view command) {
  std::vector<std::string> words = absl::StrSplit(std::string(command), ' ', absl::SkipWhitespace());
  if (words.empty()) return absl::InvalidArgumentError("empty command");
  CopyCommand c;
  if (words[0] == "rsync") {
    c.rsync = true;
  } else if (words[0] != "scp") {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown command \"", words[0], "\": the simulated shell runs scp and rsync"));
  }
  std::vector<std::string> operands;
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (c.rsync && w == "--fsync") {
      c.fsync = true;
    } else if (!c.rsync && w == "-o" && i + 1 < words.size() &&
               absl::StartsWith(words[i + 1], "ConnectTimeout=")) {
      int s = 0;
      if (!absl::SimpleAtoi(words[i + 1].substr(15), &s) || s <= 0) {
        return absl::InvalidArgumentError("ConnectTimeout needs a positive number of seconds");
      }
      c.connect_timeout = os::Seconds(s);
      ++i;
    } else if (!w.empty() && w[0] == '-') {
      return absl::InvalidArgumentError(absl::StrCat("unknown option \"", w, "\""));
    } else {
      operands.push_back(w);
    }
  }
  if (operands.size() != 2) {
    return absl::InvalidArgumentError("expected a source and a destination");
  }
  auto src = SplitRemote(operands[0]);
  auto dst = SplitRemote(operands[1]);
  if (src.has_value() == dst.has_value()) {
    return absl::InvalidArgumentError("expected one local and one remote (host:/path) operand");
  }
  c.to_archive = dst.has_value();
  const auto& remote = c.to_archive ? *dst : *src;
  c.host = remote.first;
  c.remote_path = remote.second;
  c.local_path = c.to_archive ? operands[0] : operands[1];
  return c;
}

std::string SubstituteCommand(std::string_view command, std::string_view path,
                              std::string_view file) {
  std::string out;
  for (size_t i = 0; i < command.size(); ++i) {
    if (command[i] != '%' || i + 1 == command.size()) {
      out.push_back(command[i]);
      continue;
    }
    switch (command[i + 1]) {
      case 'p': out.append(path); ++i; break;
      case 'f': out.append(file); ++i; break;
      case 'r': out.append("000000000000000000000000"); ++i; break;
      case '%': out.push_back('%'); ++i; break;
      default: out.push_back('%'); break;
    }
  }
  return out;
}

os::Task<int> RunCopyCommand(os::Os& os, std::string_view command, const std::string& data_dir) {
  absl::StatusOr<CopyCommand> c = ParseCopyCommand(command);
  if (!c.ok()) co_return 127;
  const std::string local = !c->local_path.empty() && c->local_path[0] == '/'
                                ? c->local_path
                                : absl::StrCat(data_dir, "/", c->local_path);
  CopyRequest req;
  req.op = c->to_archive ? kOpPut : kOpGet;
  req.path = c->remote_path;
  if (c->rsync) req.flags |= kFlagTempRename;
  if (c->fsync) req.flags |= kFlagFsync;
  if (c->to_archive) {
    const os::Errno read = co_await ReadWholeFile(os, local, &req.data);
    if (read != os::Errno::kOk) co_return 1;
  }
  os::Result<os::Fd> sock = co_await ConnectTo(os, *c);
  if (!sock.ok()) co_return 1;
  os::Result<size_t> sent = co_await os.Send(*sock, EncodeRequest(req));
  std::optional<CopyReply> reply;
  if (sent.ok()) reply = co_await RecvReply(os, *sock);
  os.Close(*sock);
  if (!reply.has_value() || reply->status != CopyStatus::kOk) co_return 1;
  if (!c->to_archive) {
    const bool written = co_await WriteLocal(os, local, reply->data);
    if (!written) co_return 1;
  }
  co_return 0;
}

}  // namespace replsim::archive
