// From "MODEL_PATH (+ optional runtime name)" to a LoadedModel: registry lookup, artifact detection,
// runtime choice and the plugin's model_load, with the error messages a user needs at start-up.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "model/loaded_model.h"

namespace scorehost {

class Registry;

struct OpenRequest {
  std::string model_path;    // file or directory; made absolute here
  std::string runtime_name;  // empty: the only runtime that can serve the detected artifact
  KeyValues config;          // passed to the plugin (seed env var names)
};

// Detects the artifact, picks the runtime and loads the model. Errors:
//  - unreadable/corrupt/unknown artifact -> the detector's message;
//  - unknown runtime name -> lists the known names;
//  - runtime that cannot serve the artifact -> names the detected type and the runtimes that can;
//  - unavailable runtime -> its reason;
//  - several candidates and no runtime chosen -> lists them.
Result<std::unique_ptr<LoadedModel>> OpenModel(const Registry& registry, const OpenRequest& request);

// The plugin configuration the host passes on from the environment: every seed variable that a
// plugin may care about (SHAPLEY_ENABLE, SHAPLEY_TYPES_ENABLED, DRIVERLESS_AI_LICENSE_KEY, ...)
// that is set.
KeyValues PluginConfigFromEnvironment();

}  // namespace scorehost
