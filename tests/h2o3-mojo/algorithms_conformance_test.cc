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
