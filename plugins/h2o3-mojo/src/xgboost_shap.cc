// Compiled with -ffp-contract=off (see CMakeLists.txt): genmodel's TreeSHAP runs in Java floats,
// and a fused multiply-add would round differently.
#include "xgboost_shap.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "errors.hpp"

namespace scorehost::h2o3 {

namespace {

using PathElement = XgbTreeShap::PathElement;

// TreeSHAP's path operations, each expression in Java's float operation order (int factors are
// converted to float as Java's binary numeric promotion does).
void ExtendPath(PathElement* path, int depth, float zero, float one, int32_t feature) {
  path[depth] = {feature, zero, one, depth == 0 ? 1.0f : 0.0f};
  const float denom = static_cast<float>(depth + 1);
  for (int i = depth - 1; i >= 0; --i) {
    path[i + 1].pweight += one * path[i].pweight * static_cast<float>(i + 1) / denom;
    path[i].pweight = zero * path[i].pweight * static_cast<float>(depth - i) / denom;
  }
}

void UnwindPath(PathElement* path, int depth, int index) {
  const float one = path[index].one_fraction;
  const float zero = path[index].zero_fraction;
  float next_one_portion = path[depth].pweight;
  const float dp1 = static_cast<float>(depth + 1);
  for (int i = depth - 1; i >= 0; --i) {
    if (one != 0) {
      const float tmp = path[i].pweight;
      path[i].pweight = next_one_portion * dp1 / (static_cast<float>(i + 1) * one);
      next_one_portion = tmp - path[i].pweight * zero * static_cast<float>(depth - i) / dp1;
    } else if (zero != 0) {
      path[i].pweight = (path[i].pweight * dp1) / (zero * static_cast<float>(depth - i));
    } else {
      path[i].pweight = 0;
    }
  }
  for (int i = index; i < depth; ++i) {
    path[i].feature = path[i + 1].feature;
    path[i].zero_fraction = path[i + 1].zero_fraction;
    path[i].one_fraction = path[i + 1].one_fraction;
  }
}

float UnwoundPathSum(const PathElement* path, int depth, int index) {
  const float one = path[index].one_fraction;
  const float zero = path[index].zero_fraction;
  float next_one_portion = path[depth].pweight;
  float total = 0;
  const float dp1 = static_cast<float>(depth + 1);
  for (int i = depth - 1; i >= 0; --i) {
    if (one != 0) {
      const float tmp = next_one_portion * dp1 / (static_cast<float>(i + 1) * one);
      total += tmp;
      next_one_portion = path[i].pweight - tmp * zero * (static_cast<float>(depth - i) / dp1);
    } else if (zero != 0) {
      total += (path[i].pweight / zero) / (static_cast<float>(depth - i) / dp1);
    } else if (path[i].pweight != 0) {
      Fail(ErrorKind::kInvalidArgument, "TreeSHAP: inconsistent node weights (unique path " + std::to_string(i) +
                                            " must have zero weight)");
    }
  }
  return total;
}

}  // namespace

XgbTreeShap::XgbTreeShap(const XgbBooster& booster, const std::string* aux_blob, const std::string& origin)
    : b_(booster) {
  if (b_.kind_ == XgbBooster::Kind::kGblinear || b_.n_groups_ != 1)
    Fail(ErrorKind::kUnimplemented, origin + ": TreeSHAP needs a gbtree or dart booster with one output group");
  weight_ = b_.hess_;
  trees_ = b_.group_trees_[0];
  auto tree_size = [&](uint32_t t) {
    const size_t end = t + 1 < b_.roots_.size() ? b_.roots_[t + 1] : b_.nodes_.size();
    return end - b_.roots_[t];
  };
  if (aux_blob != nullptr) {
    const std::string& aux = *aux_blob;
    // AuxNodeWeightsHelper: i32 tree count, then per tree i32 node count + f64 weights, in the
    // MOJO's (little-endian) byte order; each weight replaces the node's sum_hess as a float.
    size_t pos = 0;
    auto need = [&](size_t n) {
      if (n > aux.size() - pos) Fail(ErrorKind::kDataLoss, origin + ": auxNodeWeights is truncated");
    };
    auto i32 = [&] {
      need(4);
      int32_t v;
      std::memcpy(&v, aux.data() + pos, 4);
      pos += 4;
      return v;
    };
    const int32_t n_trees = i32();
    if (n_trees < 0 || static_cast<size_t>(n_trees) != trees_.size())
      Fail(ErrorKind::kDataLoss, origin + ": auxNodeWeights has " + std::to_string(n_trees) + " trees, the booster " +
                                     std::to_string(trees_.size()));
    for (uint32_t t : trees_) {
      const int32_t n = i32();
      if (n < 0 || static_cast<size_t>(n) != tree_size(t))
        Fail(ErrorKind::kDataLoss, origin + ": auxNodeWeights gives " + std::to_string(n) + " weights for a tree of " +
                                       std::to_string(tree_size(t)) + " nodes");
      need(8 * static_cast<size_t>(n));
      for (int32_t j = 0; j < n; ++j) {
        double w;
        std::memcpy(&w, aux.data() + pos, 8);
        pos += 8;
        weight_[b_.roots_[t] + static_cast<size_t>(j)] = static_cast<float>(w);
      }
    }
  }
  // Depth of every tree (the parse checked they are trees), and genmodel's nodeMeanValue: 0 for a
  // node without weight, the leaf value, or the children's weighted mean, in float.
  for (uint32_t t : trees_) {
    const uint32_t root = b_.roots_[t];
    std::vector<std::pair<int32_t, int>> stack{{static_cast<int32_t>(root), 1}};
    while (!stack.empty()) {
      auto [n, d] = stack.back();
      stack.pop_back();
      if (d > kMaxDepth)
        Fail(ErrorKind::kUnimplemented, origin + ": tree deeper than " + std::to_string(kMaxDepth) +
                                            " levels; TreeSHAP contributions are not supported for it");
      max_depth_ = std::max(max_depth_, d);
      const XgbBooster::Node& node = b_.nodes_[static_cast<size_t>(n)];
      if (node.left >= 0) {
        stack.push_back({node.left, d + 1});
        stack.push_back({node.right, d + 1});
      }
    }
    struct Mean {
      const XgbTreeShap& s;
      float operator()(int32_t n) const {
        const XgbBooster::Node& node = s.b_.nodes_[static_cast<size_t>(n)];
        const float w = s.weight_[static_cast<size_t>(n)];
        if (w == 0) return 0;
        if (node.left < 0) return node.value;
        return (s.weight_[static_cast<size_t>(node.left)] * (*this)(node.left) +
                s.weight_[static_cast<size_t>(node.right)] * (*this)(node.right)) / w;
      }
    };
    expected_.push_back(Mean{*this}(static_cast<int32_t>(root)));
  }
}

size_t XgbTreeShap::workspace_size() const {
  const size_t maxd = static_cast<size_t>(max_depth_) + 2;
  return maxd * (maxd + 1) / 2;
}

void XgbTreeShap::Accumulate(const float* fv, float* phi, size_t n_inputs, PathElement* workspace) const {
  phi[n_inputs] += b_.base_score_;
  for (size_t i = 0; i < trees_.size(); ++i) {
    phi[n_inputs] += expected_[i];
    Recurse(static_cast<int32_t>(b_.roots_[trees_[i]]), fv, phi, workspace, 0, 1.0f, 1.0f, -1);
  }
}

// TreeSHAP's recursion with condition = 0 (plain contributions): the condition fraction is always
// 1 and is left out (multiplying by 1.0f is exact in Java too).
void XgbTreeShap::Recurse(int32_t n, const float* fv, float* phi, PathElement* parent_path, int depth,
                          float parent_zero, float parent_one, int32_t parent_feature) const {
  PathElement* path = parent_path + depth;  // Java's PathPointer.move
  std::copy(parent_path, parent_path + depth, path);
  ExtendPath(path, depth, parent_zero, parent_one, parent_feature);

  const XgbBooster::Node& node = b_.nodes_[static_cast<size_t>(n)];
  if (node.left < 0) {
    for (int i = 1; i <= depth; ++i) {
      const float w = UnwoundPathSum(path, depth, i);
      const PathElement& el = path[i];
      phi[el.feature] += w * (el.one_fraction - el.zero_fraction) * node.value;
    }
    return;
  }
  // xgboost-predictor's Node.next: the default child for a missing value, else left below the split.
  const float f = fv[node.feature];
  const int32_t hot = f != f ? node.dflt : (f < node.value ? node.left : node.right);
  const int32_t cold = hot == node.left ? node.right : node.left;
  const float w = weight_[static_cast<size_t>(n)];
  const float hot_zero = w != 0 ? weight_[static_cast<size_t>(hot)] / w : 0.5f;
  const float cold_zero = w != 0 ? weight_[static_cast<size_t>(cold)] / w : 0.5f;
  float incoming_zero = 1, incoming_one = 1;

  const int32_t feature = static_cast<int32_t>(node.feature);
  int path_index = 0;
  for (; path_index <= depth; ++path_index)
    if (path[path_index].feature == feature) break;
  if (path_index != depth + 1) {
    incoming_zero = path[path_index].zero_fraction;
    incoming_one = path[path_index].one_fraction;
    UnwindPath(path, depth, path_index);
    depth -= 1;
  }
  Recurse(hot, fv, phi, path, depth + 1, hot_zero * incoming_zero, incoming_one, feature);
  Recurse(cold, fv, phi, path, depth + 1, cold_zero * incoming_zero, 0, feature);
}

}  // namespace scorehost::h2o3
