#include "serving/row_count_check.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "serving/metrics.h"

namespace scorehost {

Status CheckRowCount(int64_t in, int64_t out, ScoringPath path, RowCountValidation mode, const char* what) {
  if (in == out) return Status::Ok();
  const char* path_name = path == ScoringPath::kBatching ? "batching path" : "direct path";
  const char* mode_name = mode == RowCountValidation::kStrict ? "strict" : "warn";
  if (out == 0 || path == ScoringPath::kBatching || mode == RowCountValidation::kStrict) {
    if (metrics::ServerMetrics* m = metrics::Active()) m->row_count_failures.Add();
    return Status::Internal(fmt::format(
        "row count mismatch: the model returned {} {} rows for {} input rows (SCORE_ROW_COUNT_VALIDATION={}, {})",
        out, what, in, mode_name, path_name));
  }
  if (metrics::ServerMetrics* m = metrics::Active()) m->row_count_warnings.Add();
  spdlog::warn("row count mismatch: the model returned {} {} rows for {} input rows; answering anyway "
               "(SCORE_ROW_COUNT_VALIDATION=warn, direct path)",
               out, what, in);
  return Status::Ok();
}

}  // namespace scorehost
