#include "tree_decoder.hpp"

#include <cstring>

namespace scorehost::h2o3 {

void FailShortRow(size_t row_len, uint32_t col) {
  Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) +
                                        " values but a tree splits on feature #" + std::to_string(col));
}

namespace {

// Little-endian reader over [pos, end) of a blob that refuses to read past `end`. (AutoBuffer
// writes native order and every MOJO seen is LITTLE_ENDIAN; the loader refuses other orders.)
class Reader {
 public:
  Reader(std::string_view blob, size_t pos, size_t end, const std::string& origin)
      : blob_(blob), pos_(pos), end_(end), origin_(origin) {}
  size_t pos() const { return pos_; }
  uint32_t U8() { return Bytes(1)[0]; }
  uint32_t U16() { const uint8_t* b = Bytes(2); return b[0] | (b[1] << 8); }
  uint32_t U24() { const uint8_t* b = Bytes(3); return b[0] | (b[1] << 8) | (static_cast<uint32_t>(b[2]) << 16); }
  int32_t I32() {
    const uint8_t* b = Bytes(4);
    return static_cast<int32_t>(b[0] | (b[1] << 8) | (static_cast<uint32_t>(b[2]) << 16) | (static_cast<uint32_t>(b[3]) << 24));
  }
  float F32() {
    uint32_t u = static_cast<uint32_t>(I32());
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
  }
  const uint8_t* Bytes(size_t n) {
    if (n > end_ - pos_) Corrupt("truncated (needs " + std::to_string(n) + " bytes at offset " + std::to_string(pos_) + ")");
    const uint8_t* p = reinterpret_cast<const uint8_t*>(blob_.data()) + pos_;
    pos_ += n;
    return p;
  }
  [[noreturn]] void Corrupt(const std::string& why) const {
    Fail(ErrorKind::kDataLoss, origin_ + ": corrupt tree: " + why);
  }

 private:
  std::string_view blob_;
  size_t pos_, end_;
  const std::string& origin_;
};

struct Pending {
  size_t pos, end;      // the subtree's bytes
  int32_t parent;       // node to attach to; -1 for the root
  int side;             // 0 left, 1 right
  bool has_bs;          // a bitset was read on the path above (Java keeps it across nodes)
  int32_t bs_off, bs_nbits;
  int depth;            // internal nodes above this one
};

}  // namespace

int32_t DecodeTree(std::string_view blob, const TreeDecodeContext& ctx, TreeStore& store, int* depth) {
  int32_t root = 0;
  int max_depth = 0;
  bool root_set = false;
  auto attach = [&](int32_t parent, int side, int32_t ref) {
    if (parent < 0) {
      root = ref;
      root_set = true;
    } else {
      store.nodes[static_cast<size_t>(parent)].child[side] = ref;
    }
  };
  auto add_leaf = [&](float v) {
    if (store.leaves.size() >= static_cast<size_t>(INT32_MAX)) Fail(ErrorKind::kDataLoss, ctx.origin + ": too many leaves");
    store.leaves.push_back(v);
    return ~static_cast<int32_t>(store.leaves.size() - 1);
  };

  std::vector<Pending> stack;
  stack.push_back(Pending{0, blob.size(), -1, 0, false, 0, 0, 0});
  while (!stack.empty()) {
    Pending t = stack.back();
    stack.pop_back();
    Reader r(blob, t.pos, t.end, ctx.origin);
    const uint32_t node_type = r.U8();
    const uint32_t col = r.U16();
    if (col == 0xFFFF) {  // a tree that is a single leaf
      if (t.depth > max_depth) max_depth = t.depth;
      attach(t.parent, t.side, add_leaf(r.F32()));
      continue;
    }
    const uint32_t na_split = r.U8();
    if (na_split > 5) r.Corrupt("unknown NA split direction " + std::to_string(na_split));
    const uint32_t equal = node_type & 12;
    if (equal == 4) r.Corrupt("legacy float-equality split (no longer supported by H2O)");
    const uint32_t lmask = node_type & 51;
    if (lmask > 3 && lmask != 48) r.Corrupt("invalid left-child mask " + std::to_string(lmask));
    const uint32_t rmask = node_type & 0xC0;
    if (rmask != 0 && rmask != 0xC0) r.Corrupt("invalid right-child mask " + std::to_string(rmask));
    if (col >= ctx.n_features)
      r.Corrupt("split on column " + std::to_string(col) + " but the model has " + std::to_string(ctx.n_features) + " features");

    TreeSplit n{};
    const bool na_vs_rest = na_split == 1;
    const bool leftward = na_split == 2 || na_split == 4;
    if (!leftward) n.flags |= TreeSplit::kNaRight;
    bool own_bs = false;
    if (!na_vs_rest) {
      if (equal == 0) {
        n.split = r.F32();
      } else {
        uint32_t nbytes;
        if (equal == 8) {  // small inline bitset: 32 bits, no offset
          n.bitoff = 0;
          n.nbits = 32;
          nbytes = 4;
        } else if (ctx.dialect == TreeDialect::kCurrent) {
          n.bitoff = static_cast<int32_t>(r.U16());
          n.nbits = r.I32();
          if (n.nbits < 0) r.Corrupt("negative bitset size");
          nbytes = n.nbits == 0 ? 0u : static_cast<uint32_t>(((n.nbits - 1) >> 3) + 1);
        } else {  // MOJO 1.00/1.10 store a byte count instead of a bit count
          n.bitoff = static_cast<int32_t>(r.U16());
          nbytes = r.U16();
          n.nbits = static_cast<int32_t>(nbytes * 8);
        }
        const uint8_t* src = r.Bytes(nbytes);
        if (store.bits.size() + nbytes > UINT32_MAX) r.Corrupt("bitsets too large");
        n.bits = static_cast<uint32_t>(store.bits.size());
        store.bits.insert(store.bits.end(), src, src + nbytes);
        own_bs = true;
      }
    }
    const bool has_bs = own_bs || t.has_bs;
    if (!own_bs) {
      n.bitoff = t.bs_off;
      n.nbits = t.bs_nbits;
    }
    n.op = na_vs_rest ? TreeSplit::kNaVsRest : (equal == 0 ? TreeSplit::kNumeric : TreeSplit::kBitset);
    if (ctx.dialect != TreeDialect::kV100 && equal != 0 && has_bs) n.flags |= TreeSplit::kRangeCheck;
    if (ctx.dialect == TreeDialect::kCurrent && col < ctx.domain_sizes->size() && (*ctx.domain_sizes)[col] >= 0) {
      n.flags |= TreeSplit::kDomainCheck;
      n.dom_len = (*ctx.domain_sizes)[col];
    }
    if (static_cast<int32_t>(col) > store.max_col) store.max_col = static_cast<int32_t>(col);

    // Left subtree: either a size-prefixed node or an inline leaf; the right one follows it.
    bool left_leaf = lmask == 48;
    size_t left_pos = 0, left_end = 0, right_pos;
    float left_value = 0;
    if (!left_leaf) {
      uint64_t size;
      switch (lmask) {
        case 0: size = r.U8(); break;
        case 1: size = r.U16(); break;
        case 2: size = r.U24(); break;
        default: {
          int32_t s = r.I32();
          if (s < 0) r.Corrupt("negative subtree size");
          size = static_cast<uint64_t>(s);
        }
      }
      left_pos = r.pos();
      if (size > t.end - left_pos) r.Corrupt("left subtree of " + std::to_string(size) + " bytes overruns the tree");
      left_end = left_pos + size;
      right_pos = left_end;
    } else {
      left_value = r.F32();
      right_pos = r.pos();
    }
    if (store.nodes.size() >= static_cast<size_t>(INT32_MAX)) r.Corrupt("too many nodes");
    const int32_t index = static_cast<int32_t>(store.nodes.size());
    if (t.depth + 1 > max_depth) max_depth = t.depth + 1;
    TreeNode node{};
    node.col = static_cast<uint16_t>(col);
    if (n.op == TreeSplit::kNumeric && (n.flags & ~TreeSplit::kNaRight) == 0) {
      node.split = n.split;  // a plain numeric split: the node alone decides
      node.flags = (n.flags & TreeSplit::kNaRight) ? TreeNode::kNaRight : 0;
    } else {
      if (store.splits.size() >= UINT32_MAX) r.Corrupt("too many splits");
      node.ext = static_cast<uint32_t>(store.splits.size());
      node.flags = TreeNode::kComplex;
      store.splits.push_back(n);
    }
    store.nodes.push_back(node);
    attach(t.parent, t.side, index);
    const int32_t scope_off = own_bs ? n.bitoff : t.bs_off;
    const int32_t scope_nbits = own_bs ? n.nbits : t.bs_nbits;
    if (rmask == 0xC0) {
      Reader rr(blob, right_pos, t.end, ctx.origin);
      store.nodes[static_cast<size_t>(index)].child[1] = add_leaf(rr.F32());
    } else {
      stack.push_back(Pending{right_pos, t.end, index, 1, has_bs, scope_off, scope_nbits, t.depth + 1});
    }
    if (left_leaf) {
      store.nodes[static_cast<size_t>(index)].child[0] = add_leaf(left_value);
    } else {
      stack.push_back(Pending{left_pos, left_end, index, 0, has_bs, scope_off, scope_nbits, t.depth + 1});
    }
  }
  if (!root_set) Fail(ErrorKind::kDataLoss, ctx.origin + ": corrupt tree: empty");
  if (depth) *depth = max_depth;
  return root;
}

}  // namespace scorehost::h2o3
