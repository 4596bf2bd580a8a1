// The runtime registry: what the manifest promises combined with what the plugins in the runtime
// directory actually provide. Every manifest runtime appears, available or with the reason why not;
// every runtime a plugin declares appears too (drop-in plugins need no manifest entry).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "loader/plugin_library.h"
#include "registry/manifest.h"

namespace scorehost {

struct RuntimeInfo {
  std::string name;
  std::string display_name;
  std::string compatible_model;
  std::vector<std::string> artifact_types;
  std::string expected_plugin;            // from the manifest; empty for drop-in runtimes
  std::shared_ptr<PluginLibrary> plugin;  // null when no loaded plugin serves it
  bool available = false;
  std::string unavailable_reason;         // set when !available
};

struct RefusedPlugin {
  std::string path;
  std::string reason;
};

class Registry {
 public:
  // Loads every *.so in `runtime_dir` (sorted by name) and merges them with the manifest at
  // `manifest_path` (empty = none). A plugin that fails to load or has another ABI version is
  // refused and recorded; the others keep working. Two plugins declaring one runtime name is an
  // error that names both files.
  static Result<Registry> Build(const std::string& manifest_path, const std::string& runtime_dir);

  const std::string& runtime_dir() const { return runtime_dir_; }
  const std::string& manifest_path() const { return manifest_path_; }
  const std::vector<RuntimeInfo>& runtimes() const { return runtimes_; }
  const std::vector<ArtifactTypeInfo>& artifact_types() const { return artifact_types_; }
  const std::vector<RefusedPlugin>& refused_plugins() const { return refused_; }
  const std::vector<std::shared_ptr<PluginLibrary>>& plugins() const { return plugins_; }

  const RuntimeInfo* FindRuntime(std::string_view name) const;
  const ArtifactTypeInfo* FindArtifactType(std::string_view name) const;
  // Runtimes (available or not) that list `artifact_type`, in registry order.
  std::vector<const RuntimeInfo*> RuntimesFor(std::string_view artifact_type) const;

 private:
  std::string runtime_dir_;
  std::string manifest_path_;
  std::vector<RuntimeInfo> runtimes_;
  std::vector<ArtifactTypeInfo> artifact_types_;
  std::vector<RefusedPlugin> refused_;
  std::vector<std::shared_ptr<PluginLibrary>> plugins_;
};

}  // namespace scorehost
