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

#include "tree_shap_path.hpp"
#include "xgboost_booster.hpp"

namespace scorehost::h2o3 {

class XgbTreeShap {
 public:
  using PathElement = treeshap::PathElement;

  // Prepares TreeSHAP over `booster` (which must outlive this object). `aux_node_weights` is the
  // MOJO's auxNodeWeights blob, or null when it has none. Throws MojoError: kDataLoss for an inconsistent blob,
  // kUnimplemented for trees deeper than treeshap::kMaxDepth.
  XgbTreeShap(const XgbBooster& booster, const std::string* aux_node_weights, const std::string& origin);

  // PathElements one thread needs for Accumulate.
  size_t workspace_size() const { return treeshap::WorkspaceSize(max_depth_); }
  // Adds the base score and every tree's contributions for the booster input `fv` (NaN = missing)
  // to phi[0..n_inputs) and the bias phi[n_inputs], in genmodel's order.
  void Accumulate(const float* fv, float* phi, size_t n_inputs, PathElement* workspace) const;

 private:
  struct Walk;  // the treeshap::Recurse accessor over the booster's trees for one row (xgboost_shap.cc)

  const XgbBooster& b_;
  std::vector<float> weight_;     // per node (parallel to the booster's nodes)
  std::vector<uint32_t> trees_;   // group 0's trees in order
  std::vector<float> expected_;   // per tree in trees_: the weighted mean leaf value
  int max_depth_ = 1;
};

}  // namespace scorehost::h2o3
