#include "rest/score_response.h"

#include <algorithm>
#include <random>
#include <string_view>

#include "model/cells.h"
#include "rest/json_writer.h"

namespace scorehost::rest {
namespace {

arrow::TableView ViewOf(const arrow::OwnedArrow& table) {
  arrow::TableView view;
  std::string why;
  // LoadedModel validated the shape already; a failure here leaves an empty view.
  arrow::TableView::Make(&table.schema, &table.array, &view, &why);
  return view;
}

// The prediction-interval split of the Java runtime: the target is the output named by the
// common prefix of the sorted output names ("result" among result, result.lower, result.upper);
// every other column is an interval bound, in model order.
void SplitIntervals(const arrow::TableView& view, std::vector<size_t>* target, std::vector<size_t>* bounds) {
  std::vector<std::string_view> names;
  for (const auto& c : view.columns()) names.push_back(c.name());
  if (names.size() <= 1) {
    for (size_t i = 0; i < names.size(); ++i) target->push_back(i);
    return;
  }
  std::vector<std::string_view> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  std::string_view prefix = sorted.front();
  for (std::string_view n : sorted) {
    size_t k = 0;
    while (k < prefix.size() && k < n.size() && prefix[k] == n[k]) ++k;
    prefix = prefix.substr(0, k);
  }
  size_t t = 0;
  auto it = std::find(names.begin(), names.end(), prefix);
  if (it != names.end()) t = static_cast<size_t>(it - names.begin());
  target->push_back(t);
  for (size_t i = 0; i < names.size(); ++i)
    if (i != t) bounds->push_back(i);
}

void WriteCells(JsonWriter& w, const arrow::TableView& view, const std::vector<size_t>& columns, int64_t row) {
  for (size_t c : columns) w.NullableString(FormatCell(view.column(c), row));
}

void WriteContributions(JsonWriter& w, const arrow::TableView& view, int64_t offset, int64_t rows,
                        const OutputLayout& layout) {
  // Never read past the table, whatever row count the caller believes in.
  rows = std::max<int64_t>(0, std::min(rows, view.num_rows() - offset));
  std::vector<std::vector<size_t>> groups;
  std::vector<std::string_view> group_names;
  std::vector<std::string> features;
  if (!layout.contribution_classes.empty()) {
    for (const std::string& cls : layout.contribution_classes) {
      std::vector<size_t> members;
      std::string suffix = "." + cls;
      for (size_t i = 0; i < view.num_columns(); ++i) {
        std::string_view n = view.column(i).name();
        if (n.size() > suffix.size() && n.substr(n.size() - suffix.size()) == suffix) members.push_back(i);
      }
      groups.push_back(std::move(members));
      group_names.push_back(cls);
    }
    bool consistent = !groups.empty() && !groups.front().empty();
    for (const auto& g : groups) consistent = consistent && g.size() == groups.front().size();
    if (consistent) {
      std::string suffix = "." + layout.contribution_classes.front();
      for (size_t i : groups.front()) {
        std::string_view n = view.column(i).name();
        features.emplace_back(n.substr(0, n.size() - suffix.size()));
      }
    } else {
      groups.clear();
      group_names.clear();
    }
  }
  if (groups.empty()) {  // regression, binomial, or columns not named per class: one group
    std::vector<size_t> all;
    for (size_t i = 0; i < view.num_columns(); ++i) {
      all.push_back(i);
      features.emplace_back(view.column(i).name());
    }
    groups.push_back(std::move(all));
  }
  w.BeginObject();
  w.Key("features");
  w.BeginArray();
  for (const std::string& f : features) w.String(f);
  w.EndArray();
  w.Key("contributionGroups");
  w.BeginArray();
  for (size_t g = 0; g < groups.size(); ++g) {
    w.BeginObject();
    if (!group_names.empty()) {
      w.Key("outputGroup");
      w.String(group_names[g]);
    }
    w.Key("contributions");
    w.BeginArray();
    for (int64_t r = 0; r < rows; ++r) {
      w.BeginArray();
      WriteCells(w, view, groups[g], offset + r);
      w.EndArray();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

OutputLayout MakeOutputLayout(const ModelInfo& info, const std::string& model_id) {
  OutputLayout layout;
  layout.model_id = model_id;
  // Java's rule: more than two outputs and no interval support means a multinomial classifier.
  if (info.outputs.size() > 2 && !info.Has(SH_CAP_SCORE_PREDICTION_INTERVAL)) {
    for (const FieldInfo& f : info.outputs) {
      size_t dot = f.name.rfind('.');
      layout.contribution_classes.push_back(dot == std::string::npos ? f.name : f.name.substr(dot + 1));
    }
  }
  return layout;
}

std::string RandomUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // IETF variant
  static const char* const kHex = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 15; i >= 0; --i) {
    s += kHex[(hi >> (i * 4)) & 0xF];
    if (i == 8 || i == 4) s += '-';
  }
  s += '-';
  for (int i = 15; i >= 0; --i) {
    s += kHex[(lo >> (i * 4)) & 0xF];
    if (i == 12) s += '-';
  }
  return s;
}

std::string WriteScoreResponse(const ScoreRequest& req, const JobOutcome& outcome, const OutputLayout& layout) {
  const CallOutput& out = *outcome.output;
  arrow::TableView scores = out.scores ? ViewOf(*out.scores) : arrow::TableView();
  std::vector<size_t> score_columns, interval_columns;
  if (req.request_prediction_intervals) {
    SplitIntervals(scores, &score_columns, &interval_columns);
  } else {
    for (size_t i = 0; i < scores.num_columns(); ++i) score_columns.push_back(i);
  }
  const int64_t offset = outcome.offset;
  const int64_t rows = out.scores ? std::max<int64_t>(0, std::min(outcome.rows, scores.num_rows() - offset)) : 0;

  std::string body;
  body.reserve(static_cast<size_t>(64 + rows * 16 * static_cast<int64_t>(score_columns.size() + req.echo.size() + 1)));
  JsonWriter w(body);
  w.BeginObject();
  if (!layout.model_id.empty()) {
    w.Key("id");
    w.String(layout.model_id);
  }
  if (!req.no_field_names_in_output) {
    w.Key("fields");
    w.BeginArray();
    for (const EchoColumn& e : req.echo) w.String(e.name);
    if (req.generate_ids) w.String(*req.id_field);
    for (size_t c : score_columns) w.String(scores.column(c).name());
    w.EndArray();
  }
  w.Key("score");
  w.BeginArray();
  for (int64_t r = 0; r < rows; ++r) {
    w.BeginArray();
    for (const EchoColumn& e : req.echo) {
      // Only the direct path in warn mode can answer more rows than were sent.
      if (r < static_cast<int64_t>(e.cells.size())) w.NullableString(e.cells[static_cast<size_t>(r)]);
      else w.Null();
    }
    if (req.generate_ids) w.String(RandomUuid());
    WriteCells(w, scores, score_columns, offset + r);
    w.EndArray();
  }
  w.EndArray();
  if (req.shapley && *req.shapley != ShapleyRequest::kNone && out.contributions) {
    w.Key("featureShapleyContributions");
    WriteContributions(w, ViewOf(*out.contributions), offset, rows, layout);
  }
  if (req.request_prediction_intervals) {
    w.Key("predictionIntervals");
    w.BeginObject();
    w.Key("fields");
    w.BeginArray();
    for (size_t c : interval_columns) w.String(scores.column(c).name());
    w.EndArray();
    w.Key("rows");
    w.BeginArray();
    if (!interval_columns.empty()) {
      for (int64_t r = 0; r < rows; ++r) {
        w.BeginArray();
        WriteCells(w, scores, interval_columns, offset + r);
        w.EndArray();
      }
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  return body;
}

std::string WriteContributionResponse(const JobOutcome& outcome, const OutputLayout& layout) {
  std::string body;
  JsonWriter w(body);
  const CallOutput& out = *outcome.output;
  arrow::TableView view = out.contributions ? ViewOf(*out.contributions) : arrow::TableView();
  WriteContributions(w, view, outcome.offset, outcome.rows, layout);
  return body;
}

}  // namespace scorehost::rest
