// Compiled with -ffp-contract=off (see CMakeLists.txt): genmodel's TreeSHAP runs in Java floats,
// and a fused multiply-add would round differently.
#include "xgboost_shap.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "errors.hpp"

namespace scorehost::h2o3 {

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
      if (d > treeshap::kMaxDepth)
        Fail(ErrorKind::kUnimplemented, origin + ": tree deeper than " + std::to_string(treeshap::kMaxDepth) +
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

// TreeSHAP's view of the booster's trees for one (float) booster input: node indices are absolute,
// a node without a left child is a leaf whose value is its value; weight_ gives the node weights.
struct XgbTreeShap::Walk {
  const std::vector<XgbBooster::Node>& nodes;
  const std::vector<float>& weights;
  const float* fv;

  bool IsLeaf(int32_t n) const { return nodes[static_cast<size_t>(n)].left < 0; }
  float LeafValue(int32_t n) const { return nodes[static_cast<size_t>(n)].value; }
  treeshap::Split Next(int32_t n) const {
    const XgbBooster::Node& node = nodes[static_cast<size_t>(n)];
    // xgboost-predictor's Node.next: the default child for a missing value, else left below the split.
    const float f = fv[node.feature];
    const int32_t hot = f != f ? node.dflt : (f < node.value ? node.left : node.right);
    const int32_t cold = hot == node.left ? node.right : node.left;
    return {static_cast<int32_t>(node.feature), hot, cold, weights[static_cast<size_t>(n)],
            weights[static_cast<size_t>(hot)], weights[static_cast<size_t>(cold)]};
  }
};

void XgbTreeShap::Accumulate(const float* fv, float* phi, size_t n_inputs, PathElement* workspace) const {
  const Walk walk{b_.nodes_, weight_, fv};
  phi[n_inputs] += b_.base_score_;
  for (size_t i = 0; i < trees_.size(); ++i) {
    phi[n_inputs] += expected_[i];
    treeshap::Recurse(walk, static_cast<int32_t>(b_.roots_[trees_[i]]), phi, workspace, 0, 1.0f, 1.0f, -1);
  }
}

}  // namespace scorehost::h2o3
