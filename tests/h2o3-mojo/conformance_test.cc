// Conformance of the native MOJO scorer with H2O's Java scorer on mojoland's golden outputs:
// every GBM, DRF and GLM MOJO over its data set, for scores0 (plain), scores1 (offset = row index)
// and scores2 (edge rows, where a Java exception must become a MojoError here).
#define BOOST_TEST_MODULE h2o3_mojo_conformance
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "mojo_model.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace h2o3 = scorehost::h2o3;

namespace {

constexpr double kTolerance = 1e-10;

struct Tally {
  int mojos = 0, lines = 0, failed_lines = 0, java_errors_matched = 0;
};

bool Close(double expected, double actual) {
  if (std::isnan(expected) || std::isnan(actual)) return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected) || std::isinf(actual)) return expected == actual;
  return std::fabs(expected - actual) <= kTolerance;
}

// Compares one scored line; returns an empty string when it matches.
std::string Compare(const h2o3::MojoModel& model, const h2o3test::ExpectedLine& want, const std::vector<double>& got) {
  if (want.values.size() != got.size())
    return "expected " + std::to_string(want.values.size()) + " values, got " + std::to_string(got.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const bool label = i == 0 && model.meta().is_classifier();
    if (label ? want.values[i] != got[i] : !Close(want.values[i], got[i])) {
      std::ostringstream os;
      os.precision(17);
      os << (label ? "label" : "value") << " #" << i << ": expected " << want.values[i] << ", got " << got[i];
      return os.str();
    }
  }
  return {};
}

// Scores `row` into a fresh zeroed buffer of `preds_len` values (what mojoland passes to Java).
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

// mojoland's MojoModel.scores2 rows (values are the strings Java parsed with Double.parseDouble).
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
    const std::string version = mojo.parent_path().filename().string();           // v1.40
    const std::string dataset = mojo.parent_path().parent_path().filename().string();  // iris
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
          diff = Compare(*model, want, *got);
        }
        if (!diff.empty()) {
          ++t.failed_lines;
          BOOST_ERROR(which << " line " << line + 1 << ": " << diff);
        }
      };

      // scores0 through the batch path (one call for the whole data set).
      const auto want0 = h2o3test::ReadExpected(stem + "_scores0.txt");
      BOOST_REQUIRE_EQUAL(want0.size(), rows.size());
      std::vector<double> flat(rows.size() * nf), batch(rows.size() * np, 0.0);
      for (size_t r = 0; r < rows.size(); ++r) std::copy(rows[r].begin(), rows[r].end(), flat.begin() + static_cast<long>(r * nf));
      model->ScoreBatch(flat.data(), rows.size(), nf, nullptr, batch.data(), np);
      for (size_t r = 0; r < rows.size(); ++r)
        check("scores0", r, want0[r], std::vector<double>(batch.begin() + static_cast<long>(r * np), batch.begin() + static_cast<long>((r + 1) * np)), "");

      // scores1: offset = row index, row by row through Score0.
      const auto want1 = h2o3test::ReadExpected(stem + "_scores1.txt");
      BOOST_REQUIRE_EQUAL(want1.size(), rows.size());
      for (size_t r = 0; r < rows.size(); ++r) {
        std::string error;
        auto got = TryScore(*model, rows[r], static_cast<double>(r), np, &error);
        check("scores1", r, want1[r], got, error);
      }

      // scores2: edge rows, then the all-zeros row with a one-slot prediction buffer.
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
    }
  }
  for (const auto& [version, t] : by_version)
    BOOST_TEST_MESSAGE("[conformance] " << algo << " " << version << ": " << t.mojos << " MOJOs, "
                                         << t.lines - t.failed_lines << "/" << t.lines << " lines match ("
                                         << t.java_errors_matched << " Java exceptions reproduced as errors)");
}

}  // namespace

BOOST_AUTO_TEST_CASE(gbm_matches_java) { RunAlgorithm("gbm"); }
BOOST_AUTO_TEST_CASE(drf_matches_java) { RunAlgorithm("drf"); }
BOOST_AUTO_TEST_CASE(glm_matches_java) { RunAlgorithm("glm"); }

// Scores raw score0 rows ("v1,v2,...[;offset]") and compares with Java's lines (and, for
// calibrated models, with Java's calibrated probabilities). Returns the number of matching lines.
int CheckRawRows(const h2o3::MojoModel& model, const std::string& rows_path, const std::string& scores_path,
                 const std::string& calibrated_path = "") {
  const auto rows = h2o3test::ReadCsv(rows_path);
  const auto want = h2o3test::ReadExpected(scores_path);
  const bool calibrated = !calibrated_path.empty();
  const auto want_cal = calibrated ? h2o3test::ReadExpected(calibrated_path) : want;
  BOOST_REQUIRE_EQUAL(want.size(), rows.size());
  int matched = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    // The CSV reader splits on commas; an offset follows a ';' in the last cell.
    std::vector<double> row;
    double offset = 0;
    for (size_t c = 0; c < rows[r].size(); ++c) {
      std::string cell = rows[r][c];
      if (c + 1 == rows[r].size()) {
        const size_t semi = cell.find(';');
        if (semi != std::string::npos) {
          offset = *h2o3::JavaParseDouble(cell.substr(semi + 1));
          cell = cell.substr(0, semi);
        }
      }
      row.push_back(*h2o3::JavaParseDouble(cell));
    }
    std::string error;
    auto got = TryScore(model, row, offset, model.preds_size(), &error);
    std::string diff;
    if (!want[r].exception.empty()) {
      if (got) diff = "Java threw " + want[r].exception + " but we returned values";
    } else if (!got) {
      diff = "unexpected error: " + error;
    } else {
      diff = Compare(model, want[r], *got);
      if (diff.empty() && calibrated) {
        std::vector<double> cal = *got;
        model.Calibrate(cal.data());
        diff = Compare(model, want_cal[r], cal);
        if (!diff.empty()) diff = "calibrated " + diff;
      }
    }
    if (diff.empty()) ++matched;
    else BOOST_ERROR("row " << r + 1 << ": " << diff);
  }
  return matched;
}

// Isolation Forest (MOJO 1.30) and Extended Isolation Forest (1.00): the unpacked MOJOs of
// h2o-genmodel's tests, scored by h2o-genmodel 3.46.0.11 (tests/h2o3-mojo/tools/Score0.java) on
// synthetic rows, edge rows and rows of the wrong length.
BOOST_AUTO_TEST_CASE(isolation_forests_match_java) {
  const std::string dir = h2o3test::DataDir() + "/h2o-genmodel";
  auto iso = h2o3::LoadMojo(dir + "/isofor");
  BOOST_TEST(iso->OutputNames() == (std::vector<std::string>{"predict", "mean_length"}), boost::test_tools::per_element());
  int n = CheckRawRows(*iso, dir + "/isofor_rows.csv", dir + "/isofor_scores0.txt");
  BOOST_TEST_MESSAGE("[conformance] isolationforest (MOJO 1.30): " << n << "/" << h2o3test::ReadCsv(dir + "/isofor_rows.csv").size() << " lines match");
  auto eif = h2o3::LoadMojo(dir + "/isoforextended");
  BOOST_TEST(eif->OutputNames() == (std::vector<std::string>{"anomaly_score", "mean_length"}), boost::test_tools::per_element());
  n = CheckRawRows(*eif, dir + "/eif_rows.csv", dir + "/eif_scores0.txt");
  BOOST_TEST_MESSAGE("[conformance] extendedisolationforest (MOJO 1.00): " << n << "/" << h2o3test::ReadCsv(dir + "/eif_rows.csv").size() << " lines match");
}

// Fresh MOJOs (tests/data/mojoland/fresh, made with h2o 3.46.0.11 by tests/h2o3-mojo/tools) that
// cover what mojoland lacks: GBM poisson/gamma/tweedie/quantile/huber/quasibinomial/2-class
// multinomial/offsets/Platt/isotonic/ties, DRF binomial, GLM poisson/gamma/tweedie/ordinal/
// quasibinomial/offset/no-imputation/reference-level coding, Isolation Forest with anomaly flag.
BOOST_AUTO_TEST_CASE(fresh_models_match_java) {
  const fs::path dir = fs::path(h2o3test::DataDir()) / "fresh";
  std::vector<fs::path> mojos;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".mojo") mojos.push_back(e.path());
  std::sort(mojos.begin(), mojos.end());
  BOOST_REQUIRE(!mojos.empty());
  for (const fs::path& mojo : mojos) {
    const std::string stem = (dir / mojo.stem()).string();
    BOOST_TEST_CONTEXT(mojo.filename().string()) {
      auto model = h2o3::LoadMojo(mojo.string());
      const bool calibrated = fs::exists(stem + "_calibrated.txt");
      BOOST_TEST(model->has_calibration() == calibrated);
      const int n = CheckRawRows(*model, stem + "_rows.csv", stem + "_scores.txt", calibrated ? stem + "_calibrated.txt" : "");
      BOOST_TEST_MESSAGE("[conformance] fresh " << mojo.stem().string() << " (MOJO " << model->meta().mojo_version
                                                 << "): " << n << "/" << h2o3test::ReadCsv(stem + "_rows.csv").size()
                                                 << " lines match");
    }
  }
}
