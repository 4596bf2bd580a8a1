#include "cli/common_options.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/filesystem.hpp>
#include <cctype>

#include "registry/registry.h"

#ifndef SCOREHOST_RELATIVE_RUNTIME_DIR
#define SCOREHOST_RELATIVE_RUNTIME_DIR "../lib/scorehost/runtimes"
#endif

namespace fs = boost::filesystem;

namespace scorehost {
namespace {

// The build tree keeps plugins in <bin>/runtimes; an installed tree in <prefix>/<libdir>/scorehost/runtimes.
std::string DefaultRuntimeDir() {
  fs::path exe_dir = boost::dll::program_location().parent_path();
  boost::system::error_code ec;
  fs::path beside = exe_dir / "runtimes";
  if (fs::is_directory(beside, ec)) return beside.string();
  return (exe_dir / SCOREHOST_RELATIVE_RUNTIME_DIR).lexically_normal().string();
}

}  // namespace

void AddCommonOptions(CLI::App& app, CommonOptions& options) {
  app.add_option("--runtime-dir", options.runtime_dir,
                 "Directory scanned for runtime plugins (*.so) [env SCOREHOST_RUNTIME_DIR; default: 'runtimes' "
                 "beside the executable]")
      ->envname("SCOREHOST_RUNTIME_DIR");
  app.add_option("--manifest", options.manifest,
                 "Registry manifest (TOML) [env SCOREHOST_MANIFEST; default: <runtime-dir>/runtimes.toml]")
      ->envname("SCOREHOST_MANIFEST");
  app.add_option("--log-level", options.log_level, "DEBUG, INFO, WARNING or ERROR [env LOG_LEVEL; default INFO]")
      ->envname("LOG_LEVEL")
      ->default_str("INFO");
}

void ConfigureLogging(const CommonOptions& options) {
  std::string level = options.log_level;
  std::transform(level.begin(), level.end(), level.begin(), [](unsigned char c) { return std::toupper(c); });
  auto logger = spdlog::stderr_color_mt("scorehost");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  if (level == "DEBUG") spdlog::set_level(spdlog::level::debug);
  else if (level == "WARNING" || level == "WARN") spdlog::set_level(spdlog::level::warn);
  else if (level == "ERROR") spdlog::set_level(spdlog::level::err);
  else spdlog::set_level(spdlog::level::info);
}

Result<Registry> LoadRegistry(const CommonOptions& options) {
  std::string runtime_dir = options.runtime_dir.empty() ? DefaultRuntimeDir() : options.runtime_dir;
  boost::system::error_code ec;
  runtime_dir = fs::absolute(runtime_dir).lexically_normal().string();
  if (!fs::is_directory(runtime_dir, ec))
    return Status::NotFound(fmt::format("runtime directory {} does not exist", runtime_dir));
  std::string manifest = options.manifest;
  if (manifest.empty()) {
    // A custom runtime directory without its own manifest still gets the product's runtime list.
    for (const fs::path& candidate : {fs::path(runtime_dir) / "runtimes.toml", fs::path(DefaultRuntimeDir()) / "runtimes.toml"}) {
      if (fs::is_regular_file(candidate, ec)) {
        manifest = candidate.string();
        break;
      }
    }
    if (manifest.empty()) spdlog::warn("no registry manifest found; listing plugin-declared runtimes only");
  } else if (!fs::is_regular_file(manifest, ec)) {
    return Status::NotFound(fmt::format("registry manifest {} does not exist", manifest));
  }
  auto registry = Registry::Build(manifest, runtime_dir);
  if (registry.ok())
    for (const RefusedPlugin& r : registry->refused_plugins()) spdlog::warn("{}", r.reason);
  return registry;
}

}  // namespace scorehost
