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

const h2o3test::Tolerance kTolerance{1e-10, 0};  // absolute

void RunAlgorithm(const std::string& algo) { h2o3test::CheckMojolandAlgorithm(algo, kTolerance); }

}  // namespace

BOOST_AUTO_TEST_CASE(gbm_matches_java) { RunAlgorithm("gbm"); }
BOOST_AUTO_TEST_CASE(drf_matches_java) { RunAlgorithm("drf"); }
BOOST_AUTO_TEST_CASE(glm_matches_java) { RunAlgorithm("glm"); }

// Raw score0 rows against Java's lines; returns the number of matching lines.
int CheckRawRows(const h2o3::MojoModel& model, const std::string& rows_path, const std::string& scores_path,
                 const std::string& calibrated_path = "") {
  return h2o3test::CheckRawRows(model, rows_path, scores_path, calibrated_path, kTolerance).matched;
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
  for (const fs::path& mojo : h2o3test::SortedMojos(dir)) {
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
