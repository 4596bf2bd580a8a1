// Isolation Forest (genmodel IsolationForestMojoModel): the trees' leaves hold path lengths; their
// sum is normalised by the training min/max path length into an anomaly score.
#include <algorithm>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"
#include "tree_ensemble.hpp"

namespace scorehost::h2o3 {

namespace {

class IsolationForestModel final : public RowScorer<IsolationForestModel> {
 public:
  IsolationForestModel(MojoMeta meta, TreeEnsemble trees, int32_t min_len, int32_t max_len, bool flag)
      : RowScorer(std::move(meta)), trees_(std::move(trees)), min_len_(min_len), max_len_(max_len), flag_(flag) {}

  // preds: [score, mean_length], or [flag, score, mean_length] with output_anomaly_flag.
  void ScoreRow(const double* row, size_t row_len, double /*offset*/, double* preds) const {
    preds[0] = 0;
    trees_.Accumulate(row, row_len, preds, 0);
    const double sum = preds[0];
    const double mean_length = trees_.n_groups() >= 1 ? sum / trees_.n_groups() : 0.0;
    const double score =
        max_len_ > min_len_ ? (max_len_ - sum) / static_cast<double>(JavaISub(max_len_, min_len_)) : 1;
    if (flag_) {
      preds[0] = score > meta_.default_threshold ? 1 : 0;
      preds[1] = score;
      preds[2] = mean_length;
    } else {
      preds[0] = score;
      preds[1] = mean_length;
    }
  }

  std::string Describe() const override {
    return "H2O-3 Isolation Forest, " + std::to_string(trees_.n_groups()) + " trees, MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return false; }
  size_t preds_size() const override { return flag_ ? 3 : 2; }
  size_t min_preds_size() const override { return preds_size(); }
  std::vector<std::string> OutputNames() const override {
    if (flag_) return {"predict", "score", "mean_length"};
    return {"predict", "mean_length"};
  }

 private:
  TreeEnsemble trees_;
  int32_t min_len_, max_len_;
  bool flag_;
};

}  // namespace

std::unique_ptr<MojoModel> LoadIsolationForest(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  if (meta.category != ModelCategory::kAnomalyDetection)
    Fail(ErrorKind::kDataLoss, meta.path + ": Isolation Forest with category " + meta.category_name);
  const int64_t min_len = ini.Int("min_path_length").value_or(0), max_len = ini.Int("max_path_length").value_or(0);
  if (min_len < INT32_MIN || min_len > INT32_MAX || max_len < INT32_MIN || max_len > INT32_MAX)
    Fail(ErrorKind::kDataLoss, meta.path + ": path lengths out of range");
  const bool flag = ini.Bool("output_anomaly_flag").value_or(false);
  TreeEnsemble trees = TreeEnsemble::Load(archive, ini, meta, 1);
  if (trees.n_per_group() != 1) Fail(ErrorKind::kDataLoss, meta.path + ": Isolation Forest with n_trees_per_class != 1");
  return std::make_unique<IsolationForestModel>(std::move(meta), std::move(trees), static_cast<int32_t>(min_len),
                                                static_cast<int32_t>(max_len), flag);
}

}  // namespace scorehost::h2o3
