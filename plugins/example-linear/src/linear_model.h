// The example plugin's model: a linear or logistic regression over numeric features, read from a
// small text file. Kept apart from the ABI glue (plugin.cc) so the model logic is plain C++.
#pragma once

#include <string>
#include <vector>

namespace example_linear {

struct Feature {
  std::string name;
  double coefficient = 0;
  double mean = 0;  // imputes a missing value, and is the Shapley baseline
};

struct LinearModel {
  enum class Kind { kLinear, kLogistic };
  Kind kind = Kind::kLinear;
  std::string id;
  std::string target;
  std::string negative_label = "0", positive_label = "1";  // logistic only
  double intercept = 0;
  double interval_half_width = -1;  // linear only; < 0: no prediction intervals
  std::vector<Feature> features;

  // The linear predictor (log-odds for logistic) of one row; NaN inputs take the feature's mean.
  double Link(const double* row_values) const;
};

// Parses the model file format (see models/README.md). Throws std::runtime_error naming the line.
LinearModel ParseLinearModel(const std::string& text);

// True when `head` (the first bytes of a file) starts like a model file.
bool LooksLikeLinearModel(const std::string& head);

}  // namespace example_linear
