#include "core/status.h"

namespace scorehost {

const char* StatusCodeName(sh_status_code code) {
  switch (code) {
    case SH_OK: return "OK";
    case SH_CANCELLED: return "CANCELLED";
    case SH_UNKNOWN: return "UNKNOWN";
    case SH_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case SH_DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case SH_NOT_FOUND: return "NOT_FOUND";
    case SH_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case SH_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case SH_UNIMPLEMENTED: return "UNIMPLEMENTED";
    case SH_INTERNAL: return "INTERNAL";
    case SH_UNAVAILABLE: return "UNAVAILABLE";
    case SH_DATA_LOSS: return "DATA_LOSS";
    default: return "UNKNOWN";
  }
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

}  // namespace scorehost
