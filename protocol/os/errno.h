// File: protocol/os/errno.h
//
// Operating errors as values. PostgreSQL branches on the exact errno (EINTR and
// EAGAIN retry, ECONNRESET and EPIPE end a connection differently, EIO from
// fsync PANICs, ENOSPC fails a write), so the OS interface reports the same
// distinctions. The enumerators carry Linux's numbers; they are spelled with a
// `k` prefix because <cerrno> defines the bare names as macros.
//
// Result<T> is "a T, or an Errno other than kOk":
//
//   os::Result<size_t> n = os.TryRecv(fd, buf);
//   if (!n.ok() && n.error() == os::Errno::kEAGAIN) ...
#ifndef REPLSIM_PROTOCOL_OS_ERRNO_H_
#define REPLSIM_PROTOCOL_OS_ERRNO_H_

#include <optional>
#include <string_view>
#include <utility>

#include "protocol/os/check.h"

namespace replsim::os {

enum class Errno : int {
  kOk = 0,
  kEPERM = 1,
  kENOENT = 2,
  kESRCH = 3,
  kEINTR = 4,
  kEIO = 5,
  kEBADF = 9,
  kECHILD = 10,
  kEAGAIN = 11,
  kEEXIST = 17,
  kENOTDIR = 20,
  kEISDIR = 21,
  kEINVAL = 22,
  kEMFILE = 24,
  kENOSPC = 28,
  kEPIPE = 32,
  kENOTEMPTY = 39,
  kEADDRINUSE = 98,
  kENETUNREACH = 101,
  kECONNABORTED = 103,
  kECONNRESET = 104,
  kEISCONN = 106,
  kENOTCONN = 107,
  kETIMEDOUT = 110,
  kECONNREFUSED = 111,
  kEHOSTUNREACH = 113,
  kEALREADY = 114,
  kEINPROGRESS = 115,
};

// "EAGAIN", "ECONNRESET", ... ("OK" for kOk, "E?" for a value not listed).
constexpr std::string_view ErrnoName(Errno e) {
  switch (e) {
    case Errno::kOk: return "OK";
    case Errno::kEPERM: return "EPERM";
    case Errno::kENOENT: return "ENOENT";
    case Errno::kESRCH: return "ESRCH";
    case Errno::kEINTR: return "EINTR";
    case Errno::kEIO: return "EIO";
    case Errno::kEBADF: return "EBADF";
    case Errno::kECHILD: return "ECHILD";
    case Errno::kEAGAIN: return "EAGAIN";
    case Errno::kEEXIST: return "EEXIST";
    case Errno::kENOTDIR: return "ENOTDIR";
    case Errno::kEISDIR: return "EISDIR";
    case Errno::kEINVAL: return "EINVAL";
    case Errno::kEMFILE: return "EMFILE";
    case Errno::kENOSPC: return "ENOSPC";
    case Errno::kEPIPE: return "EPIPE";
    case Errno::kENOTEMPTY: return "ENOTEMPTY";
    case Errno::kEADDRINUSE: return "EADDRINUSE";
    case Errno::kENETUNREACH: return "ENETUNREACH";
    case Errno::kECONNABORTED: return "ECONNABORTED";
    case Errno::kECONNRESET: return "ECONNRESET";
    case Errno::kEISCONN: return "EISCONN";
    case Errno::kENOTCONN: return "ENOTCONN";
    case Errno::kETIMEDOUT: return "ETIMEDOUT";
    case Errno::kECONNREFUSED: return "ECONNREFUSED";
    case Errno::kEHOSTUNREACH: return "EHOSTUNREACH";
    case Errno::kEALREADY: return "EALREADY";
    case Errno::kEINPROGRESS: return "EINPROGRESS";
  }
  return "E?";
}

// strerror(): the text PostgreSQL's %m prints for the errnos file and
// socket operations report ("No space left on device"); other values print
// their name.
constexpr std::string_view StrError(Errno e) {
  switch (e) {
    case Errno::kENOENT: return "No such file or directory";
    case Errno::kEIO: return "Input/output error";
    case Errno::kENOSPC: return "No space left on device";
    case Errno::kEEXIST: return "File exists";
    case Errno::kEBADF: return "Bad file descriptor";
    case Errno::kENOTDIR: return "Not a directory";
    case Errno::kEISDIR: return "Is a directory";
    case Errno::kENOTEMPTY: return "Directory not empty";
    case Errno::kEMFILE: return "Too many open files";
    default: return ErrnoName(e);
  }
}

// A value or an error. Constructing from kOk is a programmer error, as is
// reading value() of an error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Errno e) : error_(e) {                  // NOLINT: implicit by design
    CHECK(e != Errno::kOk) << "Result from kOk needs a value";
  }

  bool ok() const { return error_ == Errno::kOk; }
  Errno error() const { return error_; }
  T& value() {
    CHECK(ok()) << "value() of " << ErrnoName(error_);
    return *value_;
  }
  const T& value() const {
    CHECK(ok()) << "value() of " << ErrnoName(error_);
    return *value_;
  }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::optional<T> value_;
  Errno error_ = Errno::kOk;
};

}  // namespace replsim::os

#endif  // REPLSIM_PROTOCOL_OS_ERRNO_H_
