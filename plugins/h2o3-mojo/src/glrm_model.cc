// Generalized Low Rank Model MOJOs (genmodel GlrmMojoModel, MOJO 1.10). Scoring a row solves for
// its low-rank representation x (ncolX values, the output Arch1..ArchK) against the fixed
// archetypes Y by genmodel's proximal gradient descent:
//   - x starts as ncolX java.util.Random Gaussians (seeded with the MOJO's `seed`), projected by
//     the X regulariser;
//   - each of at most 100 iterations takes the loss gradient, tries the 10 step sizes 2^-1..2^-10
//     (scaled by 1/objective when the objective exceeds 10) through the regulariser's proximal
//     operator, keeps the best if it improves, and stops when the relative improvement drops
//     below 1e-10.
// Everything that decides the result is reproduced: Java's Random (nextGaussian with fdlibm's log,
// nextInt for the regularisers' tie-breaking), the evaluation order of every sum (compiled without
// FMA), and genmodel's quirk that a missing categorical also skips advancing the archetype column
// offset, so the columns after it read shifted archetype columns.
//
// Seeding: genmodel scores the i-th row a model object sees with seed + i (a per-object counter),
// so Java's output for a row depends on how many rows that object scored before. Here every row is
// scored with the MOJO's seed (Java's score0(row, preds, seed), i.e. what a freshly loaded model
// returns for its first row), which makes results independent of batching, order and threads
// (PredictCsv-style seeding gives materially different x for later rows: the per-row objective can
// have several minima).
// MOJO 1.00 (no seed: genmodel seeds from the clock) is refused, as is the Periodic loss (genmodel
// cannot load such MOJOs: the loss name it writes is not an enum constant).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "errors.hpp"
#include "java_blob.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"

namespace scorehost::h2o3 {

namespace {

// StrictMath.log: fdlibm's __ieee754_log (Java's Random.nextGaussian depends on it bit for bit).
double FdlibmLog(double x) {
  constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10,
                   two54 = 1.80143985094819840000e+16, Lg1 = 6.666666666666735130e-01,
                   Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
                   Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01, Lg7 = 1.479819860511658591e-01;
  auto hi_word = [](double d) {
    uint64_t b;
    std::memcpy(&b, &d, 8);
    return static_cast<int32_t>(b >> 32);
  };
  auto lo_word = [](double d) {
    uint64_t b;
    std::memcpy(&b, &d, 8);
    return static_cast<uint32_t>(b);
  };
  auto set_hi = [](double d, int32_t hi) {
    uint64_t b;
    std::memcpy(&b, &d, 8);
    b = (static_cast<uint64_t>(static_cast<uint32_t>(hi)) << 32) | (b & 0xffffffffULL);
    std::memcpy(&d, &b, 8);
    return d;
  };
  int32_t hx = hi_word(x);
  const uint32_t lx = lo_word(x);
  int32_t k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | static_cast<int32_t>(lx)) == 0) return -INFINITY;
    if (hx < 0) return NAN;
    k -= 54;
    x *= two54;
    hx = hi_word(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  int32_t i = (hx + 0x95f64) & 0x100000;
  x = set_hi(x, hx | (i ^ 0x3ff00000));
  k += (i >> 20);
  const double f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f == 0.0) {
      if (k == 0) return 0.0;
      const double dk = k;
      return dk * ln2_hi + dk * ln2_lo;
    }
    const double R = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - R;
    const double dk = k;
    return dk * ln2_hi - ((R - dk * ln2_lo) - f);
  }
  const double s = f / (2.0 + f);
  const double dk = k;
  const double z = s * s;
  i = hx - 0x6147a;
  const double w = z * z;
  const int32_t j = 0x6b851 - hx;
  const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  i |= j;
  const double R = t2 + t1;
  if (i > 0) {
    const double hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + R));
    return dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
  }
  if (k == 0) return f - s * (f - R);
  return dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f);
}

// java.util.Random with what GLRM scoring draws: nextGaussian and nextInt(bound).
class Rng {
 public:
  explicit Rng(int64_t seed) : seed_((static_cast<uint64_t>(seed) ^ kMultiplier) & kMask) {}
  double NextDouble() {
    const uint64_t hi = static_cast<uint64_t>(Next(26));
    const uint64_t lo = static_cast<uint64_t>(Next(27));
    return static_cast<double>((hi << 27) + lo) * 0x1.0p-53;
  }
  double NextGaussian() {
    if (have_next_) {
      have_next_ = false;
      return next_;
    }
    double v1, v2, s;
    do {
      v1 = 2 * NextDouble() - 1;
      v2 = 2 * NextDouble() - 1;
      s = v1 * v1 + v2 * v2;
    } while (s >= 1 || s == 0);
    const double multiplier = std::sqrt(-2 * FdlibmLog(s) / s);
    next_ = v2 * multiplier;
    have_next_ = true;
    return v1 * multiplier;
  }
  int32_t NextInt(int32_t bound) {  // bound > 0
    int32_t r = Next(31);
    const int32_t m = bound - 1;
    if ((bound & m) == 0) return static_cast<int32_t>((static_cast<int64_t>(bound) * r) >> 31);
    for (int32_t u = r; JavaIAdd(JavaISub(u, r = u % bound), m) < 0; u = Next(31)) {
    }
    return r;
  }

 private:
  static constexpr uint64_t kMultiplier = 0x5DEECE66DULL;
  static constexpr uint64_t kMask = (1ULL << 48) - 1;
  int32_t Next(int bits) {
    seed_ = (seed_ * kMultiplier + 0xBULL) & kMask;
    return static_cast<int32_t>(static_cast<int64_t>(seed_ >> (48 - bits)));
  }
  uint64_t seed_;
  double next_ = 0;
  bool have_next_ = false;
};

enum class Loss { kQuadratic, kAbsolute, kHuber, kPoisson, kLogistic, kHinge, kCategorical, kOrdinal };
enum class Reg { kNone, kQuadratic, kL2, kL1, kNonNegative, kOneSparse, kUnitOneSparse, kSimplex };

bool IsMulti(Loss l) { return l == Loss::kCategorical || l == Loss::kOrdinal; }

[[noreturn]] void LevelOutOfRange(double a, int32_t n) {
  // Java: IndexOutOfBoundsException("a must be between 0 and n-1").
  Fail(ErrorKind::kInvalidArgument, "categorical level " + std::to_string(a) + " is not between 0 and " +
                                        std::to_string(n - 1));
}

double NumLoss(Loss l, double u, double a) {
  switch (l) {
    case Loss::kQuadratic: return (u - a) * (u - a);
    case Loss::kAbsolute: return std::fabs(u - a);
    case Loss::kHuber: {
      const double x = u - a;
      return x > 1 ? x - 0.5 : x < -1 ? -x - 0.5 : 0.5 * x * x;
    }
    case Loss::kPoisson: return std::exp(u) + (a == 0 ? 0 : -a * u + a * std::log(a) - a);
    case Loss::kLogistic: return std::log(1 + std::exp((1 - 2 * a) * u));
    case Loss::kHinge: return JavaMax(1 + (1 - 2 * a) * u, 0);
    default: return 0;  // not reached: checked at load
  }
}

double Signum(double d) { return d > 0 ? 1.0 : d < 0 ? -1.0 : d; }  // NaN and +-0 returned as is

double NumGrad(Loss l, double u, double a) {
  switch (l) {
    case Loss::kQuadratic: return 2 * (u - a);
    case Loss::kAbsolute: return Signum(u - a);
    case Loss::kHuber: {
      const double x = u - a;
      return x > 1 ? 1 : x < -1 ? -1 : x;
    }
    case Loss::kPoisson: return std::exp(u) - a;
    case Loss::kLogistic: {
      const double s = 1 - 2 * a;
      return s / (1 + std::exp(-s * u));
    }
    case Loss::kHinge: {
      const double s = 1 - 2 * a;
      return 1 + s * u > 0 ? s : 0;
    }
    default: return 0;
  }
}

class GlrmModel final : public RowScorer<GlrmModel> {
 public:
  struct Params {
    int ncolA = 0, ncolX = 0, ncolY = 0, ncats = 0, nnums = 0;
    std::vector<int32_t> permutation, num_levels;
    std::vector<Loss> losses;
    std::vector<std::string> loss_names;
    Reg regx = Reg::kNone;
    std::string regx_name;
    double gammax = 0;
    int64_t seed = 0;
    std::vector<double> norm_sub, norm_mul;
    std::vector<double> arch;  // ncolX x ncolY, row-major (genmodel's _archetypes)
    size_t min_row_len = 0;
  };
  GlrmModel(MojoMeta meta, Params p) : RowScorer(std::move(meta)), p_(std::move(p)) {
    double alpha = 1.0;
    for (double& a : alphas_) a = alpha *= 0.5;
  }

  void ScoreRow(const double* row, size_t row_len, double /*offset*/, double* preds) const {
    if (row_len < p_.min_row_len)
      Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values but the GLRM model reads " +
                                            std::to_string(p_.min_row_len));
    const size_t nx = static_cast<size_t>(p_.ncolX);
    thread_local std::vector<double> a, x, u, grad, best, xnew;
    a.resize(static_cast<size_t>(p_.ncolA));
    for (int i = 0; i < p_.ncats; ++i) {
      const double v = row[p_.permutation[static_cast<size_t>(i)]];
      a[static_cast<size_t>(i)] = v >= p_.num_levels[static_cast<size_t>(i)] ? NAN : v;  // unseen level -> NaN
    }
    for (int i = p_.ncats; i < p_.ncolA; ++i) a[static_cast<size_t>(i)] = row[p_.permutation[static_cast<size_t>(i)]];

    Rng rng(p_.seed);
    x.resize(nx);
    u.assign(nx, 0.0);
    for (size_t i = 0; i < nx; ++i) x[i] = rng.NextGaussian();
    Project(x, rng);

    double obj = Objective(x.data(), a.data());
    double old_obj = obj;
    bool done = false;
    int iters = 0;
    while (!done && iters++ < kIterations) {
      Gradient(x.data(), a.data(), grad);
      obj = ApplyBestAlpha(u, x, grad, a.data(), old_obj, rng, best, xnew);
      const double improvement = 1 - obj / old_obj;
      if (improvement < 0 || improvement < kAccuracyEps) done = true;
      old_obj = obj;
    }
    std::copy(x.begin(), x.end(), preds);
  }

  size_t preds_size() const override { return static_cast<size_t>(p_.ncolX); }
  size_t min_preds_size() const override { return static_cast<size_t>(p_.ncolX); }
  std::vector<std::string> OutputNames() const override {
    std::vector<std::string> names;
    for (int i = 1; i <= p_.ncolX; ++i) names.push_back("Arch" + std::to_string(i));
    return names;
  }
  std::string Describe() const override {
    std::string losses;
    for (const std::string& l : p_.loss_names)
      if (losses.find(l) == std::string::npos) losses += (losses.empty() ? "" : "/") + l;
    return "H2O-3 GLRM, rank " + std::to_string(p_.ncolX) + " (loss " + losses + ", X regularizer " + p_.regx_name +
           "), MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return false; }

 private:
  static constexpr int kIterations = 100;
  static constexpr double kAccuracyEps = 1e-10;
  static constexpr int kAlphas = 10;

  double A(size_t k, size_t col) const { return p_.arch[k * static_cast<size_t>(p_.ncolY) + col]; }

  // x * Y_j for categorical column j whose block starts at `offset`.
  void CatProduct(const double* x, size_t offset, int32_t n_levels, std::vector<double>& out) const {
    out.assign(static_cast<size_t>(n_levels), 0.0);
    for (int32_t level = 0; level < n_levels; ++level)
      for (size_t k = 0; k < static_cast<size_t>(p_.ncolX); ++k) out[static_cast<size_t>(level)] += x[k] * A(k, static_cast<size_t>(level) + offset);
  }
  double NumProduct(const double* x, size_t col) const {
    double s = 0;
    for (size_t k = 0; k < static_cast<size_t>(p_.ncolX); ++k) s += x[k] * A(k, col);
    return s;
  }
  static int32_t Level(double a, int32_t n_levels) {
    const int32_t level = JavaD2I(a);
    if (!(level >= 0 && level < n_levels)) LevelOutOfRange(a, n_levels);
    return level;
  }

  double Objective(const double* x, const double* a) const {
    thread_local std::vector<double> xy;
    double res = 0;
    size_t cat_offset = 0;
    for (int j = 0; j < p_.ncats; ++j) {
      const size_t js = static_cast<size_t>(j);
      if (std::isnan(a[js])) continue;  // genmodel: the offset does not advance either
      const int32_t n = p_.num_levels[js];
      CatProduct(x, cat_offset, n, xy);
      const int32_t lv = Level(a[js], n);
      double sum = 0;
      if (p_.losses[js] == Loss::kCategorical) {
        for (int32_t i = 0; i < n; ++i) sum += JavaMax(1 + xy[static_cast<size_t>(i)], 0);
        sum += JavaMax(1 - xy[static_cast<size_t>(lv)], 0) - JavaMax(1 + xy[static_cast<size_t>(lv)], 0);
      } else {
        for (int32_t i = 0; i < n - 1; ++i) sum += lv > i ? JavaMax(1 - xy[static_cast<size_t>(i)], 0) : 1;
      }
      res += sum;
      cat_offset += static_cast<size_t>(n);
    }
    for (int j = p_.ncats; j < p_.ncolA; ++j) {
      const size_t js = static_cast<size_t>(j - p_.ncats);
      if (std::isnan(a[j])) continue;
      const double xy1 = NumProduct(x, js + cat_offset);
      res += NumLoss(p_.losses[static_cast<size_t>(j)], xy1, (a[j] - p_.norm_sub[js]) * p_.norm_mul[js]);
    }
    res += p_.gammax * Regularize(x);
    return res;
  }

  void Gradient(const double* x, const double* a, std::vector<double>& grad) const {
    thread_local std::vector<double> xy, gl;
    const size_t nx = static_cast<size_t>(p_.ncolX);
    grad.assign(nx, 0.0);
    size_t cat_offset = 0;
    for (int j = 0; j < p_.ncats; ++j) {
      const size_t js = static_cast<size_t>(j);
      if (std::isnan(a[js])) continue;
      const int32_t n = p_.num_levels[js];
      CatProduct(x, cat_offset, n, xy);
      const int32_t lv = Level(a[js], n);
      gl.assign(static_cast<size_t>(n), 0.0);
      if (p_.losses[js] == Loss::kCategorical) {
        for (int32_t i = 0; i < n; ++i) gl[static_cast<size_t>(i)] = 1 + xy[static_cast<size_t>(i)] > 0 ? 1 : 0;
        gl[static_cast<size_t>(lv)] = 1 - xy[static_cast<size_t>(lv)] > 0 ? -1 : 0;
      } else {
        for (int32_t i = 0; i < n - 1; ++i) gl[static_cast<size_t>(i)] = lv > i && 1 - xy[static_cast<size_t>(i)] > 0 ? -1 : 0;
      }
      for (size_t k = 0; k < nx; ++k)
        for (int32_t c = 0; c < n; ++c) grad[k] += gl[static_cast<size_t>(c)] * A(k, static_cast<size_t>(c) + cat_offset);
      cat_offset += static_cast<size_t>(n);
    }
    for (int j = p_.ncats; j < p_.ncolA; ++j) {
      const size_t js = static_cast<size_t>(j - p_.ncats);
      if (std::isnan(a[j])) continue;
      const double xy1 = NumProduct(x, js + cat_offset);
      const double g = NumGrad(p_.losses[static_cast<size_t>(j)], xy1, (a[j] - p_.norm_sub[js]) * p_.norm_mul[js]);
      for (size_t k = 0; k < nx; ++k) grad[k] += g * A(k, js + cat_offset);
    }
  }

  double ApplyBestAlpha(std::vector<double>& u, std::vector<double>& x, const std::vector<double>& grad, const double* a,
                        double old_obj, Rng& rng, std::vector<double>& best, std::vector<double>& xnew) const {
    const size_t nx = x.size();
    best.assign(nx, 0.0);
    double lowest = 1.7976931348623157e308;  // Double.MAX_VALUE
    if (old_obj == 0) return 0;
    const double scale = old_obj > 10 ? 1.0 / old_obj : 1.0;
    for (int index = 0; index < kAlphas; ++index) {
      const double alpha = alphas_[index] * scale;
      for (size_t k = 0; k < nx; ++k) u[k] = x[k] - alpha * grad[k];
      xnew = u;
      ProxGrad(xnew, alpha * p_.gammax, rng);
      const double new_obj = Objective(xnew.data(), a);
      if (lowest > new_obj) {
        best = xnew;
        lowest = new_obj;
      }
      if (new_obj == 0) break;
    }
    if (lowest < old_obj) x = best;
    return lowest;
  }

  // ArrayUtils.maxIndex(from, rand): ties broken by reservoir sampling with nextInt.
  static size_t MaxIndex(const std::vector<double>& v, Rng& rng) {
    size_t result = 0;
    int32_t count = 0;
    for (size_t i = 1; i < v.size(); ++i) {
      if (v[i] > v[result]) {
        result = i;
        count = 1;
      } else if (v[i] == v[result]) {
        if (rng.NextInt(++count) == 0) result = i;
      }
    }
    return result;
  }

  double Regularize(const double* u) const {
    const size_t n = static_cast<size_t>(p_.ncolX);
    switch (p_.regx) {
      case Reg::kNone: return 0;
      case Reg::kQuadratic: {
        double s = 0;
        for (size_t i = 0; i < n; ++i) s += u[i] * u[i];
        return s;
      }
      case Reg::kL2: {
        double s = 0;
        for (size_t i = 0; i < n; ++i) s += u[i] * u[i];
        return std::sqrt(s);
      }
      case Reg::kL1: {
        double s = 0;
        for (size_t i = 0; i < n; ++i) s += std::fabs(u[i]);
        return s;
      }
      case Reg::kNonNegative:
        for (size_t i = 0; i < n; ++i)
          if (u[i] < 0) return INFINITY;
        return 0;
      case Reg::kOneSparse: {
        int card = 0;
        for (size_t i = 0; i < n; ++i) {
          if (u[i] < 0) return INFINITY;
          if (u[i] > 0) ++card;
        }
        return card == 1 ? 0 : INFINITY;
      }
      case Reg::kUnitOneSparse: {
        size_t ones = 0, zeros = 0;
        for (size_t i = 0; i < n; ++i) {
          if (u[i] == 1) ++ones;
          else if (u[i] == 0) ++zeros;
          else return INFINITY;
        }
        return ones == 1 && zeros == n - 1 ? 0 : INFINITY;
      }
      case Reg::kSimplex: {
        double sum = 0, absum = 0;
        for (size_t i = 0; i < n; ++i) {
          if (u[i] < 0) return INFINITY;
          sum += u[i];
          absum += std::fabs(u[i]);
        }
        // MathUtils.equalsWithinRecSumErr(sum, 1.0, n, absum)
        return std::fabs(sum - 1.0) <= static_cast<double>(static_cast<int32_t>(n) - 1) * JavaUlp(sum) * absum ? 0
                                                                                                           : INFINITY;
      }
    }
    return 0;
  }

  static double JavaUlp(double d) {
    if (std::isnan(d)) return d;
    if (std::isinf(d)) return INFINITY;
    d = std::fabs(d);
    if (d == 0 || d < 0x1p-1022) return 0x1p-1074;
    int e;
    std::frexp(d, &e);  // d = m * 2^e, m in [0.5, 1)
    return std::ldexp(1.0, e - 53);
  }

  // The X regulariser's proximal operator, in place (rproxgrad(u, delta)).
  void ProxGrad(std::vector<double>& u, double delta, Rng& rng) const {
    if (delta == 0) return;
    const size_t n = u.size();
    switch (p_.regx) {
      case Reg::kNone: return;
      case Reg::kQuadratic: {
        const double f = 1 / (1 + 2 * delta);
        for (double& v : u) v = v * f;
        return;
      }
      case Reg::kL2: {
        double s = 0;
        for (double v : u) s += v * v;
        const double weight = 1 - delta / std::sqrt(s);
        if (weight < 0) {
          std::fill(u.begin(), u.end(), 0.0);
          return;
        }
        for (double& v : u) v = weight * v;
        return;
      }
      case Reg::kL1:
        for (double& v : u) v = JavaMax(v - delta, 0) + JavaMin(v + delta, 0);
        return;
      case Reg::kNonNegative:
        for (double& v : u) v = JavaMax(v, 0);
        return;
      case Reg::kOneSparse:
      case Reg::kUnitOneSparse: {
        const size_t idx = MaxIndex(u, rng);
        const double keep = p_.regx == Reg::kUnitOneSparse ? 1.0 : (u[idx] > 0 ? u[idx] : 1e-6);
        std::fill(u.begin(), u.end(), 0.0);
        u[idx] = keep;
        return;
      }
      case Reg::kSimplex: {
        thread_local std::vector<size_t> idx;
        thread_local std::vector<double> csum;
        idx.resize(n);
        for (size_t i = 0; i < n; ++i) idx[i] = i;
        for (size_t i = 0; i < n; ++i)  // ArrayUtils.sort: insertion sort by value
          for (size_t j = i; j > 0 && u[idx[j - 1]] > u[idx[j]]; --j) std::swap(idx[j], idx[j - 1]);
        csum.assign(n, 0.0);
        csum[n - 1] = u[idx[n - 1]];
        for (size_t i = n - 1; i-- > 0;) csum[i] = csum[i + 1] + u[idx[i]];
        double t = (csum[0] - 1) / static_cast<double>(static_cast<int32_t>(n));
        for (size_t i = n - 1; i >= 1; --i) {
          const double tmp = (csum[i] - 1) / static_cast<double>(static_cast<int32_t>(n - i));
          if (tmp >= u[idx[i - 1]]) {
            t = tmp;
            break;
          }
        }
        for (double& v : u) v = JavaMax(v - t, 0);
        return;
      }
    }
  }

  // project(u): NonNegative/OneSparse/UnitOneSparse apply their proximal operator with delta 1;
  // Simplex only when u is outside the simplex; the others leave u alone.
  void Project(std::vector<double>& u, Rng& rng) const {
    switch (p_.regx) {
      case Reg::kNonNegative:
      case Reg::kOneSparse:
      case Reg::kUnitOneSparse: ProxGrad(u, 1, rng); return;
      case Reg::kSimplex:
        if (Regularize(u.data()) != 0) ProxGrad(u, 1, rng);
        return;
      default: return;
    }
  }

  Params p_;
  double alphas_[kAlphas];
};

}  // namespace

std::unique_ptr<MojoModel> LoadGlrm(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  const std::string& path = meta.path;
  RequireMojoVersion(meta, {1.10}, OlderMojoVersions::kRead);
  const double version = *JavaParseDouble(meta.mojo_version);
  if (version < 1.10 || !ini.Has("seed") || !ini.Has("catOffsets") || !ini.Has("transposed") ||
      !ini.Has("reverse_transform"))
    Fail(ErrorKind::kUnimplemented, path + ": GLRM MOJO " + meta.mojo_version +
                                        " without a seed: genmodel scores it from a clock-seeded random start, which "
                                        "cannot be reproduced (supported: MOJO 1.10 with a seed)");
  GlrmModel::Params p;
  auto require_int = [&](const char* key, int64_t lo, int64_t hi) {
    const int64_t v = ini.RequireInt(key);
    if (v < lo || v > hi) Fail(ErrorKind::kDataLoss, path + ": GLRM " + key + " = " + std::to_string(v));
    return static_cast<int>(v);
  };
  p.ncolA = require_int("ncolA", 1, 1 << 24);
  p.ncolY = require_int("ncolY", 1, 1 << 24);
  const int nrow_y = require_int("nrowY", 1, 1 << 16);
  p.ncolX = require_int("ncolX", 1, 1 << 16);
  if (nrow_y != p.ncolX)
    Fail(ErrorKind::kDataLoss, path + ": GLRM nrowY = " + std::to_string(nrow_y) + " differs from ncolX = " +
                                   std::to_string(p.ncolX));
  if (static_cast<int64_t>(p.ncolX) * p.ncolY > (1 << 26))
    Fail(ErrorKind::kDataLoss, path + ": GLRM archetypes of " + std::to_string(p.ncolX) + " x " + std::to_string(p.ncolY));
  p.regx_name = ini.RequireString("regularizationX");
  static const std::pair<const char*, Reg> kRegs[] = {
      {"None", Reg::kNone},           {"Quadratic", Reg::kQuadratic},         {"L2", Reg::kL2},
      {"L1", Reg::kL1},               {"NonNegative", Reg::kNonNegative},     {"OneSparse", Reg::kOneSparse},
      {"UnitOneSparse", Reg::kUnitOneSparse}, {"Simplex", Reg::kSimplex}};
  bool reg_known = false;
  for (const auto& [name, reg] : kRegs)
    if (p.regx_name == name) {
      p.regx = reg;
      reg_known = true;
    }
  if (!reg_known) Fail(ErrorKind::kUnimplemented, path + ": GLRM regularizationX '" + p.regx_name + "' is not supported");
  const auto gammax = ini.Double("gammaX");
  if (!gammax) Fail(ErrorKind::kDataLoss, path + ": model.ini lacks required key 'gammaX'");
  p.gammax = *gammax;
  const std::string init = ini.RequireString("initialization");
  if (init != "Random" && init != "SVD" && init != "PlusPlus" && init != "User" && init != "Power")
    Fail(ErrorKind::kDataLoss, path + ": GLRM initialization '" + init + "' is not one of genmodel's");
  p.ncats = require_int("num_categories", 0, p.ncolA);
  p.nnums = require_int("num_numeric", 0, p.ncolA);
  if (p.ncats + p.nnums != p.ncolA)
    Fail(ErrorKind::kDataLoss, path + ": GLRM num_categories + num_numeric != ncolA");
  p.norm_sub = ini.Doubles("norm_sub").value_or(std::vector<double>{});
  p.norm_mul = ini.Doubles("norm_mul").value_or(std::vector<double>{});
  if (p.norm_sub.size() != static_cast<size_t>(p.nnums) || p.norm_mul.size() != static_cast<size_t>(p.nnums))
    Fail(ErrorKind::kDataLoss, path + ": GLRM norm_sub/norm_mul do not have " + std::to_string(p.nnums) + " entries");
  const auto perm = ini.Int32s("cols_permutation");
  if (!perm || perm->size() != static_cast<size_t>(p.ncolA))
    Fail(ErrorKind::kDataLoss, path + ": GLRM cols_permutation does not have ncolA entries");
  p.permutation = *perm;
  for (int32_t c : p.permutation) {
    if (c < 0) Fail(ErrorKind::kDataLoss, path + ": GLRM cols_permutation holds " + std::to_string(c));
    p.min_row_len = std::max(p.min_row_len, static_cast<size_t>(c) + 1);
  }
  const auto levels = ini.Int32s("num_levels_per_category");
  if (!levels || levels->size() < static_cast<size_t>(p.ncats))
    Fail(ErrorKind::kDataLoss, path + ": GLRM num_levels_per_category has fewer than num_categories entries");
  p.num_levels = *levels;
  int64_t expanded = p.nnums;
  for (int j = 0; j < p.ncats; ++j) {
    if (p.num_levels[static_cast<size_t>(j)] < 1)
      Fail(ErrorKind::kDataLoss, path + ": GLRM categorical " + std::to_string(j) + " has " +
                                     std::to_string(p.num_levels[static_cast<size_t>(j)]) + " levels");
    expanded += p.num_levels[static_cast<size_t>(j)];
  }
  if (expanded > p.ncolY)
    Fail(ErrorKind::kDataLoss, path + ": GLRM ncolY = " + std::to_string(p.ncolY) + " is smaller than the expanded columns (" +
                                   std::to_string(expanded) + ")");
  p.seed = ini.RequireInt("seed");

  const std::string losses_text = archive.Read("losses");
  for (std::string_view line : SplitLines(losses_text)) {
    const std::string l(line);
    static const std::pair<const char*, Loss> kLosses[] = {
        {"Quadratic", Loss::kQuadratic}, {"Absolute", Loss::kAbsolute}, {"Huber", Loss::kHuber},
        {"Poisson", Loss::kPoisson},     {"Logistic", Loss::kLogistic}, {"Hinge", Loss::kHinge},
        {"Categorical", Loss::kCategorical}, {"Ordinal", Loss::kOrdinal}};
    bool known = false;
    for (const auto& [name, loss] : kLosses)
      if (l == name) {
        p.losses.push_back(loss);
        known = true;
      }
    if (!known) {
      if (l.rfind("Periodic", 0) == 0)
        Fail(ErrorKind::kUnimplemented, path + ": GLRM loss '" + l +
                                            "' is not supported (h2o-genmodel cannot load it either)");
      Fail(ErrorKind::kDataLoss, path + ": unknown GLRM loss '" + l + "'");
    }
    p.loss_names.push_back(l);
  }
  if (p.losses.size() != static_cast<size_t>(p.ncolA))
    Fail(ErrorKind::kDataLoss, path + ": GLRM losses lists " + std::to_string(p.losses.size()) + " losses for " +
                                   std::to_string(p.ncolA) + " columns");
  for (int j = 0; j < p.ncolA; ++j)
    if (IsMulti(p.losses[static_cast<size_t>(j)]) != (j < p.ncats))
      Fail(ErrorKind::kDataLoss, path + ": GLRM loss " + p.loss_names[static_cast<size_t>(j)] + " does not fit " +
                                     (j < p.ncats ? "categorical" : "numeric") + " column " + std::to_string(j));

  std::string blob = archive.Read("archetypes");
  const size_t count = static_cast<size_t>(p.ncolX) * static_cast<size_t>(p.ncolY);
  if (blob.size() < count * 8)
    Fail(ErrorKind::kDataLoss, path + ": GLRM archetypes holds " + std::to_string(blob.size()) + " bytes, " +
                                   std::to_string(count * 8) + " expected");
  p.arch = JavaBlob(std::move(blob), path + ": GLRM archetypes").Doubles(count);
  return std::make_unique<GlrmModel>(std::move(meta), std::move(p));
}

}  // namespace scorehost::h2o3
