// File: protocol/wal/xlog_ctl.h
//
// The WAL positions of one server, as XLogCtl keeps them (xlog.c, PG 15):
//   Insert        end of the WAL reserved and copied into the WAL buffers
//                 (Insert->CurrBytePos as an end pointer);
//   LogwrtRqst    how far someone has asked the WAL to be written / flushed;
//   LogwrtResult  how far it has actually been written (handed to the
//                 kernel) and flushed (fsynced).
// A plain struct the processes drive; every mutator CHECKs the invariants
//   LogwrtResult.Flush <= LogwrtResult.Write <= Insert,
//   LogwrtRqst.Flush <= LogwrtRqst.Write <= Insert,
// and that no position moves backwards (a bug, not an operating error).
#ifndef REPLSIM_PROTOCOL_WAL_XLOG_CTL_H_
#define REPLSIM_PROTOCOL_WAL_XLOG_CTL_H_

#include <algorithm>

#include "protocol/os/check.h"
#include "protocol/wal/lsn.h"

namespace replsim::wal {

struct XLogwrtRqst {
  XLogRecPtr Write = 0;
  XLogRecPtr Flush = 0;
};

struct XLogwrtResult {
  XLogRecPtr Write = 0;
  XLogRecPtr Flush = 0;
};

struct XLogCtlPositions {
  XLogRecPtr Insert = 0;
  XLogwrtRqst LogwrtRqst;
  XLogwrtResult LogwrtResult;

  // All positions at `start` (a freshly started server's end of WAL).
  static XLogCtlPositions StartingAt(XLogRecPtr start) {
    XLogCtlPositions p;
    p.Insert = start;
    p.LogwrtRqst = {start, start};
    p.LogwrtResult = {start, start};
    return p;
  }

  void CheckInvariants() const {
    CHECK_LE(LogwrtResult.Flush, LogwrtResult.Write);
    CHECK_LE(LogwrtResult.Write, Insert);
    CHECK_LE(LogwrtRqst.Flush, LogwrtRqst.Write);
    CHECK_LE(LogwrtRqst.Write, Insert);
  }

  // After XLogInsert returned EndRecPtr = end.
  void AdvanceInsert(XLogRecPtr end) {
    CHECK_GE(end, Insert);
    Insert = end;
    CheckInvariants();
  }

  // XLogFlush(upto) / a write request: raise the request (never lowers it).
  void RequestWrite(XLogRecPtr upto) {
    LogwrtRqst.Write = std::max(LogwrtRqst.Write, upto);
    CheckInvariants();
  }
  void RequestFlush(XLogRecPtr upto) {
    LogwrtRqst.Write = std::max(LogwrtRqst.Write, upto);
    LogwrtRqst.Flush = std::max(LogwrtRqst.Flush, upto);
    CheckInvariants();
  }

  // XLogWrite finished writing / fsyncing up to `upto`.
  void MarkWritten(XLogRecPtr upto) {
    CHECK_GE(upto, LogwrtResult.Write);
    LogwrtResult.Write = upto;
    CheckInvariants();
  }
  void MarkFlushed(XLogRecPtr upto) {
    CHECK_GE(upto, LogwrtResult.Flush);
    LogwrtResult.Flush = upto;
    CheckInvariants();
  }

  // Work XLogWrite still owes to the requests.
  bool WritePending() const { return LogwrtResult.Write < LogwrtRqst.Write; }
  bool FlushPending() const { return LogwrtResult.Flush < LogwrtRqst.Flush; }
};

}  // namespace replsim::wal

#endif  // REPLSIM_PROTOCOL_WAL_XLOG_CTL_H_
