// End-to-end through the C ABI: dlopen the built plugin, load MOJOs, score Arrow struct arrays and
// compare with the Java golden outputs; check the self-description, error codes, MLflow lookup,
// offsets, calibration and concurrent scoring.
#define BOOST_TEST_MODULE h2o3_mojo_plugin
#include <boost/test/unit_test.hpp>

#include <dlfcn.h>
#include <scorehost/arrow_columns.hpp>
#include <scorehost/plugin_api.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "plugin_harness.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace arrow = scorehost::arrow;

namespace {

using h2o3test::P;

struct Model {
  sh_model* m = nullptr;
  ~Model() { P().api.model_unload(m); }
  const sh_model_info& info() const { return *P().api.model_describe(m); }
};

// Loads and returns the model, or the failing status (owned by the caller).
std::unique_ptr<sh_status> Load(const std::string& path, const char* type, Model* out) {
  sh_load_args args{sizeof(sh_load_args), "h2o3-mojo-scorer", path.c_str(), type, 0, nullptr};
  return std::unique_ptr<sh_status>(P().api.model_load(&args, &out->m));
}

std::string Mojo(const std::string& algo, const std::string& dataset, const std::string& version) {
  return h2o3test::DataDir() + "/mojos/" + algo + "/" + dataset + "/v" + version + "/" + algo + "_v" + version + "_" +
         dataset + ".mojo";
}

// Builds the input batch for a data set: each model input from the CSV column of the same name
// (categoricals as the level text, numerics parsed, empty cells as nulls).
arrow::OwnedArrow MakeInput(const sh_model_info& info, const std::vector<std::vector<std::string>>& records,
                            const std::vector<double>* offsets = nullptr) {
  arrow::Table t(static_cast<int64_t>(records.size()) - 1);
  for (size_t c = 0; c < info.n_inputs; ++c) {
    const sh_field& f = info.inputs[c];
    arrow::Column& col = t.AddColumn(f.name, f.type);
    const auto& header = records[0];
    size_t j = std::find(header.begin(), header.end(), std::string(f.name)) - header.begin();
    for (size_t r = 1; r < records.size(); ++r) {
      if (j == header.size()) {  // the offset column: not in the data set
        col.AppendDouble((*offsets)[r - 1]);
        continue;
      }
      const std::string& v = records[r][j];
      if (v.empty()) col.AppendNull();
      else if (f.type == SH_TYPE_STR) col.AppendString(v);
      else col.AppendDouble(std::stod(v));
    }
  }
  arrow::OwnedArrow out;
  std::move(t).Export(&out.schema, &out.array);
  return out;
}

arrow::OwnedArrow Score(const Model& model, const arrow::OwnedArrow& in, std::unique_ptr<sh_status>* status = nullptr) {
  arrow::OwnedArrow out;
  sh_status* s = P().api.score(model.m, &in.schema, &in.array, nullptr, &out.schema, &out.array);
  if (status) status->reset(s);
  else BOOST_REQUIRE_MESSAGE(s == nullptr, (s ? s->message : ""));
  return out;
}

// Compares the ABI output with Java's scores0 for every row.
void CheckAgainstJava(const std::string& algo, const std::string& dataset, const std::string& version,
                      const std::string& which = "scores0", bool with_offsets = false) {
  Model model;
  auto st = Load(Mojo(algo, dataset, version), "h2o3_mojo", &model);
  BOOST_REQUIRE_MESSAGE(!st, (st ? st->message : ""));
  const auto records = h2o3test::DatasetRecords(dataset);
  std::vector<double> offsets;
  for (size_t r = 0; r + 1 < records.size(); ++r) offsets.push_back(static_cast<double>(r));
  auto in = MakeInput(model.info(), records, with_offsets ? &offsets : nullptr);
  auto out = Score(model, in);
  arrow::TableView view;
  std::string why;
  BOOST_REQUIRE_MESSAGE(arrow::TableView::Make(&out.schema, &out.array, &view, &why), why);
  const auto& info = model.info();
  BOOST_REQUIRE_EQUAL(view.num_rows(), static_cast<int64_t>(records.size() - 1));
  BOOST_REQUIRE_EQUAL(view.num_columns(), info.n_outputs);
  for (size_t c = 0; c < info.n_outputs; ++c) BOOST_TEST(view.column(c).name() == info.outputs[c].name);

  const std::string stem = Mojo(algo, dataset, version).substr(0, Mojo(algo, dataset, version).size() - 5);
  const auto want = h2o3test::ReadExpected(stem + "_" + which + ".txt");
  const bool classifier = info.outputs[0].type == SH_TYPE_STR;
  // The response domain, to turn Java's label index into the label text.
  std::vector<std::string> labels;
  if (classifier)
    for (size_t c = 1; c < info.n_outputs; ++c) {
      std::string n = info.outputs[c].name;
      labels.push_back(n);
    }
  int mismatches = 0;
  for (int64_t r = 0; r < view.num_rows(); ++r) {
    const auto& w = want[static_cast<size_t>(r)].values;
    if (classifier) {
      const std::string got = std::string(view.column(0).String(r));
      const std::string& name = labels[static_cast<size_t>(w[0])];
      // Output names carry Java's "p" prefix for integer-like levels; the label does not.
      if (got != name && "p" + got != name) ++mismatches;
      for (size_t c = 1; c < w.size(); ++c)
        if (std::fabs(view.column(c).Double(r) - w[c]) > 1e-10) ++mismatches;
    } else {
      if (std::fabs(view.column(0).Double(r) - w[0]) > 1e-10) ++mismatches;
    }
  }
  BOOST_TEST(mismatches == 0, algo << " " << dataset << " v" << version << " " << which);
}

}  // namespace

BOOST_AUTO_TEST_CASE(self_description) {
  const sh_plugin_api& api = P().api;
  BOOST_TEST(api.abi_major == SH_ABI_MAJOR);
  BOOST_TEST(std::string(api.plugin_name) == "h2o3-mojo");
  BOOST_REQUIRE_EQUAL(api.n_runtimes, 1u);
  BOOST_TEST(std::string(api.runtimes[0].name) == "h2o3-mojo-scorer");
  BOOST_TEST(std::string(api.runtimes[0].display_name) == "H2O-3 MOJO Scorer");
  BOOST_REQUIRE_EQUAL(api.runtimes[0].n_artifact_types, 2u);
  BOOST_TEST(std::string(api.runtimes[0].artifact_types[0]) == "h2o3_mojo");
  BOOST_TEST(std::string(api.runtimes[0].artifact_types[1]) == "mlflow_h2o3_mojo");
  BOOST_TEST(api.probe_artifact == nullptr);
  BOOST_TEST(api.contribute != nullptr);  // TreeSHAP for GBM/DRF
}

BOOST_AUTO_TEST_CASE(model_info_matches_the_mojo) {
  Model model;
  BOOST_REQUIRE(!Load(Mojo("gbm", "titanic", "1.40"), "h2o3_mojo", &model));
  const auto& info = model.info();
  BOOST_TEST(std::string(info.model_id) == "6964977533033189616");
  BOOST_TEST(std::string(info.artifact_type) == "h2o3_mojo");
  BOOST_TEST(std::string(info.description).find("GBM multinomial") != std::string::npos);
  // Multinomial: no TreeSHAP (H2O-3 has none either), so only SCORE is declared.
  BOOST_TEST(info.capabilities == SH_CAP_SCORE);
  BOOST_TEST(info.thread_safety == SH_THREAD_SAFE);
  const std::vector<std::pair<std::string, sh_data_type>> inputs = {
      {"pclass", SH_TYPE_STR}, {"survived", SH_TYPE_STR}, {"sex", SH_TYPE_STR},
      {"age", SH_TYPE_FLOAT64}, {"sibsp", SH_TYPE_FLOAT64}, {"fare", SH_TYPE_FLOAT64},
      {"cabin", SH_TYPE_STR}, {"embarked", SH_TYPE_STR}, {"body", SH_TYPE_FLOAT64}};
  BOOST_REQUIRE_EQUAL(info.n_inputs, inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    BOOST_TEST(info.inputs[i].name == inputs[i].first);
    BOOST_TEST(info.inputs[i].type == inputs[i].second);
  }
  BOOST_REQUIRE_EQUAL(info.n_outputs, 9u);
  BOOST_TEST(std::string(info.outputs[0].name) == "predict");
  BOOST_TEST(info.outputs[0].type == SH_TYPE_STR);
  BOOST_TEST(std::string(info.outputs[1].name) == "p0");  // level "0" -> "p0", as PredictCsv
  BOOST_TEST(info.outputs[8].type == SH_TYPE_FLOAT64);
}

BOOST_AUTO_TEST_CASE(scores_through_the_abi_match_java) {
  CheckAgainstJava("gbm", "titanic", "1.40");   // multinomial, categoricals as strings, priors
  CheckAgainstJava("gbm", "titanic", "1.00");
  CheckAgainstJava("drf", "titanic", "1.30");   // ties broken by the Java RNG
  CheckAgainstJava("gbm", "eyestate", "1.40");  // binomial
  CheckAgainstJava("drf", "names", "1.20");     // binomial double trees, 1575-level categorical
  CheckAgainstJava("gbm", "cars", "1.40");      // regression
  CheckAgainstJava("glm", "titanic", "1.00");   // GLM multinomial with imputation
  CheckAgainstJava("glm", "missing", "1.00");
}

BOOST_AUTO_TEST_CASE(offset_column_is_an_input) {
  // mojoland MOJOs have no offset column; declare one and feed offset = row index -> scores1.
  auto entries = h2o3test::ReadZip(Mojo("gbm", "cars", "1.40"));
  for (auto& [name, data] : entries)
    if (name == "model.ini") data.replace(data.find("link_function"), 0, "offset_column = row_offset\n");
  const std::string path = h2o3test::MakeTempDir("offset") + "/cars.mojo";
  h2o3test::WriteZip(path, entries);
  Model model;
  BOOST_REQUIRE(!Load(path, "h2o3_mojo", &model));
  const auto& info = model.info();
  BOOST_TEST(std::string(info.inputs[info.n_inputs - 1].name) == "row_offset");
  BOOST_TEST(info.inputs[info.n_inputs - 1].type == SH_TYPE_FLOAT64);
  const auto records = h2o3test::DatasetRecords("cars");
  std::vector<double> offsets;
  for (size_t r = 0; r + 1 < records.size(); ++r) offsets.push_back(static_cast<double>(r));
  auto out = Score(model, MakeInput(info, records, &offsets));
  arrow::TableView view;
  std::string why;
  BOOST_REQUIRE(arrow::TableView::Make(&out.schema, &out.array, &view, &why));
  const auto want = h2o3test::ReadExpected(Mojo("gbm", "cars", "1.40").substr(0, Mojo("gbm", "cars", "1.40").size() - 5) + "_scores1.txt");
  for (int64_t r = 0; r < view.num_rows(); ++r)
    BOOST_TEST(std::fabs(view.column(0).Double(r) - want[static_cast<size_t>(r)].values[0]) <= 1e-10);
}

BOOST_AUTO_TEST_CASE(calibrated_binomial_from_a_directory) {
  // The calibrated GBM of h2o-genmodel's tests (unpacked directory, MOJO 1.20, Platt scaling) and
  // the values its GbmMojoModelTest expects.
  Model model;
  auto st = Load(h2o3test::DataDir() + "/h2o-genmodel/gbm_calibrated", "h2o3_mojo", &model);
  BOOST_REQUIRE_MESSAGE(!st, (st ? st->message : ""));
  const auto& info = model.info();
  std::vector<std::string> names;
  for (size_t c = 0; c < info.n_outputs; ++c) names.push_back(info.outputs[c].name);
  BOOST_TEST(names == (std::vector<std::string>{"predict", "p0", "p1", "cal_p0", "cal_p1"}),
             boost::test_tools::per_element());
  arrow::Table t(1);
  const double values[] = {18.7, 1.51, 1.003, 132.53, 1.15, 0.2, 1.153, 8.3, 0.34, 0.0};
  for (size_t c = 0; c < info.n_inputs; ++c) {
    auto& col = t.AddColumn(info.inputs[c].name, info.inputs[c].type);
    if (info.inputs[c].type == SH_TYPE_STR) col.AppendString("electric");
    else col.AppendDouble(values[c]);
  }
  arrow::OwnedArrow in;
  std::move(t).Export(&in.schema, &in.array);
  auto out = Score(model, in);
  arrow::TableView view;
  std::string why;
  BOOST_REQUIRE(arrow::TableView::Make(&out.schema, &out.array, &view, &why));
  BOOST_TEST(view.column(0).String(0) == "1");
  BOOST_TEST(std::fabs(view.column(1).Double(0) - 0.5416688) < 1e-5);
  BOOST_TEST(std::fabs(view.column(2).Double(0) - 0.4583312) < 1e-5);
  BOOST_TEST(std::fabs(view.column(3).Double(0) - 0.3920402) < 1e-5);
  BOOST_TEST(std::fabs(view.column(4).Double(0) - 0.6079598) < 1e-5);
}

BOOST_AUTO_TEST_CASE(categorical_inputs_accept_levels_and_indices) {
  Model model;
  BOOST_REQUIRE(!Load(Mojo("gbm", "titanic", "1.40"), "h2o3_mojo", &model));
  const auto& info = model.info();
  // Row 1 of titanic: pclass=1 sex=female embarked=S cabin=B5; spelled three ways.
  auto make = [&](const std::string& cabin, const std::string& sex) {
    arrow::Table t(1);
    for (size_t c = 0; c < info.n_inputs; ++c) {
      auto& col = t.AddColumn(info.inputs[c].name, info.inputs[c].type);
      std::string n = info.inputs[c].name;
      if (n == "pclass") col.AppendString("1");
      else if (n == "survived") col.AppendString("1");
      else if (n == "sex") col.AppendString(sex);
      else if (n == "cabin") col.AppendString(cabin);
      else if (n == "embarked") col.AppendString("S");
      else if (n == "age") col.AppendDouble(29);
      else if (n == "fare") col.AppendDouble(211.3375);
      else col.AppendDouble(0);
    }
    arrow::OwnedArrow in;
    std::move(t).Export(&in.schema, &in.array);
    auto out = Score(model, in);
    arrow::TableView view;
    std::string why;
    BOOST_REQUIRE(arrow::TableView::Make(&out.schema, &out.array, &view, &why));
    std::vector<double> probs;
    for (size_t c = 1; c < view.num_columns(); ++c) probs.push_back(view.column(c).Double(0));
    return probs;
  };
  const auto by_level = make("B5", "female");
  const auto by_index = make("B5", "0");  // sex levels are {female, male}: "0" is female's index
  BOOST_TEST(by_level == by_index, boost::test_tools::per_element());
  const auto male = make("B5", "male");
  BOOST_TEST(male != by_level);
  const auto unknown = make("no-such-cabin", "female");  // unknown level -> missing (NaN)
  const auto missing = [&] {
    return make("", "female");  // "" is not a level either
  }();
  BOOST_TEST(unknown == missing, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(load_errors_have_codes_and_name_the_file) {
  Model m1;
  auto st = Load("/no/such/model.mojo", "h2o3_mojo", &m1);
  BOOST_REQUIRE(st);
  BOOST_TEST(st->code == SH_NOT_FOUND);
  BOOST_TEST(st->message.find("/no/such/model.mojo") != std::string::npos);
  BOOST_TEST(m1.m == nullptr);

  const std::string garbage = h2o3test::MakeTempDir("garbage") + "/x.mojo";
  std::ofstream(garbage) << "garbage";
  Model m2;
  st = Load(garbage, "h2o3_mojo", &m2);
  BOOST_REQUIRE(st);
  BOOST_TEST(st->code == SH_DATA_LOSS);
  BOOST_TEST(st->message.find(garbage) != std::string::npos);

  Model m3;
  const std::string dl = h2o3test::DataDir() + "/../h2o-genmodel/svm";  // an unsupported algorithm
  st = Load(dl, "h2o3_mojo", &m3);
  BOOST_REQUIRE(st);
  BOOST_TEST(st->code == SH_UNIMPLEMENTED);
  BOOST_TEST(st->message.find("Support Vector Machine") != std::string::npos);
  BOOST_TEST(st->message.find(dl) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(mlflow_model_directory_and_zip) {
  const fs::path dir = h2o3test::MakeTempDir("mlflow");
  fs::create_directories(dir / "model" / "artifacts");
  std::ofstream(dir / "model" / "MLmodel") << "flavors:\n  python_function: {}\n";
  fs::copy_file(Mojo("gbm", "iris", "1.40"), dir / "model" / "artifacts" / "iris.mojo");
  Model from_dir;
  auto st = Load((dir / "model").string(), "mlflow_h2o3_mojo", &from_dir);
  BOOST_REQUIRE_MESSAGE(!st, (st ? st->message : ""));
  BOOST_TEST(std::string(from_dir.info().artifact_type) == "mlflow_h2o3_mojo");
  BOOST_TEST(from_dir.info().n_outputs == 4u);

  const std::string zip = (dir / "model.zip").string();
  h2o3test::WriteZip(zip, {{"MLmodel", "flavors: {}\n"},
                           {"artifacts/iris.mojo", h2o3test::ReadFile(Mojo("gbm", "iris", "1.40"))}});
  Model from_zip;
  st = Load(zip, "mlflow_h2o3_mojo", &from_zip);
  BOOST_REQUIRE_MESSAGE(!st, (st ? st->message : ""));
  BOOST_TEST(std::string(from_zip.info().model_id) == std::string(from_dir.info().model_id));

  Model none;
  fs::create_directories(dir / "empty");
  st = Load((dir / "empty").string(), "mlflow_h2o3_mojo", &none);
  BOOST_REQUIRE(st);
  BOOST_TEST(st->code == SH_NOT_FOUND);
}

BOOST_AUTO_TEST_CASE(bad_batches_are_invalid_arguments) {
  Model model;
  BOOST_REQUIRE(!Load(Mojo("gbm", "iris", "1.40"), "h2o3_mojo", &model));
  arrow::Table t(1);
  t.AddColumn("Sepal.Length", SH_TYPE_FLOAT64).AppendDouble(1);
  arrow::OwnedArrow in;
  std::move(t).Export(&in.schema, &in.array);
  std::unique_ptr<sh_status> st;
  auto out = Score(model, in, &st);
  BOOST_REQUIRE(st);
  BOOST_TEST(st->code == SH_INVALID_ARGUMENT);
  BOOST_TEST(out.schema.release == nullptr);
  BOOST_TEST(out.array.release == nullptr);

  // Declared types are binding: a categorical column sent as numbers is refused.
  {
    const auto records = h2o3test::DatasetRecords("titanic");
    Model titanic;
    BOOST_REQUIRE(!Load(Mojo("gbm", "titanic", "1.40"), "h2o3_mojo", &titanic));
    const auto& info = titanic.info();
    arrow::Table bad(1);
    for (size_t c = 0; c < info.n_inputs; ++c) bad.AddColumn(info.inputs[c].name, SH_TYPE_FLOAT64).AppendDouble(0);
    arrow::OwnedArrow bad_in;
    std::move(bad).Export(&bad_in.schema, &bad_in.array);
    std::unique_ptr<sh_status> st2;
    auto bad_out = Score(titanic, bad_in, &st2);
    BOOST_REQUIRE(st2);
    BOOST_TEST(st2->code == SH_INVALID_ARGUMENT);
    BOOST_TEST(st2->message.find("pclass") != std::string::npos);
    BOOST_TEST(bad_out.array.release == nullptr);
  }

  // Zero rows in, zero rows out.
  const auto records = h2o3test::DatasetRecords("iris");
  auto empty_in = MakeInput(model.info(), {records[0]});
  auto empty_out = Score(model, empty_in);
  BOOST_TEST(empty_out.array.length == 0);
  BOOST_TEST(empty_out.array.n_children == 4);
}

BOOST_AUTO_TEST_CASE(concurrent_scoring_is_consistent) {
  Model model;
  BOOST_REQUIRE(!Load(Mojo("drf", "titanic", "1.40"), "h2o3_mojo", &model));
  const auto records = h2o3test::DatasetRecords("titanic");
  auto in = MakeInput(model.info(), records);
  auto reference = Score(model, in);
  arrow::TableView ref;
  std::string why;
  BOOST_REQUIRE(arrow::TableView::Make(&reference.schema, &reference.array, &ref, &why));
  std::atomic<int> differences{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int rep = 0; rep < 5; ++rep) {
        arrow::OwnedArrow out;
        sh_status* s = P().api.score(model.m, &in.schema, &in.array, nullptr, &out.schema, &out.array);
        if (s) {
          delete s;
          ++differences;
          continue;
        }
        arrow::TableView v;
        std::string w;
        arrow::TableView::Make(&out.schema, &out.array, &v, &w);
        for (int64_t r = 0; r < v.num_rows(); ++r)
          if (v.column(1).Double(r) != ref.column(1).Double(r) || v.column(0).String(r) != ref.column(0).String(r))
            ++differences;
      }
    });
  for (auto& t : threads) t.join();
  BOOST_TEST(differences.load() == 0);
}

// TreeSHAP through the ABI: string levels in, one Float32 column per feature + BiasTerm out, equal
// to H2O's predict_contributions (fresh/shap_gbm_bernoulli_contrib.csv, rows of fresh.csv).
BOOST_AUTO_TEST_CASE(contributions_through_the_abi) {
  Model model;
  const std::string fresh = h2o3test::DataDir() + "/fresh/";
  BOOST_REQUIRE(!Load(fresh + "shap_gbm_bernoulli.mojo", "h2o3_mojo", &model));
  BOOST_TEST(model.info().capabilities == (SH_CAP_SCORE | SH_CAP_CONTRIBUTION_TRANSFORMED));
  auto records = h2o3test::ReadCsv(fresh + "fresh.csv");
  const auto want = h2o3test::ReadCsv(fresh + "shap_gbm_bernoulli_contrib.csv");
  records.resize(want.size());  // header + the rows H2O scored
  const auto in = MakeInput(model.info(), records);
  arrow::OwnedArrow out;
  sh_status* s = P().api.contribute(model.m, SH_CONTRIBUTION_TRANSFORMED, &in.schema, &in.array, &out.schema, &out.array);
  BOOST_REQUIRE_MESSAGE(s == nullptr, (s ? s->message : ""));
  arrow::TableView view;
  std::string why;
  BOOST_REQUIRE(arrow::TableView::Make(&out.schema, &out.array, &view, &why));
  BOOST_REQUIRE_EQUAL(view.num_columns(), want[0].size());
  BOOST_REQUIRE_EQUAL(static_cast<size_t>(view.num_rows()), want.size() - 1);
  int mismatches = 0;
  for (size_t c = 0; c < view.num_columns(); ++c) {
    BOOST_TEST(std::string(view.column(c).name()) == want[0][c]);
    BOOST_TEST(view.column(c).type() == SH_TYPE_FLOAT32);
    for (size_t r = 0; r + 1 < want.size(); ++r)
      if (view.column(c).Double(static_cast<int64_t>(r)) != std::stod(want[r + 1][c])) ++mismatches;
  }
  BOOST_TEST(mismatches == 0);

  // ORIGINAL (one-hot) contributions do not exist for H2O-3 MOJOs.
  arrow::OwnedArrow none;
  s = P().api.contribute(model.m, SH_CONTRIBUTION_ORIGINAL, &in.schema, &in.array, &none.schema, &none.array);
  BOOST_REQUIRE(s != nullptr);
  BOOST_TEST(s->code == SH_UNIMPLEMENTED);
  BOOST_TEST(std::string(s->message).find("ORIGINAL") != std::string::npos);
  BOOST_TEST(none.array.release == nullptr);
  delete s;
}

BOOST_AUTO_TEST_CASE(contributions_refused_where_h2o_refuses_them) {
  {
    Model model;  // multinomial: not declared; a call anyway says why
    BOOST_REQUIRE(!Load(Mojo("gbm", "titanic", "1.40"), "h2o3_mojo", &model));
    const auto in = MakeInput(model.info(), h2o3test::DatasetRecords("titanic"));
    arrow::OwnedArrow out;
    sh_status* s = P().api.contribute(model.m, SH_CONTRIBUTION_TRANSFORMED, &in.schema, &in.array, &out.schema, &out.array);
    BOOST_REQUIRE(s != nullptr);
    BOOST_TEST(s->code == SH_UNIMPLEMENTED);
    BOOST_TEST(std::string(s->message).find("multinomial") != std::string::npos);
    delete s;
  }
  {
    Model model;  // GLM: no TreeSHAP, no capability
    BOOST_REQUIRE(!Load(Mojo("glm", "titanic", "1.00"), "h2o3_mojo", &model));
    BOOST_TEST(model.info().capabilities == SH_CAP_SCORE);
    const auto in = MakeInput(model.info(), h2o3test::DatasetRecords("titanic"));
    arrow::OwnedArrow out;
    sh_status* s = P().api.contribute(model.m, SH_CONTRIBUTION_TRANSFORMED, &in.schema, &in.array, &out.schema, &out.array);
    BOOST_REQUIRE(s != nullptr);
    BOOST_TEST(s->code == SH_UNIMPLEMENTED);
    delete s;
  }
}

namespace {

// A fresh_algos MOJO scored through the ABI on tests/data/mojoland/fresh_algos/data.csv: the output
// fields must be `outputs` (all Float64), and every value Java's score0 gave for the 400 data rows
// (the first lines of <name>_scores.txt) must come out at 1e-10.
void CheckFreshThroughAbi(const std::string& name, const std::vector<std::string>& outputs) {
  const std::string dir = h2o3test::DataDir() + "/fresh_algos/";
  Model model;
  auto st = Load(dir + name + ".mojo", "h2o3_mojo", &model);
  BOOST_REQUIRE_MESSAGE(!st, (st ? st->message : ""));
  const auto& info = model.info();
  BOOST_REQUIRE_EQUAL(info.n_outputs, outputs.size());
  for (size_t c = 0; c < outputs.size(); ++c) {
    BOOST_TEST(info.outputs[c].name == outputs[c]);
    BOOST_TEST(info.outputs[c].type == SH_TYPE_FLOAT64);
  }
  const auto records = h2o3test::ReadCsv(dir + "data.csv");
  auto out = Score(model, MakeInput(info, records));
  arrow::TableView view;
  std::string why;
  BOOST_REQUIRE_MESSAGE(arrow::TableView::Make(&out.schema, &out.array, &view, &why), why);
  BOOST_REQUIRE_EQUAL(view.num_rows(), static_cast<int64_t>(records.size() - 1));
  const auto want = h2o3test::ReadExpected(dir + name + "_scores.txt");
  int compared = 0, mismatches = 0;
  for (int64_t r = 0; r < view.num_rows(); ++r)
    for (size_t c = 0; c < outputs.size(); ++c) {
      ++compared;
      if (!(std::fabs(view.column(c).Double(r) - want[static_cast<size_t>(r)].values[c]) <= 1e-10)) ++mismatches;
    }
  BOOST_TEST(mismatches == 0, name << ": " << mismatches << " of " << compared << " values differ");
  BOOST_TEST_MESSAGE("[abi] " << name << ": " << compared << " values match Java through the ABI");
}

}  // namespace

// Uplift DRF: the inputs are the features only (not the treatment), the outputs genmodel's names.
BOOST_AUTO_TEST_CASE(uplift_drf_through_the_abi) {
  CheckFreshThroughAbi("uplift_kl", {"uplift_predict", "p_y1_with_treatment", "p_y1_without_treatment"});
  Model model;
  BOOST_REQUIRE(!Load(h2o3test::DataDir() + "/fresh_algos/uplift_kl.mojo", "h2o3_mojo", &model));
  const auto& info = model.info();
  BOOST_REQUIRE_EQUAL(info.n_inputs, 4u);
  BOOST_TEST(std::string(info.inputs[2].name) == "c1");
  BOOST_TEST(info.inputs[2].type == SH_TYPE_STR);
  BOOST_TEST(info.capabilities == SH_CAP_SCORE);
}

// Target Encoder: the categorical inputs (level text), one Float64 output per encoded column
// (K-1 per input for a K-class target; an interaction column named as H2O names it).
BOOST_AUTO_TEST_CASE(target_encoder_through_the_abi) {
  CheckFreshThroughAbi("te_multinomial", {"c1_b_te", "c1_c_te", "c2_b_te", "c2_c_te"});
  CheckFreshThroughAbi("te_interaction", {"c1:c2_te", "c1_te"});
  Model model;
  BOOST_REQUIRE(!Load(h2o3test::DataDir() + "/fresh_algos/te_regression.mojo", "h2o3_mojo", &model));
  const auto& info = model.info();
  BOOST_REQUIRE_EQUAL(info.n_inputs, 2u);
  BOOST_TEST(std::string(info.inputs[0].name) == "c1");
  BOOST_TEST(info.inputs[0].type == SH_TYPE_STR);
  BOOST_REQUIRE_EQUAL(info.n_outputs, 2u);
  BOOST_TEST(std::string(info.outputs[1].name) == "c2_te");
}
