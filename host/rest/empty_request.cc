#include "rest/empty_request.h"

#include <string>
#include <unordered_set>

namespace scorehost::rest {
namespace {

arrow::OwnedArrow EmptyTable(const std::vector<FieldInfo>& columns) {
  arrow::Table table(0);
  for (const FieldInfo& f : columns) table.AddColumn(f.name, f.type);
  arrow::OwnedArrow out;
  std::move(table).Export(&out.schema, &out.array);
  return out;
}

// The columns a score call returns. A model with prediction intervals declares its bounds among
// its outputs (`y`, `y.lower`, `y.upper`) but returns them only when they are asked for.
std::vector<FieldInfo> ScoreColumns(const ModelInfo& info, bool intervals) {
  if (intervals || !info.Has(SH_CAP_SCORE_PREDICTION_INTERVAL)) return info.outputs;
  std::unordered_set<std::string> names;
  for (const FieldInfo& f : info.outputs) names.insert(f.name);
  auto is_bound = [&](const std::string& n) {
    for (const char* suffix : {".lower", ".upper"}) {
      std::string s(suffix);
      if (n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0 &&
          names.count(n.substr(0, n.size() - s.size())))
        return true;
    }
    return false;
  };
  std::vector<FieldInfo> kept;
  for (const FieldInfo& f : info.outputs)
    if (!is_bound(f.name)) kept.push_back(f);
  return kept;
}

}  // namespace

JobOutcome EmptyOutcome(const ModelInfo& info, const ModelCall& call) {
  auto output = std::make_shared<CallOutput>();
  if (call.score) output->scores = EmptyTable(ScoreColumns(info, call.score_flags & SH_SCORE_PREDICTION_INTERVALS));
  // Contribution columns are only known from a call; with no rows there are no features to name,
  // and the writers give one empty group.
  if (call.wants_contribution()) output->contributions = EmptyTable({});
  JobOutcome outcome;
  outcome.output = std::move(output);
  outcome.offset = 0;
  outcome.rows = 0;
  return outcome;
}

}  // namespace scorehost::rest
