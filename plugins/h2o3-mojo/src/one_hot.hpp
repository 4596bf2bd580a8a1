// The one-hot input layout of GLM, XGBoost and Deep Learning MOJOs (genmodel's `cats`, `nums`,
// `cat_offsets`): reading it from model.ini and mapping a categorical value to its column.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "java_semantics.hpp"
#include "model_ini.hpp"

namespace scorehost::h2o3 {

// `cats` categorical input columns, then `nums` numeric ones; level l of categorical c is expanded
// column cat_offsets[c] + l, so cat_offsets has cats + 1 entries and cat_offsets[cats] expanded
// columns precede the numerics.
struct OneHotLayout {
  int cats = 0;
  int nums = 0;
  std::vector<int32_t> cat_offsets;
};

// Reads model.ini's cats, nums and cat_offsets and refuses (kDataLoss, naming `path` and `algo`)
// counts that do not fit `n_features` and offsets that are not cats + 1 increasing values from 0
// to at most 2^28. With `offsets_optional`, an absent cat_offsets with cats = 0 means {0}
// (genmodel's Deep Learning and XGBoost readers tolerate it; its GLM fails on it when scoring).
OneHotLayout ReadOneHotLayout(const ModelIni& ini, const std::string& path, const std::string& algo, int n_features,
                              bool offsets_optional);

// genmodel's GenModel.setCats for one categorical whose levels are the expanded columns [lo, hi):
// the hot column of `value` with Java's int arithmetic. NaN and levels past the end go to the last
// column; without `use_all_levels`, level 0 (the reference) has none (-1).
inline int32_t OneHotColumn(double value, int32_t lo, int32_t hi, bool use_all_levels) {
  if (std::isnan(value)) return hi - 1;
  const int32_t c = JavaD2I(value);
  const int32_t v = use_all_levels ? JavaIAdd(c, lo) : c != 0 ? JavaIAdd(JavaISub(c, 1), lo) : -1;
  return v >= hi ? hi - 1 : v;
}

}  // namespace scorehost::h2o3
