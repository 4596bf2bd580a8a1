// Principal Component Analysis MOJOs (genmodel PCAMojoModel, MOJO 1.00). The row is read through
// `permutation` (categoricals first, then numerics). Each component i sums, per categorical, the
// eigenvector entry of the row's level (level - 1 when the first level was dropped; missing and
// out-of-range levels add nothing), then per numeric (x - normSub) * normMul * eigenvector. A
// missing numeric makes the components NaN, as in Java. Output: PC1..PCk (PredictCsv's columns).
#include <algorithm>
#include <cmath>

#include "errors.hpp"
#include "java_blob.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"

namespace scorehost::h2o3 {

namespace {

class PcaModel final : public RowScorer<PcaModel> {
 public:
  struct Params {
    int k = 0, ncats = 0, nnums = 0;
    bool use_all_factor_levels = false;
    std::string method, impl;
    std::vector<int32_t> permutation;  // ncats + nnums row indices
    std::vector<int32_t> cat_offsets;  // ncats + 1
    std::vector<double> norm_sub, norm_mul;
    std::vector<double> eigen;  // eigenvector_size x k, row-major
    size_t min_row_len = 0;     // 1 + the largest row index read
  };
  PcaModel(MojoMeta meta, Params p) : RowScorer(std::move(meta)), p_(std::move(p)) {}

  void ScoreRow(const double* row, size_t row_len, double /*offset*/, double* preds) const {
    if (row_len < p_.min_row_len)
      Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values but the PCA model reads " +
                                            std::to_string(p_.min_row_len));
    const size_t k = static_cast<size_t>(p_.k);
    const int32_t num_start = p_.cat_offsets[static_cast<size_t>(p_.ncats)];
    for (size_t i = 0; i < k; ++i) {
      double sum = 0;
      for (int j = 0; j < p_.ncats; ++j) {
        const double v = row[p_.permutation[static_cast<size_t>(j)]];
        if (std::isnan(v)) continue;
        const int32_t last = p_.cat_offsets[static_cast<size_t>(j) + 1] - p_.cat_offsets[static_cast<size_t>(j)] - 1;
        const int32_t level = JavaISub(JavaD2I(v), p_.use_all_factor_levels ? 0 : 1);
        if (level < 0 || level > last) continue;
        sum += p_.eigen[static_cast<size_t>(p_.cat_offsets[static_cast<size_t>(j)] + level) * k + i];
      }
      for (int j = 0; j < p_.nnums; ++j) {
        const size_t js = static_cast<size_t>(j);
        const double v = row[p_.permutation[static_cast<size_t>(p_.ncats) + js]];
        sum += (v - p_.norm_sub[js]) * p_.norm_mul[js] * p_.eigen[(static_cast<size_t>(num_start) + js) * k + i];
      }
      preds[i] = sum;
    }
  }

  size_t preds_size() const override { return static_cast<size_t>(p_.k); }
  size_t min_preds_size() const override { return static_cast<size_t>(p_.k); }
  std::vector<std::string> OutputNames() const override {
    std::vector<std::string> names;
    for (int i = 1; i <= p_.k; ++i) names.push_back("PC" + std::to_string(i));
    return names;
  }
  std::string Describe() const override {
    return "H2O-3 PCA (" + p_.method + (p_.impl.empty() ? "" : ", " + p_.impl) + "), " + std::to_string(p_.k) +
           " components, MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return false; }

 private:
  Params p_;
};

}  // namespace

std::unique_ptr<MojoModel> LoadPca(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  const std::string& path = meta.path;
  RequireMojoVersion(meta, {1.00}, OlderMojoVersions::kRead);
  PcaModel::Params p;
  auto require_int = [&](const char* key, int64_t lo, int64_t hi) {
    const int64_t v = ini.RequireInt(key);
    if (v < lo || v > hi) Fail(ErrorKind::kDataLoss, path + ": PCA " + key + " = " + std::to_string(v));
    return static_cast<int>(v);
  };
  p.use_all_factor_levels = ini.RequireBool("use_all_factor_levels");
  p.method = ini.String("pcaMethod").value_or(ini.String("pca_methods").value_or("unknown method"));
  p.impl = ini.String("pca_impl").value_or("");
  p.k = require_int("k", 1, 1 << 16);
  p.ncats = require_int("ncats", 0, 1 << 24);
  p.nnums = require_int("nnums", 0, 1 << 24);
  const auto perm = ini.Int32s("permutation");
  if (!perm || perm->size() != static_cast<size_t>(p.ncats) + static_cast<size_t>(p.nnums))
    Fail(ErrorKind::kDataLoss, path + ": PCA permutation does not have ncats + nnums entries");
  p.permutation = *perm;
  for (int32_t c : p.permutation) {
    if (c < 0) Fail(ErrorKind::kDataLoss, path + ": PCA permutation holds " + std::to_string(c));
    p.min_row_len = std::max(p.min_row_len, static_cast<size_t>(c) + 1);
  }
  if (p.nnums > 0) {
    p.norm_sub = ini.Doubles("normSub").value_or(std::vector<double>{});
    p.norm_mul = ini.Doubles("normMul").value_or(std::vector<double>{});
    if (p.norm_sub.size() != static_cast<size_t>(p.nnums) || p.norm_mul.size() != static_cast<size_t>(p.nnums))
      Fail(ErrorKind::kDataLoss, path + ": PCA normSub/normMul do not have " + std::to_string(p.nnums) + " entries");
  }
  const auto offs = ini.Int32s("catOffsets");
  if (!offs || offs->size() != static_cast<size_t>(p.ncats) + 1)
    Fail(ErrorKind::kDataLoss, path + ": PCA catOffsets does not have ncats + 1 entries");
  p.cat_offsets = *offs;
  if (p.cat_offsets[0] < 0) Fail(ErrorKind::kDataLoss, path + ": PCA catOffsets starts below 0");
  for (size_t j = 1; j < p.cat_offsets.size(); ++j)
    if (p.cat_offsets[j] < p.cat_offsets[j - 1]) Fail(ErrorKind::kDataLoss, path + ": PCA catOffsets is not increasing");
  const int n_vec = require_int("eigenvector_size", 0, 1 << 24);
  if (static_cast<int64_t>(p.cat_offsets.back()) + p.nnums > n_vec)
    Fail(ErrorKind::kDataLoss, path + ": PCA eigenvector_size = " + std::to_string(n_vec) +
                                   " is smaller than the expanded features (" +
                                   std::to_string(static_cast<int64_t>(p.cat_offsets.back()) + p.nnums) + ")");
  std::string blob = archive.Read("eigenvectors_raw");
  const size_t count = static_cast<size_t>(n_vec) * static_cast<size_t>(p.k);
  // Java reads exactly eigenvector_size * k doubles and fails on a shorter blob.
  if (blob.size() < count * 8)
    Fail(ErrorKind::kDataLoss, path + ": PCA eigenvectors_raw holds " + std::to_string(blob.size()) + " bytes, " +
                                   std::to_string(count * 8) + " expected");
  p.eigen = JavaBlob(std::move(blob), path + ": PCA eigenvectors_raw").Doubles(count);
  return std::make_unique<PcaModel>(std::move(meta), std::move(p));
}

}  // namespace scorehost::h2o3
