// Gradient Boosting Machine (genmodel GbmMojoModel): tree sums in link space plus init_f and the
// offset, mapped back through the distribution's inverse link.
#include <algorithm>
#include <cmath>

#include "categorical_encoding.hpp"
#include "class_prediction.hpp"
#include "errors.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"
#include "tree_ensemble.hpp"

namespace scorehost::h2o3 {

namespace {

enum class Link { kLog, kLogit, kIdentity, kOLogit, kOLogLog, kOProbit, kInverse, kTweedie };
enum class Shape { kBinomialLike, kMultinomial, kRegression };

// GbmMojoModel.exp: Math.exp capped at 1e19 (NaN stays NaN).
inline double SanitizedExp(double x) { return JavaMin(1e19, std::exp(x)); }

inline double LinkInverse(Link link, double f) {
  switch (link) {
    case Link::kLog: return SanitizedExp(f);
    case Link::kLogit:
    case Link::kOLogit: return 1 / (1 + SanitizedExp(-f));
    case Link::kOLogLog: return 1 - SanitizedExp(-1 * SanitizedExp(f));
    case Link::kOProbit: return 0;  // what genmodel returns, odd as it is
    case Link::kInverse: {
      // genmodel clamps with -1e-5 on both sides here (GLM uses +1e-5 for positives).
      const double xx = f < 0 ? JavaMin(-1e-5, f) : JavaMax(-1e-5, f);
      return 1.0 / xx;
    }
    default: return f;  // identity, and tweedie which genmodel also leaves as identity
  }
}

class GbmModel final : public RowScorer<GbmModel> {
 public:
  GbmModel(MojoMeta meta, TreeEnsemble trees, std::string family, Shape shape, Link link, double init_f,
           Calibration calibration, std::unique_ptr<const CategoricalEncoder> encoder)
      : RowScorer(std::move(meta)), trees_(std::move(trees)), family_(std::move(family)), shape_(shape),
        link_(link), init_f_(init_f), calibration_(std::move(calibration)), encoder_(std::move(encoder)) {}

  void ScoreRow(const double* row, size_t row_len, double offset, double* preds) const {
    if (encoder_) {  // the trees (and the label's tie-break) see the encoded row, as in genmodel
      row = encoder_->EncodeRows(row, 1, row_len);
      row_len = encoder_->encoded_width();
    }
    const size_t k = static_cast<size_t>(meta_.n_classes);
    std::fill(preds, preds + min_preds_size(), 0.0);
    trees_.Accumulate(row, row_len, preds, k == 1 ? 0 : 1);
    Finish(row, row_len, offset, preds);
  }

  // The batch path: tree sums for a block of rows at once, then each row's link and label.
  void ScoreBlock(const double* rows, size_t n, size_t row_len, const double* offsets, double* preds,
                  size_t stride) const {
    if (encoder_) {
      rows = encoder_->EncodeRows(rows, n, row_len);
      row_len = encoder_->encoded_width();
    }
    const size_t k = static_cast<size_t>(meta_.n_classes);
    for (size_t r = 0; r < n; ++r) std::fill(preds + r * stride, preds + r * stride + min_preds_size(), 0.0);
    trees_.AccumulateBlock(rows, n, row_len, preds, stride, k == 1 ? 0 : 1);
    for (size_t r = 0; r < n; ++r) Finish(rows + r * row_len, row_len, offsets ? offsets[r] : 0.0, preds + r * stride);
  }

  // From the tree sums in preds to Java's score0 output.
  void Finish(const double* row, size_t row_len, double offset, double* preds) const {
    const size_t k = static_cast<size_t>(meta_.n_classes);
    switch (shape_) {
      case Shape::kRegression:
        preds[0] = LinkInverse(link_, preds[0] + init_f_ + offset);
        return;
      case Shape::kBinomialLike: {
        const double f = preds[1] + init_f_ + offset;
        preds[2] = LinkInverse(link_, f);
        preds[1] = 1.0 - preds[2];
        break;
      }
      case Shape::kMultinomial: {
        if (k == 2) {  // binomial trained with the multinomial distribution: one tree per group
          preds[1] += init_f_ + offset;
          preds[2] = -preds[1];
        }
        double max = -INFINITY;
        for (size_t c = 1; c <= k; ++c) max = JavaMax(max, preds[c]);
        double sum = 0;
        for (size_t c = 1; c <= k; ++c) sum += (preds[c] = std::exp(preds[c] - max));
        for (size_t c = 1; c <= k; ++c) preds[c] /= sum;
        break;
      }
    }
    if (meta_.balance_classes) CorrectProbabilities(preds, k, meta_.prior_class_distrib, meta_.model_class_distrib);
    preds[0] = PredictClass(preds, k, meta_.prior_class_distrib, row, row_len, meta_.default_threshold);
  }

  std::string Describe() const override {
    return "H2O-3 GBM " + LowerCategory() + " (distribution " + family_ + "), " + std::to_string(trees_.n_groups()) +
           " trees, MOJO " + meta_.mojo_version + (encoder_ ? ", categorical encoding " + encoder_->name() : "");
  }
  // >2-class multinomial ignores it (H2O trains those without init_f/offset support).
  bool UsesOffset() const override { return !(shape_ == Shape::kMultinomial && meta_.n_classes > 2); }
  bool has_calibration() const override { return calibration_.enabled(); }
  void Calibrate(double* preds) const override { calibration_.Apply(preds); }
  bool HasContributions() const override { return meta_.n_classes <= 2 && trees_.shap_unavailable().empty(); }
  // An encoded model's contributions are per encoded column, as genmodel's.
  std::vector<std::string> ContributionNames() const override {
    return encoder_ ? encoder_->ContributionNames() : MojoModel::ContributionNames();
  }
  size_t ContributionWidth() const override { return features() + 1; }
  void ContributeBatch(const double* rows, size_t n_rows, size_t row_len, float* out) const override {
    if (meta_.n_classes > 2)
      Fail(ErrorKind::kUnimplemented, "Shapley contributions are not supported for multinomial models (" +
                                          std::to_string(meta_.n_classes) + " classes; H2O-3 does not compute them either)");
    // Link space: the bias starts at init_f, as a float (TreeSHAPEnsemble's (float) getInitF()).
    if (encoder_) {
      rows = encoder_->EncodeRows(rows, n_rows, row_len);
      row_len = encoder_->encoded_width();
    }
    trees_.Contribute(rows, n_rows, row_len, features(), static_cast<float>(init_f_), out);
  }
  std::vector<std::string> OutputNames() const override {
    if (family_ == "quasibinomial" && meta_.response_domain() == nullptr) return {"predict", "pVal0", "pVal1"};
    return MojoModel::OutputNames();
  }

 private:
  // The trees' features: the encoded columns for an encoded model.
  size_t features() const { return encoder_ ? encoder_->encoded_width() : static_cast<size_t>(meta_.n_features); }
  std::string LowerCategory() const {
    std::string s = meta_.category_name;
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  TreeEnsemble trees_;
  std::string family_;
  Shape shape_;
  Link link_;
  double init_f_;
  Calibration calibration_;
  std::unique_ptr<const CategoricalEncoder> encoder_;  // null unless trained with an encoding
};

Link ParseLink(const std::string& name, const std::string& path) {
  if (name == "log") return Link::kLog;
  if (name == "logit") return Link::kLogit;
  if (name == "identity") return Link::kIdentity;
  if (name == "ologit") return Link::kOLogit;
  if (name == "ologlog") return Link::kOLogLog;
  if (name == "oprobit") return Link::kOProbit;
  if (name == "inverse") return Link::kInverse;
  if (name == "tweedie") return Link::kTweedie;
  Fail(ErrorKind::kUnimplemented, path + ": unknown GBM link function '" + name + "'");
}

// ModelMojoReader.defaultLinkFunction, for MOJOs written before link_function was stored.
std::string DefaultLink(const std::string& family) {
  if (family == "bernoulli" || family == "fractionalbinomial" || family == "quasibinomial" ||
      family == "modified_huber" || family == "ordinal")
    return "logit";
  if (family == "multinomial" || family == "poisson" || family == "gamma" || family == "tweedie") return "log";
  return "identity";
}

}  // namespace

std::unique_ptr<MojoModel> LoadGbm(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  const std::string family = ini.RequireString("distribution");
  static const char* const kKnown[] = {"AUTO",     "bernoulli", "quasibinomial", "modified_huber", "multinomial",
                                       "ordinal",  "gaussian",  "poisson",       "gamma",          "tweedie",
                                       "huber",    "laplace",   "quantile",      "fractionalbinomial",
                                       "negativebinomial"};
  if (family == "custom")
    Fail(ErrorKind::kUnimplemented, meta.path + ": GBM with a custom distribution is not supported (MOJO " + meta.mojo_version + ")");
  if (std::none_of(std::begin(kKnown), std::end(kKnown), [&](const char* f) { return family == f; }))
    Fail(ErrorKind::kUnimplemented, meta.path + ": unknown GBM distribution '" + family + "'");

  Shape shape = Shape::kRegression;
  if (family == "bernoulli" || family == "quasibinomial" || family == "modified_huber") shape = Shape::kBinomialLike;
  else if (family == "multinomial") shape = Shape::kMultinomial;

  const int k = meta.n_classes;
  const bool ok_shape = shape == Shape::kRegression ? (!meta.is_classifier() && k == 1)
                        : shape == Shape::kBinomialLike ? (meta.category == ModelCategory::kBinomial && k == 2)
                                                        : (meta.is_classifier() && k >= 2);
  if (!ok_shape)
    Fail(ErrorKind::kUnimplemented, meta.path + ": GBM distribution '" + family + "' with category " +
                                        meta.category_name + " and " + std::to_string(k) + " classes is not supported");

  const Link link = ParseLink(ini.String("link_function").value_or(DefaultLink(family)), meta.path);
  const double init_f = ini.Double("init_f").value_or(0.0);
  std::unique_ptr<const CategoricalEncoder> encoder = CategoricalEncoder::Load(archive, ini, meta);
  TreeEnsemble trees = TreeEnsemble::Load(archive, ini, meta, k == 2 ? 1 : k, /*encoding_handled=*/true);
  // Where the trees accumulate: preds[0] for regression, preds[1..] for classes.
  const int slots = shape == Shape::kRegression ? 1 : (shape == Shape::kMultinomial && k > 2 ? k : 1);
  if (trees.n_per_group() != slots)
    Fail(ErrorKind::kDataLoss, meta.path + ": n_trees_per_class = " + std::to_string(trees.n_per_group()) +
                                   " does not fit a " + family + " GBM with " + std::to_string(k) + " classes");
  Calibration calibration = Calibration::Load(archive, ini, meta);
  if (encoder) meta = encoder->InputMeta(meta);  // users give the original columns
  return std::make_unique<GbmModel>(std::move(meta), std::move(trees), family, shape, link, init_f,
                                    std::move(calibration), std::move(encoder));
}

}  // namespace scorehost::h2o3
