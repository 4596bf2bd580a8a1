// Where the Driverless AI runtimes look for their licence, decided in C++ before any environment
// is built or any pipeline is touched, so that a missing licence fails a load within milliseconds
// with one message instead of after a 1 GB env build and a native runtime's log lines.
#pragma once

#include <functional>
#include <string>

namespace scorehost::pyworker {

struct DaiLicence {
  bool found = false;
  std::string source;  // "DRIVERLESS_AI_LICENSE_KEY", "DRIVERLESS_AI_LICENSE_FILE (<path>)", "/license/license.sig", ...
  std::string note;    // why the search ended early, e.g. an empty DRIVERLESS_AI_LICENSE_KEY
};

// The four places, in the daimojo runtime's own order and with its rules (measured with daimojo
// 2.9.2; plugins/python/DAI-MOJO.md): DRIVERLESS_AI_LICENSE_KEY (set but empty ends the search),
// DRIVERLESS_AI_LICENSE_FILE (a missing, empty or directory path falls through), then
// /license/license.sig and ~/.driverlessai/license.sig (non-empty regular files).
// `lookup(key, &value)` answers a setting (config, else environment) and says whether it is set.
// The key's text is never returned or logged.
DaiLicence FindDaiLicence(const std::function<bool(const std::string&, std::string*)>& lookup,
                          const std::string& docker_path = "/license/license.sig");

// One line naming all four places (plus the note when there is one).
std::string DaiLicenceMissingMessage(const DaiLicence& searched);

}  // namespace scorehost::pyworker
