#include "registry/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <map>

#include "loader/host_services.h"

namespace fs = boost::filesystem;

namespace scorehost {
namespace {

// The plugin file a manifest entry expects, for messages: "<dir>/<plugin>.so".
std::string ExpectedFile(const std::string& dir, const std::string& plugin) {
  return (fs::path(dir) / (plugin + ".so")).string();
}

}  // namespace

Result<Registry> Registry::Build(const std::string& manifest_path, const std::string& runtime_dir) {
  Registry registry;
  registry.runtime_dir_ = runtime_dir;
  registry.manifest_path_ = manifest_path;

  Manifest manifest;
  if (!manifest_path.empty()) {
    auto read = ReadManifest(manifest_path);
    if (!read.ok()) return read.status();
    manifest = std::move(*read);
  }
  registry.artifact_types_ = manifest.artifact_types;

  // 1. Load every plugin in the directory.
  std::vector<std::string> files;
  boost::system::error_code ec;
  if (fs::is_directory(runtime_dir, ec)) {
    for (fs::directory_iterator it(runtime_dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".so" && fs::is_regular_file(it->path(), ec))
        files.push_back(fs::absolute(it->path()).string());
    }
    std::sort(files.begin(), files.end());
  }
  for (const std::string& file : files) {
    auto plugin = PluginLibrary::Open(file);
    if (plugin.ok()) registry.plugins_.push_back(std::move(*plugin));
    else registry.refused_.push_back({file, plugin.status().message()});
  }

  // 2. Index the runtimes the plugins declare; a name declared twice is a hard error.
  std::map<std::string, std::pair<std::shared_ptr<PluginLibrary>, const sh_runtime_desc*>> declared;
  for (const auto& plugin : registry.plugins_) {
    const sh_plugin_api& api = plugin->api();
    for (size_t i = 0; i < api.n_runtimes; ++i) {
      const sh_runtime_desc* rt = &api.runtimes[i];
      auto [it, inserted] = declared.emplace(rt->name, std::make_pair(plugin, rt));
      if (!inserted) {
        return Status::FailedPrecondition(fmt::format("runtime '{}' is declared by two plugins: {} and {}", rt->name,
                                                      it->second.first->path(), plugin->path()));
      }
    }
  }

  auto fill_from_plugin = [&registry](RuntimeInfo& info, const std::shared_ptr<PluginLibrary>& plugin,
                                      const sh_runtime_desc* rt) {
    info.plugin = plugin;
    if (rt->display_name && *rt->display_name && info.display_name.empty()) info.display_name = rt->display_name;
    if (rt->n_artifact_types > 0 && rt->artifact_types) {
      info.artifact_types.clear();
      for (size_t k = 0; k < rt->n_artifact_types; ++k)
        if (rt->artifact_types[k]) info.artifact_types.emplace_back(rt->artifact_types[k]);
    }
    Status st = TakeStatus(plugin->api().runtime_status ? plugin->api().runtime_status(rt->name) : nullptr);
    info.available = st.ok();
    if (!st.ok()) info.unavailable_reason = st.message();
    // A drop-in plugin may serve an artifact type the manifest does not know: list it by name.
    for (const std::string& type : info.artifact_types)
      if (!registry.FindArtifactType(type)) registry.artifact_types_.push_back({type, type, type});
  };

  // 3. Manifest runtimes first, in manifest order.
  for (const ManifestRuntime& m : manifest.runtimes) {
    RuntimeInfo info{m.name, m.display_name, m.compatible_model, m.artifact_types, m.plugin, nullptr, false, ""};
    auto found = declared.find(m.name);
    if (found != declared.end()) {
      fill_from_plugin(info, found->second.first, found->second.second);
      declared.erase(found);
    } else {
      std::string expected = ExpectedFile(runtime_dir, m.plugin);
      auto refused = std::find_if(registry.refused_.begin(), registry.refused_.end(),
                                  [&](const RefusedPlugin& r) { return fs::path(r.path).stem() == m.plugin; });
      if (refused != registry.refused_.end()) {
        info.unavailable_reason = "plugin refused: " + refused->reason;
      } else {
        auto loaded = std::find_if(registry.plugins_.begin(), registry.plugins_.end(),
                                   [&](const auto& p) { return p->name() == m.plugin; });
        info.unavailable_reason =
            loaded != registry.plugins_.end()
                ? fmt::format("plugin '{}' ({}) is installed but does not serve this runtime", m.plugin,
                              (*loaded)->path())
                : fmt::format("plugin '{}' is not installed (expected {})", m.plugin, expected);
      }
    }
    registry.runtimes_.push_back(std::move(info));
  }

  // 4. Then runtimes only plugins know about (drop-ins), in plugin order.
  for (const auto& plugin : registry.plugins_) {
    const sh_plugin_api& api = plugin->api();
    for (size_t i = 0; i < api.n_runtimes; ++i) {
      auto found = declared.find(api.runtimes[i].name);
      if (found == declared.end()) continue;
      RuntimeInfo info;
      info.name = found->first;
      fill_from_plugin(info, plugin, found->second.second);
      if (info.display_name.empty()) info.display_name = info.name;
      registry.runtimes_.push_back(std::move(info));
      declared.erase(found);
    }
  }
  return registry;
}

const RuntimeInfo* Registry::FindRuntime(std::string_view name) const {
  for (const RuntimeInfo& r : runtimes_)
    if (r.name == name) return &r;
  return nullptr;
}

const ArtifactTypeInfo* Registry::FindArtifactType(std::string_view name) const {
  for (const ArtifactTypeInfo& a : artifact_types_)
    if (a.name == name) return &a;
  return nullptr;
}

std::vector<const RuntimeInfo*> Registry::RuntimesFor(std::string_view artifact_type) const {
  std::vector<const RuntimeInfo*> out;
  for (const RuntimeInfo& r : runtimes_)
    if (std::find(r.artifact_types.begin(), r.artifact_types.end(), artifact_type) != r.artifact_types.end())
      out.push_back(&r);
  return out;
}

}  // namespace scorehost
