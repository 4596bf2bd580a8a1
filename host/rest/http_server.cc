#include "rest/http_server.h"

#include <fmt/format.h>
#include <pistache/endpoint.h>

namespace scorehost::rest {

HttpServer::HttpServer(std::shared_ptr<RequestDispatcher> dispatcher, HttpServerOptions options)
    : dispatcher_(std::move(dispatcher)), options_(std::move(options)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  try {
    Pistache::Address address(options_.host, Pistache::Port(options_.port));
    endpoint_ = std::make_unique<Pistache::Http::Endpoint>(address);
    auto opts = Pistache::Http::Endpoint::options()
                    .threads(options_.threads)
                    .threadsName("scorehost-io")
                    .flags(Pistache::Tcp::Options::ReuseAddr | Pistache::Tcp::Options::NoDelay)
                    // The guard enforces the real limits first; this only keeps Pistache's own,
                    // cruder check (4 KiB by default, headers included) out of the way.
                    .maxRequestSize(PistacheRequestSizeFor(options_.limits));
    endpoint_->init(opts);
    endpoint_->setHandler(std::make_shared<HttpFrontHandler>(dispatcher_, options_.limits));
    endpoint_->serveThreaded();
    running_ = true;
  } catch (const std::exception& e) {
    endpoint_.reset();
    return Status::Unavailable(fmt::format("cannot listen on {}:{}: {}", options_.host, options_.port, e.what()));
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (running_) {
    endpoint_->shutdown();
    running_ = false;
  }
}

uint16_t HttpServer::port() const { return endpoint_ ? static_cast<uint16_t>(endpoint_->getPort()) : 0; }

}  // namespace scorehost::rest
