// TreeSHAP (path-dependent Shapley values, Lundberg et al.) over the already-decoded trees, with
// the numbers h2o-genmodel produces (SharedTreeMojoModelWithContributions + TreeSHAP.java):
//
//  - node weights come from the MOJO's trees/tCC_GGG_aux.bin blobs (a node's weight is the one its
//    parent's aux record gives it; the root's is the sum of its children's);
//  - the branch a row takes follows SharedTreeNode.next, which differs from scoreTree in small
//    ways (only a node's *own* bitset bounds the levels, NA-vs-REST nodes never range-check);
//  - everything is accumulated in float, in Java's operation order, so the results are the same
//    floats Java returns (H2O's predict_contributions and genmodel agree bit for bit, and so do we).
//
// The forest shares the TreeStore of the scorer: loading it costs one small weight record per
// internal node, not a second copy of the trees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tree_shap_path.hpp"
#include "tree_store.hpp"

namespace scorehost::h2o3 {

class TreeShapForest {
 public:
  using PathElement = treeshap::PathElement;

  // Adds the tree rooted at `root` (a DecodeTree reference into `store`, which must already hold
  // every node) with its aux blob. Throws MojoError(kDataLoss) for an inconsistent aux blob and
  // kUnimplemented for a tree deeper than treeshap::kMaxDepth.
  void AddTree(const TreeStore& store, int32_t root, std::string_view aux, const std::string& origin);

  size_t n_trees() const { return roots_.size(); }
  // PathElements one thread needs for Accumulate.
  size_t workspace_size() const { return treeshap::WorkspaceSize(max_depth_); }

  // Adds every tree's contributions for `row` to phi[0..n_features) and its expected value to
  // phi[n_features] (the bias), tree by tree in the order they were added (Java's order).
  // `row` must hold at least every column a split reads (checked by the caller).
  void Accumulate(const TreeStore& store, const double* row, float* phi, size_t n_features,
                  PathElement* workspace) const;

 private:
  struct Weights {
    float self = 0;             // this node's weight (TreeSHAP's nodeStat)
    float child[2] = {0, 0};    // the weights of its left and right children (leaves included)
  };
  struct Walk;  // the treeshap::Recurse accessor over these trees for one row (tree_shap.cc)

  std::vector<Weights> weights_;  // parallel to store.nodes
  std::vector<int32_t> roots_;
  std::vector<float> expected_;   // per tree: its weighted mean leaf value
  int max_depth_ = 1;             // nodes on the longest root-to-leaf path (a lone leaf is 1)
};

}  // namespace scorehost::h2o3
