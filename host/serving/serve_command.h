// `scorehost serve`: load one model and serve it behind the H2O scoring REST API until SIGTERM
// or SIGINT, then drain and exit 0.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/common_options.h"

namespace scorehost {

void AddServeCommand(CLI::App& app, CommonOptions& common);

}  // namespace scorehost
