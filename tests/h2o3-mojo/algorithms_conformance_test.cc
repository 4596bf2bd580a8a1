// Conformance of the algorithms beyond GBM/DRF/GLM (XGBoost, Deep Learning, ...) with H2O's Java
// scorer on mojoland's golden outputs: scores0 (plain, through the batch path), scores1 (offset =
// row index, row by row) and scores2 (edge rows; where Java threw, we must return an error).
// These models compute in float32 like Java, so values are compared at 1e-6 relative (or 1e-10
// absolute, for values near 0); labels must be equal. The maximum relative difference seen is
// reported per algorithm.
#define BOOST_TEST_MODULE h2o3_mojo_algorithms_conformance
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>

#include "errors.hpp"
#include "mojo_model.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace h2o3 = scorehost::h2o3;

namespace {

// float32 models: 1e-6 relative, or 1e-10 absolute for values near 0.
const h2o3test::Tolerance kFloatTolerance{1e-10, 1e-6};

void RunAlgorithm(const std::string& algo) { h2o3test::CheckMojolandAlgorithm(algo, kFloatTolerance, 5); }

using h2o3test::EdgeRows;

}  // namespace

BOOST_AUTO_TEST_CASE(xgboost_matches_java) { RunAlgorithm("xgboost"); }
BOOST_AUTO_TEST_CASE(deeplearning_matches_java) { RunAlgorithm("deeplearning"); }

namespace {

// EasyPredictModelWrapper's row conversion for the values the Java tests put in a RowData: a
// categorical column takes the index of its level, a numeric one the parsed number, an absent
// column is NaN.
std::vector<double> EasyRow(const h2o3::MojoMeta& meta, const std::map<std::string, std::string>& values) {
  std::vector<double> row;
  for (int f = 0; f < meta.n_features; ++f) {
    const auto it = values.find(meta.columns[static_cast<size_t>(f)]);
    if (it == values.end()) {
      row.push_back(NAN);
    } else if (const auto& dom = meta.domains[static_cast<size_t>(f)]) {
      const auto lvl = std::find(dom->begin(), dom->end(), it->second);
      BOOST_REQUIRE_MESSAGE(lvl != dom->end(), "no level " << it->second);
      row.push_back(static_cast<double>(lvl - dom->begin()));
    } else {
      row.push_back(std::stod(it->second));
    }
  }
  return row;
}

std::vector<double> ScoreEasy(const std::string& zip, const std::map<std::string, std::string>& values) {
  auto model = h2o3::LoadMojo(h2o3test::DataDir() + "/../h2o-genmodel/ensemble/" + zip);
  BOOST_TEST_MESSAGE("[conformance] " << zip << ": " << model->Describe());
  std::vector<double> preds(model->preds_size(), 0.0);
  model->Score0(EasyRow(model->meta(), values), 0.0, preds);
  return preds;
}

}  // namespace

// Stacked Ensembles of h2o-genmodel's test resources (GBM, DRF, XRT, Deep Learning and GLM base
// models, GLM metalearners) against the values h2o-genmodel's own tests assert
// (hex/genmodel/algos/ensemble/StackedEnsemble*MojoTest.java), at their precision (1e-5).
BOOST_AUTO_TEST_CASE(stacked_ensembles_match_java) {
  constexpr double kJavaTestPrecision = 1e-5;
  int checks = 0;
  auto p = ScoreEasy("binomial.zip", {{"AGE", "65"}, {"RACE", "1"}, {"DPROS", "2"}, {"DCAPS", "1"}, {"PSA", "1.4"},
                                      {"VOL", "0"}, {"GLEASON", "6"}});
  BOOST_TEST(p[0] == 0);
  BOOST_TEST(std::fabs(p[1] - 0.8222695) <= kJavaTestPrecision);
  BOOST_TEST(std::fabs(p[2] - 0.1777305) <= kJavaTestPrecision);
  ++checks;

  p = ScoreEasy("multinomial.zip", {{"CAPSULE", "0"}, {"AGE", "65"}, {"DPROS", "2"}, {"DCAPS", "1"}, {"PSA", "1.4"},
                                    {"VOL", "0"}, {"GLEASON", "6"}});
  BOOST_TEST(p[0] == 1);
  BOOST_TEST(std::fabs(p[1] - 0.006592327) <= kJavaTestPrecision);
  BOOST_TEST(std::fabs(p[2] - 0.901237) <= kJavaTestPrecision);
  BOOST_TEST(std::fabs(p[3] - 0.09217069) <= kJavaTestPrecision);
  ++checks;

  p = ScoreEasy("regression.zip", {{"CAPSULE", "0"}, {"RACE", "1"}, {"DPROS", "2"}, {"DCAPS", "1"}, {"PSA", "1.4"},
                                   {"VOL", "0"}, {"GLEASON", "6"}});
  BOOST_TEST(std::fabs(p[0] - 66.29695) <= kJavaTestPrecision);
  ++checks;

  // 27 base models of which only #6 is stored (the metalearner ignores the others): the original
  // zip, made by macOS (data descriptors, __MACOSX/; see hostile_archive_test), and the same files
  // unpacked.
  p = ScoreEasy("binomial_without_useless_models", {{"AGE", "65"}});
  BOOST_TEST(p[0] == 1);
  ++checks;
  p = ScoreEasy("binomial_without_useless_models.zip", {{"AGE", "65"}});
  BOOST_TEST(p[0] == 1);
  ++checks;

  // AutoML's BestOfFamily ensemble (GBM, DRF, XRT, Deep Learning, GLM): loads and scores a
  // probability distribution (h2o-genmodel asserts nothing numeric for it).
  auto titanic = h2o3::LoadMojo(h2o3test::DataDir() + "/../h2o-genmodel/ensemble/binomial_titanic.zip");
  std::vector<double> preds(titanic->preds_size(), 0.0);
  titanic->Score0(std::vector<double>(static_cast<size_t>(titanic->meta().n_features), NAN), 0.0, preds);
  BOOST_TEST(std::fabs(preds[1] + preds[2] - 1) <= 1e-12);
  BOOST_TEST_MESSAGE("[conformance] stackedensemble: " << checks << " h2o-genmodel test rows checked; "
                                                        << titanic->Describe());
}

// K-means (MOJO 1.0, standardized, 2 categoricals + 3 numerics) of h2o-genmodel's test resources:
// the rows of KMeansMojoModelTest.java and the clusters it asserts (0, 1, 2), plus a missing value.
BOOST_AUTO_TEST_CASE(kmeans_matches_java) {
  auto model = h2o3::LoadMojo(h2o3test::DataDir() + "/../h2o-genmodel/kmeans");
  BOOST_TEST(model->OutputNames() == std::vector<std::string>{"cluster"}, boost::test_tools::per_element());
  const std::vector<std::vector<double>> rows{{2, 1, 22, 1, 0}, {2, 1, 2, 3, 1}, {2, 0, 27, 0, 2}};
  for (size_t i = 0; i < rows.size(); ++i) {
    std::vector<double> preds(model->preds_size(), -1);
    model->Score0(rows[i], 0.0, preds);
    BOOST_TEST(preds[0] == static_cast<double>(i));
  }
  std::vector<double> preds(model->preds_size(), -1);
  model->Score0(std::vector<double>{NAN, NAN, NAN, NAN, NAN}, 0.0, preds);  // everything imputed
  BOOST_TEST(preds[0] >= 0);
  BOOST_TEST_MESSAGE("[conformance] kmeans: 3/3 h2o-genmodel test rows checked; " << model->Describe());
}

// The XGBoost booster reader on hostile input: every truncation of a booster (in steps) and
// random byte corruption must either load or fail with a MojoError, and whatever loads must score
// without crashing (run under ASan/UBSan in CI).
BOOST_AUTO_TEST_CASE(xgboost_booster_reader_survives_corruption) {
  const std::string dir = h2o3test::MakeTempDir("xgbfuzz");
  int loaded = 0, refused = 0;
  for (const char* name : {"iristree/v1.10/xgboost_v1.10_iristree", "starslinear/v1.10/xgboost_v1.10_starslinear",
                           "irisdart/v1.00/xgboost_v1.00_irisdart"}) {
    const std::string src = h2o3test::DataDir() + "/mojos/xgboost/" + name + ".mojo";
    const h2o3test::ZipEntries entries = h2o3test::ReadZip(src);
    size_t booster = 0;
    while (entries[booster].first != "boosterBytes") ++booster;
    const std::string original = entries[booster].second;
    uint32_t seed = 12345;
    auto next = [&seed] { return seed = seed * 1103515245u + 12345u; };
    std::vector<std::string> variants;
    for (size_t len = 0; len < original.size(); len += 1 + original.size() / 40) variants.push_back(original.substr(0, len));
    for (int i = 0; i < 40; ++i) {
      std::string v = original;
      for (int j = 0; j < 4; ++j) v[next() % v.size()] = static_cast<char>(next() >> 16);
      variants.push_back(std::move(v));
    }
    for (size_t i = 0; i < variants.size(); ++i) {
      h2o3test::ZipEntries e = entries;
      e[booster].second = variants[i];
      const std::string path = dir + "/v" + std::to_string(i) + ".mojo";
      h2o3test::WriteZip(path, e);
      try {
        auto model = h2o3::LoadMojo(path);
        ++loaded;
        h2o3test::ScoreEdgeRowsSafely(*model, "corrupted booster " + std::to_string(i));
      } catch (const h2o3::MojoError&) {
        ++refused;
      }
      fs::remove(path);
    }
  }
  fs::remove_all(dir);
  BOOST_TEST(refused > 0);
  BOOST_TEST_MESSAGE("[hostile] corrupted XGBoost boosters: " << loaded << " loaded and scored, " << refused << " refused");
}
