// JSON bodies of /model/score and /model/contribution, built from one request's rows of a
// (possibly shared, coalesced) model output. Property order, omitted nulls and cell formatting
// follow shared/reference/api.md §2.5-2.6.
#pragma once

#include <string>
#include <vector>

#include "rest/score_request.h"
#include "serving/inference_job.h"

namespace scorehost::rest {

// What the writers need to know about the model, computed once at load.
struct OutputLayout {
  std::string model_id;  // "" -> the "id" property is omitted
  // Multinomial models give one contribution group per class, named after the text that follows
  // the last '.' of each output column; empty for a single group.
  std::vector<std::string> contribution_classes;
};

OutputLayout MakeOutputLayout(const ModelInfo& info, const std::string& model_id);

// ScoreResponse: id, fields, score, featureShapleyContributions, predictionIntervals.
std::string WriteScoreResponse(const ScoreRequest& request, const JobOutcome& outcome, const OutputLayout& layout);

// ContributionResponse: features, contributionGroups.
std::string WriteContributionResponse(const JobOutcome& outcome, const OutputLayout& layout);

// A random (version 4) UUID in lower-case 8-4-4-4-12 form, like java.util.UUID.randomUUID().
std::string RandomUuid();

}  // namespace scorehost::rest
