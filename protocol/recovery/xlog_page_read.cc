// ReadRecord and XLogPageRead (xlogrecovery.c) over the reader's
// synchronous page callback: see xlogrecovery.h.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/os/check.h"
#include "protocol/recovery/xlogrecovery.h"
#include "protocol/xlog/control_file.h"
#include "protocol/xlog/wal_removal.h"
#include "protocol/xlog/xlog_io.h"

namespace replsim::recovery {

const char* XLogSourceName(XLogSource s, int server_version_num) {
  switch (s) {
    case XLogSource::XLOG_FROM_ANY: return "any";
    case XLogSource::XLOG_FROM_ARCHIVE: return "archive";
    case XLogSource::XLOG_FROM_PG_WAL:
      return xlog::XLogDirName(server_version_num);
    case XLogSource::XLOG_FROM_STREAM: return "stream";
  }
  return "?";
}

const char* ElevelName(Elevel e) {
  switch (e) {
    case Elevel::DEBUG2: return "DEBUG2";
    case Elevel::DEBUG1: return "DEBUG1";
    case Elevel::LOG: return "LOG";
    case Elevel::PANIC: return "PANIC";
  }
  return "LOG";
}

void XLogRecovery::Report(Elevel level, const std::string& message) {
  os_.Log(ElevelName(level), message);
}

void XLogRecovery::CloseReadFile() {
  readFileOpen_ = false;
  if (spare_page_.empty() && !pages_.empty()) {
    spare_page_ = std::move(pages_.begin()->second.bytes);
  }
  pages_.clear();
}

// Pages kept behind the one being read: more than any record here spans
// (records carry no full-page images, so they stay well under a page).
constexpr uint64_t kPagesKept = 4;

void XLogRecovery::BeginRead(XLogRecPtr rec_ptr) {
  xlogreader_->XLogBeginRead(rec_ptr);
}

wal::PageReadResult XLogRecovery::ServePage(XLogRecPtr page_ptr, uint32_t req_len,
                                            absl::Span<uint8_t> out) {
  wal::PageReadResult r;
  auto it = pages_.find(page_ptr);
  if (it != pages_.end() && it->second.valid_len >= req_len) {
    std::copy(it->second.bytes.begin(), it->second.bytes.end(), out.begin());
    r.read_len = it->second.valid_len;
    r.file_tli = it->second.file_tli;
    return r;
  }
  wanted_ = std::make_pair(page_ptr, req_len);
  r.status = absl::UnavailableError("page not read yet");
  return r;
}

Elevel XLogRecovery::emode_for_corrupt_record(Elevel emode, XLogRecPtr RecPtr) {
  // Complain once per location about bad WAL in pg_wal: standby mode retries
  // the same record over and over.
  if (readSource_ == XLogSource::XLOG_FROM_PG_WAL && emode == Elevel::LOG) {
    if (RecPtr == lastComplaint_) {
      emode = Elevel::DEBUG1;
    } else {
      lastComplaint_ = RecPtr;
    }
  }
  return emode;
}

os::Task<XLogRecovery::XLogPageReadResult> XLogRecovery::XLogPageRead(
    XLogRecPtr targetPagePtr, uint32_t reqLen) {
  const uint32_t targetPageOff = wal::XLogSegmentOffset(targetPagePtr);
  // Leaving the segment we were reading: close it. The pages read so far
  // stay: a record that crosses into the next segment is decoded again
  // from its start, on the old segment's last page (PostgreSQL's reader
  // keeps that part of the record in its buffer). Dropping them made the
  // two pages evict each other for ever.
  if (readFileOpen_ && !wal::XLByteInSeg(targetPagePtr, readSegNo_)) {
    // A standby that replayed enough segments asks for a restartpoint.
    if (StandbyMode && xlog::XLogCheckpointNeeded(shm_, readSegNo_)) {
      node::RequestCheckpoint(shm_, node::CHECKPOINT_CAUSE_XLOG);
    }
    readFileOpen_ = false;
    readSource_ = XLogSource::XLOG_FROM_ANY;
  }
  readSegNo_ = wal::XLByteToSeg(targetPagePtr);
  for (;;) {  // retry:
    // Need the file opened, or (streaming) more of it flushed?
    if (!readFileOpen_ || (readSource_ == XLogSource::XLOG_FROM_STREAM &&
                           flushedUpto_ < targetPagePtr + reqLen)) {
      XLogPageReadResult w = co_await WaitForWALToBecomeAvailable(
          targetPagePtr + reqLen, randAccess_, fetching_ckpt_,
          xlogreader_->EndRecPtr(), replayTLI_, xlogreader_->EndRecPtr());
      if (w == XLogPageReadResult::XLREAD_FAIL) {
        CloseReadFile();
        readSource_ = XLogSource::XLOG_FROM_ANY;
        co_return XLogPageReadResult::XLREAD_FAIL;
      }
    }
    CHECK(readFileOpen_);
    // From a stream, only what the walreceiver has flushed is valid.
    uint32_t readLen = wal::kXLogBlcksz;
    if (readSource_ == XLogSource::XLOG_FROM_STREAM &&
        targetPagePtr / wal::kXLogBlcksz == flushedUpto_ / wal::kXLogBlcksz) {
      readLen = wal::XLogSegmentOffset(flushedUpto_) - targetPageOff;
    }
    // Every byte of the page is written below (read, or zeroed past
    // readLen), so the buffer of this page's older copy (read again as the
    // stream flushes more of it) or of an evicted page serves as it is; a
    // failed read drops every cached page. Reading only the valid bytes costs
    // the same I/O (reading none would skip it).
    CachedPage page;
    auto older = pages_.find(targetPagePtr);
    page.bytes.swap(older != pages_.end() ? older->second.bytes : spare_page_);
    page.bytes.resize(wal::kXLogBlcksz);
    const uint32_t fetchLen = readLen > 0 ? readLen : wal::kXLogBlcksz;
    os::Errno e =
        co_await xlog::XLogRead(os_, shm_.data_dir, shm_.behavior.server_version_num, curFileTLI_,
                                targetPagePtr, absl::MakeSpan(page.bytes).first(fetchLen));
    if (e == os::Errno::kOk) {
      CHECK_GE(readLen, reqLen);
      std::fill(page.bytes.begin() + readLen, page.bytes.end(), 0);
      page.valid_len = readLen;
      page.file_tli = curFileTLI_;
      // Keep this segment's first page (the reader re-checks it) and the
      // pages just before this one: a record that spans pages is decoded
      // again from its start after each page arrives, so every page it
      // touches must stay cached (else two pages evict each other forever).
      // When those pages reach back into the previous segment, the reader
      // re-checks that segment's first page too, so it stays as well.
      const XLogRecPtr seg_start = targetPagePtr - targetPageOff;
      const XLogRecPtr keep_from =
          targetPagePtr > kPagesKept * wal::kXLogBlcksz ? targetPagePtr - kPagesKept * wal::kXLogBlcksz : 0;
      const XLogRecPtr prev_seg_start = keep_from - wal::XLogSegmentOffset(keep_from);
      for (auto it = pages_.begin(); it != pages_.end();) {
        const bool keep = it->first == seg_start || it->first == prev_seg_start ||
                          (it->first >= keep_from && it->first <= targetPagePtr);
        if (keep) {
          ++it;
          continue;
        }
        if (spare_page_.empty()) spare_page_ = std::move(it->second.bytes);
        it = pages_.erase(it);
      }
      pages_[targetPagePtr] = std::move(page);
      co_return XLogPageReadResult::XLREAD_SUCCESS;
    }
    Report(emode_for_corrupt_record(emode_, targetPagePtr + reqLen),
           absl::StrFormat("could not read from log segment %s, offset %u: %s",
                           wal::XLogFileName(curFileTLI_, readSegNo_),
                           targetPageOff, std::string(os::ErrnoName(e))));
    // next_record_is_invalid:
    lastSourceFailed_ = true;
    CloseReadFile();
    readSource_ = XLogSource::XLOG_FROM_ANY;
    if (!StandbyMode) co_return XLogPageReadResult::XLREAD_FAIL;
  }
}

os::Task<const wal::WalRecord*> XLogRecovery::ReadRecord(Elevel emode,
                                                         bool fetching_ckpt,
                                                         TimeLineID replayTLI) {
  fetching_ckpt_ = fetching_ckpt;
  emode_ = emode;
  randAccess_ = xlogreader_->ReadRecPtr() == wal::InvalidXLogRecPtr;
  replayTLI_ = replayTLI;
  // This is the first attempt to read this page.
  lastSourceFailed_ = false;
  for (;;) {
    wanted_.reset();
    absl::StatusOr<const wal::WalRecord*> rec = xlogreader_->XLogReadRecord();
    const wal::WalRecord* record = nullptr;
    std::optional<std::string> errormsg;
    if (!rec.ok() && absl::IsUnavailable(rec.status()) && wanted_.has_value()) {
      const auto [page_ptr, req_len] = *wanted_;
      const bool awaited_1 = co_await XLogPageRead(page_ptr, req_len) == XLogPageReadResult::XLREAD_SUCCESS;
      if (awaited_1) {
        continue;  // the page is cached now: read the record again
      }
    } else if (!rec.ok()) {
      errormsg = std::string(rec.status().message());
    } else {
      record = *rec;
    }
    if (record == nullptr) {
      if (!ArchiveRecoveryRequested &&
          !wal::XLogRecPtrIsInvalid(xlogreader_->abortedRecPtr())) {
        abortedRecPtr = xlogreader_->abortedRecPtr();
        missingContrecPtr = xlogreader_->missingContrecPtr();
      }
      CloseReadFile();
      if (errormsg.has_value()) {
        Report(emode_for_corrupt_record(emode, xlogreader_->EndRecPtr()), *errormsg);
      }
    } else if (!wal::tliInHistory(xlogreader_->latestPageTLI(), expectedTLEs)) {
      const XLogRecPtr p = xlogreader_->latestPagePtr();
      Report(emode_for_corrupt_record(emode, xlogreader_->EndRecPtr()),
             absl::StrFormat("unexpected timeline ID %u in log segment %s, offset %u",
                             xlogreader_->latestPageTLI(),
                             wal::XLogFileName(curFileTLI_, wal::XLByteToSeg(p)),
                             wal::XLogSegmentOffset(p)));
      record = nullptr;
    }
    if (record != nullptr) co_return record;

    lastSourceFailed_ = true;
    // End of pg_wal during crash recovery that was asked to become archive
    // recovery: switch now (SwitchIntoArchiveRecovery).
    if (!InArchiveRecovery && ArchiveRecoveryRequested && !fetching_ckpt) {
      Report(Elevel::DEBUG1, absl::StrCat("reached end of WAL in ",
                                          xlog::XLogDirName(shm_.behavior.server_version_num),
                                          ", entering archive recovery"));
      InArchiveRecovery = true;
      if (StandbyModeRequested) StandbyMode = true;
      const XLogRecPtr end = xlogreader_->EndRecPtr();
      shm_.ControlFile.state = node::DBState::DB_IN_ARCHIVE_RECOVERY;
      if (shm_.ControlFile.minRecoveryPoint < end) {
        shm_.ControlFile.minRecoveryPoint = end;
        shm_.ControlFile.minRecoveryPointTLI = replayTLI;
      }
      // UpdateControlFile has logged its PANIC.
      const os::Errno failed = co_await xlog::UpdateControlFile(os_, shm_);
      if (failed != os::Errno::kOk) co_await os_.Abort();
      minRecoveryPoint = end;
      minRecoveryPointTLI = replayTLI;
      CheckRecoveryConsistency();
      lastSourceFailed_ = false;
      currentSource_ = XLogSource::XLOG_FROM_ANY;
      continue;
    }
    // In standby mode, loop back to retry; otherwise give up.
    if (StandbyMode && !CheckForStandbyTrigger()) continue;
    co_return nullptr;
  }
}

}  // namespace replsim::recovery
