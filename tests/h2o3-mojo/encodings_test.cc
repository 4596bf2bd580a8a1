// GBM and DRF MOJOs trained with categorical_encoding OneHotExplicit, Binary, LabelEncoder,
// EnumLimited and Eigen (tests/data/mojoland/fresh_algos/enc_*, H2O-3 3.46.0.11, tools/train_encodings.py):
// the model takes the ORIGINAL columns and must give what genmodel's PredictCsv --decimal gave for
// enc_rows.csv (original columns, with missing cells, unseen levels, every level of every
// categorical), every value at 1e-10 absolute. The rows go through InputSchema as the plugin sends
// them (empty cell = missing, level text = categorical). Eigen too; unknown encodings are refused
// by name; damaged copies load or are refused with a MojoError, never a crash; TreeSHAP
// contributions (per encoded column) equal genmodel's floats (<name>_contrib.csv, EncContrib.java).
#define BOOST_TEST_MODULE h2o3_mojo_encodings
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "errors.hpp"
#include "io_schema.hpp"
#include "java_semantics.hpp"
#include "mojo_model.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace h2o3 = scorehost::h2o3;

namespace {

std::string Dir() { return h2o3test::DataDir() + "/fresh_algos"; }

std::vector<fs::path> Mojos(const std::string& encoding) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(Dir())) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".mojo" && name.starts_with("enc_") && name.ends_with("_" + encoding + ".mojo"))
      out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

const std::vector<std::string> kOriginal = {"x1", "c_small", "x2", "c_many", "c_int"};

struct Totals {
  size_t models = 0, rows = 0, values = 0, contributions = 0;
  double max_diff = 0, max_contribution_diff = 0;
};

void CheckEncoding(const std::string& encoding, const std::string& genmodel_name, Totals& totals) {
  const auto mojos = Mojos(encoding);
  BOOST_TEST(mojos.size() == 4u);  // GBM and DRF, binomial and regression
  const auto records = h2o3test::ReadCsv(Dir() + "/enc_rows.csv");
  BOOST_REQUIRE(records.size() > 200);
  BOOST_REQUIRE(records[0] == kOriginal);
  for (const fs::path& mojo : mojos) {
    BOOST_TEST_CONTEXT(mojo.filename().string()) {
      auto model = h2o3::LoadMojo(mojo.string());
      const h2o3::MojoMeta& meta = model->meta();
      // The inputs are the original columns, categoricals with their original levels.
      BOOST_TEST(meta.n_features == 5);
      BOOST_TEST(std::vector<std::string>(meta.columns.begin(), meta.columns.begin() + 5) == kOriginal,
                 boost::test_tools::per_element());
      BOOST_TEST(!meta.domains[0].has_value());
      BOOST_TEST((meta.domains[1] && meta.domains[3] && meta.domains[4]));
      BOOST_TEST(model->Describe().find("categorical encoding " + genmodel_name) != std::string::npos);
      BOOST_TEST(model->HasContributions());

      const h2o3::InputSchema schema(meta);
      const auto want = h2o3test::ReadCsv(mojo.parent_path() / (mojo.stem().string() + "_predictcsv.csv"));
      BOOST_REQUIRE(want.size() == records.size());
      const auto names = model->OutputNames();
      BOOST_REQUIRE(want[0] == names);
      const size_t np = model->preds_size();
      std::vector<double> flat, one(np);
      std::vector<std::vector<double>> got;
      size_t mismatches = 0;
      for (size_t r = 1; r < records.size(); ++r) {
        std::vector<double> row(5);
        for (size_t c = 0; c < 5; ++c) {
          const std::string& cell = records[r][c];
          if (cell.empty()) row[c] = NAN;
          else if (schema.columns()[c].categorical) row[c] = schema.EncodeLevel(static_cast<int>(c), cell);
          else row[c] = h2o3::JavaParseDouble(cell).value();
        }
        flat.insert(flat.end(), row.begin(), row.end());
        model->Score0(row, 0.0, one);
        got.push_back(one);
        const auto& w = want[r];
        BOOST_REQUIRE(w.size() == names.size());
        for (size_t i = 0; i < names.size(); ++i) {
          if (i == 0 && meta.is_classifier()) {
            const auto* dom = meta.response_domain();
            const bool ok = dom && one[0] >= 0 && one[0] < dom->size() && (*dom)[static_cast<size_t>(one[0])] == w[0];
            if (!ok) ++mismatches;
            ++totals.values;
            continue;
          }
          const double expected = h2o3::JavaParseDouble(w[i]).value();
          const double diff = std::fabs(one[i] - expected);
          totals.max_diff = std::max(totals.max_diff, diff);
          ++totals.values;
          if (!(diff <= 1e-10)) {
            if (++mismatches <= 5)
              BOOST_ERROR("row " << r << " " << names[i] << ": got " << one[i] << ", PredictCsv " << w[i]);
          }
        }
      }
      BOOST_TEST(mismatches == 0u);
      totals.rows += records.size() - 1;
      ++totals.models;

      // The batch path equals the row path bit for bit.
      const size_t n = records.size() - 1;
      std::vector<double> batch(n * np, 0.0);
      model->ScoreBatch(flat.data(), n, 5, nullptr, batch.data(), np);
      size_t same = 0;
      for (size_t r = 0; r < n; ++r)
        same += std::equal(got[r].begin(), got[r].begin() + static_cast<long>(model->min_preds_size()),
                           batch.begin() + static_cast<long>(r * np));
      BOOST_TEST(same == n);
      h2o3test::ScoreEdgeRowsSafely(*model, mojo.filename().string());

      // TreeSHAP per encoded column: genmodel's floats (tools/EncContrib.java, i.e. PredictCsv
      // --predictContributions with the MOJO's metadata loaded), every value equal.
      const auto want_c = h2o3test::ReadCsv(mojo.parent_path() / (mojo.stem().string() + "_contrib.csv"));
      BOOST_REQUIRE(want_c.size() == records.size());
      BOOST_TEST(want_c[0] == model->ContributionNames(), boost::test_tools::per_element());
      const size_t width = model->ContributionWidth();
      BOOST_REQUIRE(width == want_c[0].size());
      BOOST_TEST((width > 6u) == (encoding == "one_hot_explicit" || encoding == "binary"));
      std::vector<float> contrib(n * width);
      model->ContributeBatch(flat.data(), n, 5, contrib.data());
      size_t differ = 0;
      for (size_t r = 0; r < n; ++r)
        for (size_t c = 0; c < width; ++c) {
          const double expected = h2o3::JavaParseDouble(want_c[r + 1][c]).value();
          const double d = std::fabs(static_cast<double>(contrib[r * width + c]) - expected);
          totals.max_contribution_diff = std::max(totals.max_contribution_diff, d);
          ++totals.contributions;
          if (d != 0 && ++differ <= 5)
            BOOST_ERROR("contribution row " << r + 1 << " " << want_c[0][c] << ": got " << contrib[r * width + c]
                                            << ", genmodel " << want_c[r + 1][c]);
        }
      BOOST_TEST(differ == 0u);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_encoding_matches_predictcsv) {
  Totals t;
  CheckEncoding("one_hot_explicit", "OneHotExplicit", t);
  CheckEncoding("binary", "Binary", t);
  CheckEncoding("label_encoder", "LabelEncoder", t);
  CheckEncoding("enum_limited", "EnumLimited", t);
  CheckEncoding("eigen", "Eigen", t);
  BOOST_TEST(t.models == 20u);
  BOOST_TEST_MESSAGE("[encodings] " << t.models << " MOJOs, " << t.rows << " rows, " << t.values
                                    << " values equal PredictCsv's, max |diff| " << t.max_diff << "; "
                                    << t.contributions << " contributions equal genmodel's, max |diff| "
                                    << t.max_contribution_diff);
}

// H2O's in-cluster predict_contributions (tools/h2o_contrib_encodings.py) agrees with genmodel's,
// hence ours, on every row without a missing cell or an unseen level. (On the others H2O encodes
// the frame in-cluster, a missing value as the NA level, and its predictions differ from
// PredictCsv's too; we follow genmodel.)
BOOST_AUTO_TEST_CASE(contributions_equal_h2o_in_cluster_on_complete_rows) {
  const auto records = h2o3test::ReadCsv(Dir() + "/enc_rows.csv");
  size_t compared = 0, other_rows_differing = 0, other_rows = 0;
  for (const char* name : {"enc_gbm_bin_one_hot_explicit", "enc_gbm_reg_one_hot_explicit", "enc_gbm_bin_binary",
                           "enc_drf_bin_binary"}) {
    BOOST_TEST_CONTEXT(name) {
      auto model = h2o3::LoadMojo(Dir() + "/" + name + ".mojo");
      const h2o3::InputSchema schema(model->meta());
      const auto want = h2o3test::ReadCsv(Dir() + "/" + name + "_h2o_contrib.csv");
      BOOST_REQUIRE(want.size() == records.size());
      BOOST_TEST(want[0] == model->ContributionNames(), boost::test_tools::per_element());
      const size_t width = model->ContributionWidth();
      size_t complete = 0;
      for (size_t r = 1; r < records.size(); ++r) {
        std::vector<double> row(5);
        bool complete_row = true;
        for (size_t c = 0; c < 5; ++c) {
          const std::string& cell = records[r][c];
          if (cell.empty()) {
            row[c] = NAN;
            complete_row = false;
          } else if (schema.columns()[c].categorical) {
            row[c] = schema.EncodeLevel(static_cast<int>(c), cell);
            complete_row &= row[c] < static_cast<double>(model->meta().domains[c]->size());
          } else {
            row[c] = h2o3::JavaParseDouble(cell).value();
          }
        }
        std::vector<float> got(width);
        model->ContributeBatch(row.data(), 1, 5, got.data());
        bool equal = true;
        for (size_t c = 0; c < width; ++c)
          equal &= got[c] == static_cast<float>(h2o3::JavaParseDouble(want[r][c]).value());
        if (complete_row) {
          ++complete;
          BOOST_TEST(equal, "row " << r);
        } else {
          ++other_rows;
          other_rows_differing += !equal;
        }
      }
      BOOST_TEST(complete >= 150u);
      compared += complete;
    }
  }
  BOOST_TEST_MESSAGE("[encodings] H2O's predict_contributions: " << compared << " complete rows equal; "
                                                                  << other_rows_differing << " of " << other_rows
                                                                  << " rows with missing/unseen values differ");
}

// How the original row is encoded: unseen levels (past the domain) and missing values (NaN) differ.
BOOST_AUTO_TEST_CASE(unseen_level_is_not_a_missing_value) {
  auto model = h2o3::LoadMojo(Dir() + "/enc_gbm_reg_one_hot_explicit.mojo");
  const h2o3::InputSchema schema(model->meta());
  const double unseen = schema.EncodeLevel(1, "no such level");
  BOOST_TEST(unseen == static_cast<double>(model->meta().domains[1]->size()));
  BOOST_TEST(schema.EncodeLevel(1, "red") == 3.0);
  // genmodel's encoders take the exact level text only: no "<column>.<level>" form, no index.
  BOOST_TEST(schema.EncodeLevel(1, "c_small.red") == unseen);
  BOOST_TEST(schema.EncodeLevel(1, "0") == unseen);
}

// What is refused, by name: an unknown encoding, and Eigen without enough projection values.
BOOST_AUTO_TEST_CASE(unknown_encodings_and_short_projections_are_refused) {
  const std::string dir = h2o3test::MakeTempDir("enc");
  auto entries = h2o3test::ReadZip(Dir() + "/enc_gbm_bin_eigen.mojo");
  // model.ini with the line starting with `key` replaced by `line`.
  auto with_ini = [&](const std::string& key, const std::string& line) {
    auto copy = entries;
    for (auto& [name, data] : copy)
      if (name == "model.ini") {
        const size_t at = data.find("\n" + key);
        BOOST_REQUIRE(at != std::string::npos);
        data.replace(at + 1, data.find('\n', at + 1) - at - 1, line);
      }
    const std::string path = dir + "/m.mojo";
    h2o3test::WriteZip(path, copy);
    return path;
  };
  auto expect = [&](const std::string& path, h2o3::ErrorKind kind, const std::string& words) {
    try {
      h2o3::LoadMojo(path);
      BOOST_ERROR("loaded: " << words);
    } catch (const h2o3::MojoError& e) {
      BOOST_TEST((e.kind() == kind));
      BOOST_TEST(std::string(e.what()).find(words) != std::string::npos, e.what());
    }
  };
  expect(with_ini("_genmodel_encoding", "_genmodel_encoding = Hashing"), h2o3::ErrorKind::kUnimplemented,
         "unknown categorical encoding 'Hashing'");
  expect(with_ini("_orig_projection_array", "_orig_projection_array = [0.5, 1.5]"), h2o3::ErrorKind::kDataLoss,
         "_orig_projection_array has");
}

BOOST_AUTO_TEST_CASE(damaged_encoded_mojos_never_crash) {
  int variants = 0, loaded = 0, refused = 0;
  for (const char* enc : {"one_hot_explicit", "binary", "label_encoder", "enum_limited", "eigen"}) {
    const auto r = h2o3test::CheckCorruptions(Dir() + "/enc_gbm_bin_" + enc + ".mojo", 60);
    variants += r.variants;
    loaded += r.loaded;
    refused += r.refused;
    BOOST_TEST(r.refused > 0);
  }
  BOOST_TEST_MESSAGE("[hostile] damaged enc_* MOJOs: " << variants << " variants, " << loaded << " loaded and scored, "
                                                       << refused << " refused with MojoError");
}
