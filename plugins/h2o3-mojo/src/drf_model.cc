// Distributed Random Forest (genmodel DrfMojoModel): averages of tree outputs; binomial forests
// grow one tree per group that predicts P(class 0), unless binomial_double_trees is set.
#include <algorithm>

#include <simdjson.h>

#include "categorical_encoding.hpp"
#include "class_prediction.hpp"
#include "errors.hpp"
#include "model_loaders.hpp"
#include "tree_ensemble.hpp"

namespace scorehost::h2o3 {

namespace {

class DrfModel final : public RowScorer<DrfModel> {
 public:
  DrfModel(MojoMeta meta, TreeEnsemble trees, bool double_trees, Calibration calibration,
           std::unique_ptr<const CategoricalEncoder> encoder)
      : RowScorer(std::move(meta)), trees_(std::move(trees)), double_trees_(double_trees),
        calibration_(std::move(calibration)), encoder_(std::move(encoder)) {}

  void ScoreRow(const double* row, size_t row_len, double /*offset: DRF ignores it*/, double* preds) const {
    if (encoder_) {  // the trees (and the label's tie-break) see the encoded row, as in genmodel
      row = encoder_->EncodeRows(row, 1, row_len);
      row_len = encoder_->encoded_width();
    }
    const size_t k = static_cast<size_t>(meta_.n_classes);
    std::fill(preds, preds + min_preds_size(), 0.0);
    trees_.Accumulate(row, row_len, preds, k == 1 ? 0 : 1);
    Finish(row, row_len, preds);
  }

  // The batch path: tree sums for a block of rows at once, then each row's averages and label.
  void ScoreBlock(const double* rows, size_t n_rows, size_t row_len, const double* /*offsets*/, double* preds,
                  size_t stride) const {
    if (encoder_) {
      rows = encoder_->EncodeRows(rows, n_rows, row_len);
      row_len = encoder_->encoded_width();
    }
    const size_t k = static_cast<size_t>(meta_.n_classes);
    for (size_t r = 0; r < n_rows; ++r) std::fill(preds + r * stride, preds + r * stride + min_preds_size(), 0.0);
    trees_.AccumulateBlock(rows, n_rows, row_len, preds, stride, k == 1 ? 0 : 1);
    for (size_t r = 0; r < n_rows; ++r) Finish(rows + r * row_len, row_len, preds + r * stride);
  }

  void Finish(const double* row, size_t row_len, double* preds) const {
    const size_t k = static_cast<size_t>(meta_.n_classes);
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
    return "H2O-3 DRF " + cat + ", " + std::to_string(trees_.n_groups()) + " trees, MOJO " + meta_.mojo_version +
           (encoder_ ? ", categorical encoding " + encoder_->name() : "");
  }
  bool UsesOffset() const override { return false; }
  bool has_calibration() const override { return calibration_.enabled(); }
  void Calibrate(double* preds) const override { calibration_.Apply(preds); }

  bool HasContributions() const override {
    const int k = meta_.n_classes;
    return k <= 2 && !double_trees_ && (k != 2 || used_variables_ >= 0) && trees_.shap_unavailable().empty();
  }
  // An encoded model's contributions are per encoded column, as genmodel's.
  std::vector<std::string> ContributionNames() const override {
    return encoder_ ? encoder_->ContributionNames() : MojoModel::ContributionNames();
  }
  size_t ContributionWidth() const override {
    return (encoder_ ? encoder_->encoded_width() : static_cast<size_t>(meta_.n_features)) + 1;
  }
  void ContributeBatch(const double* rows, size_t n_rows, size_t row_len, float* out) const override {
    const size_t k = static_cast<size_t>(meta_.n_classes);
    if (k > 2)
      Fail(ErrorKind::kUnimplemented, "Shapley contributions are not supported for multinomial models (" +
                                          std::to_string(k) + " classes; H2O-3 does not compute them either)");
    if (double_trees_)
      Fail(ErrorKind::kUnimplemented, "Shapley contributions are not supported for DRF models trained with "
                                      "binomial_double_trees (as in H2O-3)");
    if (k == 2 && used_variables_ < 0)
      Fail(ErrorKind::kUnimplemented, "Shapley contributions of a binomial DRF need the variable importances "
                                      "(experimental/modelDetails.json), which this MOJO lacks");
    const size_t nf = ContributionWidth() - 1;
    if (encoder_) {
      rows = encoder_->EncodeRows(rows, n_rows, row_len);
      row_len = encoder_->encoded_width();
    }
    trees_.Contribute(rows, n_rows, row_len, nf, 0.0f, out);
    // The trees sum to n_trees x the average. Regression: divide. Binomial trees predict P(class 0),
    // so genmodel turns each non-zero value c into 1/(used features + 1) - c/n_trees, which keeps
    // unused features at 0 and makes the row sum P(class 1). Float arithmetic, as in Java.
    const int n = trees_.n_groups();
    const float ratio = k == 2 ? 1.0f / static_cast<float>(used_variables_ + 1) : 0.0f;
    const float normalizer = static_cast<float>(k == 2 ? -n : n);
    for (size_t i = 0; i < n_rows * (nf + 1); ++i)
      if (out[i] != 0) out[i] = ratio + out[i] / normalizer;
  }

  void set_used_variables(int n) { used_variables_ = n; }

 private:
  TreeEnsemble trees_;
  bool double_trees_;
  Calibration calibration_;
  int used_variables_ = -1;  // features with non-zero importance; -1 when the MOJO does not say
  std::unique_ptr<const CategoricalEncoder> encoder_;  // null unless trained with an encoding
};

// VariableImportances.numberOfUsedVariables of the MOJO's model details: the features whose
// relative importance is not 0, or -1 when the file or the table is absent or unreadable.
int CountUsedVariables(Archive& archive) {
  const char* kDetails = "experimental/modelDetails.json";
  if (!archive.Exists(kDetails)) return -1;
  const std::string json = archive.Read(kDetails);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc)) return -1;
  simdjson::dom::element table;
  if (doc.at_pointer("/output/variable_importances").get(table) || !table.is_object()) return -1;
  simdjson::dom::array columns, data;
  if (table["columns"].get(columns) || table["data"].get(data)) return -1;
  size_t index = 0, found = SIZE_MAX;
  for (simdjson::dom::element c : columns) {
    std::string_view name;
    if (!c["name"].get(name) && name == "relative_importance") found = index;
    ++index;
  }
  if (found == SIZE_MAX) return -1;
  simdjson::dom::array values;
  if (data.at(found).get(values)) return -1;
  int used = 0;
  for (simdjson::dom::element v : values) {
    double d;
    if (v.get(d)) return -1;
    if (d != 0) ++used;
  }
  return used;
}

}  // namespace

std::unique_ptr<MojoModel> LoadDrf(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  const bool double_trees = ini.Bool("binomial_double_trees").value_or(false);
  const int k = meta.n_classes;
  const bool regression = !meta.is_classifier();
  if (regression ? k != 1 : (k < 2 || meta.category == ModelCategory::kOrdinal))
    Fail(ErrorKind::kUnimplemented, meta.path + ": DRF with category " + meta.category_name + " and " +
                                        std::to_string(k) + " classes is not supported");
  const int slots = regression ? 1 : (k == 2 && !double_trees ? 1 : k);
  std::unique_ptr<const CategoricalEncoder> encoder = CategoricalEncoder::Load(archive, ini, meta);
  TreeEnsemble trees = TreeEnsemble::Load(archive, ini, meta, slots, /*encoding_handled=*/true);
  if (trees.n_per_group() != slots)
    Fail(ErrorKind::kDataLoss, meta.path + ": n_trees_per_class = " + std::to_string(trees.n_per_group()) +
                                   " does not fit a DRF with " + std::to_string(k) + " classes");
  if (trees.n_groups() == 0) Fail(ErrorKind::kDataLoss, meta.path + ": DRF with n_trees = 0");
  Calibration calibration = Calibration::Load(archive, ini, meta);
  const bool binomial = k == 2 && !double_trees;
  if (encoder) meta = encoder->InputMeta(meta);  // users give the original columns
  auto model = std::make_unique<DrfModel>(std::move(meta), std::move(trees), double_trees, std::move(calibration),
                                          std::move(encoder));
  if (binomial) model->set_used_variables(CountUsedVariables(archive));
  return model;
}

}  // namespace scorehost::h2o3
