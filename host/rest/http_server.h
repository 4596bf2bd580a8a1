// The Pistache endpoint: bind, serve on background I/O threads, shut down.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "rest/http_front_handler.h"

namespace Pistache::Http {
class Endpoint;
}

namespace scorehost::rest {

struct HttpServerOptions {
  std::string host = "0.0.0.0";
  uint16_t port = 8080;  // 0: any free port (see HttpServer::port)
  int threads = 2;
  RequestLimits limits;
};

class HttpServer {
 public:
  HttpServer(std::shared_ptr<RequestDispatcher> dispatcher, HttpServerOptions options);
  ~HttpServer();  // Stop()

  // Binds and starts the I/O threads. Call with SIGTERM/SIGINT blocked so the threads inherit
  // the mask and the signals reach the thread that waits for them.
  Status Start();

  // Stops the I/O threads; open connections are dropped (drain first). Idempotent.
  void Stop();

  uint16_t port() const;

 private:
  std::shared_ptr<RequestDispatcher> dispatcher_;
  HttpServerOptions options_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
  bool running_ = false;
};

}  // namespace scorehost::rest
