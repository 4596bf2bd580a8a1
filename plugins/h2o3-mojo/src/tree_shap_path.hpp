// The part of TreeSHAP (path-dependent Shapley values, Lundberg et al.) that H2O's GBM/DRF trees
// (tree_shap.cc) and XGBoost's boosters (xgboost_shap.cc) share: genmodel runs one TreeSHAP class
// (hex.genmodel.algos.tree.TreeSHAP) over both, entirely in float, so both get the same unique-path
// operations and the same recursion; only how a tree is walked differs (a `Tree` accessor, below).
//
// Every expression keeps Java's float operation order (int factors are converted to float exactly
// as Java's binary numeric promotion does). Include this header only from sources compiled with
// -ffp-contract=off (see CMakeLists.txt): a fused multiply-add would round differently from Java
// and break bit-equality with genmodel.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "errors.hpp"

namespace scorehost::h2o3::treeshap {

// One element of TreeSHAP's "unique path" (the features met on the way down).
struct PathElement {
  int32_t feature;
  float zero_fraction;
  float one_fraction;
  float pweight;
};

// Deepest tree TreeSHAP accepts; the per-thread workspace grows with depth^2.
inline constexpr int kMaxDepth = 512;

// PathElements one thread needs for Recurse over trees of at most `max_depth` nodes from root to
// leaf: every level works on its own copy of the path, right after its parent's.
inline size_t WorkspaceSize(int max_depth) {
  const size_t maxd = static_cast<size_t>(max_depth) + 2;
  return maxd * (maxd + 1) / 2;
}

// Adds a feature with the given zero/one fractions at position `depth` of the path.
inline void ExtendPath(PathElement* path, int depth, float zero, float one, int32_t feature) {
  path[depth] = {feature, zero, one, depth == 0 ? 1.0f : 0.0f};
  const float denom = static_cast<float>(depth + 1);
  for (int i = depth - 1; i >= 0; --i) {
    path[i + 1].pweight += one * path[i].pweight * static_cast<float>(i + 1) / denom;
    path[i].pweight = zero * path[i].pweight * static_cast<float>(depth - i) / denom;
  }
}

// Undoes the extension of path[index] (a feature met again further down).
inline void UnwindPath(PathElement* path, int depth, int index) {
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

// The total permutation weight the path would have with path[index] unwound.
inline float UnwoundPathSum(const PathElement* path, int depth, int index) {
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
      // Java throws IllegalStateException here; a consistent tree never gets there.
      Fail(ErrorKind::kInvalidArgument, "TreeSHAP: inconsistent node weights (unique path " + std::to_string(i) +
                                            " must have zero weight)");
    }
  }
  return total;
}

// An internal node as TreeSHAP sees it for one row: the feature it splits on, the child the row
// takes ("hot") and the other one, and the node weights (genmodel's nodeStat / cover).
struct Split {
  int32_t feature;
  int32_t hot, cold;
  float weight, hot_weight, cold_weight;
};

// TreeSHAP's recursion with condition = 0 (plain contributions), so the condition fraction is
// always 1 and is left out (multiplying by 1.0f is exact in Java too). Adds the contributions of
// the subtree at `node` to phi[feature]. `Tree` provides, for node references of type int32_t:
//   bool IsLeaf(int32_t) const;  float LeafValue(int32_t) const;  Split Next(int32_t) const;
// `parent_path` must have WorkspaceSize(depth of the tree) elements for the root call
// (Recurse(tree, root, phi, workspace, 0, 1.0f, 1.0f, -1)).
template <class Tree>
void Recurse(const Tree& tree, int32_t node, float* phi, PathElement* parent_path, int depth, float parent_zero,
             float parent_one, int32_t parent_feature) {
  PathElement* path = parent_path + depth;  // Java's PathPointer.move
  std::copy(parent_path, parent_path + depth, path);
  ExtendPath(path, depth, parent_zero, parent_one, parent_feature);

  if (tree.IsLeaf(node)) {
    const float leaf = tree.LeafValue(node);
    for (int i = 1; i <= depth; ++i) {
      const float w = UnwoundPathSum(path, depth, i);
      const PathElement& el = path[i];
      phi[el.feature] += w * (el.one_fraction - el.zero_fraction) * leaf;
    }
    return;
  }

  const Split s = tree.Next(node);
  // A node without weight has children without weight: split evenly (genmodel's 0.5).
  const float hot_zero = s.weight != 0 ? s.hot_weight / s.weight : 0.5f;
  const float cold_zero = s.weight != 0 ? s.cold_weight / s.weight : 0.5f;
  float incoming_zero = 1, incoming_one = 1;

  // A feature already on the path is unwound and re-extended here.
  int path_index = 0;
  for (; path_index <= depth; ++path_index)
    if (path[path_index].feature == s.feature) break;
  if (path_index != depth + 1) {
    incoming_zero = path[path_index].zero_fraction;
    incoming_one = path[path_index].one_fraction;
    UnwindPath(path, depth, path_index);
    depth -= 1;
  }
  Recurse(tree, s.hot, phi, path, depth + 1, hot_zero * incoming_zero, incoming_one, s.feature);
  Recurse(tree, s.cold, phi, path, depth + 1, cold_zero * incoming_zero, 0, s.feature);
}

}  // namespace scorehost::h2o3::treeshap
