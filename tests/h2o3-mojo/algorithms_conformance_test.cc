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

constexpr double kRelTolerance = 1e-6;
constexpr double kAbsTolerance = 1e-10;

struct Tally {
  int mojos = 0, lines = 0, failed_lines = 0, java_errors_matched = 0;
  double max_rel = 0;
};

bool Close(double expected, double actual, double* max_rel) {
  if (std::isnan(expected) || std::isnan(actual)) return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected) || std::isinf(actual)) return expected == actual;
  const double diff = std::fabs(expected - actual);
  if (expected != 0) *max_rel = std::max(*max_rel, diff / std::fabs(expected));
  return diff <= kAbsTolerance || diff <= kRelTolerance * std::fabs(expected);
}

std::string Compare(const h2o3::MojoModel& model, const h2o3test::ExpectedLine& want, const std::vector<double>& got,
                    double* max_rel) {
  if (want.values.size() != got.size())
    return "expected " + std::to_string(want.values.size()) + " values, got " + std::to_string(got.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const bool label = i == 0 && model.meta().is_classifier();
    if (label ? want.values[i] != got[i] : !Close(want.values[i], got[i], max_rel)) {
      std::ostringstream os;
      os.precision(17);
      os << (label ? "label" : "value") << " #" << i << ": expected " << want.values[i] << ", got " << got[i];
      return os.str();
    }
  }
  return {};
}

std::optional<std::vector<double>> TryScore(const h2o3::MojoModel& model, const std::vector<double>& row,
                                            double offset, size_t preds_len, std::string* error) {
  std::vector<double> preds(preds_len, 0.0);
  try {
    model.Score0(row, offset, preds);
  } catch (const h2o3::MojoError& e) {
    *error = e.what();
    return std::nullopt;
  }
  return preds;
}

// mojoland's MojoModel.scores2 rows (the same as in conformance_test.cc).
std::vector<std::vector<double>> EdgeRows(size_t n) {
  std::vector<std::vector<double>> rows;
  rows.push_back(std::vector<double>(n, NAN));
  rows.push_back(std::vector<double>(n, 0.0));
  std::vector<double> r;
  for (size_t x = 0; x < n; ++x) r.push_back(-static_cast<double>(x));
  rows.push_back(r);
  r.clear();
  for (size_t x = 0; x < n + 1; ++x) r.push_back(static_cast<double>(x));
  rows.push_back(r);
  r.clear();
  for (size_t x = 0; x + 1 < n; ++x) r.push_back(static_cast<double>(x));
  rows.push_back(r);
  for (size_t i = 0; i + 1 < n; ++i) {
    r.clear();
    for (size_t x = 0; x < i; ++x) r.push_back(static_cast<double>(x * 1000));
    r.push_back(NAN);
    for (size_t x = i + 2; x < n; ++x) r.push_back(static_cast<double>(x));
    rows.push_back(r);
  }
  for (int e = 10; e <= 200; e += 10) {
    r.clear();
    for (size_t x = 0; x < n; ++x) r.push_back(std::stod(std::to_string(x + 1) + "e" + std::to_string(e)));
    rows.push_back(r);
  }
  return rows;
}

void RunAlgorithm(const std::string& algo) {
  std::map<std::string, Tally> by_version;
  const fs::path root = fs::path(h2o3test::DataDir()) / "mojos" / algo;
  std::vector<fs::path> mojos;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.path().extension() == ".mojo") mojos.push_back(e.path());
  std::sort(mojos.begin(), mojos.end());
  BOOST_REQUIRE(!mojos.empty());

  for (const fs::path& mojo : mojos) {
    const std::string version = mojo.parent_path().filename().string();
    std::string dataset = mojo.parent_path().parent_path().filename().string();
    // XGBoost recipes are named <dataset><booster>, e.g. "irisdart".
    for (const char* suffix : {"tree", "dart", "linear"})
      if (dataset.size() > std::strlen(suffix) && dataset.ends_with(suffix)) dataset.resize(dataset.size() - std::strlen(suffix));
    const std::string stem = (mojo.parent_path() / mojo.stem()).string();
    BOOST_TEST_CONTEXT(mojo.filename().string()) {
      Tally& t = by_version[version];
      ++t.mojos;
      std::unique_ptr<h2o3::MojoModel> model;
      try {
        model = h2o3::LoadMojo(mojo.string());
      } catch (const std::exception& e) {
        BOOST_ERROR("load failed: " << e.what());
        continue;
      }
      const auto records = h2o3test::DatasetRecords(dataset);
      std::vector<std::vector<double>> rows;
      for (size_t i = 1; i < records.size(); ++i) rows.push_back(h2o3test::PrepareRow(model->meta(), records[0], records[i]));
      const size_t np = model->preds_size();
      const size_t nf = static_cast<size_t>(model->meta().n_features);
      int failures_shown = 0;

      auto check = [&](const char* which, size_t line, const h2o3test::ExpectedLine& want,
                       const std::optional<std::vector<double>>& got, const std::string& error) {
        ++t.lines;
        std::string diff;
        if (!want.exception.empty()) {
          if (got) diff = "Java threw " + want.exception + " but we returned values";
          else ++t.java_errors_matched;
        } else if (!got) {
          diff = "unexpected error: " + error;
        } else {
          diff = Compare(*model, want, *got, &t.max_rel);
        }
        if (!diff.empty()) {
          ++t.failed_lines;
          if (++failures_shown <= 5) BOOST_ERROR(which << " line " << line + 1 << ": " << diff);
        }
      };

      const auto want0 = h2o3test::ReadExpected(stem + "_scores0.txt");
      BOOST_REQUIRE_EQUAL(want0.size(), rows.size());
      std::vector<double> flat(rows.size() * nf), batch(rows.size() * np, 0.0);
      for (size_t r = 0; r < rows.size(); ++r) std::copy(rows[r].begin(), rows[r].end(), flat.begin() + static_cast<long>(r * nf));
      model->ScoreBatch(flat.data(), rows.size(), nf, nullptr, batch.data(), np);
      for (size_t r = 0; r < rows.size(); ++r)
        check("scores0", r, want0[r], std::vector<double>(batch.begin() + static_cast<long>(r * np), batch.begin() + static_cast<long>((r + 1) * np)), "");

      const auto want1 = h2o3test::ReadExpected(stem + "_scores1.txt");
      BOOST_REQUIRE_EQUAL(want1.size(), rows.size());
      for (size_t r = 0; r < rows.size(); ++r) {
        std::string error;
        auto got = TryScore(*model, rows[r], static_cast<double>(r), np, &error);
        check("scores1", r, want1[r], got, error);
      }

      const auto want2 = h2o3test::ReadExpected(stem + "_scores2.txt");
      auto edge = EdgeRows(nf);
      BOOST_REQUIRE_EQUAL(want2.size(), edge.size() + 1);
      for (size_t r = 0; r < edge.size(); ++r) {
        std::string error;
        auto got = TryScore(*model, edge[r], 0.0, np, &error);
        check("scores2", r, want2[r], got, error);
      }
      std::string error;
      auto got = TryScore(*model, std::vector<double>(nf, 0.0), 0.0, 1, &error);
      check("scores2", edge.size(), want2.back(), got, error);
      if (failures_shown > 5) BOOST_ERROR(failures_shown << " lines differ in all");
    }
  }
  for (const auto& [version, t] : by_version)
    BOOST_TEST_MESSAGE("[conformance] " << algo << " " << version << ": " << t.mojos << " MOJOs, "
                                         << t.lines - t.failed_lines << "/" << t.lines << " lines match ("
                                         << t.java_errors_matched << " Java exceptions reproduced as errors), max relative difference "
                                         << t.max_rel);
}

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

  // 27 base models of which only #6 is stored (the metalearner ignores the others). The original
  // zip (made by macOS, with data descriptors) fails libzip's consistency check, which the
  // archive reader applies to every zip, so it is stored unpacked (same files, no __MACOSX/).
  p = ScoreEasy("binomial_without_useless_models", {{"AGE", "65"}});
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
        const size_t nf = static_cast<size_t>(model->meta().n_features);
        for (const auto& row : EdgeRows(nf)) {
          std::vector<double> preds(model->preds_size(), 0.0);
          try {
            model->Score0(row, 0.0, preds);
          } catch (const h2o3::MojoError&) {
          }
        }
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
