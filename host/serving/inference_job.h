// The unit of work between the REST layer and the inference threads: one request's input rows,
// what to compute on them, and where the result goes.
#pragma once

#include <scorehost/arrow_columns.hpp>
#include <scorehost/plugin_api.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"

namespace scorehost {

// What one model call computes. Requests are merged into one call only when these are equal, so
// a batch never mixes interval / Shapley options.
struct ModelCall {
  bool score = true;        // false: contributions only (/model/contribution)
  uint32_t score_flags = 0; // SH_SCORE_* bits
  sh_contribution_kind contribution = static_cast<sh_contribution_kind>(0);  // 0: none

  bool wants_contribution() const { return contribution != 0; }
  bool operator==(const ModelCall& o) const {
    return score == o.score && score_flags == o.score_flags && contribution == o.contribution;
  }
};

// The results of one model call over a whole batch, shared by every request of the batch; each
// request reads its own rows [offset, offset + rows).
struct CallOutput {
  std::optional<arrow::OwnedArrow> scores;
  std::optional<arrow::OwnedArrow> contributions;
  // Set when contributions were requested next to a score and failed: /model/score then answers
  // without them, as the Java runtime does.
  Status contribution_error;
};

struct JobOutcome {
  Status status;  // not ok: the request fails with it (and output is null)
  std::shared_ptr<const CallOutput> output;
  int64_t offset = 0;
  int64_t rows = 0;
};

struct InferenceJob {
  ModelCall call;
  arrow::OwnedArrow input;  // struct array of the model's input columns
  int64_t rows = 0;
  std::function<void(JobOutcome)> done;  // called exactly once, on an inference thread
  std::chrono::steady_clock::time_point enqueued{};
  // When the request reached the admission gate (set only while metrics record; queue wait).
  std::chrono::steady_clock::time_point submitted{};
  std::string request_id;  // for the log lines written about this job
};

// The model entry points the inference threads call (LoadedModel in production, fakes in tests).
struct ModelFunctions {
  std::function<Result<arrow::OwnedArrow>(const arrow::OwnedArrow&, uint32_t score_flags)> score;
  std::function<Result<arrow::OwnedArrow>(const arrow::OwnedArrow&, sh_contribution_kind)> contribute;
};

}  // namespace scorehost
