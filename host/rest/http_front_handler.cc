#include "rest/http_front_handler.h"

#include <pistache/peer.h>

namespace scorehost::rest {

namespace Http = Pistache::Http;

void HttpFrontHandler::onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  // Replaces Http::Handler::onConnection, whose only job is to store the connection's parser.
  peer->putData(Http::Handler::ParserData, std::make_shared<GuardedRequestParser>(limits_, peer));
}

void HttpFrontHandler::onRequest(const Http::Request& request, Http::ResponseWriter response) {
  // HTTP/1.1 is persistent unless the client says close; HTTP/1.0 only if it asks for keep-alive.
  auto connection = request.headers().tryGet<Http::Header::Connection>();
  bool close = connection ? connection->control() == Http::ConnectionControl::Close
                          : request.version() == Http::Version::Http10;
  response.headers().remove<Http::Header::Connection>();
  response.headers().add<Http::Header::Connection>(close ? Http::ConnectionControl::Close
                                                         : Http::ConnectionControl::KeepAlive);
  dispatcher_->Dispatch(request, std::move(response));
}

}  // namespace scorehost::rest
