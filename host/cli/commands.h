// The offline subcommands: runtimes, inspect, score. (serve lives in host/serving.)
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common_options.h"

namespace scorehost {

void AddRuntimesCommand(CLI::App& app, CommonOptions& common);
void AddInspectCommand(CLI::App& app, CommonOptions& common);
void AddScoreCommand(CLI::App& app, CommonOptions& common);

// Thrown by a subcommand callback to end the process with `code` after printing `message`.
struct CommandFailed {
  int code;
  std::string message;
};

}  // namespace scorehost
