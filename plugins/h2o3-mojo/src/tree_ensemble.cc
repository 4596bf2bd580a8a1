#include "tree_ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "tree_decoder.hpp"

namespace scorehost::h2o3 {

namespace {

// String.format("trees/t%02d_%03d.bin", cls, group): the widths are minimums, so group 1000 is
// "t00_1000.bin".
std::string TreeBlobName(int cls, int group, bool aux) {
  char buf[64];
  std::snprintf(buf, sizeof buf, aux ? "trees/t%02d_%03d_aux.bin" : "trees/t%02d_%03d.bin", cls, group);
  return buf;
}

// calib/thresholds_*: a plain java.nio.ByteBuffer blob, i.e. big-endian int32 count + doubles.
std::vector<double> ReadBigEndianDoubles(Archive& archive, const std::string& name) {
  std::string blob = archive.Read(name);
  auto u8 = [&](size_t i) { return static_cast<uint64_t>(static_cast<uint8_t>(blob[i])); };
  if (blob.size() < 4) Fail(ErrorKind::kDataLoss, archive.path() + ": " + name + " is truncated");
  const int64_t n = static_cast<int32_t>((u8(0) << 24) | (u8(1) << 16) | (u8(2) << 8) | u8(3));
  if (n < 0 || static_cast<uint64_t>(n) > (blob.size() - 4) / 8)
    Fail(ErrorKind::kDataLoss, archive.path() + ": " + name + " declares " + std::to_string(n) +
                                   " values but holds " + std::to_string((blob.size() - 4) / 8));
  std::vector<double> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    uint64_t bits = 0;
    for (size_t b = 0; b < 8; ++b) bits = (bits << 8) | u8(4 + static_cast<size_t>(i) * 8 + b);
    std::memcpy(&out[static_cast<size_t>(i)], &bits, sizeof(double));
  }
  return out;
}

// Arrays.binarySearch(double[], double): Double.compare ordering; -(insertion point) - 1 if absent.
int64_t JavaBinarySearch(const std::vector<double>& a, double key) {
  int64_t lo = 0, hi = static_cast<int64_t>(a.size()) - 1;
  while (lo <= hi) {
    const int64_t mid = (lo + hi) >> 1;
    const double v = a[static_cast<size_t>(mid)];
    if (v < key) {
      lo = mid + 1;
    } else if (v > key) {
      hi = mid - 1;
    } else {
      const int64_t vb = JavaRawBits(std::isnan(v) ? NAN : v), kb = JavaRawBits(std::isnan(key) ? NAN : key);
      if (vb == kb) return mid;
      if (vb < kb) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return -(lo + 1);
}

}  // namespace

TreeDialect TreeDialectFor(const MojoMeta& meta) {
  const auto v = JavaParseDouble(meta.mojo_version);
  if (!v) Fail(ErrorKind::kDataLoss, meta.path + ": unparseable mojo_version '" + meta.mojo_version + "'");
  if (*v == 1.00) return TreeDialect::kV100;
  if (*v == 1.10) return TreeDialect::kV110;
  if (*v == 1.20 || *v == 1.30 || *v == 1.40) return TreeDialect::kCurrent;
  Fail(ErrorKind::kUnimplemented, meta.path + ": " + meta.algorithm + " MOJO version " + meta.mojo_version +
                                      " is not supported (supported: 1.00, 1.10, 1.20, 1.30, 1.40)");
}

TreeEnsemble TreeEnsemble::Load(Archive& archive, const ModelIni& ini, const MojoMeta& meta, int default_per_group,
                                bool encoding_handled) {
  TreeEnsemble e;
  e.dialect_ = TreeDialectFor(meta);
  if (!encoding_handled && e.dialect_ == TreeDialect::kCurrent && ini.Has("_genmodel_encoding")) {
    const std::string enc = ini.String("_genmodel_encoding").value_or("AUTO");
    if (enc != "AUTO" && enc != "Enum" && enc != "SortByResponse")
      Fail(ErrorKind::kUnimplemented, meta.path + ": categorical encoding '" + enc + "' of this " + meta.algorithm +
                                          " MOJO (version " + meta.mojo_version + ") is not supported (only AUTO/Enum)");
  }
  const int64_t groups = ini.RequireInt("n_trees");
  const int64_t per_group = ini.Int("n_trees_per_class").value_or(default_per_group);
  if (groups < 0 || per_group < 1 || per_group > 100000 || groups > (int64_t{1} << 24) ||
      groups * per_group > (int64_t{1} << 24))
    Fail(ErrorKind::kDataLoss, meta.path + ": implausible tree grid n_trees=" + std::to_string(groups) +
                                   " x n_trees_per_class=" + std::to_string(per_group));
  e.n_groups_ = static_cast<int>(groups);
  e.n_per_group_ = static_cast<int>(per_group);
  e.roots_.resize(static_cast<size_t>(per_group));
  TreeDecodeContext ctx{e.dialect_, static_cast<size_t>(meta.n_features), &meta.domain_sizes, {}};
  // TreeSHAP needs the node weights of the aux blobs and genmodel's current tree layout; H2O only
  // computes contributions for one tree per group (regression, binomial).
  if (e.dialect_ != TreeDialect::kCurrent)
    e.shap_unavailable_ = "TreeSHAP contributions need MOJO version 1.20 or later (this is " + meta.mojo_version + ")";
  else if (per_group != 1)
    e.shap_unavailable_ = "TreeSHAP contributions are only defined for one tree per group (regression, binomial)";
  for (int c = 0; c < e.n_per_group_; ++c) {
    for (int g = 0; g < e.n_groups_; ++g) {
      const std::string name = TreeBlobName(c, g, false);
      if (!archive.Exists(name)) continue;  // Java skips absent trees: they contribute nothing
      const std::string blob = archive.Read(name);
      ctx.origin = archive.path() + ": " + name;
      const int32_t root = DecodeTree(blob, ctx, e.store_);
      e.roots_[static_cast<size_t>(c)].push_back(root);
      ++e.n_present_;
      if (!e.shap_unavailable_.empty()) continue;
      // A broken aux blob only costs the contributions, as in Java (which reads them lazily).
      const std::string aux_name = TreeBlobName(c, g, true);
      try {
        if (!archive.Exists(aux_name))
          Fail(ErrorKind::kUnimplemented, archive.path() + ": " + aux_name + " (node weights) is missing");
        e.shap_.AddTree(e.store_, root, archive.Read(aux_name), archive.path() + ": " + aux_name);
      } catch (const MojoError& err) {
        e.shap_unavailable_ = std::string("TreeSHAP contributions are unavailable: ") + err.what();
        e.shap_ = TreeShapForest();
      }
    }
  }
  e.store_.nodes.shrink_to_fit();
  e.store_.splits.shrink_to_fit();
  e.store_.leaves.shrink_to_fit();
  return e;
}

void TreeEnsemble::Contribute(const double* rows, size_t n_rows, size_t row_len, size_t n_features, float bias,
                              float* out) const {
  if (!shap_unavailable_.empty()) Fail(ErrorKind::kUnimplemented, shap_unavailable_);
  if (static_cast<int64_t>(row_len) <= static_cast<int64_t>(store_.max_col))
    FailShortRow(row_len, static_cast<uint32_t>(store_.max_col));
  std::vector<TreeShapForest::PathElement> workspace(shap_.workspace_size());
  const size_t width = n_features + 1;
  for (size_t r = 0; r < n_rows; ++r) {
    float* phi = out + r * width;
    std::fill(phi, phi + width, 0.0f);
    phi[n_features] += bias;  // TreeSHAPEnsemble adds init_f before the trees
    shap_.Accumulate(store_, rows + r * row_len, phi, n_features, workspace.data());
  }
}

Calibration Calibration::Load(Archive& archive, const ModelIni& ini, const MojoMeta& meta) {
  Calibration cal;
  auto method = ini.String("calib_method");
  if (!method) {
    // Before isotonic calibration existed, a Platt-calibrated MOJO only carried calib_glm_beta.
    auto beta = ini.Doubles("calib_glm_beta");
    if (!beta || beta->empty()) return cal;
    method = "platt";
  }
  if (*method == "platt") {
    auto beta = ini.Doubles("calib_glm_beta");
    if (!beta || beta->size() != 2)
      Fail(ErrorKind::kDataLoss, meta.path + ": Platt calibration needs calib_glm_beta with 2 values");
    cal.kind_ = Kind::kPlatt;
    cal.beta_[0] = (*beta)[0];
    cal.beta_[1] = (*beta)[1];
  } else if (*method == "isotonic") {
    cal.kind_ = Kind::kIsotonic;
    cal.min_x_ = ini.Double("calib_min_x").value_or(NAN);
    cal.max_x_ = ini.Double("calib_max_x").value_or(NAN);
    cal.xs_ = ReadBigEndianDoubles(archive, "calib/thresholds_x");
    cal.ys_ = ReadBigEndianDoubles(archive, "calib/thresholds_y");
    if (cal.xs_.size() != cal.ys_.size())
      Fail(ErrorKind::kDataLoss, meta.path + ": isotonic calibration thresholds differ in length");
  } else {
    Fail(ErrorKind::kUnimplemented, meta.path + ": unknown calibration method '" + *method + "'");
  }
  if (!(meta.category == ModelCategory::kBinomial && meta.n_classes == 2))
    Fail(ErrorKind::kDataLoss, meta.path + ": calibration is only defined for binomial models");
  return cal;
}

void Calibration::Apply(double* preds) const {
  double p;
  if (kind_ == Kind::kPlatt) {
    p = 1.0 / (std::exp(-(preds[1] * beta_[0] + beta_[1])) + 1.0);
  } else if (kind_ == Kind::kIsotonic) {
    double x = preds[2];
    if (!std::isnan(x)) x = x < min_x_ ? min_x_ : JavaMin(x, max_x_);
    if (std::isnan(x) || x < min_x_ || x > max_x_) {
      p = NAN;
    } else {
      const int64_t pos = JavaBinarySearch(xs_, x);
      if (pos >= 0) {
        p = ys_[static_cast<size_t>(pos)];
      } else {
        const int64_t lo = -pos - 2, hi = lo + 1;
        if (lo < 0 || hi >= static_cast<int64_t>(xs_.size())) {
          p = NAN;  // thresholds do not cover [min_x, max_x]; Java would assert
        } else {
          const double xl = xs_[static_cast<size_t>(lo)], xh = xs_[static_cast<size_t>(hi)];
          const double yl = ys_[static_cast<size_t>(lo)], yh = ys_[static_cast<size_t>(hi)];
          p = yl + (yh - yl) / (xh - xl) * (x - xl);
        }
      }
    }
  } else {
    return;
  }
  preds[1] = 1.0 - p;
  preds[2] = p;
}

}  // namespace scorehost::h2o3
