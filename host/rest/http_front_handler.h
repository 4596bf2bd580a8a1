// The Pistache handler every connection goes through. It
//   - installs GuardedRequestParser on each new connection (body/head limits before parsing);
//   - answers keep-alive correctly: Pistache 0.0.5 says "Connection: Close" to an HTTP/1.1
//     request without a Connection header, yet keeps the socket, so clients reconnect for every
//     request (about 3x slower);
//   - hands the request to the dispatcher. There is no Pistache Rest::Router: our routes are a
//     fixed handful, and the router's lazily-filled method map races between I/O threads
//     (upstream #1238).
#pragma once

#include <pistache/http.h>

#include <memory>

#include "rest/request_size_guard.h"

namespace scorehost::rest {

class RequestDispatcher {
 public:
  virtual ~RequestDispatcher() = default;
  // Runs on a Pistache I/O thread: must not block. May move `response` elsewhere and answer later.
  virtual void Dispatch(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response) = 0;
};

class HttpFrontHandler : public Pistache::Http::Handler {
 public:
  HTTP_PROTOTYPE(HttpFrontHandler)

  HttpFrontHandler(std::shared_ptr<RequestDispatcher> dispatcher, RequestLimits limits)
      : dispatcher_(std::move(dispatcher)), limits_(limits) {}

  void onRequest(const Pistache::Http::Request& request, Pistache::Http::ResponseWriter response) override;

 private:
  void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;

  std::shared_ptr<RequestDispatcher> dispatcher_;
  RequestLimits limits_;
};

}  // namespace scorehost::rest
