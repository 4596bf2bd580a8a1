// XGBoost MOJOs (genmodel-extensions XGBoostJavaMojoModel + the pure-Java predictor it uses,
// h2oai/xgboost-predictor). The booster is XGBoost's legacy binary model (`boosterBytes`), parsed
// here natively (see xgboost_booster.*); the row goes through H2O's one-hot encoder
// (OneHotEncoderFactory) and the booster's float arithmetic is kept in Java's order.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>

#include "class_prediction.hpp"
#include "errors.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"
#include "one_hot.hpp"
#include "xgboost_booster.hpp"
#include "xgboost_shap.hpp"

namespace scorehost::h2o3 {

namespace {

class XgboostModel final : public RowScorer<XgboostModel> {
 public:
  struct Params {
    XgbBooster booster;
    std::string booster_name;
    int cats = 0, nums = 0;
    std::vector<int32_t> cat_offsets;  // cats + 1 entries (or just {0})
    bool use_all_levels = true;
    bool sparse = false;
    bool compat10 = false;  // MOJO 1.00 with a non-gbtree booster: legacy one-hot lookup
    bool has_offset = false;
    std::optional<std::string> aux_node_weights;  // the auxNodeWeights blob, if any
  };

  XgboostModel(MojoMeta meta, Params p) : RowScorer(std::move(meta)), p_(std::move(p)) {
    cat_len_ = p_.cat_offsets.back();
    cat_map_.resize(static_cast<size_t>(cat_len_));
    for (int c = 0; c < p_.cats; ++c)
      for (int32_t j = p_.cat_offsets[static_cast<size_t>(c)]; j < p_.cat_offsets[static_cast<size_t>(c) + 1]; ++j)
        cat_map_[static_cast<size_t>(j)] = c;
    SetUpContributions();
  }

  // genmodel's XGBoost contributions: one per booster input (one-hot levels and missing slots,
  // then the numeric columns) plus BiasTerm, as H2O's predict_contributions (output_format
  // "Original") and the MOJO's ContributionsPredictor name them.
  bool HasContributions() const override { return shap_ != nullptr; }
  size_t ContributionWidth() const override { return shap_ ? contribution_names_.size() : MojoModel::ContributionWidth(); }
  std::vector<std::string> ContributionNames() const override {
    return shap_ ? contribution_names_ : MojoModel::ContributionNames();
  }
  void ContributeBatch(const double* rows, size_t n_rows, size_t row_len, float* out) const override {
    if (!shap_) Fail(ErrorKind::kUnimplemented, shap_unavailable_);
    const size_t width = contribution_names_.size(), n_inputs = width - 1;
    thread_local std::vector<XgbTreeShap::PathElement> workspace;
    workspace.resize(shap_->workspace_size());
    for (size_t r = 0; r < n_rows; ++r) {
      const double* row = rows + r * row_len;
      size_t len = row_len;
      const float* fv = Encode(row, len);
      float* phi = out + r * width;
      std::fill(phi, phi + width, 0.0f);
      shap_->Accumulate(fv, phi, n_inputs, workspace.data());
    }
  }

  // The row as the booster sees it (OneHotEncoderFactory.fromArray as a dense float vector, in
  // thread-local storage). `row`/`row_len` may be redirected to a zero-padded copy (MOJO 1.00).
  const float* Encode(const double*& row, size_t& row_len) const {
    const size_t need = static_cast<size_t>(p_.cats + p_.nums);
    thread_local std::vector<double> padded;
    if (p_.compat10) {
      // Java: too long -> ArrayIndexOutOfBoundsException; too short -> zero-padded.
      if (row_len > need)
        Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values, the model takes " +
                                              std::to_string(need));
      if (row_len < need) {
        padded.assign(need, 0.0);
        std::copy(row, row + row_len, padded.begin());
        row = padded.data();
        row_len = need;
      }
    } else if (row_len < need) {
      Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values but the model needs " +
                                            std::to_string(need));
    }

    thread_local std::vector<float> fv;
    fv.resize(static_cast<size_t>(cat_len_ + p_.nums));
    EncodeTo(row, fv.data());
    return fv.data();
  }

  // The booster's input for a row of (at least) cats + nums values into fv (cat_len_ + nums floats).
  void EncodeTo(const double* row, float* fv) const {
    thread_local std::vector<int32_t> cat_values;
    cat_values.resize(static_cast<size_t>(p_.cats));
    const float not_hot = p_.sparse ? NAN : 0.0f;
    std::fill(fv, fv + cat_len_, not_hot);
    for (int i = 0; i < p_.cats; ++i) {  // GenModel.setCats
      cat_values[static_cast<size_t>(i)] = OneHotColumn(row[i], p_.cat_offsets[static_cast<size_t>(i)],
                                                        p_.cat_offsets[static_cast<size_t>(i) + 1], p_.use_all_levels);
    }
    for (int i = 0; i < p_.cats; ++i) {
      const int32_t v = cat_values[static_cast<size_t>(i)];
      if (v < 0 || v >= cat_len_) continue;
      // Default: slot v is hot only when it belongs to column i; 1.00 compatibility: any column.
      if (p_.compat10 || cat_map_[static_cast<size_t>(v)] == i) fv[static_cast<size_t>(v)] = 1.0f;
    }
    for (int i = 0; i < p_.nums; ++i) {
      const float val = static_cast<float>(row[p_.cats + i]);
      fv[static_cast<size_t>(cat_len_ + i)] = p_.sparse && val == 0.0f ? NAN : val;
    }
  }

  void ScoreRow(const double* row, size_t row_len, double offset, double* preds) const {
    const float* fv = Encode(row, row_len);
    if (!p_.has_offset && offset != 0)
      Fail(ErrorKind::kInvalidArgument, "this XGBoost model was trained without an offset (Unsupported: offset != 0)");

    float out[kXgbMaxInlineOutputs];
    std::vector<float> big;
    float* o = out;
    const size_t n_out = p_.booster.n_outputs();
    if (n_out > kXgbMaxInlineOutputs) {
      big.resize(n_out);
      o = big.data();
    }
    p_.booster.Predict(fv, p_.has_offset, static_cast<float>(offset), o);
    ToPreds(o, row, row_len, preds);
  }

  // The batch path: the block's rows encoded side by side, the booster's trees scored over all of
  // them one tree at a time (XgbBooster::PredictBlock), then each row's outputs.
  void ScoreBlock(const double* rows, size_t n_rows, size_t row_len, const double* offsets, double* preds,
                  size_t stride) const {
    const size_t n_in = static_cast<size_t>(cat_len_ + p_.nums), n_out = p_.booster.n_outputs();
    bool per_row = p_.compat10 && row_len != static_cast<size_t>(p_.cats + p_.nums);  // padded copies
    if (!p_.has_offset && offsets)
      for (size_t r = 0; r < n_rows && !per_row; ++r) per_row = offsets[r] != 0;  // row r fails, the rows before it score
    if (per_row) {
      for (size_t r = 0; r < n_rows; ++r)
        ScoreRow(rows + r * row_len, row_len, offsets ? offsets[r] : 0.0, preds + r * stride);
      return;
    }
    thread_local std::vector<float> fvs, margins, outs;
    fvs.resize(n_rows * n_in);
    margins.resize(n_rows);
    outs.resize(n_rows * n_out);
    for (size_t r = 0; r < n_rows; ++r) {
      const double* row = rows + r * row_len;
      size_t len = row_len;
      if (r == 0) Encode(row, len);  // the length checks (the same for every row)
      EncodeTo(row, fvs.data() + r * n_in);
      margins[r] = static_cast<float>(offsets ? offsets[r] : 0.0);
    }
    // Trees pass over the encoded rows a sub-block at a time that stays in L2 with the trees (a wide
    // one-hot row is ~1 KB).
    const size_t chunk = std::max<size_t>(64, (kChunkBytes / (4 * std::max<size_t>(n_in, 1))) & ~size_t{7});
    for (size_t b = 0; b < n_rows; b += chunk)
      p_.booster.PredictBlock(fvs.data() + b * n_in, std::min(chunk, n_rows - b), n_in, p_.has_offset,
                              margins.data() + b, outs.data() + b * n_out);
    for (size_t r = 0; r < n_rows; ++r) ToPreds(outs.data() + r * n_out, rows + r * row_len, row_len, preds + r * stride);
  }

  static constexpr size_t kChunkBytes = 256 * 1024;  // xgb_100x6 (232 inputs): 1.12x faster than whole blocks

  // XGBoostMojoModel.toPreds: the booster's outputs `o` to Java's preds.
  void ToPreds(const float* o, const double* row, size_t row_len, double* preds) const {
    const size_t n_out = p_.booster.n_outputs();
    const int k = meta_.n_classes;
    if (k > 2) {
      for (size_t i = 0; i < n_out; ++i) preds[1 + i] = o[i];
      preds[0] = PredictClass(preds, static_cast<size_t>(k), meta_.prior_class_distrib, row, row_len,
                              meta_.default_threshold);
    } else if (k == 2) {
      preds[1] = static_cast<float>(1.0f - o[0]);
      preds[2] = o[0];
      preds[0] = PredictClass(preds, 2, meta_.prior_class_distrib, row, row_len, meta_.default_threshold);
    } else {
      preds[0] = o[0];
    }
  }

  std::string Describe() const override {
    std::string cat = meta_.category_name;
    for (char& c : cat) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "H2O-3 XGBoost " + cat + " (" + p_.booster_name + ", " + p_.booster.objective() + "), " +
           std::to_string(p_.booster.n_trees()) + " trees, MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return p_.has_offset; }

 private:
  void SetUpContributions() {
    const std::string& path = meta_.path;
    if (meta_.category == ModelCategory::kMultinomial) {
      // XGBoostJavaMojoModel.makeTreeSHAPPredictor's refusal.
      shap_unavailable_ = "Shapley contributions are not supported for multinomial models (" +
                          std::to_string(meta_.n_classes) + " classes; H2O-3 does not compute them either)";
      return;
    }
    if (p_.booster.kind() == XgbBooster::Kind::kGblinear) {
      shap_unavailable_ = "Shapley contributions are not supported for XGBoost gblinear models (H2O-3 computes "
                          "TreeSHAP for gbtree and dart only)";
      return;
    }
    // ContributionsPredictor's names: per feature column, a numeric's name or <name>.<level> for
    // every level and <name>.missing(NA); they must cover the booster's inputs exactly.
    std::vector<std::string> names;
    for (int c = 0; c < meta_.n_features; ++c) {
      const auto& dom = meta_.domains[static_cast<size_t>(c)];
      if (!dom) {
        names.push_back(meta_.columns[static_cast<size_t>(c)]);
      } else {
        for (const std::string& level : *dom) names.push_back(meta_.columns[static_cast<size_t>(c)] + "." + level);
        names.push_back(meta_.columns[static_cast<size_t>(c)] + ".missing(NA)");
      }
    }
    if (names.size() != static_cast<size_t>(cat_len_ + p_.nums)) {
      shap_unavailable_ = "Shapley contributions need one booster input per level and a missing slot per "
                          "categorical column; this XGBoost model's one-hot layout differs";
      return;
    }
    names.push_back("BiasTerm");
    contribution_names_ = std::move(names);
    try {
      shap_ = std::make_unique<XgbTreeShap>(p_.booster, p_.aux_node_weights ? &*p_.aux_node_weights : nullptr, path);
    } catch (const MojoError& e) {
      if (e.kind() != ErrorKind::kUnimplemented) throw;  // a corrupt auxNodeWeights blob refuses the MOJO
      shap_unavailable_ = e.what();  // too deep for TreeSHAP: scoring still works
      contribution_names_.clear();
    }
  }

  Params p_;
  int32_t cat_len_ = 0;
  std::vector<int> cat_map_;
  std::unique_ptr<XgbTreeShap> shap_;  // null when the model has no contributions
  std::string shap_unavailable_;       // why, then
  std::vector<std::string> contribution_names_;
};

}  // namespace

std::unique_ptr<MojoModel> LoadXgboost(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  const std::string& path = meta.path;
  RequireMojoVersion(meta, {1.00, 1.10});
  const double version = *JavaParseDouble(meta.mojo_version);
  if (meta.category != ModelCategory::kRegression && meta.category != ModelCategory::kBinomial &&
      meta.category != ModelCategory::kMultinomial)
    Fail(ErrorKind::kUnimplemented, path + ": XGBoost " + meta.category_name + " models are not supported");
  XgboostModel::Params p;
  // Old MOJOs (H2O 3.18/3.20, MOJO 1.00) have no `booster` key: genmodel then takes the booster
  // from boosterBytes and, its booster type being null, scores with the 1.00 one-hot lookup.
  const std::optional<std::string> booster_key = ini.String("booster");
  OneHotLayout layout = ReadOneHotLayout(ini, path, "XGBoost", meta.n_features, /*offsets_optional=*/true);
  p.cats = layout.cats;
  p.nums = layout.nums;
  p.cat_offsets = std::move(layout.cat_offsets);
  p.use_all_levels = ini.Bool("use_all_factor_levels").value_or(true);
  p.sparse = ini.Bool("sparse").value_or(false);
  p.has_offset = ini.Bool("has_offset").value_or(false);
  p.compat10 = version == 1.00 && booster_key != "gbtree";
  const int32_t n_inputs = p.cat_offsets.back() + p.nums;

  if (archive.Exists("auxNodeWeights")) p.aux_node_weights = archive.Read("auxNodeWeights");
  p.booster = XgbBooster::Parse(archive.Read("boosterBytes"), path + ": boosterBytes", n_inputs);
  // XGBoostMojoReader.useJavaScoring (without the system property).
  const std::optional<bool> java_pref = ini.Bool("use_java_scoring_by_default");
  p.booster_name = booster_key.value_or(p.booster.booster_name());
  p.booster.set_native_scoring(!(java_pref ? *java_pref : p.booster_name == "gbtree"));
  if (p.booster.booster_name() != p.booster_name)
    Fail(ErrorKind::kDataLoss, path + ": model.ini says booster " + p.booster_name + " but boosterBytes holds " +
                                   p.booster.booster_name());
  const size_t want_outputs = meta.n_classes > 2 ? static_cast<size_t>(meta.n_classes) : 1;
  if (p.booster.n_outputs() != want_outputs)
    Fail(ErrorKind::kDataLoss, path + ": the booster has " + std::to_string(p.booster.n_outputs()) +
                                   " outputs, a " + meta.category_name + " model with " +
                                   std::to_string(meta.n_classes) + " classes needs " + std::to_string(want_outputs));
  return std::make_unique<XgboostModel>(std::move(meta), std::move(p));
}

}  // namespace scorehost::h2o3
