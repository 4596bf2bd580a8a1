// PCA, GLRM and Word2Vec through the C ABI (what the REST layer sees): dlopen the plugin, check
// the declared input and output fields, score an Arrow batch with categorical levels as text and
// compare with Java's outputs (tests/data/mojoland/fresh/dimred); a Deep Learning autoencoder too.
#define BOOST_TEST_MODULE h2o3_mojo_dimred_plugin
#include <boost/test/unit_test.hpp>

#include <dlfcn.h>
#include <scorehost/arrow_columns.hpp>
#include <scorehost/plugin_api.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "java_semantics.hpp"
#include "plugin_harness.hpp"
#include "test_support.hpp"

namespace arrow = scorehost::arrow;

namespace {

using h2o3test::P;

struct Model {
  sh_model* m = nullptr;
  explicit Model(const std::string& path) {
    sh_load_args args{sizeof(sh_load_args), "h2o3-mojo-scorer", path.c_str(), "h2o3_mojo", 0, nullptr};
    std::unique_ptr<sh_status> st(P().api.model_load(&args, &m));
    BOOST_REQUIRE_MESSAGE(!st, (st ? st->message : ""));
  }
  ~Model() { P().api.model_unload(m); }
  const sh_model_info& info() const { return *P().api.model_describe(m); }
};

std::string Dir() { return h2o3test::DataDir() + "/fresh/dimred"; }

void CheckFields(const sh_field* fields, size_t n, const std::vector<std::pair<std::string, sh_data_type>>& want) {
  BOOST_REQUIRE_EQUAL(n, want.size());
  for (size_t i = 0; i < n; ++i) {
    BOOST_TEST(std::string(fields[i].name) == want[i].first);
    BOOST_TEST(fields[i].type == want[i].second, fields[i].name);
  }
}

arrow::TableView Score(const Model& model, arrow::Table table, arrow::OwnedArrow* out) {
  arrow::OwnedArrow in;
  std::move(table).Export(&in.schema, &in.array);
  std::unique_ptr<sh_status> st(P().api.score(model.m, &in.schema, &in.array, nullptr, &out->schema, &out->array));
  BOOST_REQUIRE_MESSAGE(!st, (st ? st->message : ""));
  arrow::TableView view;
  std::string why;
  BOOST_REQUIRE_MESSAGE(arrow::TableView::Make(&out->schema, &out->array, &view, &why), why);
  return view;
}

// Scores dimred.csv (levels as text, empty cells as nulls) and compares each output column with
// the first rows of Java's scores file (the data rows of gen_dimred_rows.py, same order).
// The model's input columns from CSV records (a header, then rows 1..n_rows): cells as text for
// string inputs, as numbers otherwise, empty cells as nulls.
arrow::Table InputTable(const sh_model_info& info, const std::vector<std::vector<std::string>>& records,
                        size_t n_rows) {
  const auto& header = records[0];
  arrow::Table t(static_cast<int64_t>(n_rows));
  for (size_t c = 0; c < info.n_inputs; ++c) {
    arrow::Column& col = t.AddColumn(info.inputs[c].name, info.inputs[c].type);
    const size_t j = std::find(header.begin(), header.end(), std::string(info.inputs[c].name)) - header.begin();
    BOOST_REQUIRE(j < header.size());
    for (size_t r = 1; r <= n_rows; ++r) {
      const std::string& v = records[r][j];
      if (v.empty()) col.AppendNull();
      else if (info.inputs[c].type == SH_TYPE_STR) col.AppendString(v);
      else col.AppendDouble(std::stod(v));
    }
  }
  return t;
}

int CheckDataRows(const std::string& name, const std::vector<std::pair<std::string, sh_data_type>>& outputs) {
  Model model(Dir() + "/" + name + ".mojo");
  const sh_model_info& info = model.info();
  CheckFields(info.inputs, info.n_inputs,
              {{"x1", SH_TYPE_FLOAT64}, {"x2", SH_TYPE_FLOAT64}, {"x3", SH_TYPE_FLOAT64}, {"c1", SH_TYPE_STR},
               {"c2", SH_TYPE_STR}});
  CheckFields(info.outputs, info.n_outputs, outputs);
  BOOST_TEST(info.capabilities == SH_CAP_SCORE);
  const auto records = h2o3test::ReadCsv(Dir() + "/dimred.csv");
  arrow::OwnedArrow out;
  const arrow::TableView view = Score(model, InputTable(info, records, records.size() - 1), &out);
  const auto want = h2o3test::ReadExpected(Dir() + "/" + name + "_scores.txt");
  BOOST_REQUIRE_EQUAL(view.num_columns(), outputs.size());
  int checked = 0;
  for (int64_t r = 0; r < view.num_rows(); ++r)
    for (size_t c = 0; c < outputs.size(); ++c, ++checked) {
      const double w = want[static_cast<size_t>(r)].values.at(c), g = view.column(c).Double(r);
      BOOST_TEST((std::isnan(w) ? std::isnan(g) : std::fabs(w - g) <= 1e-10 * std::max(1.0, std::fabs(w))),
                 name << " row " << r << " " << outputs[c].first << ": want " << w << " got " << g);
    }
  return checked;
}

}  // namespace

BOOST_AUTO_TEST_CASE(pca_and_glrm_rest_fields_and_scores) {
  int n = CheckDataRows("pca_gramsvd_standardize", {{"PC1", SH_TYPE_FLOAT64}, {"PC2", SH_TYPE_FLOAT64}, {"PC3", SH_TYPE_FLOAT64}});
  n += CheckDataRows("glrm_quadratic_none", {{"Arch1", SH_TYPE_FLOAT64}, {"Arch2", SH_TYPE_FLOAT64}, {"Arch3", SH_TYPE_FLOAT64}});
  BOOST_TEST(n == 2 * 120 * 3);
  BOOST_TEST_MESSAGE("[plugin] pca + glrm: " << n << " values through the ABI");
}

BOOST_AUTO_TEST_CASE(word2vec_rest_fields_and_scores) {
  Model model(Dir() + "/word2vec_small.mojo");
  const sh_model_info& info = model.info();
  CheckFields(info.inputs, info.n_inputs, {{"word", SH_TYPE_STR}});
  CheckFields(info.outputs, info.n_outputs,
              {{"C1", SH_TYPE_FLOAT64}, {"C2", SH_TYPE_FLOAT64}, {"C3", SH_TYPE_FLOAT64}, {"C4", SH_TYPE_FLOAT64}});
  // cat, tree, the: Java's embeddings (word2vec_small_scores.txt lines 1-3); unknown, null -> NaN.
  arrow::Table t(5);
  arrow::Column& col = t.AddColumn("word", SH_TYPE_STR);
  for (const char* w : {"cat", "tree", "the", "no-such-word"}) col.AppendString(w);
  col.AppendNull();
  arrow::OwnedArrow out;
  const arrow::TableView view = Score(model, std::move(t), &out);
  const auto want = h2o3test::ReadExpected(Dir() + "/word2vec_small_scores.txt");
  for (int64_t r = 0; r < 5; ++r)
    for (size_t c = 0; c < 4; ++c) {
      const double g = view.column(c).Double(r);
      if (r < 3) BOOST_TEST(g == want[static_cast<size_t>(r)].values[c]);
      else BOOST_TEST(std::isnan(g));
    }
  // A numeric input column is refused (the word must be a string).
  arrow::Table bad(1);
  bad.AddColumn("word", SH_TYPE_FLOAT64).AppendDouble(1);
  arrow::OwnedArrow in, out2;
  std::move(bad).Export(&in.schema, &in.array);
  std::unique_ptr<sh_status> st(P().api.score(model.m, &in.schema, &in.array, nullptr, &out2.schema, &out2.array));
  BOOST_REQUIRE(st);
  BOOST_TEST(st->code == SH_INVALID_ARGUMENT);
}

// A Deep Learning autoencoder through the ABI: the reconstr_* output fields (GenModel's
// getOutputNames) and their values for ae_data.csv (levels as text, empty cells as nulls) equal
// H2O's in-cluster predict (fresh_algos/ae_cat_tanh_h2o.csv, its first 100 rows).
BOOST_AUTO_TEST_CASE(autoencoder_rest_fields_and_scores) {
  const std::string dir = h2o3test::DataDir() + "/fresh_algos";
  Model model(dir + "/ae_cat_tanh.mojo");
  const sh_model_info& info = model.info();
  const auto want = h2o3test::ReadCsv(dir + "/ae_cat_tanh_h2o.csv");
  std::vector<std::pair<std::string, sh_data_type>> outputs;
  for (const auto& n : want[0]) outputs.push_back({n, SH_TYPE_FLOAT64});
  BOOST_REQUIRE_EQUAL(outputs.size(), 13u);
  CheckFields(info.outputs, info.n_outputs, outputs);
  BOOST_TEST(info.capabilities == SH_CAP_SCORE);
  const auto records = h2o3test::ReadCsv(dir + "/ae_data.csv");
  arrow::OwnedArrow out;
  const arrow::TableView view = Score(model, InputTable(info, records, want.size() - 1), &out);
  BOOST_REQUIRE_EQUAL(view.num_columns(), outputs.size());
  int checked = 0;
  for (int64_t r = 0; r < view.num_rows(); ++r)
    for (size_t c = 0; c < outputs.size(); ++c, ++checked) {
      const double w = scorehost::h2o3::JavaParseDouble(want[static_cast<size_t>(r) + 1][c]).value();
      const double g = view.column(c).Double(r);
      BOOST_TEST(std::fabs(w - g) <= std::max(1e-10, 1e-6 * std::fabs(w)),
                 "row " << r << " " << outputs[c].first << ": want " << w << " got " << g);
    }
  BOOST_TEST(checked == 100 * 13);
  BOOST_TEST_MESSAGE("[plugin] autoencoder: " << checked << " values through the ABI");
}
