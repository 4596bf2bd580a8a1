#include "categorical_encoding.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "errors.hpp"
#include "java_semantics.hpp"

namespace scorehost::h2o3 {

namespace {

// genmodel's readtext(name, true): lines (BufferedReader.readLine), newline escapes undone, then
// String.trim().
std::vector<std::string> ReadTextLines(Archive& archive, const std::string& name) {
  std::vector<std::string> out;
  const std::string text = archive.Read(name);
  for (std::string_view line : SplitLines(text)) out.emplace_back(JavaTrim(UnescapeNewlines(line)));
  return out;
}

// readStringArray(name, n): exactly n lines (Java fails on more and leaves nulls for fewer).
std::vector<std::string> ReadStringArray(Archive& archive, const std::string& name, int64_t n, const std::string& path) {
  if (!archive.Exists(name)) Fail(ErrorKind::kDataLoss, path + ": " + name + " is missing");
  std::vector<std::string> lines = ReadTextLines(archive, name);
  if (static_cast<int64_t>(lines.size()) != n)
    Fail(ErrorKind::kDataLoss, path + ": " + name + " has " + std::to_string(lines.size()) + " lines, model.ini says " +
                                   std::to_string(n));
  return lines;
}

// MathUtils.log2(int): floor(log2(n)) for n > 0.
int32_t FloorLog2(int32_t n) {
  int32_t r = 0;
  while (n > 1) {
    n >>= 1;
    ++r;
  }
  return r;
}

// Java's (float) d without C++'s undefined behaviour for finite values beyond float's range:
// round to nearest, overflowing to infinity from FLT_MAX + half an ulp on.
double JavaD2FAsDouble(double d) {
  constexpr double kOverflow = 3.4028235677973366e38;  // FLT_MAX + 2^103
  if (std::isnan(d)) return d;
  if (std::fabs(d) >= kOverflow) return d > 0 ? INFINITY : -INFINITY;
  if (std::fabs(d) > std::numeric_limits<float>::max())
    return d > 0 ? std::numeric_limits<float>::max() : -std::numeric_limits<float>::max();
  return static_cast<double>(static_cast<float>(d));
}

constexpr int64_t kMaxOrigColumns = int64_t{1} << 20;
constexpr int64_t kMaxLevels = int64_t{1} << 24;

}  // namespace

std::unique_ptr<const CategoricalEncoder> CategoricalEncoder::Load(Archive& archive, const ModelIni& ini,
                                                                   const MojoMeta& meta) {
  const std::string& path = meta.path;
  const auto version = JavaParseDouble(meta.mojo_version);
  if (!version || *version < 1.40) return nullptr;  // SharedTreeMojoReader: AUTO before 1.40
  // (Java fails on an absent key; we read it as AUTO, as this scorer always has.)
  const std::string enc = ini.String("_genmodel_encoding").value_or("AUTO");
  if (enc == "AUTO" || enc == "Enum" || enc == "SortByResponse") return nullptr;

  auto e = std::unique_ptr<CategoricalEncoder>(new CategoricalEncoder());
  e->name_ = enc;
  if (enc == "OneHotExplicit") e->kind_ = Kind::kOneHotExplicit;
  else if (enc == "Binary") e->kind_ = Kind::kBinary;
  else if (enc == "LabelEncoder") e->kind_ = Kind::kLabelEncoder;
  else if (enc == "EnumLimited") e->kind_ = Kind::kEnumLimited;
  else if (enc == "Eigen") e->kind_ = Kind::kEigen;
  else
    Fail(ErrorKind::kUnimplemented, path + ": unknown categorical encoding '" + enc + "' of this " + meta.algorithm +
                                        " MOJO (version " + meta.mojo_version + "; supported: AUTO, Enum, " +
                                        "SortByResponse, OneHotExplicit, Binary, LabelEncoder, EnumLimited, Eigen)");
  if (!meta.offset_column.empty())
    Fail(ErrorKind::kUnimplemented, path + ": " + meta.algorithm + " MOJO with categorical encoding " + enc +
                                        " and an offset column is not supported");

  // _orig_names and _orig_domain_values (null domains for numeric columns).
  const auto n_names = ini.Int("_n_orig_names");
  const auto n_domains = ini.Int("_n_orig_domain_values");
  if (!n_names || !n_domains)
    Fail(ErrorKind::kDataLoss, path + ": categorical encoding " + enc + " without _n_orig_names/_n_orig_domain_values");
  if (*n_names < 0 || *n_names > kMaxOrigColumns || *n_domains < 0 || *n_domains > kMaxOrigColumns)
    Fail(ErrorKind::kDataLoss, path + ": implausible _n_orig_names = " + std::to_string(*n_names) +
                                   " / _n_orig_domain_values = " + std::to_string(*n_domains));
  const std::vector<std::string> names = ReadStringArray(archive, "_orig_names", *n_names, path);
  std::vector<std::optional<std::vector<std::string>>> domains(static_cast<size_t>(*n_domains));
  for (int64_t i = 0; i < *n_domains; ++i) {
    const std::string key = "_m_orig_domain_values_" + std::to_string(i);
    const auto m = ini.Int(key);
    if (!m) Fail(ErrorKind::kDataLoss, path + ": " + key + " is missing");
    if (*m < 0 || *m > kMaxLevels) Fail(ErrorKind::kDataLoss, path + ": implausible " + key + " = " + std::to_string(*m));
    if (*m > 0) domains[static_cast<size_t>(i)] = ReadStringArray(archive, "_orig_domain_values_" + std::to_string(i), *m, path);
  }

  // GenModel.getOrigNumCols: the names without the response when it is the last one.
  const size_t nf = static_cast<size_t>(meta.n_features);
  size_t n_orig = names.size();
  if (meta.supervised && !names.empty() && !meta.columns.empty() && names.back() == meta.columns.back()) --n_orig;
  const bool by_model_columns = e->kind_ == Kind::kLabelEncoder;  // LabelEncoder keeps the model's columns
  const size_t n_inputs = by_model_columns ? nf : n_orig;
  if (domains.size() < n_inputs)
    Fail(ErrorKind::kDataLoss, path + ": " + std::to_string(domains.size()) + " original domains for " +
                                   std::to_string(n_inputs) + " original columns");
  if ((e->kind_ == Kind::kEnumLimited || e->kind_ == Kind::kEigen || by_model_columns) && n_inputs != nf)
    Fail(ErrorKind::kDataLoss, path + ": " + enc + " with " + std::to_string(n_orig) + " original columns for " +
                                   std::to_string(nf) + " features");

  e->inputs_.resize(n_inputs);
  for (size_t i = 0; i < n_inputs; ++i) {
    e->input_names_.push_back(by_model_columns ? meta.columns[i] : names[i]);
    e->input_domains_.push_back(domains[i]);
    if (domains[i]) e->inputs_[i].levels = static_cast<int32_t>(domains[i]->size());
  }
  // Duplicate input names would make the RowData mapping ambiguous.
  {
    std::unordered_map<std::string, size_t> seen;
    for (const auto& n : e->input_names_)
      if (!seen.emplace(n, 0).second) Fail(ErrorKind::kDataLoss, path + ": original column '" + n + "' appears twice");
  }

  switch (e->kind_) {
    case Kind::kOneHotExplicit:
    case Kind::kBinary: {
      // Numeric columns first, in order, then each categorical's block.
      int64_t pos = 0;
      for (auto& in : e->inputs_)
        if (in.levels < 0) in.target = static_cast<int32_t>(pos++);
      for (auto& in : e->inputs_) {
        if (in.levels < 0) continue;
        in.target = static_cast<int32_t>(pos);
        in.width = e->kind_ == Kind::kOneHotExplicit ? in.levels + 1 : 1 + FloorLog2(in.levels);
        pos += in.width;
        if (pos > kMaxLevels) Fail(ErrorKind::kDataLoss, path + ": implausible encoded width");
      }
      e->encoded_width_ = static_cast<size_t>(pos);
      break;
    }
    case Kind::kLabelEncoder:
      for (size_t i = 0; i < n_inputs; ++i) {
        Input& in = e->inputs_[i];
        in.target = static_cast<int32_t>(i);
        if (in.levels < 0) continue;
        // LabelEncoder.encodeCatValue: an integer level is its value, any other its index.
        for (int32_t l = 0; l < in.levels; ++l) {
          const auto v = JavaParseInt((*domains[i])[static_cast<size_t>(l)]);
          in.by_level.push_back(v ? static_cast<double>(*v) : static_cast<double>(l));
        }
      }
      e->encoded_width_ = nf;
      break;
    case Kind::kEnumLimited:
      for (size_t i = 0; i < n_inputs; ++i) {
        Input& in = e->inputs_[i];
        in.target = static_cast<int32_t>(i);
        if (in.levels < 0) continue;
        const auto& reduced = meta.domains[i];
        if (!reduced)
          Fail(ErrorKind::kDataLoss, path + ": EnumLimited column '" + names[i] + "' is categorical but feature " +
                                         std::to_string(i) + " has no domain");
        // EnumLimitedEncoder: the reduced levels by name (the last index of a duplicate, as
        // HashMap.put); with an "other" level, every original level not kept goes there and the
        // name "other" itself is no longer a key.
        std::unordered_map<std::string, int32_t> map;
        for (size_t j = 0; j < reduced->size(); ++j) map[(*reduced)[j]] = static_cast<int32_t>(j);
        if (auto other = map.find("other"); other != map.end()) {
          const int32_t other_index = other->second;
          for (const auto& level : *domains[i]) map.emplace(level, other_index);
          map.erase("other");
        }
        for (const auto& level : *domains[i]) {
          auto it = map.find(level);
          if (it == map.end()) it = map.find(names[i] + ".top_" + level + "_levels");
          in.by_level.push_back(it == map.end() ? std::numeric_limits<double>::quiet_NaN()
                                                : static_cast<double>(it->second));
        }
      }
      e->encoded_width_ = nf;
      break;
    case Kind::kEigen: {
      // EigenEncoderDomainMapConstructor: consecutive slices of _orig_projection_array, one per
      // categorical in original order; a level is its entry rounded to float.
      const std::vector<double> projection = ini.Doubles("_orig_projection_array").value_or(std::vector<double>{});
      size_t pos = 0;
      for (size_t i = 0; i < n_inputs; ++i) {
        Input& in = e->inputs_[i];
        in.target = static_cast<int32_t>(i);
        if (in.levels < 0) continue;
        if (projection.size() - pos < static_cast<size_t>(in.levels))
          Fail(ErrorKind::kDataLoss, path + ": _orig_projection_array has " + std::to_string(projection.size()) +
                                         " values, too few for the original domains");
        for (int32_t l = 0; l < in.levels; ++l)
          in.by_level.push_back(JavaD2FAsDouble(projection[pos + static_cast<size_t>(l)]));
        pos += static_cast<size_t>(in.levels);
      }
      e->encoded_width_ = nf;
      break;
    }
  }
  if (e->encoded_width_ != nf)
    Fail(ErrorKind::kDataLoss, path + ": categorical encoding " + enc + " of the original columns gives " +
                                   std::to_string(e->encoded_width_) + " columns, the model has " + std::to_string(nf) +
                                   " features");
  e->encoded_names_.assign(meta.columns.begin(), meta.columns.begin() + static_cast<long>(nf));
  return e;
}

MojoMeta CategoricalEncoder::InputMeta(const MojoMeta& encoded) const {
  MojoMeta m = encoded;
  const size_t nf = static_cast<size_t>(encoded.n_features);
  m.columns.assign(input_names_.begin(), input_names_.end());
  m.domains.assign(input_domains_.begin(), input_domains_.end());
  m.domain_sizes.clear();
  for (const auto& in : inputs_) m.domain_sizes.push_back(in.levels);
  for (size_t c = nf; c < encoded.columns.size(); ++c) {
    m.columns.push_back(encoded.columns[c]);
    m.domains.push_back(encoded.domains[c]);
    m.domain_sizes.push_back(encoded.domain_sizes[c]);
  }
  m.n_features = static_cast<int>(inputs_.size());
  m.unseen_levels_past_domain = true;
  m.levels_exact_only = true;  // genmodel's encoders match the level text only
  return m;
}

void CategoricalEncoder::Encode(const double* row, size_t row_len, double* out) const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Input& in = inputs_[i];
    const double v = i < row_len ? row[i] : nan;
    double* dst = out + in.target;
    if (in.levels < 0 || std::isnan(v)) {  // numeric, or a missing value: every encoded column NaN
      std::fill(dst, dst + in.width, v);
      continue;
    }
    const int32_t level = JavaD2I(v);
    const bool seen = v >= 0 && level < in.levels;  // else an unseen level: the encoders' NA
    switch (kind_) {
      case Kind::kOneHotExplicit: {
        const int32_t hot = seen ? level : in.levels;
        for (int32_t j = 0; j < in.width; ++j) dst[j] = j == hot ? 1.0 : 0.0;
        break;
      }
      case Kind::kBinary: {
        uint64_t bits = seen ? static_cast<uint64_t>(level) + 1 : 0;  // 0 is the NA code
        for (int32_t j = 0; j < in.width; ++j, bits >>= 1) dst[j] = static_cast<double>(bits & 1);
        break;
      }
      default:
        dst[0] = seen ? in.by_level[static_cast<size_t>(level)] : nan;
        break;
    }
  }
}

const double* CategoricalEncoder::EncodeRows(const double* rows, size_t n, size_t row_len) const {
  thread_local std::vector<double> buffer;
  if (buffer.size() < n * encoded_width_) buffer.resize(n * encoded_width_);
  for (size_t r = 0; r < n; ++r) Encode(rows + r * row_len, row_len, buffer.data() + r * encoded_width_);
  return buffer.data();
}

std::vector<std::string> CategoricalEncoder::ContributionNames() const {
  std::vector<std::string> names = encoded_names_;
  names.push_back("BiasTerm");
  return names;
}

}  // namespace scorehost::h2o3
