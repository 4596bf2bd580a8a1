// TreeSHAP for XGBoost MOJOs (gbtree and dart, one output group), with the numbers H2O-3 produces:
// both H2O's in-cluster predict_contributions (PredictTreeSHAPTask) and genmodel's MOJO
// contributions run genmodel's float TreeSHAP over the xgboost-predictor trees, weighing each node
// by its sum_hess statistic (or by the MOJO's auxNodeWeights blob when it has one) and starting the
// bias from the booster's base score as genmodel's Predictor.getBaseScore() gives it (a margin:
// log of the stored score for the exp objectives of XGBoost >= 1). Contributions are per one-hot input of the booster (H2O's
// default "Original" output format): every categorical level, the level's "missing(NA)" slot, then
// the numeric columns. Dart's per-tree weight_drop is not applied (genmodel does not either).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "xgboost_booster.hpp"

namespace scorehost::h2o3 {

class XgbTreeShap {
 public:
  struct PathElement {
    int32_t feature;
    float zero_fraction;
    float one_fraction;
    float pweight;
  };
  static constexpr int kMaxDepth = 512;

  // Prepares TreeSHAP over `booster` (which must outlive this object). `aux_node_weights` is the
  // MOJO's auxNodeWeights blob, or null when it has none. Throws MojoError: kDataLoss for an inconsistent blob,
  // kUnimplemented for trees deeper than kMaxDepth.
  XgbTreeShap(const XgbBooster& booster, const std::string* aux_node_weights, const std::string& origin);

  // PathElements one thread needs for Accumulate.
  size_t workspace_size() const;
  // Adds the base score and every tree's contributions for the booster input `fv` (NaN = missing)
  // to phi[0..n_inputs) and the bias phi[n_inputs], in genmodel's order.
  void Accumulate(const float* fv, float* phi, size_t n_inputs, PathElement* workspace) const;

 private:
  void Recurse(int32_t node, const float* fv, float* phi, PathElement* parent_path, int depth, float parent_zero,
               float parent_one, int32_t parent_feature) const;

  const XgbBooster& b_;
  std::vector<float> weight_;     // per node (parallel to the booster's nodes)
  std::vector<uint32_t> trees_;   // group 0's trees in order
  std::vector<float> expected_;   // per tree in trees_: the weighted mean leaf value
  int max_depth_ = 1;
};

}  // namespace scorehost::h2o3
