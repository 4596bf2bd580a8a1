// Options every subcommand shares (where the plugins and the manifest are, logging), and the
// registry built from them.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "core/status.h"

namespace scorehost {

class Registry;

struct CommonOptions {
  std::string runtime_dir;  // SCOREHOST_RUNTIME_DIR / --runtime-dir; default: <exe dir>/runtimes,
                            // else <exe dir>/../lib/scorehost/runtimes
  std::string manifest;     // SCOREHOST_MANIFEST / --manifest; default: <runtime dir>/runtimes.toml
  std::string log_level;    // LOG_LEVEL / --log-level: DEBUG, INFO, WARNING (WARN), ERROR
};

// Registers the shared options on `app` (flags win over the environment variables named above).
void AddCommonOptions(CLI::App& app, CommonOptions& options);

// Applies LOG_LEVEL to the process logger (spdlog, stderr).
void ConfigureLogging(const CommonOptions& options);

// Scans the runtime directory and reads the manifest. A duplicate runtime name is an error.
Result<Registry> LoadRegistry(const CommonOptions& options);

}  // namespace scorehost
