// PgConn's COPY path: pqGetCopyData3/getCopyDataMessage (fe-protocol3.c),
// PQputCopyData, PQputCopyEnd (fe-exec.c) of PostgreSQL 15.
#include <utility>

#include "protocol/pq/libpq.h"
#include "protocol/wire/backend_messages.h"
#include "protocol/wire/framing.h"
#include "protocol/wire/message.h"

namespace replsim::pq {

int PgConn::GetCopyData(std::string* out) {
  if (async_ != Async::kCopyOut && async_ != Async::kCopyBoth) {
    error_ = "no COPY in progress\n";
    return -2;
  }
  // Parse what is buffered; if nothing, PQconsumeInput and parse again.
  bool consumed = false;
  for (;;) {
    const wire::Frame* f = PeekFrame();
    if (f == nullptr) {
      if (sync_lost_) return -2;
      if (consumed) return 0;
      consumed = true;
      if (ReadData() < 0) return -2;
      continue;
    }
    switch (f->type) {
      case 'd':
        if (f->body.empty()) {  // empty CopyData: dropped
          ConsumeFrame();
          continue;
        }
        *out = std::move(peeked_->body);
        ConsumeFrame();
        return static_cast<int>(out->size());
      case 'c':
        // CopyDone: COPY_BOTH -> COPY_IN (we may still send), COPY_OUT -> BUSY.
        ConsumeFrame();
        async_ = async_ == Async::kCopyBoth ? Async::kCopyIn : Async::kBusy;
        return -1;
      case 'S': {
        absl::StatusOr<wire::ParameterStatus> ps = wire::Decode<wire::ParameterStatus>(f->body);
        if (ps.ok()) parameters_.emplace_back(ps->name, ps->value);
        ConsumeFrame();
        continue;
      }
      case 'N':
      case 'A':
        ConsumeFrame();
        continue;
      default:
        // Any other message ends COPY and is left for PQgetResult.
        async_ = Async::kBusy;
        return -1;
    }
  }
}

os::Task<bool> PgConn::PutCopyData(absl::string_view payload) {
  if (async_ != Async::kCopyIn && async_ != Async::kCopyBoth) {
    error_ = "no COPY in progress\n";
    co_return false;
  }
  if (bad_) co_return false;
  PutMessage(wire::CopyData::kType, payload);
  co_return co_await Flush() == 0;
}

os::Task<bool> PgConn::PutCopyEnd() {
  if (async_ != Async::kCopyIn && async_ != Async::kCopyBoth) {
    error_ = "no COPY in progress\n";
    co_return false;
  }
  if (bad_) co_return false;
  PutBytes(wire::Encode(wire::CopyDone{}));
  async_ = async_ == Async::kCopyBoth ? Async::kCopyOut : Async::kBusy;
  co_return co_await Flush() == 0;
}


os::Task<bool> PgConn::EndCopy() {
  if (async_ != Async::kCopyIn && async_ != Async::kCopyOut && async_ != Async::kCopyBoth) {
    error_ = "no COPY in progress\n";
    co_return false;
  }
  if (async_ != Async::kCopyOut) PutBytes(wire::Encode(wire::CopyDone{}));
  async_ = Async::kBusy;
  const int flushed = co_await Flush();
  if (flushed < 0) co_return false;
  std::optional<PgResult> r = co_await GetResult();
  if (r.has_value() && r->status == PgResult::Status::kCommandOk) co_return true;
  if (r.has_value() && r->status != PgResult::Status::kFatalError) {
    error_ = "unexpected result status after COPY\n";
  }
  co_return false;
}

}  // namespace replsim::pq
