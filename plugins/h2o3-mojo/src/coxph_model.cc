// Cox Proportional Hazards (genmodel CoxPHMojoModel / CoxPHMojoReader). The prediction is the
// linear predictor "lp" that PredictCsv writes:
//   lp = sum(categorical coefficients) + sum(numeric coefficient x value) - lp_base[stratum] + offset
// where lp_base[s] = x_mean_cat[s] . coef[0..] + x_mean_num[s] . coef[n_cat..] (the centring of
// stratum s; one row when the model has no strata). The row starts with the strata columns
// (strata_len of them); features are read after them. Interaction columns (H2O's interactions /
// interaction_pairs) are features of the MOJO that the caller leaves missing: when they are NaN
// they are computed from their two source columns first, as genmodel does.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "errors.hpp"
#include "java_blob.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"

namespace scorehost::h2o3 {

namespace {

enum class Interaction { kEnumEnum, kEnumNum, kNumNum };

class CoxPhModel final : public RowScorer<CoxPhModel> {
 public:
  struct Params {
    std::vector<double> coef;
    std::vector<double> lp_base;                    // per stratum (one entry without strata)
    std::map<std::vector<int32_t>, int32_t> strata;  // (int) strata values -> stratum index
    int32_t strata_len = 0;
    std::vector<int32_t> cat_offsets;
    int32_t cats = 0;
    bool use_all_levels = false;
    int32_t nums = -1;  // -1: MOJOs before num_numerical_columns (numerics follow the categoricals)
    std::vector<int32_t> num_offsets;
    // Interactions (only with nums != -1).
    bool has_interactions = false;
    std::vector<int32_t> targets, first, second;
    std::vector<Interaction> types;
    std::vector<bool> enum_first;
    std::set<int32_t> interaction_columns;
    std::map<int32_t, std::vector<std::string>> interaction_domains;
    bool has_offset_column = false;
  };

  CoxPhModel(MojoMeta meta, Params p) : RowScorer(std::move(meta)), p_(std::move(p)) {}

  void ScoreRow(const double* row_in, size_t row_len, double offset, double* preds) const {
    if (p_.nums == -1) {
      preds[0] = Categories(row_in, row_len) + OtherColumnsLegacy(row_in, row_len) - StratumBase(row_in, row_len) + offset;
      return;
    }
    const double* row = row_in;
    thread_local std::vector<double> scratch;
    thread_local std::vector<int32_t> enum_offset;
    if (p_.has_interactions) {  // genmodel writes the interaction values into the row
      scratch.assign(row_in, row_in + row_len);
      enum_offset.assign(static_cast<size_t>(p_.nums), -1);
      EvaluateInteractions(scratch, enum_offset);
      row = scratch.data();
    }
    const double cat = Categories(row, row_len);
    const double other = OtherColumns(row, row_len, p_.has_interactions ? enum_offset.data() : nullptr);
    preds[0] = cat + other - StratumBase(row, row_len) + offset;
  }

  std::string Describe() const override {
    return "H2O-3 CoxPH (" + std::to_string(p_.coef.size()) + " coefficients, " +
           (p_.strata.empty() ? std::string("no strata") : std::to_string(p_.strata.size()) + " strata") +
           (p_.has_interactions ? ", " + std::to_string(p_.targets.size()) + " interactions" : std::string()) +
           "; output: linear predictor lp), MOJO " + meta_.mojo_version;
  }
  bool UsesOffset() const override { return true; }
  std::vector<std::string> OutputNames() const override { return {"lp"}; }

 private:
  static double At(const double* row, size_t row_len, int64_t i) {
    if (i < 0 || static_cast<uint64_t>(i) >= row_len)
      Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values, CoxPH reads index " + std::to_string(i));
    return row[i];
  }
  double Feature(const double* row, size_t row_len, int64_t i) const { return At(row, row_len, i + p_.strata_len); }

  double Coef(int64_t i) const {
    if (i < 0 || static_cast<uint64_t>(i) >= p_.coef.size())
      Fail(ErrorKind::kInvalidArgument, "CoxPH coefficient index " + std::to_string(i) + " is out of range");
    return p_.coef[static_cast<size_t>(i)];
  }

  double OneCategory(const double* row, size_t row_len, int32_t c, int32_t lowest) const {
    const double v = Feature(row, row_len, c);
    const int32_t value = JavaISub(JavaD2I(v), lowest);
    if (static_cast<double>(value) != v - lowest)
      Fail(ErrorKind::kInvalidArgument, "categorical value out of range (not a valid level index)");
    const int32_t x = JavaIAdd(value, p_.cat_offsets[static_cast<size_t>(c)]);
    if (value >= 0 && x < p_.cat_offsets[static_cast<size_t>(c) + 1]) return Coef(x);
    return 0;
  }

  double Categories(const double* row, size_t row_len) const {
    double result = 0.0;
    if (!p_.use_all_levels) {
      for (int32_t c = 0; c < p_.cats; ++c) {
        const double v = Feature(row, row_len, c);
        if (std::isnan(v)) result = NAN;
        else if (v >= 0) result += OneCategory(row, row_len, c, p_.interaction_columns.count(c) ? 0 : 1);
      }
    } else {
      for (int32_t c = 0; c + 1 < static_cast<int32_t>(p_.cat_offsets.size()); ++c) result += OneCategory(row, row_len, c, 0);
    }
    return result;
  }

  // MOJOs without num_numerical_columns: every coefficient after the categorical block.
  double OtherColumnsLegacy(const double* row, size_t row_len) const {
    double result = 0.0;
    const int64_t diff = static_cast<int64_t>(p_.cat_offsets[static_cast<size_t>(p_.cats)]) - p_.cats;
    for (int64_t i = p_.cats; i + diff < static_cast<int64_t>(p_.coef.size()); ++i)
      result += p_.coef[static_cast<size_t>(diff + i)] * Feature(row, row_len, i);
    return result;
  }

  double OtherColumns(const double* row, size_t row_len, const int32_t* enum_offset) const {
    double result = 0.0;
    const int64_t n = static_cast<int64_t>(p_.coef.size());
    for (int32_t i = 0; i < p_.nums; ++i) {
      const int32_t o = enum_offset == nullptr || enum_offset[i] < 0 ? p_.num_offsets[static_cast<size_t>(i)] : enum_offset[i];
      if (o >= n) break;
      result += Coef(o) * Feature(row, row_len, static_cast<int64_t>(i) + p_.cats);
    }
    return result;
  }

  double StratumBase(const double* row, size_t row_len) const {
    if (p_.strata.empty()) return p_.lp_base[0];
    std::vector<int32_t> key(static_cast<size_t>(p_.strata_len));
    for (int32_t i = 0; i < p_.strata_len; ++i) key[static_cast<size_t>(i)] = JavaD2I(At(row, row_len, i));
    const auto it = p_.strata.find(key);
    if (it == p_.strata.end())  // genmodel: HashMap.get -> null -> NullPointerException
      Fail(ErrorKind::kInvalidArgument, "the row's strata values are not a stratum of the CoxPH model");
    if (static_cast<size_t>(it->second) >= p_.lp_base.size())  // duplicate strata in the MOJO: genmodel's AIOOBE
      Fail(ErrorKind::kInvalidArgument, "the row's stratum has no centring term in the CoxPH model");
    return p_.lp_base[static_cast<size_t>(it->second)];
  }

  void EvaluateInteractions(std::vector<double>& row, std::vector<int32_t>& enum_offset) const {
    const size_t len = row.size();
    auto at = [&](int64_t i) -> double& {
      if (i < 0 || static_cast<uint64_t>(i) >= len)
        Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(len) + " values, a CoxPH interaction reads index " +
                                              std::to_string(i));
      return row[static_cast<size_t>(i)];
    };
    for (size_t k = 0; k < p_.targets.size(); ++k) {
      const int32_t target = p_.targets[k];
      if (!std::isnan(at(target))) continue;
      switch (p_.types[k]) {
        case Interaction::kEnumEnum: {
          const std::string& a = Level(p_.first[k], at(p_.first[k]));
          const std::string& b = Level(p_.second[k], at(p_.second[k]));
          const auto dom = p_.interaction_domains.find(target);
          if (dom == p_.interaction_domains.end())
            Fail(ErrorKind::kInvalidArgument, "CoxPH interaction column " + std::to_string(target) + " has no domain");
          const std::string combined = a + "_" + b;
          const auto it = std::find(dom->second.begin(), dom->second.end(), combined);
          at(target) = it == dom->second.end() ? -1.0 : static_cast<double>(it - dom->second.begin());
          break;
        }
        case Interaction::kNumNum: at(target) = at(p_.first[k]) * at(p_.second[k]); break;
        case Interaction::kEnumNum: {
          const int32_t e = p_.enum_first[k] ? p_.first[k] : p_.second[k];
          const int32_t num = p_.enum_first[k] ? p_.second[k] : p_.first[k];
          const int64_t slot = static_cast<int64_t>(target) - p_.cats;
          if (slot < 0 || static_cast<uint64_t>(slot) >= p_.num_offsets.size() || slot >= p_.nums)
            Fail(ErrorKind::kInvalidArgument, "CoxPH interaction column " + std::to_string(target) + " has no numeric slot");
          const int32_t off = p_.num_offsets[static_cast<size_t>(slot)];
          const int32_t level = JavaISub(JavaD2I(at(e)), p_.use_all_levels ? 0 : 1);
          at(target) = level < 0 ? 0 : at(num);
          enum_offset[static_cast<size_t>(slot)] = JavaIAdd(level, off);
          break;
        }
      }
    }
  }

  const std::string& Level(int32_t column, double v) const {
    const auto& dom = meta_.domains[static_cast<size_t>(column)];
    const int32_t i = JavaD2I(v);
    if (!dom || i < 0 || static_cast<size_t>(i) >= dom->size())
      Fail(ErrorKind::kInvalidArgument, "level index " + std::to_string(i) + " of column '" +
                                            meta_.columns[static_cast<size_t>(column)] + "' is out of range");
    return (*dom)[static_cast<size_t>(i)];
  }

  Params p_;
};

std::vector<int32_t> RequireInts(const ModelIni& ini, const std::string& key, const std::string& path) {
  auto v = ini.Int32s(key);
  if (!v) Fail(ErrorKind::kDataLoss, path + ": CoxPH model.ini lacks '" + key + "'");
  return *v;
}

// ModelMojoReader.readRectangularDoubleArray: <title>_size1 x <title>_size2 big-endian doubles.
std::vector<std::vector<double>> ReadMatrix(Archive& archive, const ModelIni& ini, const std::string& title,
                                            const std::string& path) {
  const int64_t n1 = ini.RequireInt(title + "_size1"), n2 = ini.RequireInt(title + "_size2");
  if (n1 < 0 || n2 < 0 || n1 > (1 << 24) || n2 > (1 << 24) || n1 * n2 > (1 << 26))
    Fail(ErrorKind::kDataLoss, path + ": " + title + " is " + std::to_string(n1) + " x " + std::to_string(n2));
  JavaBlob blob(archive.Read(title), path + ": " + title);
  std::vector<std::vector<double>> m;
  for (int64_t i = 0; i < n1; ++i) m.push_back(blob.Doubles(static_cast<uint64_t>(n2)));
  return m;
}

}  // namespace

std::unique_ptr<MojoModel> LoadCoxPh(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  const std::string& path = meta.path;
  RequireMojoVersion(meta, {1.00}, OlderMojoVersions::kRefused, "CoxPH");
  if (meta.category_name != "CoxPH")
    Fail(ErrorKind::kUnimplemented, path + ": CoxPH model of category " + meta.category_name + " is not supported");
  CoxPhModel::Params p;
  const auto x_mean_cat = ReadMatrix(archive, ini, "x_mean_cat", path);
  const auto x_mean_num = ReadMatrix(archive, ini, "x_mean_num", path);
  auto coef = ini.Doubles("coef");
  if (!coef) Fail(ErrorKind::kDataLoss, path + ": CoxPH model.ini lacks 'coef'");
  p.coef = std::move(*coef);

  const int64_t strata_count = ini.RequireInt("strata_count");
  if (strata_count < 0 || strata_count > (1 << 24)) Fail(ErrorKind::kDataLoss, path + ": strata_count = " + std::to_string(strata_count));
  std::set<std::vector<int32_t>> distinct;  // the keys of genmodel's HashMap, whatever their length
  for (int64_t s = 0; s < strata_count; ++s) {
    auto v = ini.Doubles("strata_" + std::to_string(s));
    if (!v) Fail(ErrorKind::kDataLoss, path + ": CoxPH model.ini lacks 'strata_" + std::to_string(s) + "'");
    if (s == 0) p.strata_len = static_cast<int32_t>(v->size());
    std::vector<int32_t> key;
    for (double d : *v) key.push_back(JavaD2I(d));
    distinct.insert(key);
    if (static_cast<int64_t>(v->size()) != p.strata_len) continue;  // never equal to a row's key in genmodel
    p.strata.insert_or_assign(std::move(key), static_cast<int32_t>(s));  // HashMap.put: the last one wins
  }
  p.cat_offsets = RequireInts(ini, "cat_offsets", path);
  const int64_t cats = ini.RequireInt("cats");
  if (cats < 0 || static_cast<size_t>(cats) + 1 != p.cat_offsets.size())
    Fail(ErrorKind::kDataLoss, path + ": CoxPH cats = " + std::to_string(cats) + " does not fit cat_offsets");
  p.cats = static_cast<int32_t>(cats);
  for (size_t i = 0; i + 1 < p.cat_offsets.size(); ++i)
    if (p.cat_offsets[i] < 0 || p.cat_offsets[i] > p.cat_offsets[i + 1])
      Fail(ErrorKind::kDataLoss, path + ": CoxPH cat_offsets are not increasing");
  p.use_all_levels = ini.RequireBool("use_all_factor_levels");

  // computeLpBase, in genmodel's order.
  const size_t n_strata = distinct.empty() ? 1 : distinct.size();
  const size_t num_start = x_mean_cat.empty() ? 0 : x_mean_cat[0].size();
  if (x_mean_cat.size() < n_strata || x_mean_num.size() < n_strata)
    Fail(ErrorKind::kDataLoss, path + ": CoxPH x_mean_cat / x_mean_num have fewer rows than the " + std::to_string(n_strata) + " strata");
  p.lp_base.assign(n_strata, 0.0);
  for (size_t s = 0; s < n_strata; ++s) {
    for (size_t i = 0; i < x_mean_cat[s].size(); ++i) {
      if (i >= p.coef.size()) Fail(ErrorKind::kDataLoss, path + ": CoxPH x_mean_cat is wider than coef");
      p.lp_base[s] += x_mean_cat[s][i] * p.coef[i];
    }
    for (size_t i = 0; i < x_mean_num[s].size(); ++i) {
      if (i + num_start >= p.coef.size()) Fail(ErrorKind::kDataLoss, path + ": CoxPH x_mean_num is wider than coef");
      p.lp_base[s] += x_mean_num[s][i] * p.coef[i + num_start];
    }
  }

  const auto targets = ini.Int32s("interaction_targets");
  p.nums = static_cast<int32_t>(std::clamp<int64_t>(ini.Int("num_numerical_columns").value_or(-1), -1, 1 << 24));
  if (auto no = ini.Int32s("num_offsets")) p.num_offsets = *no;
  if (p.nums >= 0 && p.num_offsets.size() < static_cast<size_t>(p.nums))
    Fail(ErrorKind::kDataLoss, path + ": CoxPH num_offsets has fewer than num_numerical_columns = " + std::to_string(p.nums) + " entries");
  if (p.nums == -1 && static_cast<int64_t>(p.cat_offsets.back()) - p.cats < 0)
    Fail(ErrorKind::kDataLoss, path + ": CoxPH cat_offsets do not fit cats");
  const int64_t n_cols = static_cast<int64_t>(meta.columns.size());
  if (targets) {
    if (p.nums == -1)  // genmodel ignores them then; H2O never writes that combination
      Fail(ErrorKind::kUnimplemented, path + ": CoxPH interactions without num_numerical_columns are not supported");
    p.has_interactions = true;
    p.targets = *targets;
    p.first = RequireInts(ini, "interactions_1", path);
    p.second = RequireInts(ini, "interactions_2", path);
    if (p.first.size() < p.targets.size() || p.second.size() < p.targets.size())
      Fail(ErrorKind::kDataLoss, path + ": CoxPH interactions_1/2 are shorter than interaction_targets");
    for (size_t k = 0; k < p.targets.size(); ++k) {
      for (int32_t c : {p.targets[k], p.first[k], p.second[k]})
        if (c < 0 || c >= n_cols) Fail(ErrorKind::kDataLoss, path + ": CoxPH interaction column " + std::to_string(c) + " is out of range");
      const int32_t t = p.targets[k];
      p.interaction_columns.insert(t);
      if (const auto& d = meta.domains[static_cast<size_t>(t)]) p.interaction_domains[t] = *d;
      const bool e1 = meta.domains[static_cast<size_t>(p.first[k])].has_value();
      const bool e2 = meta.domains[static_cast<size_t>(p.second[k])].has_value();
      p.types.push_back(e1 && e2 ? Interaction::kEnumEnum : (!e1 && !e2) ? Interaction::kNumNum : Interaction::kEnumNum);
      p.enum_first.push_back(e1);
    }
  }
  return std::make_unique<CoxPhModel>(std::move(meta), std::move(p));
}

}  // namespace scorehost::h2o3
