#include "loader/plugin_library.h"

#include <fmt/format.h>

#include <boost/dll/shared_library_load_mode.hpp>
#include <boost/system/system_error.hpp>

#include "loader/host_services.h"

namespace scorehost {

Result<std::shared_ptr<PluginLibrary>> PluginLibrary::Open(const std::string& path) {
  std::shared_ptr<PluginLibrary> plugin(new PluginLibrary());
  plugin->path_ = path;
  try {
    // RTLD_NOW: fail here, with the file named, rather than at the first call of a missing symbol.
    // RTLD_LOCAL: a plugin's dependencies never become visible to other plugins.
    plugin->library_.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const boost::system::system_error& e) {
    return Status::FailedPrecondition(fmt::format("cannot load plugin {}: {}", path, e.what()));
  }
  if (!plugin->library_.has(SH_PLUGIN_ENTRY_SYMBOL)) {
    return Status::FailedPrecondition(
        fmt::format("{} is not a scorehost plugin: it does not export {}", path, SH_PLUGIN_ENTRY_SYMBOL));
  }
  auto entry = plugin->library_.get<int(uint32_t, uint32_t, sh_plugin_api*)>(SH_PLUGIN_ENTRY_SYMBOL);

  sh_plugin_api& api = plugin->api_;
  api = sh_plugin_api{};
  api.struct_size = sizeof(sh_plugin_api);
  int rc = entry(SH_ABI_MAJOR, SH_ABI_MINOR, &api);

  // The version fields are frozen across majors, so they are meaningful even when rc != 0.
  const bool same_major = api.abi_major == SH_ABI_MAJOR;
  const bool minor_known = api.abi_minor <= SH_ABI_MINOR;
  if (!same_major || !minor_known) {
    return Status::FailedPrecondition(fmt::format(
        "plugin {} was built for plugin ABI {}.{}, but this host speaks ABI {}.{} ({}); rebuild the "
        "plugin against this host's plugin_api.h",
        path, api.abi_major, api.abi_minor, SH_ABI_MAJOR, SH_ABI_MINOR,
        same_major ? "the plugin needs a newer minor version" : "the major versions differ"));
  }
  if (rc != 0) {
    return Status::FailedPrecondition(
        fmt::format("plugin {} refused to register with this host (entry returned {})", path, rc));
  }
  // Everything up to and including model_unload is required in 1.0 (optional slots may be NULL).
  if (api.struct_size < offsetof(sh_plugin_api, model_unload) + sizeof(api.model_unload)) {
    return Status::FailedPrecondition(
        fmt::format("plugin {} filled only {} bytes of its function table", path, api.struct_size));
  }
  const char* missing = nullptr;
  if (!api.plugin_name) missing = "plugin_name";
  else if (!api.init) missing = "init";
  else if (!api.fini) missing = "fini";
  else if (!api.model_load) missing = "model_load";
  else if (!api.model_describe) missing = "model_describe";
  else if (!api.score) missing = "score";
  else if (!api.model_unload) missing = "model_unload";
  else if (api.n_runtimes > 0 && !api.runtimes) missing = "runtimes";
  if (missing) {
    return Status::FailedPrecondition(
        fmt::format("plugin {} leaves the required table entry '{}' empty", path, missing));
  }
  for (size_t i = 0; i < api.n_runtimes; ++i) {
    if (!api.runtimes[i].name || !*api.runtimes[i].name)
      return Status::FailedPrecondition(fmt::format("plugin {} declares a runtime without a name", path));
  }

  Status init = TakeStatus(api.init(HostServices()));
  if (!init.ok()) {
    return Status(init.code(), fmt::format("plugin {} failed to initialise: {}", path, init.message()));
  }
  plugin->initialised_ = true;
  return plugin;
}

PluginLibrary::~PluginLibrary() {
  if (initialised_ && api_.fini) api_.fini();
  // Plugins that embed runtimes which cannot be unloaded safely may mark themselves RTLD_NODELETE;
  // for the others, closing the library here is correct because every model handle has been
  // released (LoadedModel holds a shared_ptr to this object).
}

}  // namespace scorehost
