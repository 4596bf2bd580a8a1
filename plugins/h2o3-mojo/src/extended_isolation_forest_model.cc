// Extended Isolation Forest (genmodel ExtendedIsolationForestMojoModel): trees of random
// hyperplanes, stored per tree as a sequence of numbered node records (trees/tNN.bin).
//
// Java re-scans the record stream for every row and only ever looks *forward* for the next node
// number (2i+1 / 2i+2); a node that is missing (or only appears earlier) ends the scan with a path
// length of -1. We resolve those links once at load time, with the same forward-only rule.
// H2O pads the tree files with zero bytes, which Java never reads because every path ends at a
// leaf first; we stop decoding at the first record that is not a valid node or leaf, and a path
// that would have to read past that point fails the row as Java does.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"

namespace scorehost::h2o3 {

namespace {

constexpr double kEulerMascheroni = 0.5772156649;  // MathUtils.EULER_MASCHERONI_CONSTANT

// averagePathLengthOfUnsuccessfulSearch: c(n) of the isolation forest paper.
double AveragePathLength(int64_t n) {
  if (n < 2) return 0;
  if (n == 2) return 1;
  return 2 * (std::log(static_cast<double>(n - 1)) + kEulerMascheroni) - (2.0 * (n - 1.0)) / static_cast<double>(n);
}

struct EifNode {
  bool leaf;
  double leaf_length;  // leaf: c(numRows)
  uint32_t vectors;    // node: offset of n[k] then p[k] in EifTree::values
  int32_t child[2];    // node: record index of the left/right child, or kNotFound / kUnreadable
};

constexpr int32_t kNotFound = -1;    // Java scans to the end without finding it: path length -1
constexpr int32_t kUnreadable = -2;  // Java's scan hits an undecodable record first and throws

struct EifTree {
  int32_t k = 0;
  std::vector<EifNode> nodes;  // in record order; the root is the first record numbered 0
  std::vector<double> values;
  int32_t root = -1;
};

class Reader {
 public:
  Reader(const std::string& blob, const std::string& origin) : blob_(blob), origin_(origin) {}
  bool AtEnd() const { return pos_ >= blob_.size(); }
  size_t Remaining() const { return blob_.size() - pos_; }
  const char* Take(size_t n) {
    if (n > blob_.size() - pos_) Fail(ErrorKind::kDataLoss, origin_ + ": corrupt tree: truncated at offset " + std::to_string(pos_));
    const char* p = blob_.data() + pos_;
    pos_ += n;
    return p;
  }
  int32_t I32() {
    uint32_t v = 0;
    const auto* b = reinterpret_cast<const uint8_t*>(Take(4));
    for (int i = 3; i >= 0; --i) v = (v << 8) | b[i];
    return static_cast<int32_t>(v);
  }
  uint8_t U8() { return static_cast<uint8_t>(*Take(1)); }
  double F64() {
    uint64_t v = 0;
    const auto* b = reinterpret_cast<const uint8_t*>(Take(8));
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
    double d;
    std::memcpy(&d, &v, sizeof d);
    return d;
  }

 private:
  const std::string& blob_;
  const std::string& origin_;
  size_t pos_ = 0;
};

EifTree DecodeEifTree(const std::string& blob, const std::string& origin) {
  EifTree t;
  Reader r(blob, origin);
  t.k = r.I32();
  if (t.k < 0 || static_cast<uint64_t>(t.k) * 16 > blob.size())
    Fail(ErrorKind::kDataLoss, origin + ": corrupt tree: hyperplane dimension " + std::to_string(t.k));
  std::vector<int32_t> numbers;
  bool unreadable_tail = false;
  const size_t node_bytes = 16 * static_cast<size_t>(t.k);
  while (!r.AtEnd()) {
    if (r.Remaining() < 5) {
      unreadable_tail = true;
      break;
    }
    const int32_t number = r.I32();
    const uint8_t type = r.U8();
    EifNode n{};
    n.child[0] = n.child[1] = kNotFound;
    if (type == 'N' && r.Remaining() >= node_bytes) {
      n.leaf = false;
      n.vectors = static_cast<uint32_t>(t.values.size());
      for (int32_t i = 0; i < 2 * t.k; ++i) t.values.push_back(r.F64());
    } else if (type == 'L' && r.Remaining() >= 4) {
      n.leaf = true;
      n.leaf_length = AveragePathLength(r.I32());
    } else {
      unreadable_tail = true;  // padding, garbage or a truncated record
      break;
    }
    t.nodes.push_back(n);
    numbers.push_back(number);
  }
  const int32_t missing = unreadable_tail ? kUnreadable : kNotFound;
  t.root = missing;
  // Forward-only links: walking the records backwards, `next` maps a node number to its nearest
  // record at or after the current position.
  std::unordered_map<int32_t, int32_t> next;
  for (size_t i = numbers.size(); i-- > 0;) {
    next[numbers[i]] = static_cast<int32_t>(i);
    if (numbers[i] == 0) t.root = static_cast<int32_t>(i);
  }
  next.clear();
  for (size_t i = numbers.size(); i-- > 0;) {
    if (!t.nodes[i].leaf) {
      const int32_t two_i = JavaIAdd(numbers[i], numbers[i]);
      for (int side = 0; side < 2; ++side) {
        auto it = next.find(JavaIAdd(two_i, side + 1));
        t.nodes[i].child[side] = it == next.end() ? missing : it->second;
      }
    }
    next[numbers[i]] = static_cast<int32_t>(i);
  }
  return t;
}

class ExtendedIsolationForestModel final : public RowScorer<ExtendedIsolationForestModel> {
 public:
  ExtendedIsolationForestModel(MojoMeta meta, std::vector<EifTree> trees, int64_t sample_size)
      : RowScorer(std::move(meta)), trees_(std::move(trees)), norm_(AveragePathLength(sample_size)) {}

  void ScoreRow(const double* row, size_t row_len, double /*offset*/, double* preds) const {
    double path = 0;
    for (const EifTree& t : trees_) path += PathLength(t, row, row_len);
    path = path / static_cast<double>(trees_.size());
    preds[0] = std::pow(2, -1 * (path / norm_));
    preds[1] = path;
  }

  std::string Describe() const override {
    return "H2O-3 Extended Isolation Forest, " + std::to_string(trees_.size()) + " trees, MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return false; }
  size_t preds_size() const override { return 2; }
  size_t min_preds_size() const override { return 2; }
  std::vector<std::string> OutputNames() const override { return {"anomaly_score", "mean_length"}; }

 private:
  static double PathLength(const EifTree& t, const double* row, size_t row_len) {
    int32_t at = t.root;
    int height = 0;
    while (at >= 0) {
      const EifNode& n = t.nodes[static_cast<size_t>(at)];
      if (n.leaf) return height + n.leaf_length;
      // Java's ArrayUtils.subAndMul walks the *row*: a row longer than the hyperplane throws.
      if (row_len > static_cast<size_t>(t.k))
        Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values, the model takes " +
                                              std::to_string(t.k));
      const double* nv = t.values.data() + n.vectors;
      const double* pv = nv + t.k;
      double mul = 0;
      for (size_t c = 0; c < row_len; ++c) mul += (row[c] - pv[c]) * nv[c];
      ++height;
      at = n.child[mul <= 0 ? 0 : 1];
    }
    if (at == kUnreadable)
      Fail(ErrorKind::kDataLoss, "the tree's path runs into an undecodable record (Java throws here too)");
    return -1;  // Java's scan ran off the end without finding the next node
  }

  std::vector<EifTree> trees_;
  double norm_;
};

}  // namespace

std::unique_ptr<MojoModel> LoadExtendedIsolationForest(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  RequireMojoVersion(meta, {1.00});
  const int64_t ntrees = ini.Int("ntrees").value_or(0);
  const int64_t sample_size = ini.Int("sample_size").value_or(0);
  if (ntrees < 0 || ntrees > 1000000) Fail(ErrorKind::kDataLoss, meta.path + ": ntrees = " + std::to_string(ntrees));
  std::vector<EifTree> trees;
  for (int64_t i = 0; i < ntrees; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "trees/t%02lld.bin", static_cast<long long>(i));
    trees.push_back(DecodeEifTree(archive.Read(name), archive.path() + ": " + name));
  }
  return std::make_unique<ExtendedIsolationForestModel>(std::move(meta), std::move(trees), sample_size);
}

}  // namespace scorehost::h2o3
