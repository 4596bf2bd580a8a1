// Stacked Ensemble MOJOs (genmodel StackedEnsembleMojoModel / StackedEnsembleMojoReader /
// MultiModelMojoReader). The MOJO nests its base models and the metalearner as complete MOJOs
// under `models/<algo>/<key>/`; each is loaded with the ordinary loader. Scoring: every base model
// gets the row remapped by column name and scored with its raw score0 (no offset); their
// predictions (binomial P(class 1), multinomial every class probability, regression the value;
// optionally logit-transformed) form the metalearner's row, and the metalearner's output is the
// ensemble's. Base models the metalearner does not use may be absent (their inputs stay 0).
#include <algorithm>
#include <cmath>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"
#include "nested_archive.hpp"

namespace scorehost::h2o3 {

namespace {

struct BaseModel {
  std::shared_ptr<const MojoModel> model;  // null: not used by the metalearner, not stored
  std::vector<int32_t> mapping;            // the ensemble column of each of the model's features
};

class StackedEnsembleModel final : public RowScorer<StackedEnsembleModel> {
 public:
  StackedEnsembleModel(MojoMeta meta, std::vector<BaseModel> base, std::shared_ptr<const MojoModel> metalearner,
                       bool logit, size_t scratch)
      : RowScorer(std::move(meta)), base_(std::move(base)), meta_learner_(std::move(metalearner)), logit_(logit),
        scratch_(scratch) {}

  void ScoreRow(const double* row, size_t row_len, double /*offset*/, double* preds) const {
    const int k = meta_.n_classes;
    const size_t per_model = k > 2 ? static_cast<size_t>(k) : 1;
    thread_local std::vector<double> base_preds, sub_row, sub_preds;
    base_preds.assign(base_.size() * per_model, 0.0);
    sub_preds.resize(scratch_);
    for (size_t i = 0; i < base_.size(); ++i) {
      const BaseModel& b = base_[i];
      if (!b.model) continue;
      sub_row.resize(b.mapping.size());
      for (size_t f = 0; f < b.mapping.size(); ++f) {
        const size_t src = static_cast<size_t>(b.mapping[f]);
        if (src >= row_len)
          Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values, base model " +
                                                std::to_string(i) + " needs column " + std::to_string(src));
        sub_row[f] = row[src];
      }
      std::fill(sub_preds.begin(), sub_preds.end(), 0.0);
      b.model->Score0(sub_row, 0.0, sub_preds);
      if (k > 2) {
        for (int j = 0; j < k; ++j) base_preds[i * per_model + static_cast<size_t>(j)] = sub_preds[static_cast<size_t>(j) + 1];
      } else {
        base_preds[i] = sub_preds[k == 2 ? 2 : 0];
      }
    }
    if (logit_ && k >= 2)
      for (double& p : base_preds) {
        const double x0 = JavaMin(1 - 1e-9, JavaMax(p, 1e-9));
        const double x = x0 / (1 - x0);
        p = x == 0 ? -19 : JavaMax(-19, std::log(x));
      }
    meta_learner_->Score0(base_preds, 0.0, std::span<double>(preds, meta_.is_classifier() ? static_cast<size_t>(k) + 1 : 1));
  }

  std::string Describe() const override {
    std::string cat = meta_.category_name;
    for (char& c : cat) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t used = 0;
    for (const BaseModel& b : base_) used += b.model != nullptr;
    return "H2O-3 Stacked Ensemble " + cat + " (" + std::to_string(used) + " of " + std::to_string(base_.size()) +
           " base models stored, metalearner: " + meta_learner_->Describe() + "), MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return false; }

 private:
  std::vector<BaseModel> base_;
  std::shared_ptr<const MojoModel> meta_learner_;
  bool logit_;
  size_t scratch_;
};

thread_local int g_nesting = 0;

}  // namespace

std::unique_ptr<MojoModel> LoadStackedEnsemble(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  const std::string& path = meta.path;
  RequireMojoVersion(meta, {1.00, 1.01}, OlderMojoVersions::kRead);
  if (meta.category != ModelCategory::kBinomial && meta.category != ModelCategory::kMultinomial &&
      meta.category != ModelCategory::kRegression)
    Fail(ErrorKind::kUnimplemented, path + ": Stacked Ensemble " + meta.category_name + " models are not supported");
  const std::string transform = ini.String("metalearner_transform").value_or("NONE");
  if (transform != "NONE" && transform != "Logit")
    Fail(ErrorKind::kUnimplemented, path + ": Stacked Ensemble metalearner transform '" + transform + "' is not supported");
  if (g_nesting >= 1) Fail(ErrorKind::kUnimplemented, path + ": a Stacked Ensemble inside a Stacked Ensemble is not supported");

  // Every submodel, by key.
  const std::vector<Submodel> submodels = LoadSubmodels(archive, ini, path, 100000, g_nesting);
  // H2O never nests ensembles, and the scorer's per-thread buffers assume it does not (g_nesting
  // already refuses a nested ensemble's load; this holds even if that check is bypassed).
  for (const Submodel& sub : submodels)
    if (dynamic_cast<const StackedEnsembleModel*>(sub.model.get()))
      Fail(ErrorKind::kUnimplemented, path + ": a Stacked Ensemble inside a Stacked Ensemble is not supported");
  auto find = [&](const std::string& key) -> std::shared_ptr<const MojoModel> {
    for (const Submodel& sub : submodels)
      if (sub.key == key) return sub.model;
    Fail(ErrorKind::kDataLoss, path + ": the ensemble refers to a submodel '" + key + "' it does not contain");
  };

  std::shared_ptr<const MojoModel> metalearner = find(ini.RequireString("metalearner"));
  const int64_t n_base = ini.Int("base_models_num").value_or(0);
  if (n_base < 0 || n_base > 100000) Fail(ErrorKind::kDataLoss, path + ": base_models_num = " + std::to_string(n_base));
  const int k = meta.n_classes;
  const size_t per_model = k > 2 ? static_cast<size_t>(k) : 1;
  size_t scratch = meta.is_classifier() ? static_cast<size_t>(k) + 1 : 2;
  std::vector<BaseModel> base(static_cast<size_t>(n_base));
  for (int64_t i = 0; i < n_base; ++i) {
    auto key = ini.String("base_model" + std::to_string(i));
    if (!key) continue;  // a base model the metalearner does not use
    BaseModel& b = base[static_cast<size_t>(i)];
    b.model = find(*key);
    const MojoMeta& sm = b.model->meta();
    const bool shape_ok = k > 2 ? (sm.n_classes == k && sm.is_classifier())
                                : k == 2 ? (sm.category == ModelCategory::kBinomial && sm.n_classes == 2)
                                         : !sm.is_classifier();
    if (!shape_ok)
      Fail(ErrorKind::kUnimplemented, path + ": base model '" + *key + "' (" + sm.category_name + ", " +
                                          std::to_string(sm.n_classes) + " classes) does not fit a " + meta.category_name +
                                          " ensemble");
    // StackedEnsembleMojoReader.createMapping: each feature of the base model by name.
    for (int f = 0; f < sm.n_features; ++f) {
      const std::string& name = sm.columns[static_cast<size_t>(f)];
      auto it = std::find(meta.columns.begin(), meta.columns.end(), name);
      if (it == meta.columns.end())
        Fail(ErrorKind::kDataLoss, path + ": base model '" + *key + "' has the input column '" + name +
                                       "' that the ensemble does not have");
      b.mapping.push_back(static_cast<int32_t>(it - meta.columns.begin()));
    }
    scratch = std::max(scratch, b.model->preds_size());
  }
  const size_t meta_inputs = base.size() * per_model;
  if (static_cast<size_t>(metalearner->meta().n_features) != meta_inputs)
    Fail(ErrorKind::kDataLoss, path + ": the metalearner takes " + std::to_string(metalearner->meta().n_features) +
                                   " inputs, the base models give " + std::to_string(meta_inputs));
  if (metalearner->meta().is_classifier() != meta.is_classifier() ||
      (meta.is_classifier() && metalearner->meta().n_classes != k))
    Fail(ErrorKind::kDataLoss, path + ": the metalearner's category does not match the ensemble's");
  return std::make_unique<StackedEnsembleModel>(std::move(meta), std::move(base), std::move(metalearner),
                                                transform == "Logit", scratch);
}

}  // namespace scorehost::h2o3
