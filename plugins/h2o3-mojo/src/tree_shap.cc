// Compiled with -ffp-contract=off (see CMakeLists.txt): a fused multiply-add would round
// differently from Java's float arithmetic and break bit-equality with genmodel.
#include "tree_shap.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "errors.hpp"
#include "java_semantics.hpp"

namespace scorehost::h2o3 {

namespace {

// One record of trees/tCC_GGG_aux.bin (SharedTreeMojoModel.AuxInfo): 10 little-endian 4-byte
// fields. Only the weights and child ids matter for TreeSHAP.
struct AuxRecord {
  float weight[2];  // left, right
  int32_t child_id[2];
};
constexpr size_t kAuxRecordSize = 40;

int32_t LeI32(const uint8_t* p) {
  return static_cast<int32_t>(static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
                              (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24));
}
float LeF32(const uint8_t* p) {
  const uint32_t u = static_cast<uint32_t>(LeI32(p));
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// SharedTreeNode.next: which child a row follows in TreeSHAP.
inline bool ShapGoesRight(const TreeStore& store, const TreeNode& node, double d) {
  if (!(node.flags & TreeNode::kComplex))  // plain numeric split on a column without a domain
    return std::isnan(d) ? (node.flags & TreeNode::kNaRight) != 0 : d >= static_cast<double>(node.split);
  const TreeSplit& n = store.splits[node.ext];
  bool missing = std::isnan(d);
  int32_t level = 0;
  if (!missing && n.op != TreeSplit::kNaVsRest) {
    level = JavaD2I(d);
    if (n.op == TreeSplit::kBitset) {  // only the node's own bitset bounds the levels here
      const int32_t rel = JavaISub(level, n.bitoff);
      missing = rel < 0 || rel >= n.nbits;
    }
    if (!missing && (n.flags & TreeSplit::kDomainCheck)) missing = n.dom_len <= level;
  }
  if (missing) return (n.flags & TreeSplit::kNaRight) != 0;
  switch (n.op) {
    case TreeSplit::kNumeric: return d >= static_cast<double>(n.split);
    case TreeSplit::kBitset: return detail::BitIsSet(store.bits.data() + n.bits, JavaISub(level, n.bitoff));
    default: return false;  // NA vs REST: every present value goes left
  }
}

}  // namespace

void TreeShapForest::AddTree(const TreeStore& store, int32_t root, std::string_view aux, const std::string& origin) {
  if (aux.size() % kAuxRecordSize != 0)
    Fail(ErrorKind::kDataLoss, origin + ": aux blob of " + std::to_string(aux.size()) +
                                   " bytes is not a whole number of 40-byte node records");
  std::unordered_map<int32_t, AuxRecord> records;
  records.reserve(aux.size() / kAuxRecordSize);
  const auto* p = reinterpret_cast<const uint8_t*>(aux.data());
  for (size_t off = 0; off < aux.size(); off += kAuxRecordSize) {
    const uint8_t* r = p + off;
    AuxRecord rec{{LeF32(r + 8), LeF32(r + 12)}, {LeI32(r + 32), LeI32(r + 36)}};
    records[LeI32(r)] = rec;
  }
  if (weights_.size() < store.nodes.size()) weights_.resize(store.nodes.size());

  // Walk the decoded tree with H2O's node numbers (root 0, children named by the parent's aux
  // record), giving every internal node its weight and its children's weights.
  struct Item {
    int32_t ref, node_id, depth;
    float weight;
  };
  std::vector<Item> stack;
  stack.push_back({root, 0, 1, 0.0f});
  int tree_depth = 1;
  while (!stack.empty()) {
    const Item it = stack.back();
    stack.pop_back();
    tree_depth = std::max(tree_depth, it.depth);
    if (tree_depth > treeshap::kMaxDepth)
      Fail(ErrorKind::kUnimplemented, origin + ": tree deeper than " + std::to_string(treeshap::kMaxDepth) +
                                          " levels; TreeSHAP contributions are not supported for it");
    if (it.ref < 0) continue;
    const auto found = records.find(it.node_id);
    if (found == records.end())
      Fail(ErrorKind::kDataLoss, origin + ": aux blob has no record for node " + std::to_string(it.node_id));
    const AuxRecord& rec = found->second;
    Weights& w = weights_[static_cast<size_t>(it.ref)];
    // genmodel sets the root's weight last, as the float sum of its children's.
    w.self = it.depth == 1 ? rec.weight[0] + rec.weight[1] : it.weight;
    w.child[0] = rec.weight[0];
    w.child[1] = rec.weight[1];
    const TreeNode& n = store.nodes[static_cast<size_t>(it.ref)];
    for (int side = 0; side < 2; ++side) stack.push_back({n.child[side], rec.child_id[side], it.depth + 1, rec.weight[side]});
  }
  max_depth_ = std::max(max_depth_, tree_depth);

  // The tree's expected value: the weight-averaged leaf value, computed bottom-up in float as
  // genmodel's nodeMeanValue does (depth is bounded above, so recursion is safe).
  struct Mean {
    const TreeStore& s;
    const std::vector<Weights>& w;
    float operator()(int32_t ref) const {
      if (ref < 0) return s.leaves[static_cast<size_t>(~ref)];
      const TreeNode& n = s.nodes[static_cast<size_t>(ref)];
      const Weights& nw = w[static_cast<size_t>(ref)];
      return (nw.child[0] * (*this)(n.child[0]) + nw.child[1] * (*this)(n.child[1])) / nw.self;
    }
  };
  roots_.push_back(root);
  expected_.push_back(Mean{store, weights_}(root));
}

// TreeSHAP's view of the decoded trees for one row: a negative reference is a leaf (~index into
// store.leaves); weights_ gives the node weights from the aux blobs.
struct TreeShapForest::Walk {
  const TreeStore& store;
  const std::vector<Weights>& weights;
  const double* row;

  bool IsLeaf(int32_t ref) const { return ref < 0; }
  float LeafValue(int32_t ref) const { return store.leaves[static_cast<size_t>(~ref)]; }
  treeshap::Split Next(int32_t ref) const {
    const TreeNode& n = store.nodes[static_cast<size_t>(ref)];
    const Weights& nw = weights[static_cast<size_t>(ref)];
    const int hot = ShapGoesRight(store, n, row[n.col]) ? 1 : 0;
    const int cold = 1 - hot;
    return {n.col, n.child[hot], n.child[cold], nw.self, nw.child[hot], nw.child[cold]};
  }
};

void TreeShapForest::Accumulate(const TreeStore& store, const double* row, float* phi, size_t n_features,
                                PathElement* workspace) const {
  const Walk walk{store, weights_, row};
  for (size_t t = 0; t < roots_.size(); ++t) {
    phi[n_features] += expected_[t];
    treeshap::Recurse(walk, roots_[t], phi, workspace, 0, 1.0f, 1.0f, -1);
  }
}

}  // namespace scorehost::h2o3
