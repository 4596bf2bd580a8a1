#include "cli/commands.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cstdio>
#include <string>
#include <thread>

#include "artifact/artifact_detector.h"
#include "csv/csv_scorer.h"
#include "model/model_opener.h"
#include "registry/registry.h"

namespace scorehost {
namespace {

[[noreturn]] void Fail(const Status& status) { throw CommandFailed{1, status.message()}; }

Registry RegistryOrFail(const CommonOptions& common) {
  auto registry = LoadRegistry(common);
  if (!registry.ok()) Fail(registry.status());
  return std::move(*registry);
}

std::string Join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string CapabilityNames(uint32_t caps) {
  std::vector<std::string> names;
  if (caps & SH_CAP_SCORE_PREDICTION_INTERVAL) names.emplace_back("SCORE_PREDICTION_INTERVAL");
  if (caps & SH_CAP_SCORE) names.emplace_back("SCORE");
  if (caps & SH_CAP_CONTRIBUTION_ORIGINAL) names.emplace_back("CONTRIBUTION_ORIGINAL");
  if (caps & SH_CAP_CONTRIBUTION_TRANSFORMED) names.emplace_back("CONTRIBUTION_TRANSFORMED");
  return Join(names);
}

void PrintRuntimes(const Registry& registry) {
  size_t w_name = 7, w_display = 12, w_plugin = 6, w_types = 14;
  for (const RuntimeInfo& r : registry.runtimes()) {
    w_name = std::max(w_name, r.name.size());
    w_types = std::max(w_types, Join(r.artifact_types).size());
    w_display = std::max(w_display, r.display_name.size());
    std::string plugin = r.plugin ? boost::filesystem::path(r.plugin->path()).filename().string() : "-";
    w_plugin = std::max(w_plugin, plugin.size());
  }
  std::printf("%-*s  %-*s  %-*s  %-*s  %s\n", int(w_name), "RUNTIME", int(w_display), "DISPLAY NAME", int(w_plugin),
              "PLUGIN", int(w_types), "ARTIFACT TYPES", "STATUS");
  for (const RuntimeInfo& r : registry.runtimes()) {
    std::string plugin = r.plugin ? boost::filesystem::path(r.plugin->path()).filename().string() : "-";
    std::string status = r.available ? "available" : "unavailable: " + r.unavailable_reason;
    std::printf("%-*s  %-*s  %-*s  %-*s  %s\n", int(w_name), r.name.c_str(), int(w_display), r.display_name.c_str(),
                int(w_plugin), plugin.c_str(), int(w_types), Join(r.artifact_types).c_str(), status.c_str());
  }
  std::printf("\nruntime directory: %s\nmanifest: %s\n", registry.runtime_dir().c_str(),
              registry.manifest_path().empty() ? "(none)" : registry.manifest_path().c_str());
  for (const RefusedPlugin& p : registry.refused_plugins())
    std::printf("refused plugin: %s\n", p.reason.c_str());
}

}  // namespace

void AddRuntimesCommand(CLI::App& app, CommonOptions& common) {
  CLI::App* cmd = app.add_subcommand("runtimes", "List every runtime: name, display name, plugin, artifact types, "
                                                 "and whether it is available (or why not)");
  cmd->callback([&common]() {
    ConfigureLogging(common);
    PrintRuntimes(RegistryOrFail(common));
  });
}

// The plugin's runtime properties (ABI 1.2), keys aligned; nothing at all when it reports none, so
// the output of older plugins is unchanged.
void PrintRuntimeProperties(const std::vector<std::pair<std::string, std::string>>& properties) {
  if (properties.empty()) return;
  size_t width = 0;
  for (const auto& kv : properties) width = std::max(width, kv.first.size());
  std::printf("runtime properties:\n");
  for (const auto& [key, value] : properties)
    std::printf("  %-*s  %s\n", static_cast<int>(width), key.c_str(), value.c_str());
}

void AddInspectCommand(CLI::App& app, CommonOptions& common) {
  CLI::App* cmd = app.add_subcommand("inspect", "Detect a model artifact's type and print its schema, capabilities "
                                                "and the runtimes that can serve it");
  static std::string path, runtime;
  cmd->add_option("path", path, "Model file or directory")->required();
  cmd->add_option("--runtime", runtime, "Runtime used to load the model for its schema [env RUNTIME]")->envname("RUNTIME");
  cmd->callback([&common]() {
    ConfigureLogging(common);
    Registry registry = RegistryOrFail(common);
    auto detected = DetectArtifact(path, registry);
    if (!detected.ok()) Fail(detected.status());
    const ArtifactTypeInfo* type = registry.FindArtifactType(detected->type);
    std::printf("path:          %s\n", path.c_str());
    std::printf("artifact type: %s%s\n", detected->type.c_str(),
                type ? fmt::format(" ({}, storage type {})", type->display_name, type->storage_name).c_str() : "");
    std::printf("detected by:   %s\n", detected->evidence.c_str());
    std::printf("runtimes:\n");
    for (const RuntimeInfo* r : registry.RuntimesFor(detected->type))
      std::printf("  %-45s %s\n", r->name.c_str(),
                  r->available ? "available" : ("unavailable: " + r->unavailable_reason).c_str());

    // A plugin may show what it can without everything a server needs (e.g. a Driverless AI
    // pipeline's schema without a licence); SCOREHOST_LOAD_PURPOSE tells it this is inspect.
    KeyValues config = PluginConfigFromEnvironment();
    config.emplace_back("SCOREHOST_LOAD_PURPOSE", "inspect");
    auto model = OpenModel(registry, {path, runtime, config});
    if (!model.ok()) {
      std::printf("schema:        not loaded: %s\n", model.status().message().c_str());
      throw CommandFailed{runtime.empty() ? 0 : 1, ""};
    }
    const ModelInfo& info = (*model)->info();
    std::printf("loaded with:   %s\n", (*model)->runtime_name().c_str());
    std::printf("model id:      %s\n", info.model_id.c_str());
    if (!info.description.empty()) std::printf("description:   %s\n", info.description.c_str());
    std::printf("capabilities:  %s\n", CapabilityNames(info.capabilities).c_str());
    std::printf("thread-safe:   %s\n", info.thread_safe ? "yes" : "no");
    PrintRuntimeProperties(info.properties);
    std::printf("input fields:\n");
    for (const FieldInfo& f : info.inputs) std::printf("  %-40s %s\n", f.name.c_str(), DataTypeName(f.type));
    std::printf("output fields:\n");
    for (const FieldInfo& f : info.outputs) std::printf("  %-40s %s\n", f.name.c_str(), DataTypeName(f.type));
  });
}

void AddScoreCommand(CLI::App& app, CommonOptions& common) {
  CLI::App* cmd = app.add_subcommand("score", "Score a CSV file (header + rows) into a CSV file, streaming in chunks");
  static std::string model_path, runtime;
  static CsvScoreOptions options;
  static bool intervals = false, quiet = false;
  cmd->add_option("--model", model_path, "Model file or directory [env MODEL_PATH]")->envname("MODEL_PATH")->required();
  cmd->add_option("--runtime", runtime, "Runtime name; default: the only one that can serve the model [env RUNTIME]")
      ->envname("RUNTIME");
  cmd->add_option("--input", options.input, "Input CSV with a header line, or - for stdin")->required();
  cmd->add_option("--output", options.output, "Output CSV, or - for stdout")->required();
  cmd->add_option("--chunk-rows", options.chunk_rows, "Rows per model call")->default_val(4096);
  cmd->add_option("--threads", options.threads, "Chunks scored in parallel; 0 = one per CPU core")
      ->default_val(0);
  cmd->add_option("--include-column", options.include_columns,
                  "Input column to copy in front of the predictions (repeatable)");
  cmd->add_flag("--prediction-intervals", intervals, "Also write prediction interval columns (if the model has them)");
  cmd->add_flag("--quiet", quiet, "No progress line on stderr");
  cmd->callback([&common]() {
    ConfigureLogging(common);
    Registry registry = RegistryOrFail(common);
    auto model = OpenModel(registry, {model_path, runtime, PluginConfigFromEnvironment()});
    if (!model.ok()) Fail(model.status());
    options.progress = !quiet;
    if (options.threads == 0) options.threads = std::max(1u, std::thread::hardware_concurrency());
    options.score_flags = intervals ? SH_SCORE_PREDICTION_INTERVALS : 0;
    auto stats = ScoreCsv(**model, options);
    if (!stats.ok()) Fail(stats.status());
    if (!quiet)
      std::fprintf(stderr, "scorehost: scored %llu rows in %.2f s\n", static_cast<unsigned long long>(stats->rows),
                   stats->seconds);
  });
}

}  // namespace scorehost
