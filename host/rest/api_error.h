// Error responses: `{"detail": "..."}` with the status the Java runtime gives each failure.
//
// Errors of the scoring endpoints carry the Java runtime's exact text, e.g.
//   400 BAD_REQUEST "Invalid scoring request due to: requestPredictionIntervals set to true, ..."
// (Spring's ResponseStatusException message, shared/reference/api.md §3.1), so clients that
// match on it keep working. Protocol-level errors (404, 405, 413, 415) carry a plain sentence.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace scorehost::rest {

enum class Operation { kScore, kContribution };

struct ApiError {
  int http_status = 500;
  std::string detail;
};

// The HTTP status of a host/plugin status code: 400 / 501 / 503 / 500.
int HttpStatusOf(sh_status_code code);

// "400 BAD_REQUEST", "503 SERVICE_UNAVAILABLE", ...
std::string HttpStatusLine(int http_status);

// A failed scoring/contribution request, worded like the Java controller.
ApiError OperationError(Operation op, const Status& status);

// {"detail":"..."}
std::string DetailBody(std::string_view detail);

}  // namespace scorehost::rest
