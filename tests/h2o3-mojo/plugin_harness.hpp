// Test-only host for the h2o3-mojo plugin: loads the plugin built by this tree
// (H2O3_MOJO_PLUGIN_PATH, a compile definition of the test targets that use this header) through
// its entry symbol, as the host's loader does, and plays the host's services (statuses, logging).
// Header-only; include it from exactly one translation unit per test executable, because it
// defines the host-owned `sh_status`.
#pragma once

#include <boost/test/unit_test.hpp>

#include <dlfcn.h>
#include <scorehost/plugin_api.h>

#include <string>

// The host owns sh_status (the ABI leaves its layout to the host); this test plays the host.
struct sh_status {
  sh_status_code code;
  std::string message;
};

namespace h2o3test {

inline sh_status* StatusNew(sh_status_code code, const char* message) {
  if (code == SH_OK) return nullptr;
  return new sh_status{code, message ? message : ""};
}
inline void LogLine(sh_log_level, const char*) {}

// The plugin, loaded and initialised once per test executable (see P()).
struct Plugin {
  void* handle = nullptr;
  sh_plugin_api api{};
  sh_host_api host{sizeof(sh_host_api), SH_ABI_MAJOR, SH_ABI_MINOR, &StatusNew, &LogLine};
  Plugin() {
    handle = dlopen(H2O3_MOJO_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    BOOST_REQUIRE_MESSAGE(handle, dlerror());
    auto entry = reinterpret_cast<sh_plugin_entry_fn>(dlsym(handle, SH_PLUGIN_ENTRY_SYMBOL));
    BOOST_REQUIRE(entry);
    api.struct_size = sizeof(api);
    BOOST_REQUIRE_EQUAL(entry(SH_ABI_MAJOR, SH_ABI_MINOR, &api), 0);
    BOOST_REQUIRE(api.init(&host) == nullptr);
  }
  ~Plugin() {
    api.fini();
    dlclose(handle);
  }
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;
};

inline Plugin& P() {
  static Plugin plugin;
  return plugin;
}

}  // namespace h2o3test
