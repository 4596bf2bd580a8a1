#include "loader/host_services.h"

#include <spdlog/spdlog.h>

#include <new>
#include <string>

// The concrete type behind the ABI's opaque sh_status. Only the host allocates and frees it, so
// its layout is private to this file.
struct sh_status {
  sh_status_code code;
  std::string message;
};

namespace scorehost {
namespace {

// Out of memory while reporting an error: this static, never-freed status keeps the error code
// flowing; TakeStatus recognises it by address and does not delete it.
sh_status g_out_of_memory{SH_RESOURCE_EXHAUSTED, "out of memory while creating a status"};

sh_status* StatusNew(sh_status_code code, const char* message) {
  if (code == SH_OK) return nullptr;
  try {
    return new sh_status{code, message ? message : ""};
  } catch (...) {
    return &g_out_of_memory;
  }
}

void Log(sh_log_level level, const char* message) {
  const char* text = message ? message : "";
  switch (level) {
    case SH_LOG_DEBUG: spdlog::debug("{}", text); break;
    case SH_LOG_INFO: spdlog::info("{}", text); break;
    case SH_LOG_WARN: spdlog::warn("{}", text); break;
    default: spdlog::error("{}", text); break;
  }
}

const sh_host_api kHostApi = {sizeof(sh_host_api), SH_ABI_MAJOR, SH_ABI_MINOR, &StatusNew, &Log};

}  // namespace

const sh_host_api* HostServices() { return &kHostApi; }

Status TakeStatus(sh_status* status) {
  if (status == nullptr) return Status::Ok();
  Status result(status->code == SH_OK ? SH_UNKNOWN : status->code, status->message);
  if (status != &g_out_of_memory) delete status;
  return result;
}

}  // namespace scorehost
