// K-means MOJOs (genmodel KMeansMojoModel, GenModel.Kmeans_preprocessData / KMeans_closest):
// optional standardisation (NaN numerics -> mean, then (x - mean) * mult; NaN categoricals ->
// mode), then the first centre at the strictly smallest distance: squared differences on
// numerics, 1 per categorical mismatch, missing dimensions skipped and the sum rescaled by
// n / present. Output: the cluster index.
#include <cmath>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"

namespace scorehost::h2o3 {

namespace {

class KMeansModel final : public RowScorer<KMeansModel> {
 public:
  struct Params {
    bool standardize = false;
    std::vector<double> means, mults;
    std::vector<int64_t> modes;
    std::vector<std::vector<double>> centers;
  };
  KMeansModel(MojoMeta meta, Params p) : RowScorer(std::move(meta)), p_(std::move(p)) {}

  void ScoreRow(const double* row, size_t row_len, double /*offset*/, double* preds) const {
    const size_t n = static_cast<size_t>(meta_.n_features);
    // Java walks the whole row (preprocessing) and each centre's length (distance).
    if (row_len < n)
      Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values but the model needs " + std::to_string(n));
    if (p_.standardize && row_len > n)
      Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values, the model takes " + std::to_string(n));
    thread_local std::vector<double> x;
    x.assign(row, row + n);
    if (p_.standardize) {
      for (size_t i = 0; i < n; ++i) {
        if (p_.modes[i] == -1) {
          if (std::isnan(x[i])) x[i] = p_.means[i];
          x[i] = (x[i] - p_.means[i]) * p_.mults[i];
        } else if (std::isnan(x[i])) {
          x[i] = static_cast<double>(p_.modes[i]);
        }
      }
    }
    int best = -1;
    double min_dist = INFINITY;
    for (size_t c = 0; c < p_.centers.size(); ++c) {
      const std::vector<double>& center = p_.centers[c];
      double d = 0;
      int pts = 0;
      for (size_t col = 0; col < center.size(); ++col) {
        if (std::isnan(x[col])) continue;
        if (meta_.domains[col]) d += x[col] != center[col] ? 1 : 0;
        else d += (x[col] - center[col]) * (x[col] - center[col]);
        ++pts;
      }
      if (0 < pts && static_cast<size_t>(pts) < center.size()) d *= static_cast<double>(center.size()) / pts;
      if (d < min_dist) {
        min_dist = d;
        best = static_cast<int>(c);
      }
    }
    preds[0] = best;
  }

  std::vector<std::string> OutputNames() const override { return {"cluster"}; }
  std::string Describe() const override {
    return "H2O-3 K-means, " + std::to_string(p_.centers.size()) + " clusters" + (p_.standardize ? " (standardized)" : "") +
           ", MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return false; }

 private:
  Params p_;
};

}  // namespace

std::unique_ptr<MojoModel> LoadKMeans(Archive& /*archive*/, const ModelIni& ini, MojoMeta meta) {
  const std::string& path = meta.path;
  RequireMojoVersion(meta, {1.00}, OlderMojoVersions::kRead);
  const size_t n = static_cast<size_t>(meta.n_features);
  KMeansModel::Params p;
  p.standardize = ini.Bool("standardize").value_or(false);
  if (p.standardize) {
    p.means = ini.Doubles("standardize_means").value_or(std::vector<double>{});
    p.mults = ini.Doubles("standardize_mults").value_or(std::vector<double>{});
    p.modes = ini.Ints("standardize_modes").value_or(std::vector<int64_t>{});
    if (p.means.size() != n || p.mults.size() != n || p.modes.size() != n)
      Fail(ErrorKind::kDataLoss, path + ": K-means standardize_means/mults/modes do not have " + std::to_string(n) + " entries");
  }
  const int64_t k = ini.RequireInt("center_num");
  if (k <= 0 || k > (1 << 20)) Fail(ErrorKind::kDataLoss, path + ": center_num = " + std::to_string(k));
  for (int64_t c = 0; c < k; ++c) {
    auto center = ini.Doubles("center_" + std::to_string(c));
    if (!center || center->size() != n)
      Fail(ErrorKind::kDataLoss, path + ": K-means center_" + std::to_string(c) + " does not have " + std::to_string(n) + " values");
    p.centers.push_back(std::move(*center));
  }
  return std::make_unique<KMeansModel>(std::move(meta), std::move(p));
}

}  // namespace scorehost::h2o3
