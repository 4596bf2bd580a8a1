// What GBM, DRF and Isolation Forest share: the grid of trees (groups x trees per group) read from
// trees/tCC_GGG.bin, the accumulation order of Java's scoreTreeRange, and probability calibration.
#pragma once

#include <string>
#include <vector>

#include "archive.hpp"
#include "model_ini.hpp"
#include "mojo_model.hpp"
#include "tree_shap.hpp"
#include "tree_store.hpp"

namespace scorehost::h2o3 {

class TreeEnsemble {
 public:
  // Reads n_trees, n_trees_per_class and every tree blob; validates versions and encodings.
  // `default_per_group` is Java's fallback for MOJO 1.00, which did not store n_trees_per_class.
  // Categorical encodings other than AUTO/Enum/SortByResponse are refused unless the caller
  // encodes the inputs itself (`encoding_handled`: GBM and DRF, see categorical_encoding.hpp).
  static TreeEnsemble Load(Archive& archive, const ModelIni& ini, const MojoMeta& meta, int default_per_group,
                           bool encoding_handled = false);

  int n_groups() const { return n_groups_; }
  int n_per_group() const { return n_per_group_; }
  size_t n_trees_present() const { return n_present_; }

  // TreeSHAP contributions of n_rows rows into `out` (n_features + 1 floats per row): `bias` (Java's
  // (float) init_f) then every tree's expected value in the last slot, feature contributions in
  // the others. Throws MojoError(kUnimplemented) with shap_unavailable() when the trees lack what
  // TreeSHAP needs; kInvalidArgument for rows shorter than a split's column.
  void Contribute(const double* rows, size_t n_rows, size_t row_len, size_t n_features, float bias, float* out) const;
  const std::string& shap_unavailable() const { return shap_unavailable_; }

  // Accumulate for a block of rows (row r at rows + r * row_len, its preds at preds + r * stride),
  // trees outer and rows inner: one tree's nodes are loaded into cache once per block instead of
  // once per row, which matters once the model outgrows the caches (500 deep trees are ~16 MB).
  // Every row still adds its trees in Java's order, so the sums are bit-identical to Accumulate.
  void AccumulateBlock(const double* rows, size_t n_rows, size_t row_len, double* preds, size_t stride,
                       size_t class_offset) const {
    const bool checked = static_cast<int64_t>(row_len) <= static_cast<int64_t>(store_.max_col);
    switch (dialect_) {
      case TreeDialect::kV100: return checked ? RunBlock<TreeDialect::kV100, true>(rows, n_rows, row_len, preds, stride, class_offset)
                                              : RunBlock<TreeDialect::kV100, false>(rows, n_rows, row_len, preds, stride, class_offset);
      case TreeDialect::kV110: return checked ? RunBlock<TreeDialect::kV110, true>(rows, n_rows, row_len, preds, stride, class_offset)
                                              : RunBlock<TreeDialect::kV110, false>(rows, n_rows, row_len, preds, stride, class_offset);
      default: return checked ? RunBlock<TreeDialect::kCurrent, true>(rows, n_rows, row_len, preds, stride, class_offset)
                              : RunBlock<TreeDialect::kCurrent, false>(rows, n_rows, row_len, preds, stride, class_offset);
    }
  }

  // preds[class_offset + c] += every tree of class c, groups in order (Java's summation order,
  // which keeps the doubles bit-identical).
  void Accumulate(const double* row, size_t row_len, double* preds, size_t class_offset) const {
    const bool checked = static_cast<int64_t>(row_len) <= static_cast<int64_t>(store_.max_col);
    switch (dialect_) {
      case TreeDialect::kV100: return checked ? Run<TreeDialect::kV100, true>(row, row_len, preds, class_offset)
                                              : Run<TreeDialect::kV100, false>(row, row_len, preds, class_offset);
      case TreeDialect::kV110: return checked ? Run<TreeDialect::kV110, true>(row, row_len, preds, class_offset)
                                              : Run<TreeDialect::kV110, false>(row, row_len, preds, class_offset);
      default: return checked ? Run<TreeDialect::kCurrent, true>(row, row_len, preds, class_offset)
                              : Run<TreeDialect::kCurrent, false>(row, row_len, preds, class_offset);
    }
  }

 private:
  template <TreeDialect D, bool kChecked>
  void Run(const double* row, size_t row_len, double* preds, size_t class_offset) const {
    for (size_t c = 0; c < roots_.size(); ++c) {
      double acc = preds[class_offset + c];
      for (int32_t root : roots_[c]) acc += static_cast<double>(ScoreTree<D, kChecked>(store_, root, row, row_len));
      preds[class_offset + c] = acc;
    }
  }

  // Rows walking one tree in lockstep: their node loads are independent, so up to kLanes cache
  // misses are in flight at once instead of one (deep trees are bound by memory latency).
  static constexpr size_t kLanes = 8;

  template <TreeDialect D, bool kChecked>
  void RunBlock(const double* rows, size_t n_rows, size_t row_len, double* preds, size_t stride,
                size_t class_offset) const {
    const TreeNode* nodes = store_.nodes.data();
    const float* leaves = store_.leaves.data();
    for (size_t c = 0; c < roots_.size(); ++c) {
      double* out = preds + class_offset + c;
      for (const int32_t root : roots_[c]) {
        if (root < 0) {  // a single-leaf tree
          const double v = static_cast<double>(leaves[static_cast<size_t>(~root)]);
          for (size_t r = 0; r < n_rows; ++r) out[r * stride] += v;
          continue;
        }
        size_t r = 0;
        for (; r + kLanes <= n_rows; r += kLanes) {
          const double* row = rows + r * row_len;
          int32_t ref[kLanes];
          for (size_t k = 0; k < kLanes; ++k) ref[k] = root;
          for (bool more = true; more;) {
            more = false;
            for (size_t k = 0; k < kLanes; ++k) {
              if (ref[k] < 0) continue;
              const TreeNode& n = nodes[ref[k]];
              if constexpr (kChecked)
                if (n.col >= row_len) FailShortRow(row_len, n.col);
              ref[k] = detail::NextRef<D>(store_, n, row[k * row_len + n.col]);
              more |= ref[k] >= 0;
            }
          }
          for (size_t k = 0; k < kLanes; ++k) out[(r + k) * stride] += static_cast<double>(leaves[~ref[k]]);
        }
        for (; r < n_rows; ++r)
          out[r * stride] += static_cast<double>(ScoreTree<D, kChecked>(store_, root, rows + r * row_len, row_len));
      }
    }
  }

  int n_groups_ = 0;
  int n_per_group_ = 0;
  size_t n_present_ = 0;
  TreeDialect dialect_ = TreeDialect::kCurrent;
  TreeStore store_;
  std::vector<std::vector<int32_t>> roots_;  // per class, the trees that exist, in group order
  TreeShapForest shap_;                      // node weights over store_, for one-class grids
  std::string shap_unavailable_;             // why contributions cannot be computed ("" if they can)
};

// Platt scaling or isotonic regression of binomial probabilities (calib_method in model.ini).
class Calibration {
 public:
  static Calibration Load(Archive& archive, const ModelIni& ini, const MojoMeta& meta);
  bool enabled() const { return kind_ != Kind::kNone; }
  // Replaces preds[1], preds[2] by the calibrated p0, p1 (CalibrationMojoHelper).
  void Apply(double* preds) const;

 private:
  enum class Kind { kNone, kPlatt, kIsotonic };
  Kind kind_ = Kind::kNone;
  double beta_[2] = {0, 0};
  double min_x_ = 0, max_x_ = 0;
  std::vector<double> xs_, ys_;
};

// The tree MOJO dialect for a version string; throws kUnimplemented for versions H2O never wrote.
TreeDialect TreeDialectFor(const MojoMeta& meta);

}  // namespace scorehost::h2o3
