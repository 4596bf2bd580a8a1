// Tells which artifact type a MODEL_PATH holds (file, directory or zip), from its contents.
#pragma once

#include <string>

#include "core/status.h"

namespace scorehost {

class Registry;

struct DetectedArtifact {
  std::string type;      // an artifact type name, e.g. "h2o3_mojo"
  std::string evidence;  // what gave it away, e.g. "model.ini in the zip archive"
};

// Rules, first match wins (entries are looked at below a single top-level folder, if any):
//   MLmodel + pipeline.mojo                        -> mlflow_mojo_pipeline
//   MLmodel + scoring_h2oai_experiment wheel/dir   -> mlflow_scoring_pipeline
//   MLmodel + a *.mojo file or model.ini           -> mlflow_h2o3_mojo
//   MLmodel                                        -> python/mlflow.zip
//   model.ini                                      -> h2o3_mojo
//   pipeline.mojo, or mojo/pipeline.pb (the file is the pipeline itself) -> dai_mojo_pipeline
//   scoring_h2oai_experiment_*.whl or a scoring-pipeline folder          -> dai_python_scoring_pipeline
//   otherwise each plugin's probe_artifact, in registry order.
// Errors: NOT_FOUND for a missing path, DATA_LOSS for a corrupt archive, INVALID_ARGUMENT when
// nothing matches (the message lists what was looked for).
Result<DetectedArtifact> DetectArtifact(const std::string& path, const Registry& registry);

}  // namespace scorehost
