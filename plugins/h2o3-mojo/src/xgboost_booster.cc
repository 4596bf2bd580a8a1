// Reader and scorer of XGBoost's legacy binary model (see xgboost_booster.hpp). Layout, all
// little-endian:
//   learner:  f32 base_score, u32 num_feature, i32 num_class, i32 contain_extra_attrs,
//             i32 contain_eval_metrics, u32 major_version, u32 minor_version, 27 reserved i32
//             (136 bytes; an old file may start with the magic "binf"), then two strings
//             (u64 length + bytes): the objective and the booster name.
//   gbtree:   i32 num_trees, i32 num_roots, i32 num_feature, pad, i64 num_pbuffer,
//             i32 num_output_group, i32 size_leaf_vector, 32 reserved i32 (160 bytes); the trees;
//             i32 tree_info[num_trees] (output group of each tree); prediction buffers if any.
//   tree:     i32 num_roots, num_nodes, num_deleted, max_depth, num_feature, size_leaf_vector,
//             31 reserved i32 (148 bytes); nodes (i32 parent, cleft, cright, u32 sindex with the
//             default-left bit 31, f32 leaf value / split condition); stats (16 bytes per node).
//   dart:     gbtree, then u64 n + f32 weight_drop[n] when there are trees.
//   gblinear: u32 num_feature, i32 num_output_group, 32 reserved i32 (136 bytes), then
//             u64 n + f32 weights[n] ((num_feature + 1) * groups, the bias last).
#include "xgboost_booster.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "errors.hpp"

namespace scorehost::h2o3 {

namespace {

class Reader {
 public:
  Reader(const std::string& bytes, const std::string& origin) : b_(bytes), origin_(origin) {}
  [[noreturn]] void Bad(const std::string& what) const {
    Fail(ErrorKind::kDataLoss, origin_ + ": " + what + " (at byte " + std::to_string(pos_) + ")");
  }
  void Need(uint64_t n) const {
    if (n > b_.size() - pos_) Bad("truncated XGBoost model");
  }
  template <class T>
  T Get() {
    Need(sizeof(T));
    T v;
    std::memcpy(&v, b_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  void Skip(uint64_t n) {
    Need(n);
    pos_ += static_cast<size_t>(n);
  }
  std::string String() {
    const uint64_t n = Get<uint64_t>();
    if (n > 4096) Bad("implausible string length " + std::to_string(n));
    Need(n);
    std::string s(b_.data() + pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  std::vector<float> Floats(uint64_t n) {
    if (n > (b_.size() - pos_) / 4) Bad("truncated XGBoost model");
    std::vector<float> v(static_cast<size_t>(n));
    if (n) std::memcpy(v.data(), b_.data() + pos_, static_cast<size_t>(n) * 4);
    pos_ += static_cast<size_t>(n) * 4;
    return v;
  }
  size_t pos() const { return pos_; }

 private:
  const std::string& b_;
  const std::string& origin_;
  size_t pos_ = 0;
};

// Java: (float) Math.exp(x) with x widened from float.
inline float JExp(float x) { return static_cast<float>(std::exp(static_cast<double>(x))); }

}  // namespace

XgbBooster XgbBooster::Parse(const std::string& bytes, const std::string& origin, int32_t n_inputs) {
  Reader r(bytes, origin);
  XgbBooster b;
  // Learner parameters (xgboost-predictor Predictor.readParam).
  char magic[4];
  std::memcpy(magic, bytes.data(), std::min<size_t>(4, bytes.size()));
  if (bytes.size() >= 4 && std::memcmp(magic, "binf", 4) == 0) r.Skip(4);
  else if (bytes.size() >= 3 && magic[0] == 0x00 && magic[1] == 0x05 && magic[2] == 0x5f)
    Fail(ErrorKind::kUnimplemented, origin + ": XGBoost models saved by xgboost4j-spark are not supported");
  b.base_score_ = r.Get<float>();
  const uint32_t num_feature = r.Get<uint32_t>();
  const int32_t num_class = r.Get<int32_t>();
  const int32_t saved_with_pbuffer = r.Get<int32_t>();
  r.Get<int32_t>();  // contain_eval_metrics
  const uint32_t major_version = r.Get<uint32_t>();
  const uint32_t minor_version = r.Get<uint32_t>();
  r.Skip(4 * 27);    // reserved
  b.objective_name_ = r.String();
  b.booster_name_ = r.String();
  if (num_class < 0 || num_class > (1 << 20)) r.Bad("num_class = " + std::to_string(num_class));
  b.n_groups_ = num_class == 0 ? 1 : num_class;

  const std::string& obj = b.objective_name_;
  if (obj == "binary:logistic") b.objective_ = Objective::kLogistic;
  else if (obj == "multi:softprob") b.objective_ = Objective::kSoftprob;
  else if (obj == "reg:gamma" || obj == "reg:tweedie" || obj == "count:poisson") b.objective_ = Objective::kExp;
  else if (obj == "reg:linear" || obj == "reg:squarederror" || obj == "binary:logitraw" || obj == "rank:pairwise")
    b.objective_ = Objective::kIdentity;
  else Fail(ErrorKind::kUnimplemented, origin + ": XGBoost objective '" + obj + "' is not supported");
  // XGBoost >= 1.0 stores base_score as a probability; the Java predictor turns it into a margin
  // with the objective's probToMargin: logit for binary:logistic, log for the exp objectives
  // (RegObjFunction), unchanged otherwise. (Predictor.getBaseScore() is this margin: TreeSHAP's
  // starting bias too.)
  if (major_version >= 1 && b.objective_ == Objective::kLogistic)
    b.base_score_ = static_cast<float>(-std::log(static_cast<double>(1.0f / b.base_score_ - 1.0f)));
  else if (major_version >= 1 && b.objective_ == Objective::kExp)
    b.base_score_ = static_cast<float>(std::log(static_cast<double>(b.base_score_)));
  // Models of XGBoost > 1.2: the predictor starts every sum from the base margin (trees and
  // linear weights are added to it); older ones add it after the trees (Predictor.predictRaw).
  b.base_first_ = major_version > 1 || (major_version == 1 && minor_version > 2);

  if (b.booster_name_ == "gbtree" || b.booster_name_ == "dart") {
    b.kind_ = b.booster_name_ == "dart" ? Kind::kDart : Kind::kGbtree;
    const int32_t num_trees = r.Get<int32_t>();
    r.Skip(12);  // num_roots, num_feature, padding
    const int64_t num_pbuffer = r.Get<int64_t>();
    r.Skip(4);  // num_output_group
    const int32_t size_leaf_vector = r.Get<int32_t>();
    r.Skip(4 * 32);
    if (num_trees < 0 || static_cast<uint64_t>(num_trees) > bytes.size() / 168)
      r.Bad("implausible tree count " + std::to_string(num_trees));
    b.n_trees_ = static_cast<size_t>(num_trees);
    for (int32_t t = 0; t < num_trees; ++t) {
      r.Skip(4);  // num_roots
      const int32_t num_nodes = r.Get<int32_t>();
      r.Skip(4 * 4 + 4 * 31);
      if (num_nodes <= 0 || static_cast<uint64_t>(num_nodes) > (bytes.size() - r.pos()) / 36)
        r.Bad("tree " + std::to_string(t) + " has an implausible node count " + std::to_string(num_nodes));
      const size_t base = b.nodes_.size();
      if (base + static_cast<size_t>(num_nodes) > INT32_MAX) r.Bad("too many nodes");
      b.roots_.push_back(static_cast<uint32_t>(base));
      for (int32_t i = 0; i < num_nodes; ++i) {
        r.Skip(4);  // parent
        const int32_t cl = r.Get<int32_t>(), cr = r.Get<int32_t>();
        const uint32_t sindex = r.Get<uint32_t>();
        const float value = r.Get<float>();
        Node n{};
        n.value = value;
        const int32_t self = static_cast<int32_t>(base) + i;
        FastNode fast{{self, self}, 0, value};
        if (cl == -1) {
          n.left = n.right = n.dflt = -1;
        } else {
          if (cl < 0 || cl >= num_nodes || cr < 0 || cr >= num_nodes)
            r.Bad("tree " + std::to_string(t) + " node " + std::to_string(i) + " has children out of range");
          n.left = static_cast<int32_t>(base) + cl;
          n.right = static_cast<int32_t>(base) + cr;
          n.dflt = (sindex >> 31) ? n.left : n.right;
          n.feature = sindex & 0x7fffffffu;
          fast = FastNode{{n.right, n.left}, n.feature | ((sindex >> 31) ? kMissingLeft : 0u), value};
        }
        b.nodes_.push_back(n);
        b.fast_.push_back(fast);
      }
      // Node stats (loss_chg, sum_hess, base_weight, leaf_child_cnt): TreeSHAP weighs nodes by sum_hess.
      r.Need(16ull * static_cast<uint64_t>(num_nodes));
      for (int32_t i = 0; i < num_nodes; ++i) {
        r.Skip(4);
        b.hess_.push_back(r.Get<float>());
        r.Skip(8);
      }
      // Every node reachable from the root once (no cycles, no sharing), split features in range.
      std::vector<uint8_t> seen(static_cast<size_t>(num_nodes), 0);
      std::vector<std::pair<int32_t, uint32_t>> stack{{0, 0}};  // node, depth
      uint32_t depth = 0;
      while (!stack.empty()) {
        const auto [i, d] = stack.back();
        stack.pop_back();
        depth = std::max(depth, d);
        if (seen[static_cast<size_t>(i)]++) r.Bad("tree " + std::to_string(t) + " is not a tree (node " + std::to_string(i) + " reached twice)");
        const Node& n = b.nodes_[base + static_cast<size_t>(i)];
        if (n.left < 0) continue;
        if (n.feature >= static_cast<uint32_t>(n_inputs))
          r.Bad("tree " + std::to_string(t) + " splits on feature " + std::to_string(n.feature) + " but the model has " +
                std::to_string(n_inputs) + " inputs");
        stack.push_back({n.left - static_cast<int32_t>(base), d + 1});
        stack.push_back({n.right - static_cast<int32_t>(base), d + 1});
      }
      b.depth_.push_back(depth);
    }
    std::vector<int32_t> tree_info(static_cast<size_t>(num_trees));
    for (auto& g : tree_info) g = r.Get<int32_t>();
    if (num_pbuffer != 0 && saved_with_pbuffer != 0) {
      if (num_pbuffer < 0 || size_leaf_vector < 0) r.Bad("bad prediction buffer size");
      const uint64_t n = static_cast<uint64_t>(b.n_groups_) * static_cast<uint64_t>(num_pbuffer) *
                         (static_cast<uint64_t>(size_leaf_vector) + 1);
      if (n > bytes.size()) r.Bad("truncated prediction buffer");
      r.Skip(8 * n);
    }
    b.group_trees_.assign(static_cast<size_t>(b.n_groups_), {});
    for (size_t j = 0; j < tree_info.size(); ++j)
      if (tree_info[j] >= 0 && tree_info[j] < b.n_groups_) b.group_trees_[static_cast<size_t>(tree_info[j])].push_back(static_cast<uint32_t>(j));
    if (b.kind_ == Kind::kDart && num_trees != 0) {
      b.weight_drop_ = r.Floats(r.Get<uint64_t>());
      // Java's Dart.pred indexes weight_drop by the tree's position within its group.
      for (const auto& g : b.group_trees_)
        if (g.size() > b.weight_drop_.size()) r.Bad("dart weight_drop has fewer entries than trees");
    }
  } else if (b.booster_name_ == "gblinear") {
    b.kind_ = Kind::kGblinear;
    r.Skip(136);
    if (num_feature > static_cast<uint32_t>(n_inputs))
      r.Bad("gblinear has " + std::to_string(num_feature) + " features but the model has " + std::to_string(n_inputs) + " inputs");
    b.linear_features_ = static_cast<int32_t>(num_feature);
    const uint64_t n = r.Get<uint64_t>();
    const uint64_t need = (static_cast<uint64_t>(num_feature) + 1) * static_cast<uint64_t>(b.n_groups_);
    if (n < need) r.Bad("gblinear has " + std::to_string(n) + " weights, expected " + std::to_string(need));
    b.linear_weights_ = r.Floats(n);
  } else {
    Fail(ErrorKind::kUnimplemented, origin + ": XGBoost booster '" + b.booster_name_ + "' is not supported");
  }
  return b;
}

// Rows walking one tree in lockstep: their node loads are independent, so several cache misses
// are in flight at once, and the fixed-length walk has no data-dependent branches.
// (4 lanes: 0.7x, 16 lanes: 0.95x of 8 on xgb_100x6.)
static constexpr size_t kXgbLanes = 8;

void XgbBooster::GroupSums(size_t group, const float* fv, size_t n_rows, size_t stride, float* out,
                           size_t out_stride) const {
  const std::vector<uint32_t>& trees = group_trees_[group];
  const bool dart = kind_ == Kind::kDart;
  float vals[kXgbLanes];
  for (size_t i = 0; i < trees.size(); ++i) {
    const size_t t = trees[i];
    size_t r = 0;
    for (; r + kXgbLanes <= n_rows; r += kXgbLanes) {
      WalkTree<kXgbLanes>(t, fv + r * stride, stride, vals);
      float* o = out + r * out_stride;
      if (dart) {
        const float w = weight_drop_[i];
        for (size_t k = 0; k < kXgbLanes; ++k) o[k * out_stride] += w * vals[k];
      } else {
        for (size_t k = 0; k < kXgbLanes; ++k) o[k * out_stride] += vals[k];
      }
    }
    for (; r < n_rows; ++r) {
      WalkTree<1>(t, fv + r * stride, stride, vals);
      out[r * out_stride] += dart ? weight_drop_[i] * vals[0] : vals[0];
    }
  }
}

void XgbBooster::PredictBlock(const float* fv, size_t n_rows, size_t fv_stride, bool use_margin,
                              const float* margins, float* outs) const {
  const size_t ng = static_cast<size_t>(n_groups_);
  if (kind_ == Kind::kGblinear) {
    const size_t nf = static_cast<size_t>(linear_features_);
    for (size_t r = 0; r < n_rows; ++r) {
      const float* x = fv + r * fv_stride;
      for (size_t g = 0; g < ng; ++g) {
        // libxgboost (GBLinear::Pred) starts from bias + base margin; the Java predictor adds the
        // base score last.
        float psum = linear_weights_[nf * ng + g];
        if (native_linear_order_ || base_first_) psum += use_margin ? margins[r] : base_score_;
        for (size_t f = 0; f < nf; ++f) {
          const float v = x[f];
          if (!std::isnan(v)) psum += v * linear_weights_[f * ng + g];
        }
        outs[r * ng + g] = psum;
      }
    }
  } else {
    for (size_t r = 0; r < n_rows; ++r)
      for (size_t g = 0; g < ng; ++g)
        outs[r * ng + g] = base_first_ ? (use_margin ? margins[r] : base_score_) : 0.0f;
    for (size_t g = 0; g < ng; ++g) GroupSums(g, fv, n_rows, fv_stride, outs + g, ng);
  }
  for (size_t r = 0; r < n_rows; ++r) Finish(outs + r * ng, use_margin ? margins[r] : base_score_);
}

void XgbBooster::Finish(float* out, float base) const {
  const size_t ng = static_cast<size_t>(n_groups_);
  if (!base_first_ && !(kind_ == Kind::kGblinear && native_linear_order_))
    for (size_t g = 0; g < ng; ++g) out[g] += base;

  switch (objective_) {
    case Objective::kIdentity: break;
    case Objective::kLogistic:
      for (size_t g = 0; g < ng; ++g) out[g] = 1.0f / (1.0f + JExp(-out[g]));
      break;
    case Objective::kExp: out[0] = JExp(out[0]); break;
    case Objective::kSoftprob: {
      float mx = out[0];
      for (size_t g = 1; g < ng; ++g) mx = (std::isnan(out[g]) || std::isnan(mx)) ? NAN : std::max(out[g], mx);  // Math.max
      double sum = 0;
      for (size_t g = 0; g < ng; ++g) {
        out[g] = JExp(out[g] - mx);
        sum += out[g];
      }
      const float fs = static_cast<float>(sum);
      for (size_t g = 0; g < ng; ++g) out[g] /= fs;
      break;
    }
  }
}

}  // namespace scorehost::h2o3
