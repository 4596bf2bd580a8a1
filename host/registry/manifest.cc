#include "registry/manifest.h"

#include <fmt/format.h>

#include <set>
#include <toml++/toml.h>

namespace scorehost {
namespace {

Result<std::string> RequiredString(const toml::table& t, const char* key, const std::string& where) {
  if (auto v = t[key].value<std::string>()) return *v;
  return Status::InvalidArgument(fmt::format("{}: missing or non-string key '{}'", where, key));
}

}  // namespace

Result<Manifest> ReadManifest(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument(fmt::format("cannot read registry manifest {} (line {}, column {}): {}", path,
                                               where.line, where.column, e.description()));
  }
  Manifest manifest;
  manifest.path = path;
  std::set<std::string> artifact_names;

  if (const toml::array* types = root["artifact_type"].as_array()) {
    for (size_t i = 0; i < types->size(); ++i) {
      const toml::table* t = (*types)[i].as_table();
      std::string where = fmt::format("{}: [[artifact_type]] #{}", path, i + 1);
      if (!t) return Status::InvalidArgument(where + " is not a table");
      ArtifactTypeInfo info;
      for (auto [key, field] : {std::pair{"name", &info.name}, std::pair{"storage_name", &info.storage_name},
                                std::pair{"display_name", &info.display_name}}) {
        auto v = RequiredString(*t, key, where);
        if (!v.ok()) return v.status();
        *field = *v;
      }
      if (!artifact_names.insert(info.name).second)
        return Status::InvalidArgument(fmt::format("{}: artifact type '{}' is listed twice", path, info.name));
      manifest.artifact_types.push_back(std::move(info));
    }
  }

  std::set<std::string> runtime_names;
  if (const toml::array* runtimes = root["runtime"].as_array()) {
    for (size_t i = 0; i < runtimes->size(); ++i) {
      const toml::table* t = (*runtimes)[i].as_table();
      std::string where = fmt::format("{}: [[runtime]] #{}", path, i + 1);
      if (!t) return Status::InvalidArgument(where + " is not a table");
      ManifestRuntime rt;
      for (auto [key, field] : {std::pair{"name", &rt.name}, std::pair{"display_name", &rt.display_name},
                                std::pair{"plugin", &rt.plugin}}) {
        auto v = RequiredString(*t, key, where);
        if (!v.ok()) return v.status();
        *field = *v;
      }
      rt.compatible_model = (*t)["compatible_model"].value_or(std::string());
      const toml::array* types = (*t)["artifact_types"].as_array();
      if (!types || types->empty())
        return Status::InvalidArgument(fmt::format("{} ('{}'): 'artifact_types' must be a non-empty list", where, rt.name));
      for (const auto& node : *types) {
        auto type = node.value<std::string>();
        if (!type) return Status::InvalidArgument(fmt::format("{} ('{}'): artifact types must be strings", where, rt.name));
        if (!artifact_names.count(*type))
          return Status::InvalidArgument(
              fmt::format("{} ('{}'): artifact type '{}' is not declared as an [[artifact_type]]", where, rt.name, *type));
        rt.artifact_types.push_back(*type);
      }
      if (!runtime_names.insert(rt.name).second)
        return Status::InvalidArgument(fmt::format("{}: runtime '{}' is listed twice", path, rt.name));
      manifest.runtimes.push_back(std::move(rt));
    }
  }
  return manifest;
}

}  // namespace scorehost
