// The metadata bodies that never change once the model is loaded (/model/schema,
// /model/capabilities, /model/sample_request, /model/runtime): built once, served as they are.
#pragma once

#include <string>

#include "model/loaded_model.h"
#include "serving/shapley_options.h"

namespace scorehost::rest {

// {"id":..., "schema":{"inputFields":[...],"outputFields":[...]}}; "id" omitted when empty.
std::string SchemaDocument(const ModelInfo& info, const std::string& model_id);

// ["SCORE_PREDICTION_INTERVAL"?, "SCORE", "CONTRIBUTION_ORIGINAL"?, "CONTRIBUTION_TRANSFORMED"?]
std::string CapabilitiesDocument(const ModelInfo& info, const ShapleyOptions& shapley);

// {"fields":[every input],"rows":[[one example per input type]]}
std::string SampleRequestDocument(const ModelInfo& info);

// {"runtime":..., "plugin":..., "plugin_version":..., "artifact_type":...,
//  "properties":{"<key>":"<value>", ...}} (properties in the plugin's order; {} when it reports none)
std::string RuntimeDocument(const LoadedModel& model);

}  // namespace scorehost::rest
