// XGBoost's legacy binary model format (what xgboost4j's Booster.toByteArray() writes and an H2O-3
// XGBoost MOJO stores as `boosterBytes`), read natively: learner parameters, objective, and a
// gbtree / dart / gblinear booster. Prediction reproduces the pure-Java predictor genmodel uses
// (h2oai/xgboost-predictor): float accumulation in tree order, Java's float/double conversions.
// Every read is bounds-checked and the trees are validated (acyclic, children and features in
// range) so that scoring needs no checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace scorehost::h2o3 {

inline constexpr size_t kXgbMaxInlineOutputs = 64;

class XgbBooster {
 public:
  enum class Kind { kGbtree, kDart, kGblinear };
  enum class Objective { kIdentity, kLogistic, kSoftprob, kExp };

  // Parses `bytes`; `origin` names it in messages; `n_inputs` is the length of the feature vector
  // the model will be given (every split feature / linear weight must fall inside it).
  // Throws MojoError: kDataLoss (truncated, inconsistent), kUnimplemented (objective, booster).
  static XgbBooster Parse(const std::string& bytes, const std::string& origin, int32_t n_inputs);

  // Transformed predictions (n_outputs() floats) for the dense feature vector `fv` (NaN = missing).
  // With `use_margin`, `base_margin` replaces the model's base score (H2O's offset).
  void Predict(const float* fv, bool use_margin, float base_margin, float* out) const {
    PredictBlock(fv, 1, 0, use_margin, &base_margin, out);
  }
  // The same for n_rows feature vectors (row r at fv + r * fv_stride) into out (n_outputs() floats
  // per row); margins[r] is row r's base margin (read only with use_margin). Trees are scored one
  // at a time over all rows, several rows walking a tree in lockstep; each row's sum still adds
  // the trees in Java's order, so the floats are the same as one row at a time.
  void PredictBlock(const float* fv, size_t n_rows, size_t fv_stride, bool use_margin, const float* margins,
                    float* out) const;

  // genmodel scores a MOJO with libxgboost instead of the Java predictor when model.ini says
  // use_java_scoring_by_default = false, or (MOJO 1.00, no such key) for dart and gblinear.
  // libxgboost's gblinear adds the base margin first; its trees sum like the Java predictor.
  void set_native_scoring(bool native) { native_linear_order_ = native; }

  size_t n_outputs() const { return static_cast<size_t>(n_groups_); }
  size_t n_trees() const { return n_trees_; }
  const std::string& objective() const { return objective_name_; }
  const std::string& booster_name() const { return booster_name_; }
  Kind kind() const { return kind_; }
  float base_score() const { return base_score_; }

 private:
  friend class XgbTreeShap;  // TreeSHAP reads the trees and their node weights (xgboost_shap.cc)
  struct Node {
    int32_t left;      // absolute node index, -1 for a leaf
    int32_t right;
    int32_t dflt;      // the child taken for a missing value
    uint32_t feature;
    float value;       // split condition or leaf value
  };
  // The scoring copy of the trees: 16-byte nodes, the missing-value direction in the feature's top
  // bit; a leaf points to itself (feature 0), so every row walks exactly the tree's depth in steps
  // without tests and ends on its leaf, whose value is the leaf value.
  struct FastNode {
    int32_t child[2];  // right, left
    uint32_t feature;  // | kMissingLeft
    float value;
  };
  static constexpr uint32_t kMissingLeft = 1u << 31;
  // Tree `tree`'s leaf values for kLanes rows (row k at fv + k * stride) into vals.
  template <size_t kLanes>
  void WalkTree(size_t tree, const float* fv, size_t stride, float* vals) const {
    const FastNode* nodes = fast_.data();
    int32_t at[kLanes];
    for (size_t k = 0; k < kLanes; ++k) at[k] = static_cast<int32_t>(roots_[tree]);
    for (uint32_t d = depth_[tree]; d > 0; --d) {
      for (size_t k = 0; k < kLanes; ++k) {
        const FastNode& n = nodes[at[k]];
        const float f = fv[k * stride + (n.feature & ~kMissingLeft)];
        // Left below the split, or missing with the default left (bitwise: no branch to mispredict).
        const uint32_t left = static_cast<uint32_t>(f < n.value) | (static_cast<uint32_t>(f != f) & (n.feature >> 31));
        at[k] = n.child[left];
      }
    }
    for (size_t k = 0; k < kLanes; ++k) vals[k] = nodes[at[k]].value;
  }
  // Adds the base score when it comes last and applies the objective's transform to one row.
  void Finish(float* out, float base) const;
  void GroupSums(size_t group, const float* fv, size_t n_rows, size_t stride, float* out, size_t out_stride) const;

  Kind kind_ = Kind::kGbtree;
  Objective objective_ = Objective::kIdentity;
  std::string objective_name_, booster_name_;
  float base_score_ = 0;
  bool base_first_ = false;    // XGBoost > 1.2: sums start from the base margin
  int32_t n_groups_ = 1;
  size_t n_trees_ = 0;
  std::vector<Node> nodes_;
  std::vector<FastNode> fast_;                      // the same nodes (same indices) for scoring
  std::vector<uint32_t> depth_;                     // per tree: edges on its longest root-leaf path
  std::vector<float> hess_;                         // per node: sum_hess (TreeSHAP's node weight)
  std::vector<uint32_t> roots_;                    // per tree
  std::vector<std::vector<uint32_t>> group_trees_;  // per output group, tree indices in order
  std::vector<float> weight_drop_;                  // dart
  bool native_linear_order_ = false;
  int32_t linear_features_ = 0;                     // gblinear
  std::vector<float> linear_weights_;               // gblinear: [feature][group], then bias per group
};

}  // namespace scorehost::h2o3
