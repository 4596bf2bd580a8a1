// The services table the host hands to every plugin (sh_host_api): status allocation and logging.
#pragma once

#include <scorehost/plugin_api.h>

#include "core/status.h"

namespace scorehost {

// The process-wide host services table. Static storage; valid for the life of the process.
const sh_host_api* HostServices();

// Converts a status returned by a plugin into a host Status and frees it. NULL -> OK.
Status TakeStatus(sh_status* status);

}  // namespace scorehost
