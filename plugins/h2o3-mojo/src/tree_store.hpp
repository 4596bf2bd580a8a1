// Flattened decision trees and their scorer.
//
// H2O ships each tree as a compressed byte stream that the Java scorer re-parses for every row.
// We decode every tree once at load time (tree_decoder.cc) into fixed-size nodes held in one
// model-wide array, so that scoring is a tight loop over 32-byte nodes with no parsing, no bounds
// surprises and no allocation.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "errors.hpp"
#include "java_semantics.hpp"

namespace scorehost::h2o3 {

// The three generations of Java's scoreTree; the MOJO version picks one (1.00, 1.10, >= 1.20).
enum class TreeDialect : int { kV100 = 0, kV110 = 1, kCurrent = 2 };

struct TreeNode {
  enum Op : uint8_t { kNumeric = 0, kBitset = 1, kNaVsRest = 2 };
  enum Flag : uint8_t {
    kNaRight = 1,      // missing (and out-of-range) values go right
    kRangeCheck = 2,   // a bitset is in scope: a level outside its range counts as missing
    kDomainCheck = 4,  // the column has a domain: a level >= its size counts as missing
  };
  float split;       // kNumeric: go right when value >= split
  uint16_t col;      // feature index (< n_features, checked at decode)
  uint8_t op;
  uint8_t flags;
  int32_t bitoff;    // range of the bitset in scope (this node's own one for kBitset)
  int32_t nbits;
  int32_t dom_len;   // kDomainCheck: size of the column's domain
  uint32_t bits;     // kBitset: byte offset of this node's bitset in TreeStore::bits
  int32_t child[2];  // [left, right]: >= 0 a node index, < 0 the leaf ~child
};
static_assert(sizeof(TreeNode) == 32, "TreeNode should stay compact");

// Every tree of one model.
struct TreeStore {
  std::vector<TreeNode> nodes;
  std::vector<float> leaves;
  std::vector<uint8_t> bits;
  int32_t max_col = -1;  // the largest feature index any split reads
};

// Thrown (as kInvalidArgument) when a row is too short for the column a split needs; Java throws
// ArrayIndexOutOfBoundsException in the same place.
[[noreturn]] void FailShortRow(size_t row_len, uint32_t col);

namespace detail {

inline bool BitIsSet(const uint8_t* bits, int32_t idx) {
  return ((bits[static_cast<uint32_t>(idx) >> 3] >> (idx & 7)) & 1) != 0;
}

// Java's decision for one node; see SharedTreeMojoModel.scoreTree/scoreTree0/scoreTree1.
template <TreeDialect D>
inline bool GoRight(const TreeNode& n, double d, const uint8_t* bits) {
  if constexpr (D == TreeDialect::kV100) {
    if (std::isnan(d)) return (n.flags & TreeNode::kNaRight) != 0;
    if (n.op == TreeNode::kNumeric) return d >= static_cast<double>(n.split);
    if (n.op == TreeNode::kNaVsRest) return false;
    int32_t idx = JavaD2I(d);
    if (idx < 0)  // GenmodelBitSet.contains0 throws IndexOutOfBoundsException("idx < 0")
      Fail(ErrorKind::kInvalidArgument, "negative categorical level " + std::to_string(idx));
    idx = JavaISub(idx, n.bitoff);
    return idx >= 0 && idx < n.nbits && BitIsSet(bits + n.bits, idx);
  } else {
    bool missing = std::isnan(d);
    if (!missing && (n.flags & (TreeNode::kRangeCheck | TreeNode::kDomainCheck))) {
      const int32_t level = JavaD2I(d);
      if (n.flags & TreeNode::kRangeCheck) {
        const int32_t rel = JavaISub(level, n.bitoff);
        missing = rel < 0 || rel >= n.nbits;
      }
      if constexpr (D == TreeDialect::kCurrent)
        if (!missing && (n.flags & TreeNode::kDomainCheck)) missing = n.dom_len <= level;
    }
    if (missing) return (n.flags & TreeNode::kNaRight) != 0;
    switch (n.op) {
      case TreeNode::kNumeric: return d >= static_cast<double>(n.split);
      case TreeNode::kBitset: return BitIsSet(bits + n.bits, JavaISub(JavaD2I(d), n.bitoff));
      default: return false;  // NA-vs-REST: every present value goes left
    }
  }
}

}  // namespace detail

// Walks one tree from `ref` (a root as produced by DecodeTree) and returns its leaf value.
// kChecked guards rows shorter than the largest column the model reads.
template <TreeDialect D, bool kChecked>
inline float ScoreTree(const TreeStore& s, int32_t ref, const double* row, size_t row_len) {
  const TreeNode* nodes = s.nodes.data();
  const uint8_t* bits = s.bits.data();
  while (ref >= 0) {
    const TreeNode& n = nodes[ref];
    if constexpr (kChecked)
      if (n.col >= row_len) FailShortRow(row_len, n.col);
    ref = n.child[detail::GoRight<D>(n, row[n.col], bits) ? 1 : 0];
  }
  return s.leaves[static_cast<size_t>(~ref)];
}

}  // namespace scorehost::h2o3
