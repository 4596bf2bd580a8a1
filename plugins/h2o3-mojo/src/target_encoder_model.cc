// Target Encoder MOJOs (genmodel TargetEncoderMojoModel / TargetEncoderMojoReader, algorithm
// "TargetEncoder", MOJO 1.00). The model maps each categorical column (or an interaction of
// several) to its target statistics: for regression and binary targets one value per level,
// num / den (the mean of the target), for a K-class target K-1 values (classes 1..K-1). With
// blending, the value is lambda * posterior + (1 - lambda) * prior, lambda = 1 / (1 + exp((k -
// den) / f)) with k = inflection_point, f = smoothing, and the prior the mean over all levels.
// A missing level (NaN, or an interaction not seen in training) takes the encoding of the
// column's NA row when training saw NAs, else the prior. Noise is a training-time option only;
// the MOJO never adds any. The outputs are the encoded columns, named as in H2O
// (input_output_columns_map.ini, e.g. `c1_te`, or `c1_b_te`, `c1_c_te` for classes b, c).
// Java throws for a level index that is not in the encoding map (negative, too large); so do we.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <unordered_map>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"

namespace scorehost::h2o3 {

namespace {

constexpr const char* kDir = "feature_engineering/target_encoding/";

std::string Num(double d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

// (long) of a double in Java: NaN -> 0, saturating at the long range, else truncation.
int64_t JavaD2L(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (d <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(d);
}

// Java's `line.split("\\s*=\\s*", 2)`: key and value around the first '=' (whitespace trimmed
// on both sides of it); nullopt when there is no '='.
std::optional<std::pair<std::string, std::string>> SplitKeyValue(std::string_view line) {
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\x0B' || c == '\f' || c == '\r'; };
  size_t kend = eq;
  while (kend > 0 && ws(line[kend - 1])) --kend;
  size_t vbeg = eq + 1;
  while (vbeg < line.size() && ws(line[vbeg])) ++vbeg;
  return std::make_pair(std::string(line.substr(0, kend)), std::string(line.substr(vbeg)));
}

// The iteration order of a java.util.HashMap<Integer, ...> filled with `keys` in this order (no
// removals): by bucket (spread hash & (capacity - 1)), then insertion order within a bucket. The
// prior is a sum in this order, so it rounds like Java's.
std::vector<size_t> JavaIntegerHashMapOrder(const std::vector<int32_t>& keys) {
  size_t capacity = 16;
  while (static_cast<double>(keys.size()) > 0.75 * static_cast<double>(capacity)) capacity *= 2;
  std::vector<std::pair<size_t, size_t>> order;  // (bucket, insertion index)
  for (size_t i = 0; i < keys.size(); ++i) {
    const uint32_t h = static_cast<uint32_t>(keys[i]);
    order.emplace_back((h ^ (h >> 16)) & (capacity - 1), i);
  }
  std::sort(order.begin(), order.end());
  std::vector<size_t> out;
  for (const auto& [bucket, i] : order) out.push_back(i);
  return out;
}

// One encoded column's statistics: per level, per target class (-1 for regression/binary) the
// numerator and denominator.
struct EncodingMap {
  std::vector<int32_t> levels;                              // insertion order
  std::unordered_map<int32_t, size_t> index;                // level -> position in levels
  std::vector<std::map<int32_t, std::pair<double, double>>> stats;  // per position
  std::map<int32_t, double> priors;                         // per target class

  void Add(int32_t level, int32_t target, double num, double den) {
    auto [it, fresh] = index.emplace(level, levels.size());
    if (fresh) {
      levels.push_back(level);
      stats.emplace_back();
    }
    stats[it->second][target] = {num, den};
  }
  // genmodel's getNACategory(): the number of distinct levels minus one.
  int32_t NaLevel() const { return static_cast<int32_t>(levels.size()) - 1; }
  const std::pair<double, double>* Find(int32_t level, int32_t target) const {
    const auto it = index.find(level);
    if (it == index.end()) return nullptr;
    const auto& m = stats[it->second];
    const auto s = m.find(target);
    return s == m.end() ? nullptr : &s->second;
  }
};

struct Mapping {
  std::vector<std::string> from;
  std::vector<std::string> to;
  std::optional<std::vector<std::string>> to_domain;
};

// input_*_columns_map.ini: "[from]" lines, "[to]" lines, optionally "[to_domain]" lines, repeated.
std::vector<Mapping> ParseMappings(const std::string& text, const std::string& origin) {
  std::vector<Mapping> out;
  std::optional<Mapping> cur;
  bool in_to = false, in_domain = false;
  auto flush = [&] {
    if (cur && in_to) out.push_back(std::move(*cur));
  };
  for (std::string_view raw : SplitLines(text)) {
    const std::string line(JavaTrim(raw));
    if (line == "[from]") {
      flush();
      cur = Mapping{};
      in_to = in_domain = false;
    } else if (line == "[to]") {
      if (!cur) Fail(ErrorKind::kDataLoss, origin + ": [to] before any [from]");
      in_to = true;
    } else if (line == "[to_domain]") {
      if (!cur) Fail(ErrorKind::kDataLoss, origin + ": [to_domain] before any [from]");
      in_domain = true;
      cur->to_domain.emplace();
    } else if (!cur) {
      Fail(ErrorKind::kDataLoss, origin + ": '" + line + "' before any [from]");
    } else if (in_domain) {
      cur->to_domain->push_back(line);
    } else if (in_to) {
      cur->to.push_back(line);
    } else {
      cur->from.push_back(line);
    }
  }
  flush();
  return out;
}

class TargetEncoderModel final : public RowScorer<TargetEncoderModel> {
 public:
  struct Column {
    std::string name;                      // the encoded column (section of encoding_map.ini)
    std::vector<size_t> inputs;            // row indices of its input columns
    std::vector<int32_t> cardinalities;    // their domain sizes (interactions)
    std::vector<int64_t> interaction_domain;  // interactions: the encoded interaction values
    std::optional<bool> has_nas;           // te_column_name_to_missing_values_presence.ini
    const EncodingMap* encodings = nullptr;
  };
  struct Params {
    bool blending = false;
    double inflection_point = 0, smoothing = 0;
    std::map<std::string, EncodingMap> maps;
    std::vector<Column> columns;
    std::vector<std::string> output_names;
  };

  TargetEncoderModel(MojoMeta meta, Params p) : RowScorer(std::move(meta)), p_(std::move(p)) {
    for (Column& c : p_.columns) c.encodings = &p_.maps.at(c.name);
    per_column_ = meta_.n_classes > 1 ? static_cast<size_t>(meta_.n_classes - 1) : 1;
  }

  void ScoreRow(const double* row, size_t row_len, double /*offset*/, double* preds) const {
    size_t out = 0;
    for (const Column& col : p_.columns) {
      double level;
      if (col.inputs.size() == 1) {
        level = Read(row, row_len, col.inputs[0]);
      } else {
        // The interaction value: each input level (NaN or unseen -> its cardinality) in a mixed
        // radix of (cardinality + 1), looked up in the training interactions (binary search).
        int64_t value = 0, multiplier = 1;
        for (size_t i = 0; i < col.inputs.size(); ++i) {
          double v = Read(row, row_len, col.inputs[i]);
          const int32_t card = col.cardinalities[i];
          if (std::isnan(v) || v >= card) v = card;
          value = JavaD2L(static_cast<double>(value) + static_cast<double>(multiplier) * v);
          multiplier *= static_cast<int64_t>(card) + 1;
        }
        const int64_t found = JavaBinarySearch(col.interaction_domain, value);
        level = found < 0 ? NAN : static_cast<double>(found);
      }
      if (std::isnan(level)) {
        if (!col.has_nas)
          Fail(ErrorKind::kInvalidArgument, "a missing value in '" + col.name +
                                                "', whose NA presence the MOJO does not record (Java throws here too)");
        if (*col.has_nas) Encode(*col.encodings, col.encodings->NaLevel(), preds + out, col.name);
        else EncodePrior(*col.encodings, preds + out);
      } else {
        Encode(*col.encodings, JavaD2I(level), preds + out, col.name);
      }
      out += per_column_;
    }
  }

  size_t preds_size() const override { return p_.columns.size() * per_column_; }
  size_t min_preds_size() const override { return preds_size(); }
  std::vector<std::string> OutputNames() const override { return p_.output_names; }
  std::string Describe() const override {
    std::string s = "H2O-3 Target Encoder, " + std::to_string(p_.columns.size()) + " encoded column(s) (";
    for (size_t i = 0; i < p_.columns.size(); ++i) s += (i ? ", " : "") + p_.columns[i].name;
    s += "), ";
    if (p_.blending) s += "blending (inflection point " + Num(p_.inflection_point) + ", smoothing " +
                          Num(p_.smoothing) + ")";
    else s += "no blending";
    return s + ", MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return false; }

 private:
  static double Read(const double* row, size_t row_len, size_t i) {
    if (i >= row_len)
      Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values, the encoder reads column " +
                                            std::to_string(i));
    return row[i];
  }

  static int64_t JavaBinarySearch(const std::vector<int64_t>& a, int64_t key) {
    int64_t low = 0, high = static_cast<int64_t>(a.size()) - 1;
    while (low <= high) {
      const int64_t mid = static_cast<int64_t>(static_cast<uint64_t>(low + high) >> 1);
      const int64_t v = a[static_cast<size_t>(mid)];
      if (v < key) low = mid + 1;
      else if (v > key) high = mid - 1;
      else return mid;
    }
    return -(low + 1);
  }

  double Value(const std::pair<double, double>& nd, double prior) const {
    const double posterior = nd.first / nd.second;
    if (!p_.blending) return posterior;
    const int64_t n = JavaD2L(nd.second);
    const double lambda = 1.0 / (1 + std::exp((p_.inflection_point - static_cast<double>(n)) / p_.smoothing));
    return lambda * posterior + (1 - lambda) * prior;
  }

  void Encode(const EncodingMap& m, int32_t level, double* out, const std::string& name) const {
    const int k = meta_.n_classes;
    for (size_t i = 0; i < per_column_; ++i) {
      const int32_t target = k > 2 ? static_cast<int32_t>(i) + 1 : -1;
      const auto* nd = m.Find(level, target);
      if (!nd)
        Fail(ErrorKind::kInvalidArgument, "level index " + std::to_string(level) + " of '" + name +
                                              "' is not in the encoding map (Java throws here too)");
      out[i] = Value(*nd, m.priors.at(target));
    }
  }

  void EncodePrior(const EncodingMap& m, double* out) const {
    const int k = meta_.n_classes;
    for (size_t i = 0; i < per_column_; ++i) out[i] = m.priors.at(k > 2 ? static_cast<int32_t>(i) + 1 : -1);
  }

  Params p_;
  size_t per_column_ = 1;
};

}  // namespace

std::unique_ptr<MojoModel> LoadTargetEncoder(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  const std::string& path = meta.path;
  RequireMojoVersion(meta, {1.00}, OlderMojoVersions::kRead);
  const int k = meta.n_classes;
  if (k < 1) Fail(ErrorKind::kDataLoss, path + ": Target Encoder with n_classes = " + std::to_string(k));
  TargetEncoderModel::Params p;
  const auto blending = ini.Bool("with_blending");
  if (!blending) Fail(ErrorKind::kDataLoss, path + ": model.ini lacks with_blending");
  p.blending = *blending;
  if (p.blending) {
    auto ip = ini.Double("inflection_point"), sm = ini.Double("smoothing");
    if (!ip || !sm) Fail(ErrorKind::kDataLoss, path + ": blending without inflection_point and smoothing");
    p.inflection_point = *ip;
    p.smoothing = *sm;
  }

  // encoding_map.ini: "[column]" sections of "level = num den" (K > 2 targets: "num den class").
  const std::string enc_name = std::string(kDir) + "encoding_map.ini";
  if (!archive.Exists(enc_name)) Fail(ErrorKind::kDataLoss, path + ": " + enc_name + " is missing");
  {
    const std::string origin = path + ": " + enc_name;
    EncodingMap* cur = nullptr;
    const std::string text = archive.Read(enc_name);
    for (std::string_view raw : SplitLines(text)) {
      const std::string_view line = JavaTrim(raw);
      const size_t open = line.find('[');
      const size_t close = open == std::string_view::npos ? open : line.find(']', open + 1);
      if (close != std::string_view::npos) {
        const std::string section(line.substr(open + 1, close - open - 1));
        p.maps[section] = EncodingMap{};  // a repeated section replaces the earlier one, as in Java
        cur = &p.maps[section];
        continue;
      }
      if (!cur) Fail(ErrorKind::kDataLoss, origin + ": '" + std::string(line) + "' before any [column] section");
      const auto kv = SplitKeyValue(line);
      const auto level = kv ? JavaParseInt(kv->first) : std::nullopt;
      if (!level) Fail(ErrorKind::kDataLoss, origin + ": malformed line '" + std::string(line) + "'");
      std::vector<double> parts;
      std::string_view rest = kv->second;
      std::vector<std::string_view> cells;
      for (size_t s = 0;;) {
        const size_t sp = rest.find(' ', s);
        cells.push_back(rest.substr(s, sp == std::string_view::npos ? std::string_view::npos : sp - s));
        if (sp == std::string_view::npos) break;
        s = sp + 1;
      }
      while (!cells.empty() && cells.back().empty()) cells.pop_back();  // String.split drops trailing empties
      for (std::string_view c : cells) {
        auto d = JavaParseDouble(c);
        if (!d) Fail(ErrorKind::kDataLoss, origin + ": unparseable number '" + std::string(c) + "'");
        parts.push_back(*d);
      }
      const size_t want = k > 2 ? 3 : 2;
      if (parts.size() != want)
        Fail(ErrorKind::kDataLoss, origin + ": '" + std::string(line) + "' has " + std::to_string(parts.size()) +
                                       " numbers, expected " + std::to_string(want));
      cur->Add(*level, k > 2 ? JavaD2I(parts[2]) : -1, parts[0], parts[1]);
    }
    if (p.maps.empty()) Fail(ErrorKind::kDataLoss, origin + ": no encodings");
  }
  // The priors: sums over every level in java.util.HashMap order.
  for (auto& [name, m] : p.maps) {
    const std::vector<size_t> order = JavaIntegerHashMapOrder(m.levels);
    for (int c = (k > 2 ? 1 : -1); c <= (k > 2 ? k - 1 : -1); c += (k > 2 ? 1 : 2)) {
      double num = 0, den = 0;
      for (size_t i : order) {
        const auto it = m.stats[i].find(c);
        if (it == m.stats[i].end())
          Fail(ErrorKind::kDataLoss, path + ": the encodings of '" + name + "' lack target class " + std::to_string(c) +
                                         " for level " + std::to_string(m.levels[i]));
        num += it->second.first;
        den += it->second.second;
      }
      m.priors[c] = num / den;
    }
  }

  // Which NA rows exist.
  std::map<std::string, bool> has_nas;
  const std::string na_name = std::string(kDir) + "te_column_name_to_missing_values_presence.ini";
  if (archive.Exists(na_name)) {
    const std::string text = archive.Read(na_name);
    for (std::string_view raw : SplitLines(text)) {
      const auto kv = SplitKeyValue(JavaTrim(raw));
      const auto flag = kv ? JavaParseInt(kv->second) : std::nullopt;
      if (!flag) Fail(ErrorKind::kDataLoss, path + ": " + na_name + ": malformed line '" + std::string(raw) + "'");
      has_nas[kv->first] = *flag == 1;
    }
  }

  const std::string inenc_name = std::string(kDir) + "input_encoding_columns_map.ini";
  const std::string inout_name = std::string(kDir) + "input_output_columns_map.ini";
  if (!archive.Exists(inenc_name) || !archive.Exists(inout_name))
    Fail(ErrorKind::kUnimplemented, path + ": Target Encoder MOJOs without " + inenc_name + " and " + inout_name +
                                        " (written before H2O-3 3.32) are not supported");
  const std::vector<Mapping> inenc = ParseMappings(archive.Read(inenc_name), path + ": " + inenc_name);
  const std::vector<Mapping> inout = ParseMappings(archive.Read(inout_name), path + ": " + inout_name);
  if (inenc.empty()) Fail(ErrorKind::kDataLoss, path + ": " + inenc_name + " maps no column");
  if (inenc.size() != p.maps.size() || inout.size() != inenc.size())
    Fail(ErrorKind::kDataLoss, path + ": " + std::to_string(inenc.size()) + " input-to-encoding mappings, " +
                                   std::to_string(inout.size()) + " input-to-output mappings and " +
                                   std::to_string(p.maps.size()) + " encoding maps do not correspond");
  const size_t per = k > 1 ? static_cast<size_t>(k - 1) : 1;
  for (size_t i = 0; i < inenc.size(); ++i) {
    const Mapping& m = inenc[i];
    if (m.to.empty() || m.from.empty()) Fail(ErrorKind::kDataLoss, path + ": an empty mapping in " + inenc_name);
    TargetEncoderModel::Column col;
    col.name = m.to[0];
    if (!p.maps.count(col.name))
      Fail(ErrorKind::kDataLoss, path + ": no encodings for the encoded column '" + col.name + "'");
    if (inout[i].from != m.from || inout[i].to.size() != per)
      Fail(ErrorKind::kDataLoss, path + ": " + inout_name + " entry " + std::to_string(i) + " does not match '" + col.name +
                                     "' (" + std::to_string(per) + " output columns each)");
    for (const std::string& out : inout[i].to) p.output_names.push_back(out);
    for (const std::string& in : m.from) {
      // Java's name -> index map keeps the last of duplicated names.
      size_t idx = meta.columns.size();
      for (size_t c = 0; c < meta.columns.size(); ++c)
        if (meta.columns[c] == in) idx = c;
      if (idx == meta.columns.size())
        Fail(ErrorKind::kDataLoss, path + ": the encoder reads a column '" + in + "' that the MOJO does not have");
      col.inputs.push_back(idx);
      col.cardinalities.push_back(meta.domain_sizes[idx]);
    }
    if (col.inputs.size() > 1) {
      bool ok = m.to_domain.has_value();
      if (ok)
        for (const std::string& d : *m.to_domain) {
          const auto v = JavaParseLong(d);
          if (!v) ok = false;
          else col.interaction_domain.push_back(*v);
        }
      if (!ok)
        Fail(ErrorKind::kDataLoss, path + ": the interaction '" + col.name + "' has no numeric [to_domain]");
      for (size_t j = 0; j < col.inputs.size(); ++j)
        if (col.cardinalities[j] < 0)
          Fail(ErrorKind::kDataLoss, path + ": the interaction '" + col.name + "' includes the numeric column '" +
                                         m.from[j] + "'");
    }
    if (const auto it = has_nas.find(col.name); it != has_nas.end()) col.has_nas = it->second;
    p.columns.push_back(std::move(col));
  }
  return std::make_unique<TargetEncoderModel>(std::move(meta), std::move(p));
}

}  // namespace scorehost::h2o3
