// The scorer interface of the MOJO core library (no dependency on the plugin ABI).
//
// A MojoModel reproduces H2O genmodel's `score0(row, offset, preds)`: `row` holds the features in
// the MOJO's column order (categoricals as level indices, NaN for missing) and `preds` receives
// Java's layout: [value] for regression, [label index, p_0, ..., p_{K-1}] for classifiers.
// Models are immutable after loading, so scoring is thread-safe and allocation-free.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "archive.hpp"

namespace scorehost::h2o3 {

enum class ModelCategory { kBinomial, kMultinomial, kOrdinal, kRegression, kAnomalyDetection, kOther };

// What every MOJO declares in model.ini, decoded and validated.
struct MojoMeta {
  std::string path;           // the artifact, for messages
  std::string algo;           // short name, e.g. "gbm"
  std::string algorithm;      // full name used for dispatch, e.g. "Gradient Boosting Machine"
  std::string mojo_version;   // as written, e.g. "1.40"
  std::string h2o_version;
  std::string uuid;           // "" when absent
  std::string category_name;  // as written, e.g. "Binomial"
  ModelCategory category = ModelCategory::kOther;
  bool supervised = false;
  int n_features = 0;
  int n_classes = 0;
  std::vector<std::string> columns;                                // features, specials, response
  std::vector<std::optional<std::vector<std::string>>> domains;    // per column
  std::vector<int32_t> domain_sizes;                               // per column, -1 for numeric
  bool balance_classes = false;
  double default_threshold = 0.5;
  std::vector<double> prior_class_distrib;  // empty when null
  std::vector<double> model_class_distrib;  // empty when null
  std::string offset_column;                // "" when the model has none
  // Categorical inputs match their exact level text only (no "<column>.<level>" or index forms):
  // set by loaders whose levels are free text, e.g. Word2Vec's vocabulary.
  bool levels_exact_only = false;
  // An unknown categorical input level becomes the index one past the domain instead of NaN, so
  // that the model can tell it from a missing value (encoded GBM/DRF inputs, categorical_encoding.hpp).
  bool unseen_levels_past_domain = false;

  bool is_classifier() const {
    return category == ModelCategory::kBinomial || category == ModelCategory::kMultinomial ||
           category == ModelCategory::kOrdinal;
  }
  // The response levels (class labels), or nullptr when the MOJO has none.
  const std::vector<std::string>* response_domain() const;
};

class MojoModel {
 public:
  virtual ~MojoModel() = default;
  MojoModel(const MojoModel&) = delete;
  MojoModel& operator=(const MojoModel&) = delete;

  const MojoMeta& meta() const { return meta_; }

  // Java's GenModel.getPredsSize(): 1 + classes for classifiers, 2 for regression.
  virtual size_t preds_size() const;
  // The fewest entries `preds` may have (Java only touches preds[0] for regression).
  virtual size_t min_preds_size() const;
  // Java's getOutputNames(): the PredictCsv header ("predict", then one name per class level,
  // integer-looking levels prefixed with "p"). Output i is preds[i] (the label index for i = 0 of
  // a classifier).
  virtual std::vector<std::string> OutputNames() const;
  // One human sentence, e.g. "H2O-3 GBM binomial (bernoulli), 50 trees, MOJO 1.40".
  virtual std::string Describe() const = 0;
  // Whether the offset argument changes predictions for this model.
  virtual bool UsesOffset() const = 0;

  // Java score0 on one row. `row` may be shorter or longer than n_features, as in Java; reading a
  // missing feature throws MojoError(kInvalidArgument) like Java's array exception. Throws the
  // same when `preds` is shorter than min_preds_size().
  virtual void Score0(std::span<const double> row, double offset, std::span<double> preds) const = 0;

  // Scores n_rows rows stored row-major (`row_len` values each) into `preds` (`preds_stride`
  // values per row, at least min_preds_size()). `offsets` may be null (= 0 for every row).
  // One virtual call per batch; the per-row loop is inside the concrete scorer.
  virtual void ScoreBatch(const double* rows, size_t n_rows, size_t row_len, const double* offsets,
                          double* preds, size_t preds_stride) const = 0;

  // Binomial models trained with calibrate_model: replaces preds[1..2] by the calibrated
  // probabilities (Java's calibrateClassProbabilities). The label in preds[0] is not changed.
  virtual bool has_calibration() const { return false; }
  virtual void Calibrate(double* /*preds*/) const {}

  // Shapley contributions (H2O's CONTRIBUTION_TRANSFORMED: TreeSHAP in link space).
  // Whether this model can compute them (GBM, DRF and XGBoost gbtree/dart regression/binomial
  // models whose MOJO has what TreeSHAP needs); the plugin declares the capability exactly then
  // (the ABI's rule: a declared capability works). ContributeBatch says why when it cannot.
  virtual bool HasContributions() const { return false; }
  // genmodel's contribution names: the feature columns, then "BiasTerm" (XGBoost: one per
  // one-hot booster input, <column>.<level> and <column>.missing(NA), then "BiasTerm").
  virtual std::vector<std::string> ContributionNames() const;
  // ContributionNames().size().
  virtual size_t ContributionWidth() const { return static_cast<size_t>(meta_.n_features) + 1; }
  // Contributions of n_rows rows (row-major, `row_len` values each) into `out`, ContributionWidth()
  // floats per row (the values are Java's floats). Throws MojoError: kUnimplemented when this
  // model cannot compute them (the message says why), kInvalidArgument for rows Java rejects.
  virtual void ContributeBatch(const double* rows, size_t n_rows, size_t row_len, float* out) const;

 protected:
  explicit MojoModel(MojoMeta meta) : meta_(std::move(meta)) {}
  void CheckPreds(size_t n) const;
  MojoMeta meta_;
};

// Shares the per-row loop between Score0 and ScoreBatch without a virtual call per row:
// Derived provides `void ScoreRow(const double* row, size_t row_len, double offset, double* preds) const`.
template <class Derived>
class RowScorer : public MojoModel {
 public:
  void Score0(std::span<const double> row, double offset, std::span<double> preds) const final {
    CheckPreds(preds.size());
    static_cast<const Derived*>(this)->ScoreRow(row.data(), row.size(), offset, preds.data());
  }
  void ScoreBatch(const double* rows, size_t n_rows, size_t row_len, const double* offsets,
                  double* preds, size_t preds_stride) const final {
    CheckPreds(preds_stride);
    const Derived* self = static_cast<const Derived*>(this);
    if constexpr (requires { self->ScoreBlock(rows, n_rows, row_len, offsets, preds, preds_stride); }) {
      // Tree models score blocks of rows tree by tree (see TreeEnsemble::AccumulateBlock).
      for (size_t b = 0; b < n_rows; b += kBlockRows)
        self->ScoreBlock(rows + b * row_len, std::min(kBlockRows, n_rows - b), row_len, offsets ? offsets + b : nullptr,
                         preds + b * preds_stride, preds_stride);
    } else {
      for (size_t r = 0; r < n_rows; ++r)
        self->ScoreRow(rows + r * row_len, row_len, offsets ? offsets[r] : 0.0, preds + r * preds_stride);
    }
  }
  // Rows per block for Derived::ScoreBlock: enough to amortise loading a tree into cache (a deep
  // tree's lower levels are only reused when many rows pass through them: 1,024 rows scored
  // 1.0-1.2x faster than 512 and 1.2-2x faster than 128 on depth-10/20 forests), few enough that
  // the block's rows and sums (~130 KB for 13 features) stay in L2.
  static constexpr size_t kBlockRows = 1024;

 protected:
  using MojoModel::MojoModel;
};

// Opens and loads a MOJO (zip or directory). Throws MojoError: kNotFound, kDataLoss (corrupt or
// hostile), kUnimplemented (algorithm, version or option this scorer does not support).
std::unique_ptr<MojoModel> LoadMojo(const std::string& path, const ArchiveLimits& limits = {});
std::unique_ptr<MojoModel> LoadMojo(Archive& archive);

}  // namespace scorehost::h2o3
