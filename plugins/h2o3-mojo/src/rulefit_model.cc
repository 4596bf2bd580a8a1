// RuleFit (genmodel RuleFitMojoModel / RuleFitMojoReader / MojoRuleEnsemble). The MOJO holds the
// rules that RuleFit extracted from its tree ensembles as plain model.ini keys (one rule per tree
// node: a conjunction of numeric / categorical conditions), and the fitted linear model as a nested
// GLM MOJO (MultiModelMojoReader layout), loaded with the ordinary GLM loader and scored through
// its public Score0.
//
// Scoring one row, as genmodel does:
//  1. for every (depth, tree) group (and, for multinomial, every class: the rules whose var_name
//     ends with the class label), the rules are evaluated in order; the value of the group is the
//     level index, in the GLM's domain of column "M<d>T<t>[C<class>]", of the LAST rule that fires
//     (NaN when none fires or the level is unknown);
//  2. the GLM input is [rule values..., the row...] (rules and linear), the rule values only
//     (rules) or the row (linear), permuted from `linear_names` order to the GLM's column order;
//  3. the GLM's score0 is the prediction.
// The level lookups are resolved once at load; a lookup genmodel would fail on (a var_name without
// 'N', a column or domain the GLM lacks) fails here exactly when its rule fires.
#include <algorithm>
#include <cmath>
#include <limits>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "model_loaders.hpp"
#include "nested_archive.hpp"

namespace scorehost::h2o3 {

namespace {

enum class RuleFitType { kLinear, kRulesAndLinear, kRules };

struct Condition {
  int32_t feature = 0;
  bool categorical = false;
  enum Op { kLess, kGreaterEqual, kIn } op = kLess;
  bool nas_included = false;
  double threshold = 0;
  std::vector<int32_t> levels;  // categorical: the level indices that satisfy it

  // MojoCondition.map for a rule still alive: whether this condition holds.
  bool Holds(double v) const {
    const bool na = std::isnan(v);
    if (nas_included && na) return true;
    if (na) return false;
    if (!categorical) {
      if (op == kLess) return v < threshold;
      if (op == kGreaterEqual) return v >= threshold;
      return false;  // a numeric condition with the "in" operator never holds
    }
    for (int32_t l : levels)
      if (static_cast<double>(l) == v) return true;
    return false;
  }
};

// A rule as evaluated inside one group: its conditions and the GLM level it stands for.
struct GroupRule {
  uint32_t rule;      // index into RuleFitModel::rules_
  int32_t value;      // the level index (-1: unknown level -> NaN unless a later rule fires)
  std::string error;  // non-empty: genmodel throws when this rule fires (the reason)
};

struct Group {
  std::vector<GroupRule> rules;
};

class RuleFitModel final : public RowScorer<RuleFitModel> {
 public:
  struct Params {
    RuleFitType type = RuleFitType::kRulesAndLinear;
    int depth = 0, ntrees = 0;
    std::vector<std::vector<Condition>> rules;  // every rule's conditions, in model.ini order
    std::vector<Group> groups;                  // in transformRow's output order
    int32_t max_feature = -1;                   // the largest column a condition reads
    std::vector<std::pair<int32_t, int32_t>> mapping;  // (GLM column, source index in the test row), in order
    std::shared_ptr<const MojoModel> linear;
  };

  RuleFitModel(MojoMeta meta, Params p) : RowScorer(std::move(meta)), p_(std::move(p)) {}

  void ScoreRow(const double* row, size_t row_len, double offset, double* preds) const {
    if (offset != 0)  // genmodel: score0(row, offset, preds) is GenModel's UnsupportedOperationException
      Fail(ErrorKind::kInvalidArgument, "`offset` column is not supported by RuleFit MOJOs");
    thread_local std::vector<double> test, input;
    const size_t n_groups = p_.type == RuleFitType::kLinear ? 0 : p_.groups.size();
    if (n_groups > 0 && static_cast<int64_t>(row_len) <= p_.max_feature)
      Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values but a rule reads column " +
                                            std::to_string(p_.max_feature));
    const size_t test_len = n_groups + (p_.type == RuleFitType::kRules ? 0 : row_len);
    test.resize(test_len);
    for (size_t g = 0; g < n_groups; ++g) test[g] = GroupValue(p_.groups[g], row);
    if (p_.type != RuleFitType::kRules) std::copy(row, row + row_len, test.begin() + static_cast<std::ptrdiff_t>(n_groups));

    const size_t nf = static_cast<size_t>(p_.linear->meta().n_features);
    input.assign(nf, 0.0);
    for (const auto& [dst, src] : p_.mapping) {
      if (static_cast<size_t>(src) >= test_len)
        Fail(ErrorKind::kInvalidArgument, "the row has " + std::to_string(row_len) + " values, too few for RuleFit's " +
                                              std::to_string(nf) + " linear-model inputs");
      input[static_cast<size_t>(dst)] = test[static_cast<size_t>(src)];
    }
    p_.linear->Score0(input, 0.0, std::span<double>(preds, min_preds_size()));
  }

  std::string Describe() const override {
    std::string cat = meta_.category_name;
    for (char& c : cat) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string rules = std::to_string(p_.rules.size()) + " rules from " + std::to_string(p_.ntrees) +
                              " trees per depth 1.." + std::to_string(p_.depth);
    const std::string type = p_.type == RuleFitType::kLinear ? "linear terms only"
                             : p_.type == RuleFitType::kRules ? "rules only, " + rules
                                                              : "rules and linear terms, " + rules;
    return "H2O-3 RuleFit " + cat + " (" + type + "; linear model: " + p_.linear->Describe() + "), MOJO " +
           meta_.mojo_version;
  }
  bool UsesOffset() const override { return false; }

 private:
  // MojoRuleEnsemble.transform + decode for one group.
  double GroupValue(const Group& g, const double* row) const {
    int32_t value = -1;
    for (const GroupRule& gr : g.rules) {
      bool alive = true;
      for (const Condition& c : p_.rules[gr.rule])
        if (alive) alive = c.Holds(row[c.feature]);
      if (!alive) continue;
      if (!gr.error.empty()) Fail(ErrorKind::kInvalidArgument, gr.error);
      value = gr.value;
    }
    return value >= 0 ? static_cast<double>(value) : NAN;
  }

  Params p_;
};

thread_local int g_rulefit_nesting = 0;

int32_t RequireInt32(const ModelIni& ini, const std::string& key, const std::string& path) {
  const int64_t v = ini.RequireInt(key);
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
    Fail(ErrorKind::kDataLoss, path + ": " + key + " = " + std::to_string(v) + " is out of int range");
  return static_cast<int32_t>(v);
}

double RequireDouble(const ModelIni& ini, const std::string& key, const std::string& path) {
  auto v = ini.Double(key);
  if (!v) Fail(ErrorKind::kDataLoss, path + ": RuleFit model.ini lacks '" + key + "'");
  return *v;
}

int32_t RequireCount(const ModelIni& ini, const std::string& key, const std::string& path, int64_t max) {
  const int32_t v = RequireInt32(ini, key, path);
  if (v < 0 || v > max) Fail(ErrorKind::kDataLoss, path + ": " + key + " = " + std::to_string(v) + " is out of range");
  return v;
}

std::vector<Condition> ReadRule(const ModelIni& ini, const std::string& id, const std::string& path) {
  const int32_t n = RequireCount(ini, "num_conditions_rule_id_" + id, path, 100000);
  std::vector<Condition> out(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    Condition& c = out[static_cast<size_t>(i)];
    const std::string cid = std::to_string(i) + "_" + id;
    c.feature = RequireInt32(ini, "feature_index_" + cid, path);
    if (c.feature < 0) Fail(ErrorKind::kDataLoss, path + ": feature_index_" + cid + " is negative");
    c.categorical = RequireInt32(ini, "type_" + cid, path) == 0;
    if (c.categorical) {
      const int32_t nl = RequireCount(ini, "language_cat_treshold_length_" + cid, path, 1 << 24);
      for (int32_t l = 0; l < nl; ++l)
        if (!ini.String("language_cat_treshold_" + std::to_string(l) + "_" + cid))
          Fail(ErrorKind::kDataLoss, path + ": RuleFit model.ini lacks 'language_cat_treshold_" + std::to_string(l) + "_" + cid + "'");
      const int32_t nt = RequireCount(ini, "cat_treshold_length_" + cid, path, 1 << 24);
      for (int32_t l = 0; l < nt; ++l)
        c.levels.push_back(RequireInt32(ini, "cat_treshold_length_" + std::to_string(l) + "_" + cid, path));
    } else {
      c.threshold = RequireDouble(ini, "num_treshold" + cid, path);
    }
    const int32_t op = RequireInt32(ini, "operator_" + cid, path);
    c.op = op == 0 ? Condition::kLess : op == 1 ? Condition::kGreaterEqual : Condition::kIn;
    c.nas_included = ini.RequireBool("nas_included_" + cid);
  }
  RequireDouble(ini, "prediction_value_rule_id_" + id, path);
  RequireDouble(ini, "coefficient_rule_id_" + id, path);
  return out;
}

// MojoRuleEnsemble.getValueByVarName, resolved at load: the level or why genmodel would throw.
GroupRule Resolve(uint32_t rule, const std::string& var_name, int class_id, const MojoMeta& lm) {
  GroupRule gr{rule, -1, {}};
  const size_t n = var_name.find('N');
  if (n == std::string::npos) {
    gr.error = "RuleFit rule '" + var_name + "' has no 'N' in its name (genmodel fails on it)";
    return gr;
  }
  std::string var = var_name.substr(0, n);
  if (class_id != -1) {
    var += 'C';
    var += std::to_string(class_id);
  }
  const auto it = std::find(lm.columns.begin(), lm.columns.end(), var);
  if (it == lm.columns.end()) {
    gr.error = "RuleFit rule '" + var_name + "' refers to the column '" + var + "' that the linear model lacks";
    return gr;
  }
  const auto& dom = lm.domains[static_cast<size_t>(it - lm.columns.begin())];
  if (!dom) {
    gr.error = "RuleFit rule '" + var_name + "': the linear model's column '" + var + "' is not categorical";
    return gr;
  }
  const auto lvl = std::find(dom->begin(), dom->end(), var_name);
  gr.value = lvl == dom->end() ? -1 : static_cast<int32_t>(lvl - dom->begin());
  return gr;
}

}  // namespace

std::unique_ptr<MojoModel> LoadRuleFit(Archive& archive, const ModelIni& ini, MojoMeta meta) {
  const std::string& path = meta.path;
  RequireMojoVersion(meta, {1.00}, OlderMojoVersions::kRefused, "RuleFit");
  if (meta.category != ModelCategory::kBinomial && meta.category != ModelCategory::kMultinomial &&
      meta.category != ModelCategory::kRegression)
    Fail(ErrorKind::kUnimplemented, path + ": RuleFit " + meta.category_name + " models are not supported");
  if (g_rulefit_nesting >= 1) Fail(ErrorKind::kUnimplemented, path + ": a RuleFit model nested in a RuleFit model is not supported");

  // Every submodel, by key; RuleFit scores with the linear one.
  const std::string linear_key = ini.RequireString("linear_model");
  std::shared_ptr<const MojoModel> linear;
  for (Submodel& sub : LoadSubmodels(archive, ini, path, 1000, g_rulefit_nesting))
    if (sub.key == linear_key) linear = std::move(sub.model);
  if (!linear) Fail(ErrorKind::kDataLoss, path + ": the linear model '" + linear_key + "' is not among the submodels");
  const MojoMeta& lm = linear->meta();
  if (lm.algo != "glm")
    Fail(ErrorKind::kUnimplemented, path + ": RuleFit with a '" + lm.algo + "' linear model is not supported (H2O writes a GLM)");
  if (lm.category != meta.category || lm.n_classes != meta.n_classes)
    Fail(ErrorKind::kDataLoss, path + ": the linear model (" + lm.category_name + ", " + std::to_string(lm.n_classes) +
                                   " classes) does not match the RuleFit model (" + meta.category_name + ")");

  RuleFitModel::Params p;
  p.linear = linear;
  const int32_t type = RequireInt32(ini, "model_type", path);
  p.type = type == 0 ? RuleFitType::kLinear : type == 1 ? RuleFitType::kRulesAndLinear : RuleFitType::kRules;
  p.depth = RequireCount(ini, "depth", path, 1000);
  p.ntrees = RequireCount(ini, "ntrees", path, 1000000);
  if (static_cast<int64_t>(p.depth) * p.ntrees > 10000000)
    Fail(ErrorKind::kDataLoss, path + ": depth x ntrees = " + std::to_string(static_cast<int64_t>(p.depth) * p.ntrees) + " rule groups");

  if (p.type != RuleFitType::kLinear) {
    const std::vector<std::string>* classes = meta.response_domain();
    const bool multinomial = classes != nullptr && classes->size() > 2;
    std::vector<std::string> var_names;
    for (int i = 0; i < p.depth; ++i)
      for (int j = 0; j < p.ntrees; ++j) {
        const std::string prefix = std::to_string(i) + "_" + std::to_string(j) + "_";
        const int32_t n = RequireCount(ini, "num_rules_M" + std::to_string(i) + "T" + std::to_string(j), path, 10000000);
        std::vector<uint32_t> ids;
        for (int32_t k = 0; k < n; ++k) {
          const std::string id = prefix + std::to_string(k);
          ids.push_back(static_cast<uint32_t>(p.rules.size()));
          p.rules.push_back(ReadRule(ini, id, path));
          auto vn = ini.String("var_name_rule_id_" + id);
          if (!vn) Fail(ErrorKind::kDataLoss, path + ": RuleFit model.ini lacks 'var_name_rule_id_" + id + "'");
          var_names.push_back(*vn);
          if (p.rules.size() > 10000000) Fail(ErrorKind::kDataLoss, path + ": too many RuleFit rules");
        }
        if (!multinomial) {
          Group g;
          for (uint32_t r : ids) g.rules.push_back(Resolve(r, var_names[r], -1, lm));
          p.groups.push_back(std::move(g));
          continue;
        }
        for (size_t c = 0; c < classes->size(); ++c) {
          Group g;
          for (uint32_t r : ids)
            if (var_names[r].ends_with((*classes)[c])) g.rules.push_back(Resolve(r, var_names[r], static_cast<int>(c), lm));
          // genmodel dereferences the (null) rule list of a class without rules on every row.
          if (g.rules.empty())
            Fail(ErrorKind::kUnimplemented, path + ": RuleFit tree M" + std::to_string(i) + "T" + std::to_string(j) +
                                                " has no rule for class '" + (*classes)[c] + "' (genmodel cannot score it)");
          p.groups.push_back(std::move(g));
        }
      }
    for (const Group& g : p.groups)
      for (const GroupRule& gr : g.rules)
        for (const Condition& c : p.rules[gr.rule]) p.max_feature = std::max(p.max_feature, c.feature);
  }

  const int32_t n_codes = RequireCount(ini, "data_from_rules_codes_len", path, 100000000);
  (void)n_codes;  // names of the rule columns, not needed to score
  const int32_t n_names = RequireCount(ini, "linear_names_len", path, 100000000);
  const size_t nf = static_cast<size_t>(lm.n_features);
  if (static_cast<size_t>(n_names) < nf)
    Fail(ErrorKind::kDataLoss, path + ": linear_names has " + std::to_string(n_names) + " names for a linear model with " +
                                   std::to_string(nf) + " inputs");
  for (size_t i = 0; i < nf; ++i) {
    const std::string key = "linear_names_" + std::to_string(i);
    const auto name = ini.String(key);
    const auto it = name ? std::find(lm.columns.begin(), lm.columns.end(), *name) : lm.columns.end();
    if (it == lm.columns.end() || static_cast<size_t>(it - lm.columns.begin()) >= nf)
      Fail(ErrorKind::kDataLoss, path + ": " + key + " '" + name.value_or("null") +
                                     "' is not an input of the linear model (genmodel fails on every row of this MOJO)");
    p.mapping.emplace_back(static_cast<int32_t>(it - lm.columns.begin()), static_cast<int32_t>(i));
  }
  return std::make_unique<RuleFitModel>(std::move(meta), std::move(p));
}

}  // namespace scorehost::h2o3
