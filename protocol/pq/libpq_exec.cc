// PgConn's query path, as fe-exec.c (PQexec, PQgetResult) and fe-protocol3.c
// (pqParseInput3) of PostgreSQL 15.
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "protocol/pq/libpq.h"
#include "protocol/wire/backend_messages.h"
#include "protocol/wire/error_fields.h"
#include "protocol/wire/frontend_messages.h"
#include "protocol/wire/message.h"

namespace replsim::pq {

std::string FormatServerError(const std::string& body) {
  wire::ByteReader r(body);
  absl::StatusOr<wire::ErrorFields> f = wire::DecodeErrorFields(r);
  if (!f.ok()) return "could not interpret error message from server\n";
  std::string out = absl::StrCat(f->severity(), ":  ", f->message(), "\n");
  if (auto d = f->Get(wire::kFieldDetail)) absl::StrAppend(&out, "DETAIL:  ", *d, "\n");
  if (auto h = f->Get(wire::kFieldHint)) absl::StrAppend(&out, "HINT:  ", *h, "\n");
  return out;
}

PgResult PgConn::ErrorResult() const {
  PgResult r;
  r.status = PgResult::Status::kFatalError;
  r.error_message = error_;
  return r;
}

namespace {

PgResult Make(PgResult::Status s) {
  PgResult r;
  r.status = s;
  return r;
}

}  // namespace

void PgConn::ParseInput() {
  using S = PgResult::Status;
  while (async_ == Async::kBusy) {
    const wire::Frame* f = PeekFrame();
    if (f == nullptr) {
      if (sync_lost_) {
        result_ = ErrorResult();
        async_ = Async::kReady;
      }
      return;
    }
    wire::Frame frame = *f;
    ConsumeFrame();
    switch (frame.type) {
      case 'C': {
        absl::StatusOr<wire::CommandComplete> c = wire::Decode<wire::CommandComplete>(frame.body);
        if (!result_.has_value()) result_ = Make(S::kCommandOk);
        if (c.ok()) result_->command_tag = c->tag;
        async_ = Async::kReady;
        break;
      }
      case 'E': {
        error_ = FormatServerError(frame.body);
        wire::ByteReader r(frame.body);
        absl::StatusOr<wire::ErrorFields> fields = wire::DecodeErrorFields(r);
        result_ = ErrorResult();
        if (fields.ok()) result_->sqlstate = fields->sqlstate();
        async_ = Async::kReady;
        break;
      }
      case 'Z':
        async_ = Async::kIdle;
        break;
      case 'I':
        result_ = Make(S::kEmptyQuery);
        async_ = Async::kReady;
        break;
      case 'T': {
        absl::StatusOr<wire::RowDescription> t = wire::Decode<wire::RowDescription>(frame.body);
        result_ = Make(S::kTuplesOk);
        if (t.ok()) result_->rows.description = std::move(*t);
        break;
      }
      case 'D': {
        absl::StatusOr<wire::DataRow> d = wire::Decode<wire::DataRow>(frame.body);
        if (!result_.has_value() || result_->status != S::kTuplesOk || !d.ok()) {
          error_ = "server sent data (\"D\" message) without prior row description (\"T\" message)\n";
          result_ = ErrorResult();
          async_ = Async::kReady;
          break;
        }
        result_->rows.rows.push_back(std::move(*d));
        break;
      }
      case 'W':
        result_ = Make(S::kCopyBoth);
        async_ = Async::kCopyBoth;
        break;
      case 'H':
        result_ = Make(S::kCopyOut);
        async_ = Async::kCopyOut;
        break;
      case 'G':
        result_ = Make(S::kCopyIn);
        async_ = Async::kCopyIn;
        break;
      case 'S': {
        absl::StatusOr<wire::ParameterStatus> ps = wire::Decode<wire::ParameterStatus>(frame.body);
        if (ps.ok()) parameters_.emplace_back(ps->name, ps->value);
        break;
      }
      case 'd':  // left over from a COPY that failed: discarded
      case 'c':
      case 'N':
      case 'A':
      case 'K':
        break;
      default:
        error_ = absl::StrFormat(
            "unexpected response from server; first received character was \"%c\"\n", frame.type);
        result_ = ErrorResult();
        async_ = Async::kReady;
        break;
    }
  }
}

os::Task<std::optional<PgResult>> PgConn::GetResult() {
  while (async_ == Async::kBusy) {
    ParseInput();
    if (async_ != Async::kBusy) break;
    bool failed = (co_await Flush()) < 0;
    if (!failed) failed = (co_await WaitAndRead()) < 0;
    if (failed) {
      // pqSaveErrorResult; the command is over.
      async_ = Async::kIdle;
      result_.reset();
      co_return ErrorResult();
    }
  }
  std::optional<PgResult> r = std::exchange(result_, std::nullopt);
  switch (async_) {
    case Async::kIdle:
      co_return std::nullopt;
    case Async::kReady:
      // PostgreSQL 15 goes back to BUSY to read what follows the result.
      async_ = Async::kBusy;
      co_return r.has_value() ? std::move(r) : ErrorResult();
    case Async::kCopyIn:
      co_return r.has_value() ? std::move(r) : Make(PgResult::Status::kCopyIn);
    case Async::kCopyOut:
      co_return r.has_value() ? std::move(r) : Make(PgResult::Status::kCopyOut);
    case Async::kCopyBoth:
      co_return r.has_value() ? std::move(r) : Make(PgResult::Status::kCopyBoth);
    case Async::kBusy:
      break;
  }
  co_return std::nullopt;
}

os::Task<PgResult> PgConn::Exec(std::string query) {
  if (bad_) {
    if (error_.empty()) error_ = "no connection to the server\n";
    co_return ErrorResult();
  }
  // PQexecStart: finish what is pending; COPY forbids a new command.
  while (async_ == Async::kBusy || async_ == Async::kReady) (void)co_await GetResult();
  if (async_ != Async::kIdle) {
    error_ = "PQexec not allowed during COPY BOTH\n";
    co_return ErrorResult();
  }
  error_.clear();
  result_.reset();
  PutBytes(wire::Encode(wire::Query{query}));
  async_ = Async::kBusy;
  const int flushed = co_await Flush();
  if (flushed < 0) {
    async_ = Async::kIdle;
    co_return ErrorResult();
  }
  std::optional<PgResult> last;
  for (;;) {
    std::optional<PgResult> r = co_await GetResult();
    if (!r.has_value()) break;
    PgResult::Status s = r->status;
    last = std::move(r);
    if (s == PgResult::Status::kCopyIn || s == PgResult::Status::kCopyOut ||
        s == PgResult::Status::kCopyBoth || bad_) {
      break;
    }
  }
  co_return last.has_value() ? std::move(*last) : ErrorResult();
}

}  // namespace replsim::pq
