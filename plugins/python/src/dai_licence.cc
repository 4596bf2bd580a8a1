#include "dai_licence.hpp"

#include <sys/stat.h>

#include <filesystem>

namespace scorehost::pyworker {
namespace {

bool NonEmptyRegularFile(const std::string& path) {
  struct stat st{};
  return !path.empty() && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

}  // namespace

DaiLicence FindDaiLicence(const std::function<bool(const std::string&, std::string*)>& lookup,
                          const std::string& docker_path) {
  DaiLicence out;
  std::string value;
  if (lookup("DRIVERLESS_AI_LICENSE_KEY", &value)) {
    if (!value.empty()) {
      out.found = true;
      out.source = "DRIVERLESS_AI_LICENSE_KEY";
    } else {
      // The runtime stops at a set key even when it is empty, and then reports no licence.
      out.note = "DRIVERLESS_AI_LICENSE_KEY is set but empty, which ends the runtime's search";
    }
    return out;
  }
  if (lookup("DRIVERLESS_AI_LICENSE_FILE", &value) && NonEmptyRegularFile(value)) {
    out.found = true;
    out.source = "DRIVERLESS_AI_LICENSE_FILE (" + value + ")";
    return out;
  }
  if (NonEmptyRegularFile(docker_path)) {
    out.found = true;
    out.source = docker_path;
    return out;
  }
  std::string home;
  if (lookup("HOME", &home) && !home.empty()) {
    std::string path = (std::filesystem::path(home) / ".driverlessai" / "license.sig").string();
    if (NonEmptyRegularFile(path)) {
      out.found = true;
      out.source = path;
    }
  }
  return out;
}

std::string DaiLicenceMissingMessage(const DaiLicence& searched) {
  std::string msg =
      "no Driverless AI licence found: set DRIVERLESS_AI_LICENSE_KEY (the licence key text) or "
      "DRIVERLESS_AI_LICENSE_FILE (the path of a license.sig), or put the licence file at /license/license.sig or "
      "~/.driverlessai/license.sig";
  if (!searched.note.empty()) msg += " (" + searched.note + ")";
  return msg;
}

}  // namespace scorehost::pyworker
