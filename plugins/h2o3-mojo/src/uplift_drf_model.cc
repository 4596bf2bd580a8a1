// Uplift DRF MOJOs (genmodel UpliftDrfMojoModel, algorithm "Uplift Distributed Random Forest",
// category BinomialUplift). Each group holds two trees: the first estimates P(y = 1) under
// treatment, the second under control. score0 averages each over the groups into preds[1] and
// preds[2] and writes the uplift preds[1] - preds[2] into preds[0]; the outputs are named as
// genmodel's getOutputNames does: uplift_predict, p_y1_with_treatment, p_y1_without_treatment.
// The treatment column is not an input (n_features excludes it).
#include <algorithm>

#include "errors.hpp"
#include "model_loaders.hpp"
#include "tree_ensemble.hpp"

namespace scorehost::h2o3 {

namespace {

class UpliftDrfModel final : public RowScorer<UpliftDrfModel> {
 public:
  UpliftDrfModel(MojoMeta meta, TreeEnsemble trees, std::string treatment)
      : RowScorer(std::move(meta)), trees_(std::move(trees)), treatment_(std::move(treatment)) {}

  void ScoreRow(const double* row, size_t row_len, double /*offset: not used*/, double* preds) const {
    std::fill(preds, preds + kOutputs, 0.0);
    trees_.Accumulate(row, row_len, preds, 1);
    Finish(preds);
  }

  void ScoreBlock(const double* rows, size_t n_rows, size_t row_len, const double* /*offsets*/, double* preds,
                  size_t stride) const {
    for (size_t r = 0; r < n_rows; ++r) std::fill(preds + r * stride, preds + r * stride + kOutputs, 0.0);
    trees_.AccumulateBlock(rows, n_rows, row_len, preds, stride, 1);
    for (size_t r = 0; r < n_rows; ++r) Finish(preds + r * stride);
  }

  void Finish(double* preds) const {
    const double n = static_cast<double>(trees_.n_groups());
    preds[1] /= n;
    preds[2] /= n;
    preds[0] = preds[1] - preds[2];
  }

  size_t preds_size() const override { return kOutputs; }
  size_t min_preds_size() const override { return kOutputs; }  // Java clears all three first
  std::vector<std::string> OutputNames() const override {
    return {"uplift_predict", "p_y1_with_treatment", "p_y1_without_treatment"};
  }
  std::string Describe() const override {
    return "H2O-3 Uplift DRF (treatment column '" + (treatment_.empty() ? std::string("?") : treatment_) + "'), " + std::to_string(trees_.n_groups()) +
           " trees per arm, MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return false; }

 private:
  static constexpr size_t kOutputs = 3;
  TreeEnsemble trees_;
  std::string treatment_;
};

}  // namespace

std::unique_ptr<MojoModel> LoadUpliftDrf(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  const std::string& path = meta.path;
  if (meta.category_name != "BinomialUplift" || meta.n_classes != 2)
    Fail(ErrorKind::kUnimplemented, path + ": Uplift DRF with category " + meta.category_name + " and " +
                                        std::to_string(meta.n_classes) + " classes is not supported (only BinomialUplift, 2 classes)");
  // 3.46 writes no treatment_column key: the treatment is the column between features and response.
  std::string treatment = ini.String("treatment_column").value_or("");
  if (treatment.empty() && meta.columns.size() == static_cast<size_t>(meta.n_features) + 2)
    treatment = meta.columns[static_cast<size_t>(meta.n_features)];
  TreeEnsemble trees = TreeEnsemble::Load(archive, ini, meta, 2);
  if (trees.n_per_group() != 2)
    Fail(ErrorKind::kDataLoss, path + ": n_trees_per_class = " + std::to_string(trees.n_per_group()) +
                                   " (an Uplift DRF has a treatment and a control tree per group)");
  if (trees.n_groups() == 0) Fail(ErrorKind::kDataLoss, path + ": Uplift DRF with n_trees = 0");
  return std::make_unique<UpliftDrfModel>(std::move(meta), std::move(trees), treatment);
}

}  // namespace scorehost::h2o3
