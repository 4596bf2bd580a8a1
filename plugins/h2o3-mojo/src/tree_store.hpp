// Flattened decision trees and their scorer.
//
// H2O ships each tree as a compressed byte stream that the Java scorer re-parses for every row.
// We decode every tree once at load time (tree_decoder.cc) into fixed-size nodes held in one
// model-wide array, so that scoring is a tight loop over 16-byte nodes with no parsing, no bounds
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

// What a split needs beyond "value >= threshold": categorical bitsets, NA-vs-REST, and the level
// range / domain checks of the newer dialects. Held in a side table (TreeStore::splits) so that the
// node itself stays 16 bytes; most splits of most models are plain numeric ones.
struct TreeSplit {
  enum Op : uint8_t { kNumeric = 0, kBitset = 1, kNaVsRest = 2 };
  enum Flag : uint8_t {
    kNaRight = 1,      // missing (and out-of-range) values go right
    kRangeCheck = 2,   // a bitset is in scope: a level outside its range counts as missing
    kDomainCheck = 4,  // the column has a domain: a level >= its size counts as missing
  };
  float split = 0;     // kNumeric: go right when value >= split
  uint8_t op = kNumeric;
  uint8_t flags = 0;
  int32_t bitoff = 0;  // range of the bitset in scope (this node's own one for kBitset)
  int32_t nbits = 0;
  int32_t dom_len = 0; // kDomainCheck: size of the column's domain
  uint32_t bits = 0;   // kBitset: byte offset of this node's bitset in TreeStore::bits
};

// One internal node, 16 bytes (four to a cache line). A plain numeric split is decided from the
// node alone; anything else (kComplex) reads its TreeSplit.
struct TreeNode {
  enum Flag : uint8_t {
    kNaRight = 1,  // plain split: missing values go right
    kComplex = 2,  // the decision needs TreeStore::splits[ext]
  };
  union {
    float split;   // plain split: go right when value >= split
    uint32_t ext;  // kComplex: index into TreeStore::splits
  };
  uint16_t col;    // feature index (< n_features, checked at decode)
  uint8_t flags;
  uint8_t pad;
  int32_t child[2];  // [left, right]: >= 0 a node index, < 0 the leaf ~child
};
static_assert(sizeof(TreeNode) == 16, "TreeNode should stay 16 bytes");

// Every tree of one model.
struct TreeStore {
  std::vector<TreeNode> nodes;
  std::vector<TreeSplit> splits;
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
inline bool GoRight(const TreeSplit& n, double d, const uint8_t* bits) {
  if constexpr (D == TreeDialect::kV100) {
    if (std::isnan(d)) return (n.flags & TreeSplit::kNaRight) != 0;
    if (n.op == TreeSplit::kNumeric) return d >= static_cast<double>(n.split);
    if (n.op == TreeSplit::kNaVsRest) return false;
    int32_t idx = JavaD2I(d);
    if (idx < 0)  // GenmodelBitSet.contains0 throws IndexOutOfBoundsException("idx < 0")
      Fail(ErrorKind::kInvalidArgument, "negative categorical level " + std::to_string(idx));
    idx = JavaISub(idx, n.bitoff);
    return idx >= 0 && idx < n.nbits && BitIsSet(bits + n.bits, idx);
  } else {
    bool missing = std::isnan(d);
    if (!missing && (n.flags & (TreeSplit::kRangeCheck | TreeSplit::kDomainCheck))) {
      const int32_t level = JavaD2I(d);
      if (n.flags & TreeSplit::kRangeCheck) {
        const int32_t rel = JavaISub(level, n.bitoff);
        missing = rel < 0 || rel >= n.nbits;
      }
      if constexpr (D == TreeDialect::kCurrent)
        if (!missing && (n.flags & TreeSplit::kDomainCheck)) missing = n.dom_len <= level;
    }
    if (missing) return (n.flags & TreeSplit::kNaRight) != 0;
    switch (n.op) {
      case TreeSplit::kNumeric: return d >= static_cast<double>(n.split);
      case TreeSplit::kBitset: return BitIsSet(bits + n.bits, JavaISub(JavaD2I(d), n.bitoff));
      default: return false;  // NA-vs-REST: every present value goes left
    }
  }
}

// The reference (child node or ~leaf) a row with value d at n.col goes to.
template <TreeDialect D>
inline int32_t NextRef(const TreeStore& s, const TreeNode& n, double d) {
  bool right;
  if (n.flags & TreeNode::kComplex) [[unlikely]] {
    right = GoRight<D>(s.splits[n.ext], d, s.bits.data());
  } else {
    // d >= split is false for NaN, so missing values follow kNaRight; no branch needed.
    right = (d >= static_cast<double>(n.split)) | (((n.flags & TreeNode::kNaRight) != 0) & std::isnan(d));
  }
  return n.child[right ? 1 : 0];
}

}  // namespace detail

// Walks one tree from `ref` (a root as produced by DecodeTree) and returns its leaf value.
// kChecked guards rows shorter than the largest column the model reads.
template <TreeDialect D, bool kChecked>
inline float ScoreTree(const TreeStore& s, int32_t ref, const double* row, size_t row_len) {
  const TreeNode* nodes = s.nodes.data();
  while (ref >= 0) {
    const TreeNode& n = nodes[ref];
    if constexpr (kChecked)
      if (n.col >= row_len) FailShortRow(row_len, n.col);
    ref = detail::NextRef<D>(s, n, row[n.col]);
  }
  return s.leaves[static_cast<size_t>(~ref)];
}

}  // namespace scorehost::h2o3
