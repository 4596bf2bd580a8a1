// scorehost: a model-scoring host. One binary, several subcommands.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/common_options.h"
#ifdef SCOREHOST_HAVE_SERVE  // defined by CMake when host/serving is part of the build
#include "serving/serve_command.h"
#endif

int main(int argc, char** argv) {
  CLI::App app{"scorehost: serves one machine-learning model behind the H2O scoring REST API, through runtime "
               "plugins (H2O-3 MOJO, Driverless AI, MLflow, ...)"};
  app.set_version_flag("--version", SCOREHOST_VERSION);
  app.require_subcommand(1);
  scorehost::CommonOptions common;
  scorehost::AddCommonOptions(app, common);
#ifdef SCOREHOST_HAVE_SERVE
  scorehost::AddServeCommand(app, common);
#endif
  scorehost::AddRuntimesCommand(app, common);
  scorehost::AddInspectCommand(app, common);
  scorehost::AddScoreCommand(app, common);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const scorehost::CommandFailed& failure) {
    if (!failure.message.empty()) std::fprintf(stderr, "scorehost: error: %s\n", failure.message.c_str());
    return failure.code;
  }
  return 0;
}
