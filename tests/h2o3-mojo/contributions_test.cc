// TreeSHAP contributions against real H2O-3: tests/data/mojoland/fresh/<name>_contrib.csv is
// H2O 3.46.0.11's predict_contributions for the first rows of <name>_rows.csv (made by
// tests/h2o3-mojo/tools/train_big.py). H2O computes them in float (genmodel's TreeSHAP), and
// genmodel's MOJO predictor gives the very same floats (checked when the fixtures were made), so
// the comparison is exact on the floats; the CSV holds them widened to double.
#define BOOST_TEST_MODULE h2o3_mojo_contributions
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "mojo_model.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace h2o3 = scorehost::h2o3;

namespace {

// The score0 rows of <stem>_rows.csv ("v1,v2,...;offset"), first `n` lines.
std::vector<double> ReadRows(const std::string& path, size_t n, size_t n_features) {
  const auto lines = h2o3test::ReadCsv(path);
  BOOST_REQUIRE_GE(lines.size(), n);
  std::vector<double> rows;
  for (size_t r = 0; r < n; ++r) {
    BOOST_REQUIRE_EQUAL(lines[r].size(), n_features);
    for (size_t c = 0; c < n_features; ++c) {
      std::string cell = lines[r][c];
      if (const size_t semi = cell.find(';'); semi != std::string::npos) cell = cell.substr(0, semi);
      rows.push_back(*h2o3::JavaParseDouble(cell));
    }
  }
  return rows;
}

// The prediction in link space, which the contributions must add up to.
double LinkSpacePrediction(const h2o3::MojoModel& model, const std::string& name, const std::vector<double>& preds) {
  if (name.find("drf_") != std::string::npos) return model.meta().n_classes == 2 ? preds[2] : preds[0];
  if (name.find("xgb_") != std::string::npos && name.find("poisson") != std::string::npos) return std::log(preds[0]);
  if (name.find("poisson") != std::string::npos) return std::log(preds[0]);
  if (model.meta().n_classes == 2) return std::log(preds[2] / (1 - preds[2]));  // logit
  return preds[0];
}

struct Fixture {
  std::string name;
  std::string stem;
};

std::vector<Fixture> Fixtures(const std::string& suffix) {
  std::vector<Fixture> out;
  const fs::path dir = fs::path(h2o3test::DataDir()) / "fresh";
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string f = e.path().filename().string();
    if (f.size() > suffix.size() && f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0) {
      const std::string name = f.substr(0, f.size() - suffix.size());
      out.push_back({name, (dir / name).string()});
    }
  }
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) { return a.name < b.name; });
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(contributions_equal_h2o_predict_contributions) {
  const auto fixtures = Fixtures("_contrib.csv");
  BOOST_REQUIRE_GE(fixtures.size(), 10u);
  for (const Fixture& fx : fixtures) {
    BOOST_TEST_CONTEXT(fx.name) {
      auto model = h2o3::LoadMojo(fx.stem + ".mojo");
      BOOST_TEST(model->HasContributions());
      const auto csv = h2o3test::ReadCsv(fx.stem + "_contrib.csv");
      const auto names = model->ContributionNames();
      BOOST_TEST(csv[0] == names, boost::test_tools::per_element());
      // XGBoost: one value per one-hot booster input (H2O's default "Original" output format).
      const size_t n = csv.size() - 1, nf = static_cast<size_t>(model->meta().n_features),
                   width = model->ContributionWidth();
      BOOST_TEST(names.size() == width);
      const std::vector<double> rows = ReadRows(fx.stem + "_rows.csv", n, nf);
      std::vector<float> got(n * width, NAN);
      model->ContributeBatch(rows.data(), n, nf, got.data());
      size_t equal = 0, sums_ok = 0;
      // H2O's dart contributions miss the trees' weight_drop: they do not add up (by up to 2.5 in
      // these fixtures), so only the values are compared.
      const bool dart = fx.name.find("xgb_dart") != std::string::npos;
      double worst_sum = 0;
      for (size_t r = 0; r < n; ++r) {
        for (size_t c = 0; c < width; ++c) {
          const double want = *h2o3::JavaParseDouble(csv[r + 1][c]);
          // Exact: the CSV value is H2O's float widened to double.
          if (static_cast<double>(got[r * width + c]) == want) ++equal;
          else BOOST_ERROR("row " << r << " " << names[c] << ": H2O " << want << ", got " << got[r * width + c]);
        }
        // Contributions + bias add up to the prediction in link space (up to float rounding);
        // not for XGBoost dart, whose trees genmodel's TreeSHAP takes without their weight_drop.
        if (dart) continue;
        std::vector<double> preds(model->preds_size());
        model->Score0(std::span<const double>(rows.data() + r * nf, nf), 0.0, preds);
        double sum = 0;
        for (size_t c = 0; c < width; ++c) sum += got[r * width + c];
        const double target = LinkSpacePrediction(*model, fx.name, preds);
        const double err = std::fabs(sum - target) / std::max(1.0, std::fabs(target));
        worst_sum = std::max(worst_sum, err);
        if (err <= 1e-4) ++sums_ok;
        else BOOST_ERROR("row " << r << ": contributions sum to " << sum << ", link-space prediction " << target);
      }
      if (dart)
        BOOST_TEST_MESSAGE("[contributions] " << fx.name << ": " << equal << "/" << n * width
                                              << " values equal to H2O's; sums not checked (dart)");
      else
        BOOST_TEST_MESSAGE("[contributions] " << fx.name << ": " << equal << "/" << n * width
                                              << " values equal to H2O's; sums within " << worst_sum
                                              << " of the prediction");
    }
  }
}

// XGBoost: H2O's "Compact" output format (one value per original column) is the float sum, in
// one-hot order, of the "Original" values of a column's levels and missing slot
// (MutableOneHotEncoderFVec.decodeAggregate); <name>_contrib_compact.csv is H2O's output.
BOOST_AUTO_TEST_CASE(xgboost_compact_contributions_are_per_column_sums) {
  const auto fixtures = Fixtures("_contrib_compact.csv");
  BOOST_REQUIRE_GE(fixtures.size(), 5u);
  for (const Fixture& fx : fixtures) {
    BOOST_TEST_CONTEXT(fx.name) {
      auto model = h2o3::LoadMojo(fx.stem + ".mojo");
      const auto csv = h2o3test::ReadCsv(fx.stem + "_contrib_compact.csv");
      const h2o3::MojoMeta& meta = model->meta();
      const size_t n = csv.size() - 1, nf = static_cast<size_t>(meta.n_features), width = model->ContributionWidth();
      BOOST_REQUIRE_EQUAL(csv[0].size(), nf + 1);
      const std::vector<double> rows = ReadRows(fx.stem + "_rows.csv", n, nf);
      std::vector<float> got(n * width);
      model->ContributeBatch(rows.data(), n, nf, got.data());
      size_t equal = 0;
      for (size_t r = 0; r < n; ++r) {
        size_t k = 0;
        for (size_t c = 0; c < nf; ++c) {
          BOOST_TEST(csv[0][c] == meta.columns[c]);
          float sum = 0;
          const size_t slots = meta.domains[c] ? meta.domains[c]->size() + 1 : 1;
          if (slots == 1) sum = got[r * width + k++];
          else for (size_t i = 0; i < slots; ++i) sum += got[r * width + k++];
          if (static_cast<double>(sum) == *h2o3::JavaParseDouble(csv[r + 1][c])) ++equal;
          else BOOST_ERROR("row " << r << " " << csv[0][c] << ": H2O " << csv[r + 1][c] << ", got " << sum);
        }
        BOOST_TEST(static_cast<double>(got[r * width + k]) == *h2o3::JavaParseDouble(csv[r + 1][nf]));
      }
      BOOST_TEST_MESSAGE("[contributions] " << fx.name << " compact: " << equal << "/" << n * nf << " equal to H2O's");
    }
  }
}

// H2O refuses multinomial contributions; so do we, with a message that says so.
BOOST_AUTO_TEST_CASE(multinomial_contributions_are_unimplemented) {
  const auto fixtures = Fixtures("_contrib_error.txt");
  BOOST_REQUIRE(!fixtures.empty());
  for (const Fixture& fx : fixtures) {
    BOOST_TEST_CONTEXT(fx.name) {
      BOOST_TEST(h2o3test::ReadFile(fx.stem + "_contrib_error.txt").find("multinomial") != std::string::npos);
      auto model = h2o3::LoadMojo(fx.stem + ".mojo");
      BOOST_TEST(!model->HasContributions());  // so the plugin does not declare the capability
      const size_t nf = static_cast<size_t>(model->meta().n_features);
      const std::vector<double> rows = ReadRows(fx.stem + "_rows.csv", 1, nf);
      std::vector<float> out(nf + 1);
      try {
        model->ContributeBatch(rows.data(), 1, nf, out.data());
        BOOST_ERROR("multinomial contributions did not fail");
      } catch (const h2o3::MojoError& e) {
        BOOST_TEST((e.kind() == h2o3::ErrorKind::kUnimplemented));
        BOOST_TEST(std::string(e.what()).find("multinomial") != std::string::npos);
      }
    }
  }
}

// Old MOJOs (pre-1.20 tree layout, no aux node weights), multinomial and non-tree models refuse
// cleanly, and do not claim they can; 1.20+ regression/binomial GBM and DRF can.
BOOST_AUTO_TEST_CASE(which_models_have_contributions) {
  const std::string root = h2o3test::DataDir() + "/mojos/";
  for (const char* v : {"1.20", "1.30", "1.40"})
    for (const char* algo : {"gbm", "drf"})
      for (const char* dataset : {"cars", "eyestate"}) {
        const std::string path = root + algo + "/" + dataset + "/v" + v + "/" + algo + "_v" + v + "_" + dataset + ".mojo";
        // A binomial DRF needs the variable importances, which 1.20 MOJOs do not carry.
        const bool has = !(std::string(algo) == "drf" && std::string(dataset) == "eyestate" && std::string(v) == "1.20");
        BOOST_TEST(h2o3::LoadMojo(path)->HasContributions() == has, path);
      }
  for (const char* path : {"gbm/cars/v1.00/gbm_v1.00_cars.mojo", "drf/eyestate/v1.10/drf_v1.10_eyestate.mojo",
                           "drf/eyestate/v1.20/drf_v1.20_eyestate.mojo",
                           "gbm/titanic/v1.40/gbm_v1.40_titanic.mojo", "glm/titanic/v1.00/glm_v1.00_titanic.mojo"}) {
    BOOST_TEST_CONTEXT(path) {
      auto model = h2o3::LoadMojo(root + path);
      BOOST_TEST(!model->HasContributions());
      const size_t nf = static_cast<size_t>(model->meta().n_features);
      std::vector<double> row(nf, 0.0);
      std::vector<float> out(nf + 1);
      BOOST_CHECK_EXCEPTION(model->ContributeBatch(row.data(), 1, nf, out.data()), h2o3::MojoError,
                            [](const h2o3::MojoError& e) { return e.kind() == h2o3::ErrorKind::kUnimplemented; });
    }
  }
}

// Rows too short for the splits are refused like Java's ArrayIndexOutOfBoundsException.
BOOST_AUTO_TEST_CASE(short_rows_are_invalid) {
  auto model = h2o3::LoadMojo(h2o3test::DataDir() + "/fresh/shap_gbm_gaussian.mojo");
  std::vector<double> row(1, 0.0);
  std::vector<float> out(8);
  BOOST_CHECK_EXCEPTION(model->ContributeBatch(row.data(), 1, 1, out.data()), h2o3::MojoError,
                        [](const h2o3::MojoError& e) { return e.kind() == h2o3::ErrorKind::kInvalidArgument; });
}
