#include "model/model_opener.h"

#include <fmt/format.h>

#include <boost/filesystem.hpp>
#include <cstdlib>

#include "artifact/artifact_detector.h"
#include "registry/registry.h"

namespace scorehost {
namespace {

std::string NameList(const std::vector<const RuntimeInfo*>& runtimes) {
  std::string out;
  for (const RuntimeInfo* r : runtimes) {
    if (!out.empty()) out += ", ";
    out += r->name;
  }
  return out.empty() ? "(none)" : out;
}

std::string DisplayOf(const Registry& registry, const std::string& type) {
  const ArtifactTypeInfo* info = registry.FindArtifactType(type);
  return info ? fmt::format("{} ({})", info->display_name, type) : type;
}

}  // namespace

Result<std::unique_ptr<LoadedModel>> OpenModel(const Registry& registry, const OpenRequest& request) {
  if (request.model_path.empty())
    return Status::InvalidArgument("no model given: set MODEL_PATH or pass --model");
  boost::system::error_code ec;
  std::string path = boost::filesystem::absolute(request.model_path).lexically_normal().string();
  if (path.size() > 1 && path.back() == '/') path.pop_back();

  auto detected = DetectArtifact(path, registry);
  if (!detected.ok()) return detected.status();
  const std::string& type = detected->type;
  std::vector<const RuntimeInfo*> candidates = registry.RuntimesFor(type);

  const RuntimeInfo* runtime = nullptr;
  if (!request.runtime_name.empty()) {
    runtime = registry.FindRuntime(request.runtime_name);
    if (runtime == nullptr) {
      std::string known;
      for (const RuntimeInfo& r : registry.runtimes()) known += (known.empty() ? "" : ", ") + r.name;
      return Status::InvalidArgument(
          fmt::format("unknown runtime '{}'; known runtimes: {}", request.runtime_name, known));
    }
    bool serves = std::find(candidates.begin(), candidates.end(), runtime) != candidates.end();
    if (!serves) {
      return Status::FailedPrecondition(fmt::format(
          "runtime '{}' cannot serve {}: its detected artifact type is {}, from {}; runtimes that can serve it: {}",
          runtime->name, path, DisplayOf(registry, type), detected->evidence, NameList(candidates)));
    }
  } else {
    std::vector<const RuntimeInfo*> available;
    for (const RuntimeInfo* r : candidates)
      if (r->available) available.push_back(r);
    if (available.size() == 1) {
      runtime = available.front();
    } else if (available.empty()) {
      if (candidates.empty())
        return Status::FailedPrecondition(
            fmt::format("no runtime serves {} ({})", DisplayOf(registry, type), detected->evidence));
      std::string reasons;
      for (const RuntimeInfo* r : candidates) reasons += fmt::format("\n  {}: {}", r->name, r->unavailable_reason);
      return Status::FailedPrecondition(fmt::format("{} has artifact type {}, but no runtime that serves it is available:{}", path,
                                                    DisplayOf(registry, type), reasons));
    } else {
      return Status::InvalidArgument(fmt::format("{} has artifact type {}, which several runtimes serve; choose one with RUNTIME "
                                                 "or --runtime: {}",
                                                 path, DisplayOf(registry, type), NameList(available)));
    }
  }
  if (!runtime->available)
    return Status::FailedPrecondition(
        fmt::format("runtime '{}' is not available: {}", runtime->name, runtime->unavailable_reason));

  auto model = LoadedModel::Load(runtime->plugin, runtime->name, path, type, request.config);
  if (!model.ok())
    return Status(model.status().code(), fmt::format("runtime '{}' could not load {}: {}", runtime->name, path,
                                                     model.status().message()));
  return model;
}

KeyValues PluginConfigFromEnvironment() {
  // Settings a plugin may act on. The host's own settings (PORT, ...) are not passed.
  static const char* const kKeys[] = {
      "SHAPLEY_ENABLE",          "SHAPLEY_TYPES_ENABLED", "DRIVERLESS_AI_LICENSE_KEY", "DRIVERLESS_AI_LICENSE_FILE",
      "SCORING_CONCURRENCY",     "BATCH_WORKERS",         "LOG_LEVEL",                 "SCOREHOST_ENV_CACHE",
      "CUDA_VISIBLE_DEVICES",    "MODEL_ID",              "SCORING_TIMEOUT",           "PIP_INDEX_URL",
      "PIP_EXTRA_INDEX_URL",     "PIP_FIND_LINKS",        "PIP_NO_INDEX"};
  KeyValues out;
  for (const char* key : kKeys)
    if (const char* v = std::getenv(key)) out.emplace_back(key, v);
  return out;
}

}  // namespace scorehost
