// One loaded plugin shared library: dlopen through Boost.DLL, the ABI version check, and the
// plugin's function table. The library stays loaded for the life of this object.
#pragma once

#include <scorehost/plugin_api.h>

#include <boost/dll/shared_library.hpp>

#include <memory>
#include <string>

#include "core/status.h"

namespace scorehost {

class PluginLibrary {
 public:
  // Loads `path` (absolute), checks the ABI version and calls the plugin's init. A plugin built
  // for another ABI major, or a newer minor than this host knows, is refused with a message naming
  // the file and both versions.
  static Result<std::shared_ptr<PluginLibrary>> Open(const std::string& path);

  ~PluginLibrary();
  PluginLibrary(const PluginLibrary&) = delete;
  PluginLibrary& operator=(const PluginLibrary&) = delete;

  const std::string& path() const { return path_; }
  const sh_plugin_api& api() const { return api_; }
  std::string name() const { return api_.plugin_name ? api_.plugin_name : ""; }
  std::string version() const { return api_.plugin_version ? api_.plugin_version : ""; }

 private:
  PluginLibrary() = default;

  std::string path_;
  boost::dll::shared_library library_;
  sh_plugin_api api_{};
  bool initialised_ = false;
};

}  // namespace scorehost
