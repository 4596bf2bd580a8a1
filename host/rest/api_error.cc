#include "rest/api_error.h"

#include <fmt/format.h>

#include "rest/json_writer.h"

namespace scorehost::rest {

int HttpStatusOf(sh_status_code code) {
  switch (code) {
    case SH_INVALID_ARGUMENT: return 400;
    case SH_UNIMPLEMENTED: return 501;
    case SH_UNAVAILABLE:
    case SH_RESOURCE_EXHAUSTED:
    case SH_DEADLINE_EXCEEDED: return 503;
    default: return 500;
  }
}

std::string HttpStatusLine(int s) {
  const char* name = "INTERNAL_SERVER_ERROR";
  switch (s) {
    case 400: name = "BAD_REQUEST"; break;
    case 404: name = "NOT_FOUND"; break;
    case 405: name = "METHOD_NOT_ALLOWED"; break;
    case 413: name = "PAYLOAD_TOO_LARGE"; break;
    case 415: name = "UNSUPPORTED_MEDIA_TYPE"; break;
    case 501: name = "NOT_IMPLEMENTED"; break;
    case 503: name = "SERVICE_UNAVAILABLE"; break;
    default: break;
  }
  return fmt::format("{} {}", s, name);
}

ApiError OperationError(Operation op, const Status& status) {
  ApiError e;
  e.http_status = HttpStatusOf(status.code());
  const bool score = op == Operation::kScore;
  const char* reason;
  switch (e.http_status) {
    case 400: reason = score ? "Invalid scoring request due to: " : "Invalid shapley contribution request due to: "; break;
    case 501: reason = "Unsupported operation due to: "; break;
    default: reason = score ? "Failed scoring request due to: " : "Failed shapley contribution request due to: "; break;
  }
  e.detail = fmt::format("{} \"{}{}\"", HttpStatusLine(e.http_status), reason, status.message());
  return e;
}

std::string DetailBody(std::string_view detail) {
  std::string body = "{\"detail\":";
  AppendJsonString(body, detail);
  body += '}';
  return body;
}

}  // namespace scorehost::rest
