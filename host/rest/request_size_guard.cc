#include "rest/request_size_guard.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include "rest/api_error.h"

namespace scorehost::rest {

namespace Http = Pistache::Http;
using Http::Private::State;

std::size_t PistacheRequestSizeFor(const RequestLimits& limits) {
  // Head + body + chunk framing slack + one read (4 KiB) of overshoot.
  return limits.max_head_bytes + limits.max_body_bytes + limits.max_body_bytes / 8 + 64 * 1024;
}

enum class Phase { kRequestLine, kHeaders, kBody };

class GuardStep : public Http::Private::Step {
 public:
  GuardStep(GuardedRequestParser* owner, std::unique_ptr<Http::Private::Step> inner, Phase phase)
      : Step(&owner->request), owner_(owner), inner_(std::move(inner)), phase_(phase) {}

  Http::Private::StepId id() const override { return inner_->id(); }

  State apply(Pistache::StreamCursor& cursor) override {
    if (owner_->discarding_) return Discard(cursor);
    if (phase_ == Phase::kBody && !owner_->body_started_) {
      owner_->body_started_ = true;
      owner_->head_bytes_ = Position(cursor);
      if (!CheckDeclaredBody()) return Discard(cursor);
    }
    State state;
    try {
      state = inner_->apply(cursor);
    } catch (const std::exception& e) {
      // Pistache would answer and then parse the rest of this request as a new one (a desynced
      // connection); answer 400 ourselves and close instead. Its messages can be bare library
      // names ("stoull"), hence the generic wording.
      owner_->Reject(400, "Bad Request", fmt::format("malformed HTTP request ({})", e.what()));
      return Discard(cursor);
    }
    if (state != State::Again) return state;
    // Incomplete: everything buffered so far belongs to this request.
    std::size_t buffered = Position(cursor) + cursor.remaining();
    if (phase_ != Phase::kBody) {
      if (buffered > owner_->limits_.max_head_bytes) {
        owner_->Reject(431, "Request Header Fields Too Large",
                       fmt::format("the request line and headers exceed {} bytes", owner_->limits_.max_head_bytes));
        return Discard(cursor);
      }
    } else {
      std::size_t body_bytes = buffered - std::min(buffered, owner_->head_bytes_);
      // Chunked bodies carry framing; allow it some room over the decoded limit.
      std::size_t allowed = owner_->limits_.max_body_bytes + owner_->limits_.max_body_bytes / 16 + 4096;
      if (body_bytes > allowed) {
        owner_->Reject(413, "Payload Too Large",
                       fmt::format("the request body exceeds the limit of {} bytes (MAX_BODY_SIZE)",
                                   owner_->limits_.max_body_bytes));
        return Discard(cursor);
      }
    }
    return state;
  }

 private:
  static std::size_t Position(Pistache::StreamCursor& cursor) { return Pistache::StreamCursor::Token(cursor).start(); }

  // Runs before Pistache's body step reserves Content-Length bytes.
  bool CheckDeclaredBody() {
    const auto& headers = owner_->request.headers();
    auto length = headers.tryGet<Http::Header::ContentLength>();
    if (length && length->value() > owner_->limits_.max_body_bytes) {
      owner_->Reject(413, "Payload Too Large",
                     fmt::format("Content-Length {} exceeds the limit of {} bytes (MAX_BODY_SIZE)", length->value(),
                                 owner_->limits_.max_body_bytes));
      return false;
    }
    auto expect = headers.tryGet<Http::Header::Expect>();
    // Pistache 0.0.5 misparses the Expect value (it compares unterminated text), so any Expect
    // header counts; 100-continue is the only expectation HTTP/1.1 defines.
    if (expect) {
      // The body is acceptable: tell the client to send it now instead of after its own timeout.
      if (auto peer = owner_->peer_.lock()) {
        static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
        (void)::send(peer->fd(), kContinue, sizeof(kContinue) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      }
    }
    return true;
  }

  // Drops everything buffered; the parser starts over with an empty buffer, so memory stays flat
  // however much the client keeps sending.
  State Discard(Pistache::StreamCursor& cursor) {
    cursor.advance(cursor.remaining());
    owner_->reset();
    return State::Again;
  }

  GuardedRequestParser* owner_;
  std::unique_ptr<Http::Private::Step> inner_;
  Phase phase_;
};

GuardedRequestParser::GuardedRequestParser(const RequestLimits& limits,
                                           const std::shared_ptr<Pistache::Tcp::Peer>& peer)
    : Pistache::Http::RequestParser(PistacheRequestSizeFor(limits)), limits_(limits), peer_(peer) {
  allSteps[0] = std::make_unique<GuardStep>(this, std::move(allSteps[0]), Phase::kRequestLine);
  allSteps[1] = std::make_unique<GuardStep>(this, std::move(allSteps[1]), Phase::kHeaders);
  allSteps[2] = std::make_unique<GuardStep>(this, std::move(allSteps[2]), Phase::kBody);
}

void GuardedRequestParser::reset() {
  Pistache::Http::RequestParser::reset();
  body_started_ = false;
  head_bytes_ = 0;
  // discarding_ stays set: the connection is past saving.
}

void GuardedRequestParser::Reject(int status, const char* reason, const std::string& detail) {
  discarding_ = true;
  auto peer = peer_.lock();
  if (!peer) return;
  std::string body = DetailBody(detail);
  std::string response = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
      status, reason, body.size(), body);
  // The connection is between requests (no pipelining in Pistache 0.0.5), so nothing else is
  // being written to it: a direct write cannot interleave with a queued response.
  (void)::send(peer->fd(), response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  // FIN after the response; reading continues (and discards) so that the client is not reset
  // before it has read the answer.
  ::shutdown(peer->fd(), SHUT_WR);
  spdlog::info("refused a request from {}: {}", peer->address().host(), detail);
}

}  // namespace scorehost::rest
