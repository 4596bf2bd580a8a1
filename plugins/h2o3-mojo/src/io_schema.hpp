// The plugin-facing shape of a loaded MOJO, kept free of the ABI: which input columns it takes
// (features in MOJO order, then the offset column if the MOJO has one), how a categorical input
// string becomes a level index, and which output columns come out of Java's preds array.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mojo_model.hpp"

namespace scorehost::h2o3 {

struct InputColumnSpec {
  std::string name;
  bool categorical = false;  // the value is a level (string, or its integer index)
  bool is_offset = false;    // the MOJO's offset column, passed to score0 as `offset`
  int feature = -1;          // index into the row for features
};

class InputSchema {
 public:
  explicit InputSchema(const MojoMeta& meta);
  const std::vector<InputColumnSpec>& columns() const { return columns_; }
  int offset_column() const { return offset_column_; }  // index in columns(), -1 if none

  // A categorical value as the row value Java expects: the level's index, NaN when unknown.
  // Accepted: the exact level text, "<column>.<level>" (as EasyPredictModelWrapper does), or a
  // plain decimal integer that is a valid index into the domain (an exact level match wins).
  // Only the exact text when the model says so (MojoMeta::levels_exact_only, e.g. Word2Vec).
  // With MojoMeta::unseen_levels_past_domain, an unknown level is the domain size, not NaN.
  double EncodeLevel(int feature, std::string_view text) const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using LevelMap = std::unordered_map<std::string, int32_t, Hash, std::equal_to<>>;
  std::vector<InputColumnSpec> columns_;
  std::vector<LevelMap> levels_;         // per feature (empty for numeric ones)
  std::vector<int32_t> domain_sizes_;    // per feature, -1 for numeric
  std::vector<std::string> prefixes_;    // per feature: "<column>."
  int offset_column_ = -1;
  bool exact_only_ = false;  // MojoMeta::levels_exact_only
  bool unseen_past_ = false;  // MojoMeta::unseen_levels_past_domain
};

struct OutputColumnSpec {
  std::string name;
  bool is_label = false;  // a string column holding the predicted class label
};

class OutputLayout {
 public:
  explicit OutputLayout(const MojoModel& model);
  const std::vector<OutputColumnSpec>& columns() const { return columns_; }
  bool classifier() const { return classifier_; }
  bool calibrated() const { return calibrated_; }
  size_t n_classes() const { return n_classes_; }
  // The label of class index `index` (preds[0]), or nullptr if it is not a valid index.
  const std::string* Label(double index) const;

 private:
  std::vector<OutputColumnSpec> columns_;
  std::vector<std::string> labels_;
  bool classifier_ = false;
  bool calibrated_ = false;
  size_t n_classes_ = 0;
};

}  // namespace scorehost::h2o3
