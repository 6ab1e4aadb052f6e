#include "scenarios/scenario_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace replsim::scenarios {
namespace {

constexpr char kExpectedScenario[] = "expected a scenario (name, profile, nodes, steps, ...)";

const char* FileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

absl::Status TooLarge(const std::string& name, uint64_t bytes) {
  return absl::InvalidArgumentError(absl::StrCat(name, ": ", bytes,
                                                 " bytes; expected a scenario file of at most ",
                                                 kMaxScenarioFileBytes, " bytes (1 MiB)"));
}

}  // namespace

absl::StatusOr<std::string> ReadScenarioFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO without a writer returns at once, to be
  // refused below; it changes nothing for a regular file.
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open scenario file"));
  }
  if (fd < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": cannot open scenario file: ", std::strerror(errno)));
  }
  absl::Cleanup close_fd = [fd] { close(fd); };
  struct stat st;
  if (fstat(fd, &st) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is ", FileKind(st.st_mode),
                                                   "; expected a regular file (a scenario)"));
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxScenarioFileBytes) {
    return TooLarge(path, st.st_size);
  }
  // At most one byte past the cap, should the file grow meanwhile.
  std::string text(kMaxScenarioFileBytes + 1, '\0');
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::InvalidArgumentError(absl::StrCat(path, ": ", std::strerror(errno)));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  text.resize(got);
  return text;
}

absl::Status CheckScenarioText(const std::string& text, const std::string& display_name) {
  if (text.size() > kMaxScenarioFileBytes) return TooLarge(display_name, text.size());
  if (text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(display_name, ": the file is empty; ", kExpectedScenario));
  }
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripLeadingAsciiWhitespace(line);
    if (!line.empty() && line.front() != '#') return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      display_name, ": the file has only comments and blank lines; ", kExpectedScenario));
}

}  // namespace replsim::scenarios
