// Fresh many-row fixtures (tests/data/mojoland/fresh_algos, made with H2O-3 3.46.0.11 by
// tools/regen_fresh_algos.sh and tools/regen_autoencoder.sh) for Stacked Ensemble, K-Means, Uplift
// DRF, Target Encoder and Deep Learning autoencoder MOJOs: every value of Java's score0
// (tools/Score0.java) on the 400 training rows plus the edge rows, at 1e-10 absolute (float32
// Deep Learning: 1e-6 relative, as algorithms_conformance_test); where Java
// threw, we must refuse the row with a MojoError. The batch path must equal the row path bit for
// bit, and damaged copies of each MOJO must load or be refused with a MojoError, never crash.
#define BOOST_TEST_MODULE h2o3_mojo_fresh_algorithms
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "mojo_model.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace h2o3 = scorehost::h2o3;

namespace {

const h2o3test::Tolerance kTolerance{1e-10, 0};  // absolute
// float32 models (Deep Learning): 1e-6 relative, or 1e-10 absolute for values near 0.
const h2o3test::Tolerance kFloatTolerance{1e-10, 1e-6};

std::string FixtureDir() { return h2o3test::DataDir() + "/fresh_algos"; }

std::vector<fs::path> Fixtures(const std::string& prefix) {
  std::vector<fs::path> mojos;
  for (const auto& e : fs::directory_iterator(FixtureDir()))
    if (e.path().extension() == ".mojo" && e.path().filename().string().starts_with(prefix)) mojos.push_back(e.path());
  std::sort(mojos.begin(), mojos.end());
  return mojos;
}

// The rows of a _rows.csv that have exactly n values and that Java scored, without their offsets.
std::vector<std::vector<double>> FullRows(const std::string& rows_path, const std::string& scores_path, size_t n) {
  std::vector<std::vector<double>> out;
  const auto want = h2o3test::ReadExpected(scores_path);
  const auto records = h2o3test::ReadCsv(rows_path);
  for (size_t i = 0; i < records.size() && i < want.size(); ++i) {
    auto cells = records[i];
    if (cells.size() != n || !want[i].exception.empty()) continue;
    cells.back() = cells.back().substr(0, cells.back().find(';'));
    std::vector<double> row;
    for (const auto& c : cells) row.push_back(h2o3::JavaParseDouble(c).value());
    out.push_back(std::move(row));
  }
  return out;
}

// Java's values for every fixture starting with `prefix` (`expected_count` of them).
void CheckFixtures(const std::string& prefix, size_t expected_count, const h2o3test::Tolerance& tol = kTolerance) {
  const auto mojos = Fixtures(prefix);
  BOOST_TEST(mojos.size() == expected_count);
  h2o3test::CompareStats all;
  int lines = 0, matched = 0, java_errors = 0;
  for (const fs::path& mojo : mojos) {
    const std::string stem = (mojo.parent_path() / mojo.stem()).string();
    BOOST_TEST_CONTEXT(mojo.filename().string()) {
      auto model = h2o3::LoadMojo(mojo.string());
      const auto res = h2o3test::CheckRawRows(*model, stem + "_rows.csv", stem + "_scores.txt", "", tol);
      BOOST_TEST(res.matched == res.lines);
      BOOST_TEST(res.lines >= 400);
      lines += res.lines;
      matched += res.matched;
      java_errors += res.java_errors_matched;
      all.Merge(res.stats);

      // The batch path gives the row path's values exactly.
      const size_t nf = static_cast<size_t>(model->meta().n_features), np = model->preds_size();
      const auto rows = FullRows(stem + "_rows.csv", stem + "_scores.txt", nf);
      BOOST_TEST(rows.size() >= 400);
      std::vector<double> flat, batch(rows.size() * np, 0.0);
      for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
      model->ScoreBatch(flat.data(), rows.size(), nf, nullptr, batch.data(), np);
      size_t same = 0;
      for (size_t r = 0; r < rows.size(); ++r) {
        std::vector<double> one(np, 0.0);
        model->Score0(rows[r], 0.0, one);
        same += std::memcmp(one.data(), batch.data() + r * np, np * sizeof(double)) == 0;
      }
      BOOST_TEST(same == rows.size());
      BOOST_TEST_MESSAGE("[conformance] fresh " << mojo.stem().string() << ": " << res.matched << "/" << res.lines
                                                 << " lines match; " << model->Describe());
    }
  }
  BOOST_TEST_MESSAGE("[conformance] fresh " << prefix << "*: " << mojos.size() << " MOJOs, " << matched << "/" << lines
                                             << " lines (" << java_errors << " Java exceptions reproduced as errors), "
                                             << all.values << " values compared (abs " << tol.abs << ", rel " << tol.rel
                                             << "), max abs difference " << all.max_abs << ", max rel " << all.max_rel);
}

void CheckCorrupted(const std::string& prefix, size_t max_variants = 80) {
  int variants = 0, loaded = 0, refused = 0;
  for (const fs::path& mojo : Fixtures(prefix)) {
    const auto r = h2o3test::CheckCorruptions(mojo.string(), max_variants);
    variants += r.variants;
    loaded += r.loaded;
    refused += r.refused;
    BOOST_TEST(r.refused > 0);
  }
  BOOST_TEST_MESSAGE("[hostile] damaged " << prefix << "* MOJOs: " << variants << " variants, " << loaded
                                          << " loaded and scored, " << refused << " refused with MojoError");
}

}  // namespace

// Binomial, regression and multinomial ensembles of GBM + GLM + DRF base models, with GLM (plain
// and Logit-transformed inputs), GBM and DRF metalearners.
BOOST_AUTO_TEST_CASE(stacked_ensembles_match_java) { CheckFixtures("se_", 11); }
BOOST_AUTO_TEST_CASE(kmeans_match_java) { CheckFixtures("km_", 3); }

// (40 variants: each copy of an ensemble is ~150 entries to write and load.)
BOOST_AUTO_TEST_CASE(damaged_stacked_ensembles_are_refused_cleanly) { CheckCorrupted("se_binomial_gbm", 40); }
BOOST_AUTO_TEST_CASE(damaged_kmeans_are_refused_cleanly) { CheckCorrupted("km_std"); }

// Uplift DRF (KL, euclidean and chi-squared split metrics): uplift_predict, p_y1_with_treatment,
// p_y1_without_treatment, as genmodel's score0 and getOutputNames give them.
BOOST_AUTO_TEST_CASE(uplift_drf_matches_java) {
  CheckFixtures("uplift_", 3);
  auto model = h2o3::LoadMojo(FixtureDir() + "/uplift_kl.mojo");
  BOOST_TEST(model->OutputNames() == (std::vector<std::string>{"uplift_predict", "p_y1_with_treatment", "p_y1_without_treatment"}),
             boost::test_tools::per_element());
  BOOST_TEST(model->preds_size() == 3u);
  BOOST_TEST(model->meta().n_features == 4);  // x1, x2, c1, c2: the treatment column is not an input
  std::vector<double> short_preds(2, 0.0);
  BOOST_CHECK_THROW(model->Score0(std::vector<double>{0, 0, 0, 0}, 0.0, short_preds), h2o3::MojoError);
}
BOOST_AUTO_TEST_CASE(damaged_uplift_drf_are_refused_cleanly) { CheckCorrupted("uplift_kl"); }

// Target Encoder: binomial (blending and not), regression, multinomial (K-1 columns per input)
// and an interaction column (c1:c2) next to a plain one; NA levels, and level indices that are
// not in the encoding map (Java throws: a MojoError here).
BOOST_AUTO_TEST_CASE(target_encoder_matches_java) {
  CheckFixtures("te_", 5);
  auto multi = h2o3::LoadMojo(FixtureDir() + "/te_multinomial.mojo");
  BOOST_TEST(multi->OutputNames() == (std::vector<std::string>{"c1_b_te", "c1_c_te", "c2_b_te", "c2_c_te"}),
             boost::test_tools::per_element());
  auto inter = h2o3::LoadMojo(FixtureDir() + "/te_interaction.mojo");
  BOOST_TEST(inter->OutputNames() == (std::vector<std::string>{"c1:c2_te", "c1_te"}), boost::test_tools::per_element());
}

// H2O's in-cluster transform (as_training=False, no noise) on the training frame gives the same
// numbers as the MOJO (the _transform.csv files; rows with a missing level included).
BOOST_AUTO_TEST_CASE(target_encoder_matches_h2o_transform) {
  int compared = 0;
  for (const char* name : {"te_binomial", "te_binomial_noblend", "te_regression", "te_multinomial", "te_interaction"}) {
    BOOST_TEST_CONTEXT(name) {
      auto model = h2o3::LoadMojo(FixtureDir() + "/" + name + ".mojo");
      const auto records = h2o3test::ReadCsv(FixtureDir() + "/" + name + "_transform.csv");
      const auto names = model->OutputNames();
      std::vector<size_t> out_cols;
      for (const auto& n : names)
        out_cols.push_back(static_cast<size_t>(std::find(records[0].begin(), records[0].end(), n) - records[0].begin()));
      for (size_t r = 1; r < records.size(); ++r) {
        const auto row = h2o3test::PrepareRow(model->meta(), records[0], records[r]);
        std::vector<double> preds(model->preds_size(), 0.0);
        model->Score0(row, 0.0, preds);
        for (size_t i = 0; i < names.size(); ++i) {
          BOOST_REQUIRE(out_cols[i] < records[0].size());
          const double want = h2o3::JavaParseDouble(records[r][out_cols[i]]).value();
          BOOST_TEST(std::fabs(preds[i] - want) <= 1e-10, "row " << r << " " << names[i] << ": " << preds[i] << " vs " << want);
          ++compared;
        }
      }
    }
  }
  BOOST_TEST_MESSAGE("[conformance] Target Encoder vs H2O's transform: " << compared << " values at 1e-10");
}

BOOST_AUTO_TEST_CASE(damaged_target_encoders_are_refused_cleanly) {
  CheckCorrupted("te_multinomial");
  CheckCorrupted("te_interaction");
}

// Variants we cannot reproduce are refused at load, naming what is missing.
BOOST_AUTO_TEST_CASE(target_encoder_variants_refused_with_a_message) {
  const std::string dir = h2o3test::MakeTempDir("te");
  auto entries = h2o3test::ReadZip(FixtureDir() + "/te_binomial.mojo");
  std::erase_if(entries, [](const auto& e) { return e.first.ends_with("input_encoding_columns_map.ini"); });
  h2o3test::WriteZip(dir + "/old.mojo", entries);
  try {
    h2o3::LoadMojo(dir + "/old.mojo");
    BOOST_ERROR("a Target Encoder without its column mappings loaded");
  } catch (const h2o3::MojoError& e) {
    BOOST_TEST((e.kind() == h2o3::ErrorKind::kUnimplemented));
    BOOST_TEST(std::string(e.what()).find("input_encoding_columns_map.ini") != std::string::npos);
  }
}

// Deep Learning autoencoders (numeric-only and with categoricals, standardised or not; Tanh,
// Rectifier and their WithDropout forms, one to three hidden layers): the reconstruction
// (getPredsSize(AutoEncoder) values: one per level and NA level of each categorical, then the
// numerics de-standardised) as Java's score0 gives it.
BOOST_AUTO_TEST_CASE(autoencoders_match_java) { CheckFixtures("ae_", 7, kFloatTolerance); }

// The output names and values against H2O's in-cluster predict on the first 100 data rows (which
// also equal PredictCsv --decimal's header and values bit for bit, see tools/README.md).
BOOST_AUTO_TEST_CASE(autoencoders_match_h2o_predict) {
  int compared = 0;
  double max_rel = 0;
  for (const fs::path& mojo : Fixtures("ae_")) {
    const std::string stem = (mojo.parent_path() / mojo.stem()).string();
    BOOST_TEST_CONTEXT(mojo.filename().string()) {
      auto model = h2o3::LoadMojo(mojo.string());
      const auto want = h2o3test::ReadCsv(stem + "_h2o.csv");
      const auto data = h2o3test::ReadCsv(FixtureDir() + "/ae_data.csv");
      BOOST_REQUIRE(want.size() == 101u);
      const auto names = model->OutputNames();
      BOOST_TEST(names == want[0], boost::test_tools::per_element());
      BOOST_TEST(model->preds_size() == names.size());
      BOOST_TEST(model->min_preds_size() == names.size());
      for (size_t r = 1; r < want.size(); ++r) {
        const auto row = h2o3test::PrepareRow(model->meta(), data[0], data[r]);
        std::vector<double> preds(model->preds_size(), 0.0);
        model->Score0(row, 0.0, preds);
        BOOST_REQUIRE(want[r].size() == names.size());
        for (size_t i = 0; i < names.size(); ++i) {
          const double w = h2o3::JavaParseDouble(want[r][i]).value();
          const double rel = std::fabs(preds[i] - w) / std::max(1e-300, std::fabs(w));
          BOOST_TEST((std::fabs(preds[i] - w) <= 1e-10 || rel <= 1e-6), "row " << r << " " << names[i] << ": " << preds[i] << " vs " << w);
          if (std::fabs(preds[i] - w) > 1e-10) max_rel = std::max(max_rel, rel);
          ++compared;
        }
      }
    }
  }
  BOOST_TEST(compared > 0);
  BOOST_TEST_MESSAGE("[conformance] Deep Learning autoencoders vs H2O's predict: " << compared
                                                                                   << " values, max rel difference " << max_rel);
}

BOOST_AUTO_TEST_CASE(autoencoder_output_names_and_size) {
  auto model = h2o3::LoadMojo(FixtureDir() + "/ae_cat_tanh.mojo");
  BOOST_TEST(model->OutputNames() ==
                 (std::vector<std::string>{"reconstr_cb.k1", "reconstr_cb.k2", "reconstr_cb.k3", "reconstr_cb.k4",
                                           "reconstr_cb.k5", "reconstr_cb.missing(NA)", "reconstr_ca.blue",
                                           "reconstr_ca.green", "reconstr_ca.red", "reconstr_ca.missing(NA)",
                                           "reconstr_n1", "reconstr_n2", "reconstr_n3"}),
             boost::test_tools::per_element());
  BOOST_TEST(model->Describe().find("autoencoder") != std::string::npos);
  std::vector<double> short_preds(12, 0.0);
  BOOST_CHECK_THROW(model->Score0(std::vector<double>{0, 0, 1, 2, 3}, 0.0, short_preds), h2o3::MojoError);
}

BOOST_AUTO_TEST_CASE(damaged_autoencoders_are_refused_cleanly) {
  CheckCorrupted("ae_cat_tanh_dropout");
  CheckCorrupted("ae_num_rect_nostd", 40);
}

// An autoencoder without use_all_factor_levels (H2O forces it on; a hand-edited MOJO) has fewer
// outputs than genmodel's names: refused at load, naming the option.
BOOST_AUTO_TEST_CASE(autoencoder_without_all_factor_levels_is_refused) {
  const std::string dir = h2o3test::MakeTempDir("ae");
  auto entries = h2o3test::ReadZip(FixtureDir() + "/ae_cat_rect.mojo");
  for (auto& [name, text] : entries)
    if (name == "model.ini") {
      const auto at = text.find("use_all_factor_levels = true");
      BOOST_REQUIRE(at != std::string::npos);
      text.replace(at, 28, "use_all_factor_levels = false");
    }
  h2o3test::WriteZip(dir + "/nolevel1.mojo", entries);
  try {
    h2o3::LoadMojo(dir + "/nolevel1.mojo");
    BOOST_ERROR("an autoencoder without use_all_factor_levels loaded");
  } catch (const h2o3::MojoError& e) {
    BOOST_TEST((e.kind() == h2o3::ErrorKind::kUnimplemented));
    BOOST_TEST(std::string(e.what()).find("use_all_factor_levels") != std::string::npos);
  }
  fs::remove_all(dir);
}
