// Decodes H2O's compressed tree byte format (written by hex.tree.DTree#compress) into TreeStore
// nodes. Every read is bounds-checked; anything inconsistent is refused as kDataLoss.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tree_store.hpp"

namespace scorehost::h2o3 {

struct TreeDecodeContext {
  TreeDialect dialect;
  size_t n_features;                  // a split on a column >= this is corrupt
  const std::vector<int32_t>* domain_sizes;  // per column, -1 when numeric
  std::string origin;                 // "<artifact>: trees/t00_001.bin", for messages
};

// Appends the tree in `blob` to `store` and returns its root reference (a node index, or ~leaf
// for a single-leaf tree). `depth`, when given, receives the number of internal nodes on the
// tree's longest root-to-leaf path (0 for a single leaf).
int32_t DecodeTree(std::string_view blob, const TreeDecodeContext& ctx, TreeStore& store, int* depth = nullptr);

}  // namespace scorehost::h2o3
