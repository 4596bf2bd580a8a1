// Generalized Linear Model (genmodel GlmMojoModel / GlmMultinomialMojoModel / GlmOrdinalMojoModel).
// Features come categoricals first (`cats` of them, one-hot expanded through cat_offsets), then
// `nums` numerics; beta holds the de-standardised coefficients with the intercept last.
#include <algorithm>
#include <cmath>

#include "errors.hpp"
#include "glm_link.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"
#include "one_hot.hpp"

namespace scorehost::h2o3 {

namespace {

enum class Family { kBinomialLike, kMultinomial, kOrdinal, kRegression };

[[noreturn]] void CategoricalOutOfRange() {
  // Java: IllegalArgumentException("categorical value out of range"), e.g. NaN without imputation.
  Fail(ErrorKind::kInvalidArgument, "categorical value out of range (not a valid level index)");
}
[[noreturn]] void CoefficientOutOfRange() {
  Fail(ErrorKind::kInvalidArgument, "categorical level index outside the model's coefficients");
}

class GlmModel final : public RowScorer<GlmModel> {
 public:
  struct Params {
    Family family;
    GlmLink link = GlmLink::kIdentity;
    double tweedie_link_power = 0;
    bool use_all_levels = false;
    bool mean_imputation = false;
    int cats = 0, nums = 0;
    std::vector<int32_t> cat_offsets;  // cats + 1 entries
    std::vector<int32_t> cat_modes;
    std::vector<double> num_means;
    std::vector<double> beta;
    std::string family_name, link_name;
  };

  GlmModel(MojoMeta meta, Params p) : RowScorer(std::move(meta)), p_(std::move(p)) {
    per_class_ = p_.family == Family::kMultinomial || p_.family == Family::kOrdinal
                     ? static_cast<int32_t>(p_.beta.size() / static_cast<size_t>(meta_.n_classes))
                     : static_cast<int32_t>(p_.beta.size());
  }

  void ScoreRow(const double* row, size_t row_len, double offset, double* preds) const {
    // Java reads every feature (imputation first), so a short row always fails.
    if (row_len < static_cast<size_t>(p_.cats + p_.nums))
      Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values but the GLM needs " +
                                            std::to_string(p_.cats + p_.nums));
    switch (p_.family) {
      case Family::kRegression:
      case Family::kBinomialLike: {
        const double eta = Eta(row, p_.cat_offsets[static_cast<size_t>(p_.cats)] - p_.cats) + offset;
        const double mu = LinkInverse(eta);
        if (p_.family == Family::kBinomialLike) {
          preds[0] = mu >= meta_.default_threshold ? 1 : 0;
          preds[1] = 1.0 - mu;
          preds[2] = mu;
        } else {
          preds[0] = mu;
        }
        return;
      }
      case Family::kMultinomial: return ScoreMultinomial(row, preds);
      case Family::kOrdinal: return ScoreOrdinal(row, offset, preds);
    }
  }

  std::string Describe() const override {
    std::string cat = meta_.category_name;
    for (char& c : cat) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return "H2O-3 GLM " + cat + " (family " + p_.family_name + ", link " + p_.link_name + "), " +
           std::to_string(p_.beta.size()) + " coefficients, MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return p_.family != Family::kMultinomial; }
  std::vector<std::string> OutputNames() const override {
    if (meta_.n_classes == 2 && meta_.response_domain() == nullptr) return {"predict", "0", "1"};
    return MojoModel::OutputNames();
  }

 private:
  double Value(const double* row, int i) const {
    const double d = row[i];
    if (p_.mean_imputation && std::isnan(d))
      return i < p_.cats ? static_cast<double>(p_.cat_modes[static_cast<size_t>(i)])
                         : p_.num_means[static_cast<size_t>(i - p_.cats)];
    return d;
  }

  double Beta(int32_t index) const {
    if (index < 0 || static_cast<size_t>(index) >= p_.beta.size()) CoefficientOutOfRange();
    return p_.beta[static_cast<size_t>(index)];
  }

  // The categorical part of eta for the coefficient block starting at `base`, exactly as Java
  // indexes it (including its int arithmetic).
  double CategoricalSum(const double* row, int32_t base) const {
    double eta = 0;
    for (int i = 0; i < p_.cats; ++i) {
      const double d = Value(row, i);
      const int32_t lo = p_.cat_offsets[static_cast<size_t>(i)], hi = p_.cat_offsets[static_cast<size_t>(i) + 1];
      int32_t ival;
      if (!p_.use_all_levels) {
        if (d == 0) continue;  // level 0 is the reference level
        ival = JavaISub(JavaD2I(d), 1);
        if (static_cast<double>(ival) != d - 1) CategoricalOutOfRange();
      } else {
        ival = JavaD2I(d);
        if (static_cast<double>(ival) != d) CategoricalOutOfRange();
      }
      ival = JavaIAdd(ival, lo);
      if (ival < hi) eta += Beta(JavaIAdd(ival, base));
    }
    return eta;
  }

  // Binomial/regression eta (without offset): categoricals, numerics, intercept.
  double Eta(const double* row, int32_t noff) const {
    double eta = CategoricalSum(row, 0);
    const int32_t nb = static_cast<int32_t>(p_.beta.size());
    for (int32_t i = p_.cats; i < nb - 1 - noff; ++i) eta += p_.beta[static_cast<size_t>(noff + i)] * Value(row, i);
    eta += p_.beta.back();
    return eta;
  }

  double LinkInverse(double x) const { return GlmLinkInverse(p_.link, p_.tweedie_link_power, x); }

  // Linear predictor of class c for multinomial/ordinal coefficient blocks of per_class_ entries.
  double ClassEta(const double* row, int c) const {
    const int32_t base = c * per_class_;
    double eta = p_.cats > 0 ? CategoricalSum(row, base) : 0.0;
    const int32_t noff = p_.cat_offsets[static_cast<size_t>(p_.cats)];
    for (int i = 0; i < p_.nums; ++i)
      eta += p_.beta[static_cast<size_t>(noff + i + base)] * Value(row, p_.cats + i);
    return eta;
  }

  void ScoreMultinomial(const double* row, double* preds) const {
    const int k = meta_.n_classes;
    preds[0] = 0;
    for (int c = 0; c < k; ++c)
      preds[c + 1] = ClassEta(row, c) + p_.beta[static_cast<size_t>((per_class_ - 1) + c * per_class_)];
    GlmMultinomialProbabilities(preds, k);
  }

  void ScoreOrdinal(const double* row, double offset, double* preds) const {
    const int k = meta_.n_classes;
    const int last = k - 1;
    std::fill(preds, preds + k + 1, 0.0);
    for (int c = 0; c < last; ++c)
      preds[c + 1] = ClassEta(row, c) + p_.beta[static_cast<size_t>(per_class_ - 1 + c * per_class_)];
    double previous = 0.0;
    for (int c = 0; c < last; ++c) {
      const double eta = preds[c + 1] + offset;
      const double cdf = 1.0 / (1 + std::exp(-eta));
      preds[c + 1] = cdf - previous;
      previous = cdf;
    }
    preds[k] = 1 - previous;
    preds[0] = 0;
    int best = 0;  // ArrayUtils.maxIndex over the whole array, preds[0] included
    for (int i = 1; i <= k; ++i)
      if (preds[i] > preds[best]) best = i;
    preds[0] = best - 1;
  }

  Params p_;
  int32_t per_class_ = 0;
};

}  // namespace

std::unique_ptr<MojoModel> LoadGlm(Archive& /*archive*/, const ModelIni& ini, MojoMeta meta) {
  RequireMojoVersion(meta, {1.00});
  const std::string& path = meta.path;
  GlmModel::Params p;
  p.family_name = ini.RequireString("family");
  p.link_name = ini.String("link").value_or("");
  const int k = meta.n_classes;
  if (p.family_name == "multinomial") p.family = Family::kMultinomial;
  else if (p.family_name == "ordinal") p.family = Family::kOrdinal;
  else if (p.family_name == "binomial" || p.family_name == "fractionalbinomial" || p.family_name == "quasibinomial")
    p.family = Family::kBinomialLike;
  else p.family = Family::kRegression;

  if (p.family == Family::kRegression || p.family == Family::kBinomialLike) {
    p.link = ParseGlmLink(p.link_name, path, "GLM");
    p.tweedie_link_power = ini.Double("tweedie_link_power").value_or(0.0);
  }
  const bool shape_ok = p.family == Family::kRegression     ? (!meta.is_classifier() && k == 1)
                        : p.family == Family::kBinomialLike ? (meta.category == ModelCategory::kBinomial && k == 2)
                        : p.family == Family::kMultinomial  ? (meta.category == ModelCategory::kMultinomial && k >= 2)
                                                            : (meta.category == ModelCategory::kOrdinal && k >= 2);
  if (!shape_ok)
    Fail(ErrorKind::kUnimplemented, path + ": GLM family '" + p.family_name + "' with category " + meta.category_name +
                                        " and " + std::to_string(k) + " classes is not supported");

  p.use_all_levels = ini.Bool("use_all_factor_levels").value_or(false);
  p.mean_imputation = ini.Bool("mean_imputation").value_or(false);
  OneHotLayout layout = ReadOneHotLayout(ini, path, "GLM", meta.n_features, /*offsets_optional=*/false);
  const int64_t cats = layout.cats, nums = layout.nums;
  p.cats = layout.cats;
  p.nums = layout.nums;
  p.cat_offsets = std::move(layout.cat_offsets);
  p.beta = ini.Doubles("beta").value_or(std::vector<double>{});
  const int64_t per_class = p.cat_offsets.back() + nums + 1;  // coefficients + intercept
  const int64_t blocks = (p.family == Family::kMultinomial || p.family == Family::kOrdinal) ? k : 1;
  if (static_cast<int64_t>(p.beta.size()) != per_class * blocks)
    Fail(ErrorKind::kDataLoss, path + ": GLM beta has " + std::to_string(p.beta.size()) + " coefficients, expected " +
                                   std::to_string(per_class * blocks));
  if (p.mean_imputation) {
    p.cat_modes = ini.Int32s("cat_modes").value_or(std::vector<int32_t>{});
    p.num_means = ini.Doubles("num_means").value_or(std::vector<double>{});
    if (p.cat_modes.size() != static_cast<size_t>(cats) || p.num_means.size() != static_cast<size_t>(nums))
      Fail(ErrorKind::kDataLoss, path + ": GLM cat_modes/num_means do not match cats/nums");
  }
  return std::make_unique<GlmModel>(std::move(meta), std::move(p));
}

}  // namespace scorehost::h2o3
