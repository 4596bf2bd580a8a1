// Generalized Additive Model (genmodel GamMojoModel / GamMojoMultinomialModel / GamMojoReader and
// the spline utilities). A GAM MOJO is a GLM over the features plus the "gamified" columns: each
// GAM column (cubic regression spline, thin-plate regression spline, monotone I-spline or
// M-spline) expands into basis values, centred by a z-transpose for all but I-splines. The MOJO's
// features end with those expanded columns.
//
// genmodel's score0 takes them as given; EasyPredictModelWrapper / PredictCsv compute them first
// (GamRowToRawDataConverter) when every expanded column of the row is missing. Score0 here does what
// PredictCsv does for a row of exactly n_features values (the plugin's rows): expanded columns all
// NaN -> computed from the GAM columns' values in the row (a NaN value counts as absent and leaves
// its expanded columns NaN, as an empty PredictCsv cell does); for rows of another length it is the
// plain score0. Then mean imputation and the GLM, as genmodel.
//
// Java's index arithmetic is kept literally (expanded columns advance by num_knots - 1 for every
// spline type; M-splines are centred with the z-transpose at their M-spline counter), so a MOJO
// that makes genmodel fail makes this fail at the same place.
#include <algorithm>
#include <cmath>
#include <limits>

#include "errors.hpp"
#include "glm_link.hpp"
#include "java_blob.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"

namespace scorehost::h2o3 {

namespace {

constexpr int kCs = 0, kTp = 1, kIs = 2, kMs = 3;

using Vec = std::vector<double>;
using Mat = std::vector<Vec>;

[[noreturn]] void JavaIndexError(const std::string& what) {
  Fail(ErrorKind::kInvalidArgument, "GAM scoring failed as in genmodel (index out of bounds): " + what);
}

// ArrayUtils.multArray: result[i] = sum_j a[j] * bT[i][j].
void MultArray(const Vec& a, const Mat& bt, Vec& result) {
  for (size_t i = 0; i < result.size(); ++i) {
    if (i >= bt.size() || bt[i].size() < a.size()) JavaIndexError("z-transpose");
    double acc = 0.0;
    for (size_t j = 0; j < a.size(); ++j) acc += a[j] * bt[i][j];
    result[i] = acc;
  }
}

double IntPow(double base, int exp) {
  switch (exp) {
    case 0: return 1.0;
    case 1: return base;
    case 2: return base * base;
    default: {
      double r = base;
      for (int i = 1; i < exp; ++i) r *= base;
      return r;
    }
  }
}

int32_t Factorial(int m) {
  if (m <= 1) return 1;
  int32_t prod = 1;
  for (int i = 1; i <= m; ++i) prod = static_cast<int32_t>(static_cast<uint32_t>(prod) * static_cast<uint32_t>(i));  // Java int overflow
  return prod;
}

double TpConstant(int m, int d, bool d_even) {
  const double pi = 3.141592653589793;
  if (d_even)
    return std::pow(-1.0, m + 1 + d / 2.0) /
           (std::pow(2.0, 2 * m - 1) * std::pow(pi, d / 2.0) * Factorial(m - 1) * Factorial(m - d / 2));
  return std::pow(-1.0, m) * m / (Factorial(2 * m) * std::pow(pi, (d - 1) / 2.0));
}

// GamUtilsISplines.fillKnots / extractKnots.
Vec FillKnots(const Vec& knots, int m) {
  const int64_t n = static_cast<int64_t>(knots.size()) + 2 * static_cast<int64_t>(m) - 2;
  if (n < static_cast<int64_t>(knots.size()) || knots.empty()) Fail(ErrorKind::kDataLoss, "GAM spline order out of range");
  Vec out(static_cast<size_t>(n));
  const int upper = m > 0 ? m - 1 : 0;
  for (int i = 0; i < upper; ++i) out[static_cast<size_t>(i)] = knots[0];
  for (size_t i = 0; i < knots.size(); ++i) out[i + static_cast<size_t>(upper)] = knots[i];
  for (size_t i = knots.size() + static_cast<size_t>(upper); i < out.size(); ++i) out[i] = knots.back();
  return out;
}

Vec ExtractKnots(int index, int order, const Vec& knots) {
  Vec out(static_cast<size_t>(order) + 1, 0.0);
  const int64_t upper = std::min<int64_t>(static_cast<int64_t>(index) + order, static_cast<int64_t>(knots.size()) - 1);
  size_t k = 0;
  for (int64_t c = index; c <= upper; ++c) out[k++] = knots[static_cast<size_t>(c)];
  return out;
}

// One recursive basis function (NBSplinesTypeII.BSplineBasis or NBSplinesTypeI.MSplineBasis), held
// in a flat array: node i has children first/second (indices, -1 for none).
struct SplineNode {
  Vec knots;
  double num[2];
  double ood[2];  // 1 / denominator (0 when the denominator is 0)
  double constant;
  int32_t first = -1, second = -1;
};

struct SplineTree {
  std::vector<SplineNode> nodes;
  bool m_spline = false;

  int32_t Build(int index, int order, const Vec& knots) {
    SplineNode n;
    n.knots = ExtractKnots(index, order, knots);
    n.constant = order > 1 ? order / (order - 1.0) : 1;
    if (order == 1) {
      n.num[0] = 1, n.num[1] = 0, n.ood[0] = 1, n.ood[1] = 0;
    } else {
      n.num[0] = n.knots[0], n.num[1] = n.knots[static_cast<size_t>(order)];
      double d0, d1;
      if (m_spline) {
        d0 = d1 = n.knots[static_cast<size_t>(order)] - n.knots[0];
      } else {
        d0 = n.knots[static_cast<size_t>(order) - 1] - n.knots[0];
        d1 = n.knots[static_cast<size_t>(order)] - n.knots[1];
      }
      n.ood[0] = d0 == 0 ? 0 : 1.0 / d0;
      n.ood[1] = d1 == 0 ? 0 : 1.0 / d1;
    }
    const int32_t me = static_cast<int32_t>(nodes.size());
    nodes.push_back(std::move(n));
    if (order > 1) {
      const int32_t a = Build(index, order - 1, knots);
      const int32_t b = Build(index + 1, order - 1, knots);
      nodes[static_cast<size_t>(me)].first = a;
      nodes[static_cast<size_t>(me)].second = b;
    }
    return me;
  }

  double Eval(int32_t i, double v) const {
    const SplineNode& n = nodes[static_cast<size_t>(i)];
    if (v < n.knots[0] || v >= n.knots.back()) return 0;
    if (n.first >= 0) {
      const double s = (v - n.num[0]) * n.ood[0] * Eval(n.first, v) + (n.num[1] - v) * n.ood[1] * Eval(n.second, v);
      return m_spline ? n.constant * s : s;
    }
    if (!m_spline) return 1;
    const double t = n.knots[1] - n.knots[0];
    return t != 0 ? 1.0 / t : 0.0;
  }
};

// ISplines: I-spline basis over B-splines of order + 1.
struct ISpline {
  int order = 0;
  std::vector<Vec> ibasis_knots;  // per I-spline basis, its knots (order + 1)
  SplineTree bsplines;            // order + 1
  std::vector<int32_t> broots;
  int border = 0;

  void Init(int ord, const Vec& knots) {
    order = ord;
    const Vec dup = FillKnots(knots, ord);
    border = ord + 1;
    const Vec bknots = FillKnots(knots, border);
    const int64_t nb = static_cast<int64_t>(knots.size()) + border - 2;
    for (int64_t i = 0; i < nb; ++i) broots.push_back(bsplines.Build(static_cast<int>(i), border, bknots));
    const int64_t ni = static_cast<int64_t>(knots.size()) + ord - 2;
    for (int64_t i = 0; i < ni; ++i) ibasis_knots.push_back(ExtractKnots(static_cast<int>(i), ord, dup));
  }

  void Gamify(Vec& out, double v) const {
    for (size_t b = 0; b < out.size(); ++b) {
      if (b >= ibasis_knots.size()) JavaIndexError("I-spline basis");
      if (v < ibasis_knots[b][0]) out[b] = 0;
      else if (v >= ibasis_knots[b][static_cast<size_t>(order)]) out[b] = 1;
      else {
        double sum = 0;
        for (size_t k = b + 1; k < broots.size(); ++k) {
          const SplineNode& n = bsplines.nodes[static_cast<size_t>(broots[k])];
          if (v < n.knots[0]) break;
          if (v >= n.knots[static_cast<size_t>(border)]) sum += 1;
          else sum += bsplines.Eval(broots[k], v);
        }
        out[b] = sum;
      }
    }
  }
};

struct MSpline {
  int order = 0;
  SplineTree basis;
  std::vector<int32_t> roots;

  void Init(int ord, const Vec& knots) {
    order = ord;
    basis.m_spline = true;
    const Vec dup = FillKnots(knots, ord);
    const int64_t n = static_cast<int64_t>(knots.size()) + ord - 2;
    for (int64_t i = 0; i < n; ++i) roots.push_back(basis.Build(static_cast<int>(i), ord, dup));
  }

  void Gamify(Vec& out, double v) const {
    for (size_t b = 0; b < out.size(); ++b) {
      if (b >= roots.size()) JavaIndexError("M-spline basis");
      const SplineNode& n = basis.nodes[static_cast<size_t>(roots[b])];
      if (v < n.knots[0] || v >= n.knots[static_cast<size_t>(order)]) out[b] = 0;
      else out[b] = basis.Eval(roots[b], v);
    }
  }
};

enum class Family { kClassifier, kRegression, kMultinomial, kOrdinal };

class GamModel final : public RowScorer<GamModel> {
 public:
  struct Params {
    Family family = Family::kRegression;
    std::string family_name, link_name;
    GlmLink link = GlmLink::kIdentity;
    double tweedie_link_power = 0;
    bool use_all_levels = false, mean_imputation = false;
    int32_t cats = 0, nums_center = 0;
    std::vector<int32_t> cat_offsets, cat_na_fills;
    Vec num_na_fills_center;
    Vec beta_center;                   // binomial-like / regression
    Mat beta_multi_center, beta_multi;  // multinomial / ordinal, per class
    int32_t n_expanded_center = 0;
    int32_t n_gam = 0, n_cs = 0, n_is = 0, n_ms = 0, n_tp = 0;
    std::vector<int32_t> bs_sorted, num_knots_sorted, d, m, big_m;
    std::vector<std::vector<int32_t>> gam_cols_sorted;  // feature index of each GAM column's predictors
    std::vector<Mat> knots, zt, zt_cs, binvd;
    Mat hj;
    std::vector<int32_t> is_basis, ms_basis, tp_distzcs_size;
    std::vector<bool> d_even;
    Vec tp_constant;
    std::vector<std::vector<std::vector<int32_t>>> poly_basis;
    bool standardize = false;
    std::vector<ISpline> isplines;
    std::vector<MSpline> msplines;
  };

  GamModel(MojoMeta meta, Params p) : RowScorer(std::move(meta)), p_(std::move(p)) {}

  void ScoreRow(const double* row_in, size_t row_len, double /*offset*/, double* preds) const {
    thread_local Vec data;
    data.assign(row_in, row_in + row_len);
    const size_t nf = static_cast<size_t>(meta_.n_features);
    if (row_len == nf) Gamify(data);
    if (p_.mean_imputation) {
      for (int32_t i = 0; i < p_.cats; ++i)
        if (std::isnan(At(data, i))) data[static_cast<size_t>(i)] = p_.cat_na_fills[static_cast<size_t>(i)];
      for (int32_t i = 0; i < p_.nums_center; ++i)
        if (std::isnan(At(data, i + p_.cats))) data[static_cast<size_t>(i + p_.cats)] = p_.num_na_fills_center[static_cast<size_t>(i)];
    }
    switch (p_.family) {
      case Family::kClassifier: {
        const double mu = LinkInverse(Eta(p_.beta_center, data));
        preds[0] = mu >= meta_.default_threshold ? 1 : 0;
        preds[1] = 1.0 - mu;
        preds[2] = mu;
        return;
      }
      case Family::kRegression: preds[0] = LinkInverse(Eta(p_.beta_center, data)); return;
      case Family::kMultinomial:
      case Family::kOrdinal: {
        const Mat& beta = row_len == nf ? p_.beta_multi_center : p_.beta_multi;
        const int k = meta_.n_classes;
        for (int c = 0; c < k; ++c) preds[c + 1] = Eta(beta[static_cast<size_t>(c)], data);
        if (p_.family == Family::kMultinomial) GlmMultinomialProbabilities(preds, k);
        else Ordinal(preds, k);
        return;
      }
    }
  }

  std::string Describe() const override {
    std::string cat = meta_.category_name;
    for (char& c : cat) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string splines;
    auto add = [&](int n, const char* what) {
      if (n > 0) splines += (splines.empty() ? "" : ", ") + std::to_string(n) + " " + what;
    };
    add(p_.n_cs, "cubic regression");
    add(p_.n_is, "I-spline");
    add(p_.n_ms, "M-spline");
    add(p_.n_tp, "thin-plate");
    return "H2O-3 GAM " + cat + " (family " + p_.family_name + (p_.link_name.empty() ? "" : ", link " + p_.link_name) +
           "; " + splines + " GAM columns, " + std::to_string(p_.n_expanded_center) + " expanded columns), MOJO " +
           meta_.mojo_version;
  }
  bool UsesOffset() const override { return false; }

 private:
  static double At(const Vec& data, int64_t i) {
    if (i < 0 || static_cast<uint64_t>(i) >= data.size())
      Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(data.size()) + " values, the GAM reads index " + std::to_string(i));
    return data[static_cast<size_t>(i)];
  }

  // GamMojoModelBase.addExpandGamCols for a row of n_features values.
  void Gamify(Vec& data) const {
    const size_t nf = data.size();
    const int64_t start = static_cast<int64_t>(nf) - p_.n_expanded_center;
    if (start < 0) JavaIndexError("expanded columns");
    for (size_t c = static_cast<size_t>(start); c < nf; ++c)
      if (!std::isnan(data[c])) return;  // already gamified
    int64_t at = start;
    size_t tp = 0, is = 0, ms = 0;
    thread_local Vec basis, center, pred;
    auto put = [&](const Vec& values) {
      if (at < 0 || at + static_cast<int64_t>(values.size()) > static_cast<int64_t>(nf)) JavaIndexError("expanded column copy");
      std::copy(values.begin(), values.end(), data.begin() + at);
    };
    for (int32_t g = 0; g < p_.n_gam; ++g) {
      const auto& cols = p_.gam_cols_sorted[static_cast<size_t>(g)];
      const size_t nk = static_cast<size_t>(p_.num_knots_sorted[static_cast<size_t>(g)]);
      const int bs = p_.bs_sorted[static_cast<size_t>(g)];
      // The predictor values (NaN: absent, no gamification of this column).
      pred.clear();
      bool absent = false;
      for (int32_t c : cols) {
        const double v = data[static_cast<size_t>(c)];
        if (std::isnan(v)) absent = true;
        pred.push_back(v);
      }
      if (bs == kCs) {
        if (!absent) {
          basis.assign(nk, 0.0);
          center.assign(nk - 1, 0.0);
          ExpandCubic(pred[0], static_cast<size_t>(g), basis);
          MultArray(basis, p_.zt[static_cast<size_t>(g)], center);
          put(center);
        }
      } else if (bs == kTp) {
        if (!absent) TpGamify(static_cast<size_t>(g), tp, pred, put);
        ++tp;
      } else if (bs == kIs) {
        if (!absent) {
          basis.assign(static_cast<size_t>(p_.is_basis[is]), 0.0);
          p_.isplines[is].Gamify(basis, pred[0]);
          put(basis);
        }
        ++is;
      } else if (bs == kMs) {
        if (!absent) {
          basis.assign(static_cast<size_t>(p_.ms_basis[ms]), 0.0);
          p_.msplines[ms].Gamify(basis, pred[0]);
          if (basis.empty()) JavaIndexError("M-spline basis");
          center.assign(basis.size() - 1, 0.0);
          if (ms >= p_.zt.size()) JavaIndexError("M-spline z-transpose");
          MultArray(basis, p_.zt[ms], center);  // genmodel indexes the z-transposes by the M-spline counter
          put(center);
        }
        ++ms;
      }
      at += static_cast<int64_t>(nk) - 1;
    }
  }

  // GamUtilsCubicRegression.expandOneGamCol for a present value.
  void ExpandCubic(double x, size_t g, Vec& basis) const {
    const Vec& k = p_.knots[g][0];
    const Vec& hj = p_.hj[g];
    const Mat& binvd = p_.binvd[g];
    size_t bin;
    const size_t high0 = k.size() - 1;
    if (x <= k[0]) bin = 0;
    else if (x >= k[high0]) bin = high0 - 1;
    else {
      int64_t low = 0, high = static_cast<int64_t>(high0), tryb = -1;
      for (size_t count = 0; count < k.size(); ++count) {
        tryb = (high + low) / 2;
        const size_t t = static_cast<size_t>(tryb);
        if (x >= k[t] && x < k[t + 1]) break;
        if (x > k[t]) low = tryb;
        else if (x < k[t]) high = tryb;
      }
      if (tryb < 0) JavaIndexError("cubic spline bin");
      bin = static_cast<size_t>(tryb);
    }
    const double h = hj[bin];
    double t = k[bin + 1] - x;
    const double cmj = (t * t * t / h - t * h) / 6.0;
    t = x - k[bin];
    const double cpj = (t * t * t / h - t * h) / 6.0;
    const size_t mat = binvd.size();
    if ((bin == 0 && mat == 0) || (bin > 0 && bin - 1 >= mat)) JavaIndexError("cubic spline matrix");
    for (size_t i = 0; i < basis.size(); ++i) {
      if (bin == 0) basis[i] = binvd[0][i] * cpj;
      else if (bin >= mat) basis[i] = binvd[bin - 1][i] * cmj;
      else basis[i] = binvd[bin - 1][i] * cmj + binvd[bin][i] * cpj;
    }
    basis[bin] += (k[bin + 1] - x) / h;
    basis[bin + 1] += (x - k[bin]) / h;
  }

  template <class Put>
  void TpGamify(size_t g, size_t tp, const Vec& pred, Put& put) const {
    thread_local Vec dist, distzcs, poly, all, out;
    const size_t nk = static_cast<size_t>(p_.num_knots_sorted[g]);
    const int d = p_.d[g];
    if (p_.standardize) JavaIndexError("thin-plate standardisation (genmodel reads empty column means/std)");
    const Mat& knots = p_.knots[g];
    if (d < 0 || static_cast<size_t>(d) > pred.size() || static_cast<size_t>(d) > knots.size()) JavaIndexError("thin-plate predictors");
    // calculateDistance
    dist.assign(nk, 0.0);
    const int power = 2 * p_.m[tp] - d;
    for (size_t ki = 0; ki < nk; ++ki) {
      double sum_sq = 0;
      for (int pi = 0; pi < d; ++pi) {
        const double tmp = pred[static_cast<size_t>(pi)] - knots[static_cast<size_t>(pi)][ki];
        sum_sq += tmp * tmp;
      }
      const double distance = IntPow(std::sqrt(sum_sq), power);
      dist[ki] = p_.tp_constant[tp] * distance;
      if (p_.d_even[tp] && distance != 0) dist[ki] *= std::log(distance);
    }
    distzcs.assign(static_cast<size_t>(p_.tp_distzcs_size[tp]), 0.0);
    MultArray(dist, p_.zt_cs[tp], distzcs);
    // calculatePolynomialBasis
    const int big_m = p_.big_m[tp];
    poly.assign(static_cast<size_t>(big_m), 0.0);
    for (int c = 0; c < big_m; ++c) {
      const auto& one = p_.poly_basis[tp][static_cast<size_t>(c)];
      double val = 1.0;
      for (int pi = 0; pi < d; ++pi) {
        if (static_cast<size_t>(pi) >= one.size()) JavaIndexError("thin-plate polynomial basis");
        val *= IntPow(pred[static_cast<size_t>(pi)], one[static_cast<size_t>(pi)]);
      }
      poly[static_cast<size_t>(c)] = val;
    }
    if (distzcs.size() + poly.size() > nk) JavaIndexError("thin-plate basis copy");
    all.assign(nk, 0.0);
    std::copy(distzcs.begin(), distzcs.end(), all.begin());
    std::copy(poly.begin(), poly.end(), all.begin() + static_cast<std::ptrdiff_t>(distzcs.size()));
    out.assign(nk - 1, 0.0);
    MultArray(all, p_.zt[g], out);
    put(out);
  }

  double Eta(const Vec& beta, const Vec& data) const {
    double eta = 0.0;
    const size_t nco = p_.cat_offsets.size() - 1;
    for (size_t i = 0; i < nco; ++i) {
      const double v = At(data, static_cast<int64_t>(i));
      int32_t ival = p_.use_all_levels ? JavaD2I(v) : JavaISub(JavaD2I(v), 1);
      if (ival < 0) continue;
      ival = JavaIAdd(ival, p_.cat_offsets[i]);
      if (ival < p_.cat_offsets[i + 1] && ival >= 0) {
        if (static_cast<size_t>(ival) >= beta.size()) JavaIndexError("categorical coefficient");
        eta += beta[static_cast<size_t>(ival)];
      }
    }
    const int64_t noff = static_cast<int64_t>(p_.cat_offsets[static_cast<size_t>(p_.cats)]) - p_.cats;
    const int64_t len = static_cast<int64_t>(beta.size()) - 1 - noff;
    for (int64_t i = p_.cats; i < len; ++i) {
      if (noff + i < 0) JavaIndexError("coefficient");
      eta += beta[static_cast<size_t>(noff + i)] * At(data, i);
    }
    eta += beta.back();
    return eta;
  }

  double LinkInverse(double x) const { return GlmLinkInverse(p_.link, p_.tweedie_link_power, x); }

  static void Ordinal(double* preds, int k) {
    const int last = k - 1;
    double previous = 0.0;
    preds[0] = last;
    for (int c = 0; c < last; ++c) {
      const double eta = preds[c + 1];
      const double cdf = 1.0 / (1 + std::exp(-eta));
      preds[c + 1] = cdf - previous;
      previous = cdf;
      if (eta > 0) {
        preds[0] = c;
        break;
      }
    }
    for (int c = static_cast<int>(preds[0]) + 1; c < last; ++c) {
      const double cdf = 1.0 / (1 + std::exp(-preds[c + 1]));
      preds[c + 1] = cdf - previous;
      previous = cdf;
    }
    preds[k] = 1 - previous;
  }

  Params p_;
};

}  // namespace

namespace {

std::vector<int32_t> Int32s(const ModelIni& ini, const std::string& key, const std::string& path, bool required = true) {
  auto v = ini.Int32s(key);
  if (!v) {
    if (required) Fail(ErrorKind::kDataLoss, path + ": GAM model.ini lacks '" + key + "'");
    return {};
  }
  return *v;
}

int32_t Int32(const ModelIni& ini, const std::string& key, const std::string& path, std::optional<int32_t> def = std::nullopt) {
  auto v = ini.Int(key);
  if (!v) {
    if (!def) Fail(ErrorKind::kDataLoss, path + ": GAM model.ini lacks '" + key + "'");
    return *def;
  }
  if (*v < -(1 << 30) || *v > (1 << 30)) Fail(ErrorKind::kDataLoss, path + ": GAM " + key + " = " + std::to_string(*v));
  return static_cast<int32_t>(*v);
}

// GamMojoReader.read3DArray: first x second[i] x third[i] big-endian doubles.
std::vector<Mat> Read3D(Archive& archive, const std::string& title, size_t first, const std::vector<int32_t>& second,
                        const std::vector<int32_t>& third, const std::string& path) {
  if (second.size() < first || third.size() < first) Fail(ErrorKind::kDataLoss, path + ": GAM " + title + " dimensions are missing");
  JavaBlob blob(archive.Read(title), path + ": " + title);
  std::vector<Mat> out(first);
  for (size_t i = 0; i < first; ++i) {
    if (second[i] < 0 || third[i] < 0) Fail(ErrorKind::kDataLoss, path + ": GAM " + title + " has negative dimensions");
    for (int32_t j = 0; j < second[i]; ++j) out[i].push_back(blob.Doubles(static_cast<uint64_t>(third[i])));
  }
  return out;
}

// GamMojoReader.read2DStringArrays: the lines of `title` dealt out over arrays of the given sizes.
std::vector<std::vector<std::string>> Read2DStrings(Archive& archive, const std::string& title, const std::vector<int32_t>& dims,
                                                    const std::string& path) {
  std::vector<std::vector<std::string>> out;
  for (int32_t d : dims) {
    if (d < 0 || d > (1 << 20)) Fail(ErrorKind::kDataLoss, path + ": GAM " + title + " dimension " + std::to_string(d));
    out.emplace_back(static_cast<size_t>(d));
  }
  const std::string text = archive.Read(title);
  size_t i = 0, j = 0;
  for (std::string_view line : SplitLines(text)) {
    if (i >= out.size()) Fail(ErrorKind::kDataLoss, path + ": GAM " + title + " has more lines than its dimensions");
    if (j >= out[i].size()) {
      ++i;
      j = 0;
      if (i >= out.size() || out[i].empty()) Fail(ErrorKind::kDataLoss, path + ": GAM " + title + " does not fit its dimensions");
    }
    out[i][j++] = std::string(line);
  }
  return out;
}

}  // namespace

std::unique_ptr<MojoModel> LoadGam(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  const std::string& path = meta.path;
  RequireMojoVersion(meta, {1.00}, OlderMojoVersions::kRefused, "GAM");
  GamModel::Params p;
  p.use_all_levels = ini.Bool("use_all_factor_levels").value_or(false);
  const int32_t n_expanded = Int32(ini, "num_expanded_gam_columns", path, 0);
  p.n_expanded_center = Int32(ini, "num_expanded_gam_columns_center", path, 0);
  p.family_name = ini.RequireString("family");
  const std::string& fam = p.family_name;
  static const char* const kFamilies[] = {"AUTO", "bernoulli", "quasibinomial", "modified_huber", "multinomial", "ordinal",
                                          "gaussian", "poisson", "gamma", "tweedie", "huber", "laplace", "quantile",
                                          "fractionalbinomial", "negativebinomial"};
  if (std::none_of(std::begin(kFamilies), std::end(kFamilies), [&](const char* f) { return fam == f; }))
    Fail(ErrorKind::kUnimplemented, path + ": GAM family '" + fam + "' is not supported");
  p.family = fam == "multinomial" ? Family::kMultinomial
             : fam == "ordinal"   ? Family::kOrdinal
             : (fam == "bernoulli" || fam == "fractionalbinomial" || fam == "quasibinomial") ? Family::kClassifier
                                                                                              : Family::kRegression;
  const int k = meta.n_classes;
  const bool shape_ok = p.family == Family::kRegression   ? !meta.is_classifier()
                        : p.family == Family::kClassifier ? (meta.category == ModelCategory::kBinomial && k == 2)
                        : p.family == Family::kMultinomial ? (meta.category == ModelCategory::kMultinomial && k >= 2)
                                                           : (meta.category == ModelCategory::kOrdinal && k >= 2);
  if (!shape_ok)
    Fail(ErrorKind::kUnimplemented, path + ": GAM family '" + fam + "' with category " + meta.category_name + " and " +
                                        std::to_string(k) + " classes is not supported");
  p.cats = Int32(ini, "cats", path, -1);
  Int32(ini, "num", path);
  p.nums_center = Int32(ini, "numsCenter", path);
  p.cat_na_fills = Int32s(ini, "catNAFills", path, false);
  p.num_na_fills_center = ini.Doubles("numNAFillsCenter").value_or(Vec{});
  p.mean_imputation = ini.Bool("mean_imputation").value_or(false);
  const int32_t beta_per_class = Int32(ini, "beta length per class", path, 0);
  p.cat_offsets = Int32s(ini, "cat_offsets", path, false);
  if (p.cats < 0 || p.cat_offsets.size() != static_cast<size_t>(p.cats) + 1)
    Fail(ErrorKind::kDataLoss, path + ": GAM cats = " + std::to_string(p.cats) + " does not fit cat_offsets");
  for (size_t i = 0; i + 1 < p.cat_offsets.size(); ++i)
    if (p.cat_offsets[i] < 0 || p.cat_offsets[i] > p.cat_offsets[i + 1]) Fail(ErrorKind::kDataLoss, path + ": GAM cat_offsets are not increasing");
  if (p.nums_center < 0 || static_cast<int64_t>(p.cats) + p.nums_center > meta.n_features)
    Fail(ErrorKind::kDataLoss, path + ": GAM numsCenter = " + std::to_string(p.nums_center) + " does not fit the features");
  if (p.mean_imputation && (p.cat_na_fills.size() < static_cast<size_t>(p.cats) || p.num_na_fills_center.size() < static_cast<size_t>(p.nums_center)))
    Fail(ErrorKind::kDataLoss, path + ": GAM catNAFills / numNAFillsCenter are shorter than cats / numsCenter");
  if (p.family != Family::kMultinomial) {
    const auto link = ini.String("link");
    p.link_name = link ? *link
                  : (fam == "bernoulli" || fam == "fractionalbinomial" || fam == "quasibinomial" || fam == "modified_huber" || fam == "ordinal")
                      ? "logit"
                  : (fam == "poisson" || fam == "gamma" || fam == "tweedie") ? "log"
                                                                             : "identity";
    if (p.family != Family::kOrdinal) p.link = ParseGlmLink(p.link_name, path, "GAM");
  }
  p.tweedie_link_power = ini.Double("tweedie_link_power").value_or(0.0);
  const int32_t beta_center_per_class = Int32(ini, "beta center length per class", path, 0);
  if (p.family == Family::kMultinomial || p.family == Family::kOrdinal) {
    auto read = [&](const std::string& title, int32_t n) {
      if (n <= 0) Fail(ErrorKind::kDataLoss, path + ": GAM " + title + " has " + std::to_string(n) + " coefficients per class");
      JavaBlob blob(archive.Read(title), path + ": " + title);
      Mat m;
      for (int c = 0; c < k; ++c) m.push_back(blob.Doubles(static_cast<uint64_t>(n)));
      return m;
    };
    p.beta_multi = read("beta_multinomial", beta_per_class);
    p.beta_multi_center = read("beta_multinomial_centering", beta_center_per_class);
  } else {
    auto b = ini.Doubles("beta");
    auto bc = ini.Doubles("beta_center");
    if (!b || !bc || bc->empty()) Fail(ErrorKind::kDataLoss, path + ": GAM model.ini lacks 'beta' / 'beta_center'");
    p.beta_center = std::move(*bc);
  }

  const auto num_knots = Int32s(ini, "num_knots", path);
  p.num_knots_sorted = Int32s(ini, "num_knots_sorted", path);
  const auto dim = Int32s(ini, "gam_column_dim", path);
  const auto dim_sorted = Int32s(ini, "gam_column_dim_sorted", path);
  Read2DStrings(archive, "gam_columns", dim, path);
  const auto gam_cols_sorted = Read2DStrings(archive, "gam_columns_sorted", dim_sorted, path);
  p.n_gam = static_cast<int32_t>(dim.size());
  p.n_tp = Int32(ini, "num_TP_col", path);
  p.n_cs = Int32(ini, "num_CS_col", path);
  p.n_is = Int32(ini, "num_IS_col", path);
  p.n_ms = Int32(ini, "num_MS_col", path);
  if (p.n_tp < 0 || p.n_cs < 0 || p.n_is < 0 || p.n_ms < 0 || p.n_tp + p.n_cs + p.n_is + p.n_ms != p.n_gam)
    Fail(ErrorKind::kDataLoss, path + ": GAM spline column counts do not add up to the " + std::to_string(p.n_gam) + " GAM columns");
  const size_t ng = static_cast<size_t>(p.n_gam);
  if (p.num_knots_sorted.size() < ng || dim_sorted.size() < ng || num_knots.size() < ng)
    Fail(ErrorKind::kDataLoss, path + ": GAM knot counts do not match the GAM columns");
  for (size_t g = 0; g < ng; ++g)
    if (p.num_knots_sorted[g] < 2 || p.num_knots_sorted[g] > 100000) Fail(ErrorKind::kDataLoss, path + ": GAM num_knots_sorted out of range");
  std::vector<int32_t> orders_sorted;
  if (p.n_is > 0 || p.n_ms > 0) {
    Int32s(ini, "spline_orders", path);
    orders_sorted = Int32s(ini, "spline_orders_sorted", path);
    if (orders_sorted.size() < ng) Fail(ErrorKind::kDataLoss, path + ": GAM spline_orders_sorted is too short");
  }
  const int32_t total = Int32(ini, "total feature size", path);
  if (total < 0) Fail(ErrorKind::kDataLoss, path + ": GAM total feature size = " + std::to_string(total));
  if (!archive.Exists("_names_no_centering")) Fail(ErrorKind::kDataLoss, path + ": GAM MOJO lacks _names_no_centering");
  Int32s(ini, "bs", path);
  p.bs_sorted = Int32s(ini, "bs_sorted", path);
  if (p.bs_sorted.size() < ng) Fail(ErrorKind::kDataLoss, path + ": GAM bs_sorted is too short");
  for (size_t g = 0; g < ng; ++g) {
    const int bs = p.bs_sorted[g];
    if (bs != kCs && bs != kTp && bs != kIs && bs != kMs)
      Fail(ErrorKind::kUnimplemented, path + ": GAM spline type " + std::to_string(bs) + " is not supported");
    const int32_t expect = g < static_cast<size_t>(p.n_cs) ? kCs
                           : g < static_cast<size_t>(p.n_cs + p.n_is) ? kIs
                           : g < static_cast<size_t>(p.n_cs + p.n_is + p.n_ms) ? kMs : kTp;
    if (bs != expect) Fail(ErrorKind::kDataLoss, path + ": GAM bs_sorted is not in cubic, I-spline, M-spline, thin-plate order");
  }
  Read2DStrings(archive, "gamColNames", Int32s(ini, "gamColName_dim", path), path);
  const auto pred_size = Int32s(ini, "_d", path);
  if (pred_size.size() < ng) Fail(ErrorKind::kDataLoss, path + ": GAM _d is too short");
  p.d = pred_size;
  const size_t ntp = static_cast<size_t>(p.n_tp), off_tp = static_cast<size_t>(p.n_cs + p.n_is + p.n_ms);
  if (p.n_tp > 0) {
    p.standardize = ini.RequireBool("standardize");
    const auto knots_tp = Int32s(ini, "num_knots_TP", path);
    p.m = Int32s(ini, "_m", path);
    p.big_m = Int32s(ini, "_M", path);
    if (knots_tp.size() < ntp || p.m.size() < ntp || p.big_m.size() < ntp)
      Fail(ErrorKind::kDataLoss, path + ": GAM thin-plate parameters are too short");
    if (!archive.Exists("gamColMeansRaw") || !archive.Exists("gamColStdRaw"))
      Fail(ErrorKind::kDataLoss, path + ": GAM MOJO lacks gamColMeansRaw / gamColStdRaw");
    std::vector<int32_t> mm(ntp), pred_num(ntp);
    for (size_t i = 0; i < ntp; ++i) {
      mm[i] = knots_tp[i] - p.big_m[i];
      pred_num[i] = p.d[static_cast<size_t>(p.n_cs) + i];  // genmodel's offset: past the cubic columns only
      if (p.big_m[i] < 0 || p.big_m[i] > 100000 || p.m[i] < 0 || p.m[i] > 64) Fail(ErrorKind::kDataLoss, path + ": GAM _M / _m out of range");
    }
    p.zt_cs = Read3D(archive, "zTransposeCS", ntp, mm, knots_tp, path);
    JavaBlob blob(archive.Read("polynomialBasisList"), path + ": polynomialBasisList");
    for (size_t i = 0; i < ntp; ++i) {
      std::vector<std::vector<int32_t>> list;
      for (int32_t j = 0; j < p.big_m[i]; ++j) {
        std::vector<int32_t> row;
        if (pred_num[i] < 0) Fail(ErrorKind::kDataLoss, path + ": GAM _d is negative");
        for (int32_t q = 0; q < pred_num[i]; ++q) row.push_back(blob.Int());
        list.push_back(std::move(row));
      }
      p.poly_basis.push_back(std::move(list));
    }
    for (size_t i = 0; i < ntp; ++i) {
      const size_t abs = i + off_tp;
      const int dd = p.d[abs];
      p.tp_distzcs_size.push_back(p.num_knots_sorted[abs] - p.big_m[i]);
      if (p.tp_distzcs_size.back() < 0) Fail(ErrorKind::kDataLoss, path + ": GAM thin-plate knots fewer than _M");
      p.d_even.push_back(dd % 2 == 0);
      p.tp_constant.push_back(TpConstant(p.m[i], dd, dd % 2 == 0));
    }
  }
  // The expanded (centred) sizes and the z-transposes' shapes.
  std::vector<int32_t> nk_m1(ng), z2(ng), z3(ng);
  size_t isc = 0, msc = 0;
  for (size_t g = 0; g < ng; ++g) {
    const int32_t nk = p.num_knots_sorted[g];
    if (p.bs_sorted[g] == kIs || p.bs_sorted[g] == kMs) {
      const int32_t order = orders_sorted[g];
      if (order < 1 || order > 10) Fail(ErrorKind::kUnimplemented, path + ": GAM spline order " + std::to_string(order) + " is not supported");
      const int32_t basis = nk + order - 2;
      if (p.bs_sorted[g] == kIs) {
        p.is_basis.push_back(basis);
        nk_m1[g] = basis, z2[g] = 0, z3[g] = 0;
        ++isc;
      } else {
        p.ms_basis.push_back(basis);
        nk_m1[g] = basis - 1, z2[g] = basis - 1, z3[g] = basis;
        ++msc;
      }
    } else {
      nk_m1[g] = nk - 1, z2[g] = nk - 1, z3[g] = nk;
    }
  }
  Read2DStrings(archive, "gamColNamesCenter", nk_m1, path);
  p.zt = Read3D(archive, "zTranspose", ng, z2, z3, path);
  p.knots = Read3D(archive, "knots", ng, pred_size, p.num_knots_sorted, path);
  if (p.n_cs > 0) {
    std::vector<int32_t> m2(static_cast<size_t>(p.n_cs));
    for (size_t i = 0; i < m2.size(); ++i) m2[i] = p.num_knots_sorted[i] - 2;
    p.binvd = Read3D(archive, "_binvD", static_cast<size_t>(p.n_cs), m2, p.num_knots_sorted, path);
  }
  // init(): knot differences, spline bases.
  for (size_t g = 0; g < ng; ++g)
    if (p.bs_sorted[g] != kTp && p.knots[g].empty())
      Fail(ErrorKind::kDataLoss, path + ": GAM column " + std::to_string(g) + " has no knots");
  for (int32_t i = 0; i < p.n_cs; ++i) {
    const Vec& k0 = p.knots[static_cast<size_t>(i)][0];
    Vec h;
    for (size_t j = 0; j + 1 < k0.size(); ++j) h.push_back(k0[j + 1] - k0[j]);
    p.hj.push_back(std::move(h));
  }
  for (size_t i = 0; i < static_cast<size_t>(p.n_is); ++i) {
    const size_t abs = i + static_cast<size_t>(p.n_cs);
    p.isplines.emplace_back().Init(orders_sorted[abs], p.knots[abs][0]);
  }
  for (size_t i = 0; i < static_cast<size_t>(p.n_ms); ++i) {
    const size_t abs = i + static_cast<size_t>(p.n_cs + p.n_is);
    p.msplines.emplace_back().Init(orders_sorted[abs], p.knots[abs][0]);
  }
  // The GAM columns' predictors must be features: PredictCsv reads them by name from the input row.
  const int64_t plain = static_cast<int64_t>(meta.n_features) - p.n_expanded_center;
  if (plain < 0 || n_expanded < 0) Fail(ErrorKind::kDataLoss, path + ": GAM expanded column count exceeds the features");
  for (size_t g = 0; g < ng; ++g) {
    std::vector<int32_t> idx;
    for (const std::string& name : gam_cols_sorted[g]) {
      const auto it = std::find(meta.columns.begin(), meta.columns.begin() + plain, name);
      if (it == meta.columns.begin() + plain)
        Fail(ErrorKind::kUnimplemented, path + ": GAM column '" + name + "' is not a feature of the MOJO; genmodel reads it "
                                            "from the input row by name, which this scorer does not");
      idx.push_back(static_cast<int32_t>(it - meta.columns.begin()));
    }
    if (idx.empty()) Fail(ErrorKind::kDataLoss, path + ": GAM column " + std::to_string(g) + " has no predictor");
    p.gam_cols_sorted.push_back(std::move(idx));
  }
  return std::make_unique<GamModel>(std::move(meta), std::move(p));
}

}  // namespace scorehost::h2o3
