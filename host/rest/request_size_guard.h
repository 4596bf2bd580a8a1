// A guard in front of Pistache 0.0.5's request parser (shared/reference/stack.md §4):
//   - it reserves memory for whatever Content-Length a client claims, before any limit check;
//   - a body over maxRequestSize makes it reset and re-parse the rest of the body as new requests,
//     answering many 413s, desyncing the connection and burning CPU (quadratic re-scan);
//   - it never answers "Expect: 100-continue", so curl stalls one second on large bodies.
//
// Pistache lets a handler choose the parser object of each connection (onConnection stores it in
// the peer), and the parser's steps are replaceable. GuardedRequestParser wraps the three steps:
// it checks the head size while the request line and headers arrive, checks Content-Length before
// the body step reserves anything, and counts body bytes as they arrive. On a violation it writes
// one error response straight to the socket, half-closes it (FIN after the response) and from then
// on discards whatever the client still sends, in O(1) per read, until the client goes away.
#pragma once

#include <pistache/http.h>
#include <pistache/peer.h>

#include <cstddef>
#include <memory>
#include <string>

namespace scorehost::rest {

struct RequestLimits {
  std::size_t max_head_bytes = 64 * 1024;   // request line + headers
  std::size_t max_body_bytes = 64u << 20;   // body (decoded size for Content-Length bodies)
};

// What Pistache's own maxRequestSize must be so that its cruder check never fires first.
std::size_t PistacheRequestSizeFor(const RequestLimits& limits);

class GuardedRequestParser : public Pistache::Http::RequestParser {
 public:
  GuardedRequestParser(const RequestLimits& limits, const std::shared_ptr<Pistache::Tcp::Peer>& peer);

  void reset() override;

 private:
  friend class GuardStep;

  // Writes `status` with a {"detail"} body and Connection: close, half-closes the socket and
  // switches to discarding.
  void Reject(int status, const char* reason, const std::string& detail);

  const RequestLimits limits_;
  std::weak_ptr<Pistache::Tcp::Peer> peer_;
  bool discarding_ = false;
  bool body_started_ = false;   // per request: Content-Length / Expect checked
  std::size_t head_bytes_ = 0;  // per request: where the body starts in the buffer
};

}  // namespace scorehost::rest
