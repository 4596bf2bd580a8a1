// Distributed Random Forest (genmodel DrfMojoModel): averages of tree outputs; binomial forests
// grow one tree per group that predicts P(class 0), unless binomial_double_trees is set.
#include <algorithm>

#include "class_prediction.hpp"
#include "errors.hpp"
#include "model_loaders.hpp"
#include "tree_ensemble.hpp"

namespace scorehost::h2o3 {

namespace {

class DrfModel final : public RowScorer<DrfModel> {
 public:
  DrfModel(MojoMeta meta, TreeEnsemble trees, bool double_trees, Calibration calibration)
      : RowScorer(std::move(meta)), trees_(std::move(trees)), double_trees_(double_trees),
        calibration_(std::move(calibration)) {}

  void ScoreRow(const double* row, size_t row_len, double /*offset: DRF ignores it*/, double* preds) const {
    const size_t k = static_cast<size_t>(meta_.n_classes);
    std::fill(preds, preds + min_preds_size(), 0.0);
    trees_.Accumulate(row, row_len, preds, k == 1 ? 0 : 1);
    const double n = static_cast<double>(trees_.n_groups());
    if (k == 1) {
      preds[0] /= n;
      return;
    }
    if (k == 2 && !double_trees_) {
      preds[1] /= n;
      preds[2] = 1.0 - preds[1];
    } else {
      double sum = 0;
      for (size_t c = 1; c <= k; ++c) sum += preds[c];
      if (sum > 0)
        for (size_t c = 1; c <= k; ++c) preds[c] /= sum;
    }
    if (meta_.balance_classes) CorrectProbabilities(preds, k, meta_.prior_class_distrib, meta_.model_class_distrib);
    preds[0] = PredictClass(preds, k, meta_.prior_class_distrib, row, row_len, meta_.default_threshold);
  }

  std::string Describe() const override {
    std::string cat = meta_.category_name;
    for (char& c : cat) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "H2O-3 DRF " + cat + ", " + std::to_string(trees_.n_groups()) + " trees, MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return false; }
  bool has_calibration() const override { return calibration_.enabled(); }
  void Calibrate(double* preds) const override { calibration_.Apply(preds); }

 private:
  TreeEnsemble trees_;
  bool double_trees_;
  Calibration calibration_;
};

}  // namespace

std::unique_ptr<MojoModel> LoadDrf(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  const bool double_trees = ini.Bool("binomial_double_trees").value_or(false);
  const int k = meta.n_classes;
  const bool regression = !meta.is_classifier();
  if (regression ? k != 1 : (k < 2 || meta.category == ModelCategory::kOrdinal))
    Fail(ErrorKind::kUnimplemented, meta.path + ": DRF with category " + meta.category_name + " and " +
                                        std::to_string(k) + " classes is not supported");
  const int slots = regression ? 1 : (k == 2 && !double_trees ? 1 : k);
  TreeEnsemble trees = TreeEnsemble::Load(archive, ini, meta, slots);
  if (trees.n_per_group() != slots)
    Fail(ErrorKind::kDataLoss, meta.path + ": n_trees_per_class = " + std::to_string(trees.n_per_group()) +
                                   " does not fit a DRF with " + std::to_string(k) + " classes");
  if (trees.n_groups() == 0) Fail(ErrorKind::kDataLoss, meta.path + ": DRF with n_trees = 0");
  Calibration calibration = Calibration::Load(archive, ini, meta);
  return std::make_unique<DrfModel>(std::move(meta), std::move(trees), double_trees, std::move(calibration));
}

}  // namespace scorehost::h2o3
