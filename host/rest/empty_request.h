// A request with no rows ("rows": []) is answered without calling the model (api.md §2.5, §7.5):
// a model may refuse an empty frame, and there is nothing to score anyway. This builds the
// 0-row output such a call would have returned, so the ordinary response writers give the
// API's shape: the model's output names in `fields` and empty `score` / contributions.
#pragma once

#include <memory>

#include "model/loaded_model.h"
#include "serving/inference_job.h"

namespace scorehost::rest {

// The outcome of scoring 0 rows with `call` on a model described by `info`.
JobOutcome EmptyOutcome(const ModelInfo& info, const ModelCall& call);

}  // namespace scorehost::rest
