// The HTTP-layer baseline for bench/http/run.sh: a minimal Pistache 0.0.5 server with the same
// endpoint options as `scorehost serve` (threads, ReuseAddr | NoDelay, keep-alive fix) that
// answers POST with the request body and GET with "Ready". No routing, no JSON, no model: what
// is left is the cost of Pistache itself.
#include <pistache/endpoint.h>
#include <pistache/http.h>

#include <csignal>
#include <cstdlib>
#include <pthread.h>

namespace Http = Pistache::Http;

class EchoHandler : public Http::Handler {
 public:
  HTTP_PROTOTYPE(EchoHandler)

  void onRequest(const Http::Request& request, Http::ResponseWriter response) override {
    // Same keep-alive fix as scorehost (Pistache answers Close to HTTP/1.1 without the header).
    auto connection = request.headers().tryGet<Http::Header::Connection>();
    bool close = connection ? connection->control() == Http::ConnectionControl::Close
                            : request.version() == Http::Version::Http10;
    response.headers().remove<Http::Header::Connection>();
    response.headers().add<Http::Header::Connection>(close ? Http::ConnectionControl::Close
                                                           : Http::ConnectionControl::KeepAlive);
    if (request.method() == Http::Method::Post) response.send(Http::Code::Ok, request.body(), MIME(Application, Json));
    else response.send(Http::Code::Ok, "Ready", MIME(Text, Plain));
  }
};

int main(int argc, char** argv) {
  int port = argc > 1 ? std::atoi(argv[1]) : 9300;
  int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Http::Endpoint endpoint(Pistache::Address(Pistache::Ipv4::loopback(), Pistache::Port(port)));
  endpoint.init(Http::Endpoint::options()
                    .threads(threads)
                    .flags(Pistache::Tcp::Options::ReuseAddr | Pistache::Tcp::Options::NoDelay)
                    .maxRequestSize(1 << 20));
  endpoint.setHandler(Http::make_handler<EchoHandler>());
  endpoint.serveThreaded();
  int received = 0;
  sigwait(&signals, &received);
  endpoint.shutdown();
  return 0;
}
