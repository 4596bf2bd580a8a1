// XGBoost MOJOs beyond mojoland: h2o-genmodel's own test MOJOs (tests/data/h2o-genmodel/xgboost,
// from h2o-genmodel-extensions/xgboost/src/test/resources) scored against genmodel 3.46.0.11
// (tests/h2o3-mojo/tools/Score0.java on gen_synthetic_rows.py rows) and against the expectations
// of XGBoostJavaMojoModelTest.java; genmodel's MOJO-side contributions (Contrib.java) on them; and
// TreeSHAP on corrupt or hostile node weights. The fresh shap_xgb_* fixtures (H2O's in-cluster
// predict_contributions) are checked by contributions_test.cc, the xgb_*offset* ones by
// conformance_test.cc (fresh_models_match_java).
#define BOOST_TEST_MODULE h2o3_mojo_xgboost
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "mojo_model.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace h2o3 = scorehost::h2o3;

namespace {

std::string Dir() { return h2o3test::DataDir() + "/../h2o-genmodel/xgboost/"; }

// "v1,v2,...;offset" lines.
struct Rows {
  std::vector<std::vector<double>> rows;
  std::vector<double> offsets;
};
Rows ReadRows(const std::string& path) {
  Rows out;
  for (const auto& line : h2o3test::ReadCsv(path)) {
    std::vector<double> row;
    double offset = 0;
    for (size_t c = 0; c < line.size(); ++c) {
      std::string cell = line[c];
      if (const size_t semi = cell.find(';'); semi != std::string::npos) {
        offset = *h2o3::JavaParseDouble(cell.substr(semi + 1));
        cell = cell.substr(0, semi);
      }
      row.push_back(*h2o3::JavaParseDouble(cell));
    }
    out.rows.push_back(std::move(row));
    out.offsets.push_back(offset);
  }
  return out;
}

// XGBoost computes in float: 1e-6 relative (labels exact), as for mojoland's XGBoost MOJOs.
const h2o3test::Tolerance kFloatTolerance{1e-10, 1e-6};

// Contrib.java's lines: Arrays.toString(float[]) or an exception's name.
std::vector<std::vector<float>> ReadFloatLines(const std::string& path) {
  std::vector<std::vector<float>> out;
  std::istringstream in(h2o3test::ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<float> v;
    if (line.size() >= 2 && line.front() == '[') {
      std::istringstream cells(line.substr(1, line.size() - 2));
      std::string cell;
      while (std::getline(cells, cell, ',')) v.push_back(std::stof(cell));
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

// Every genmodel test MOJO, including xgboost.zip (MOJO 1.00 from H2O 3.19, no `booster` key:
// genmodel takes the booster from boosterBytes and uses the 1.00 one-hot lookup) and the offset
// MOJOs with non-zero offsets, equal to genmodel 3.46.0.11's score0.
BOOST_AUTO_TEST_CASE(genmodel_test_mojos_match_java) {
  for (const char* name : {"xgboost", "xgboost_java", "XGBoostWithOffset", "XGBoostWithoutOffset"}) {
    BOOST_TEST_CONTEXT(name) {
      auto model = h2o3::LoadMojo(Dir() + name + ".zip");
      const auto r = h2o3test::CheckRawRows(*model, Dir() + name + "_rows.csv", Dir() + name + "_scores.txt", "",
                                            kFloatTolerance);
      BOOST_TEST(r.matched == r.lines);
      BOOST_TEST_MESSAGE("[xgboost] genmodel " << name << " (" << model->Describe() << "): " << r.matched << "/"
                                               << r.lines << " lines match, " << r.stats.values
                                               << " values, max abs diff " << r.stats.max_abs << ", max rel diff "
                                               << r.stats.max_rel);
    }
  }
}

// XGBoostJavaMojoModelTest.testXGBWith(out)Offset_*: the values and tolerance of the Java test.
BOOST_AUTO_TEST_CASE(xgboost_java_mojo_model_test_expectations) {
  struct Case {
    const char* mojo;
    double offsets[3];
    double expected[3];
  };
  const Case cases[] = {{"XGBoostWithOffset", {0.1, 0.2, 0.3}, {9.81646, 19.7366, 29.6913}},
                        {"XGBoostWithOffset", {0, 0, 0}, {9.7164, 19.5366, 29.3913}},
                        {"XGBoostWithoutOffset", {0, 0, 0}, {9.8089, 19.7527, 29.6871}}};
  // Columns: categorical (A = 0, B = 1), numeric1, numeric2.
  const double inputs[3][3] = {{0, 1.0, 5.0}, {1, 2.0, 4.0}, {0, 3.0, 3.0}};
  for (const Case& c : cases) {
    auto model = h2o3::LoadMojo(Dir() + c.mojo + ".zip");
    BOOST_TEST(model->UsesOffset() == (std::string(c.mojo) == "XGBoostWithOffset"));
    for (int i = 0; i < 3; ++i) {
      std::vector<double> preds(model->preds_size());
      model->Score0(std::vector<double>(inputs[i], inputs[i] + 3), c.offsets[i], preds);
      BOOST_TEST(std::fabs(preds[0] - c.expected[i]) <= 1e-4, c.mojo << " row " << i << ": " << preds[0]);
    }
  }
  // Without an offset column, a non-zero offset is refused (Java: UnsupportedOperationException).
  auto model = h2o3::LoadMojo(Dir() + "XGBoostWithoutOffset.zip");
  std::vector<double> preds(model->preds_size());
  BOOST_CHECK_THROW(model->Score0(std::vector<double>{0, 1, 5}, 0.5, preds), h2o3::MojoError);
}

// genmodel's MOJO-side contributions (XGBoostJavaMojoModel.makeContributionsPredictor, printed by
// Contrib.java) equal ours exactly, offsets ignored as in Java; the multinomial MOJO has none.
BOOST_AUTO_TEST_CASE(genmodel_mojo_contributions) {
  for (const char* name : {"xgboost_java", "XGBoostWithOffset", "XGBoostWithoutOffset"}) {
    BOOST_TEST_CONTEXT(name) {
      auto model = h2o3::LoadMojo(Dir() + name + ".zip");
      BOOST_TEST_REQUIRE(model->HasContributions());
      const Rows in = ReadRows(Dir() + name + "_rows.csv");
      const auto want = ReadFloatLines(Dir() + name + "_genmodel_contrib.txt");
      BOOST_REQUIRE_EQUAL(want.size(), in.rows.size());
      const size_t nf = static_cast<size_t>(model->meta().n_features), width = model->ContributionWidth();
      BOOST_TEST(model->ContributionNames().size() == width);
      std::vector<double> flat;
      for (const auto& r : in.rows) flat.insert(flat.end(), r.begin(), r.end());
      std::vector<float> got(in.rows.size() * width, NAN);
      model->ContributeBatch(flat.data(), in.rows.size(), nf, got.data());
      size_t equal = 0;
      for (size_t r = 0; r < want.size(); ++r) {
        BOOST_REQUIRE_EQUAL(want[r].size(), width);
        for (size_t c = 0; c < width; ++c) {
          if (std::memcmp(&want[r][c], &got[r * width + c], sizeof(float)) == 0) ++equal;
          else BOOST_ERROR("row " << r << " #" << c << ": genmodel " << want[r][c] << ", got " << got[r * width + c]);
        }
      }
      BOOST_TEST_MESSAGE("[xgboost] genmodel contributions " << name << ": " << equal << "/" << want.size() * width
                                                             << " floats equal");
    }
  }
  auto multi = h2o3::LoadMojo(Dir() + "xgboost.zip");
  BOOST_TEST(!multi->HasContributions());
  std::vector<double> row(static_cast<size_t>(multi->meta().n_features), 0.0);
  std::vector<float> out(multi->ContributionWidth());
  BOOST_CHECK_EXCEPTION(multi->ContributeBatch(row.data(), 1, row.size(), out.data()), h2o3::MojoError,
                        [](const h2o3::MojoError& e) {
                          return e.kind() == h2o3::ErrorKind::kUnimplemented &&
                                 std::string(e.what()).find("multinomial") != std::string::npos;
                        });
}

// Which XGBoost MOJOs have contributions: gbtree and dart regression/binomial; not gblinear, not
// multinomial.
BOOST_AUTO_TEST_CASE(which_xgboost_models_have_contributions) {
  const std::string root = h2o3test::DataDir() + "/mojos/xgboost/";
  const std::pair<const char*, bool> cases[] = {
      {"carstree/v1.10/xgboost_v1.10_carstree.mojo", true},
      {"carsdart/v1.10/xgboost_v1.10_carsdart.mojo", true},
      {"starslinear/v1.10/xgboost_v1.10_starslinear.mojo", false},
      {"iristree/v1.10/xgboost_v1.10_iristree.mojo", false}};
  for (const auto& [path, has] : cases) {
    if (!fs::exists(root + path)) {
      BOOST_ERROR("missing fixture " << path);
      continue;
    }
    auto model = h2o3::LoadMojo(root + path);
    BOOST_TEST(model->HasContributions() == has, path);
    if (has) BOOST_TEST(model->ContributionNames().back() == "BiasTerm");
  }
}

// The auxNodeWeights blob (TreeSHAP node weights H2O stores after update_tree_weights): a
// consistent one replaces sum_hess (weights all 1 make every split 50/50), an inconsistent one
// refuses the MOJO with a MojoError; corrupt boosters either load or fail cleanly, and whatever
// loads computes contributions without crashing (ASan/UBSan in CI).
BOOST_AUTO_TEST_CASE(aux_node_weights_and_corruption) {
  const std::string dir = h2o3test::MakeTempDir("xgbshap");
  const h2o3test::ZipEntries entries = h2o3test::ReadZip(Dir() + "XGBoostWithoutOffset.zip");
  auto base = h2o3::LoadMojo(Dir() + "XGBoostWithoutOffset.zip");
  const size_t nf = static_cast<size_t>(base->meta().n_features), width = base->ContributionWidth();
  const std::vector<double> row{1, 2.0, 4.0};
  std::vector<float> want(width);
  base->ContributeBatch(row.data(), 1, nf, want.data());

  auto with_aux = [&](const std::string& blob) {
    h2o3test::ZipEntries e = entries;
    e.emplace_back("auxNodeWeights", blob);
    const std::string path = dir + "/aux.zip";
    h2o3test::WriteZip(path, e);
    return path;
  };
  auto i32 = [](int32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); };
  for (const std::string& blob : {std::string(), std::string("\x01\x00", 2), i32(3), i32(50) + i32(1000000),
                                  i32(50) + i32(3) + std::string(24, '\0') + i32(-1)}) {
    BOOST_CHECK_EXCEPTION(h2o3::LoadMojo(with_aux(blob)), h2o3::MojoError, [](const h2o3::MojoError& e) {
      return e.kind() == h2o3::ErrorKind::kDataLoss;
    });
  }
  // A consistent blob (node counts learnt from the refusal messages), every weight 1: loads, and
  // every split now weighs its children equally, which changes the contributions.
  std::string blob = i32(50);
  for (int t = 0; t < 50; ++t) {
    int nodes = -1;
    try {
      h2o3::LoadMojo(with_aux(blob + i32(0)));
    } catch (const h2o3::MojoError& e) {
      const std::string m = e.what();
      const size_t at = m.find("for a tree of ");
      if (at != std::string::npos) nodes = std::stoi(m.substr(at + 14));
    }
    BOOST_REQUIRE_GT(nodes, 0);
    blob += i32(nodes);
    for (int j = 0; j < nodes; ++j) {
      const double one = 1.0;
      blob.append(reinterpret_cast<const char*>(&one), 8);
    }
  }
  auto reweighted = h2o3::LoadMojo(with_aux(blob));
  BOOST_TEST_REQUIRE(reweighted->HasContributions());
  std::vector<float> got(width);
  reweighted->ContributeBatch(row.data(), 1, nf, got.data());
  BOOST_TEST(got != want);
  for (float v : got) BOOST_TEST(std::isfinite(v));

  size_t booster = 0;
  while (entries[booster].first != "boosterBytes") ++booster;
  const std::string original = entries[booster].second;
  uint32_t seed = 777;
  auto next = [&seed] { return seed = seed * 1103515245u + 12345u; };
  int loaded = 0, refused = 0;
  for (int i = 0; i < 60; ++i) {
    h2o3test::ZipEntries e = entries;
    std::string v = original;
    for (int j = 0; j < 6; ++j) v[next() % v.size()] = static_cast<char>(next() >> 16);
    e[booster].second = v;
    const std::string path = dir + "/c.zip";
    h2o3test::WriteZip(path, e);
    try {
      auto model = h2o3::LoadMojo(path);
      ++loaded;
      if (model->HasContributions()) {
        std::vector<float> out(model->ContributionWidth());
        for (const std::vector<double>& r : {row, std::vector<double>{NAN, NAN, NAN}, std::vector<double>{7, -1e30, 1e30}}) {
          try {
            model->ContributeBatch(r.data(), 1, r.size(), out.data());
          } catch (const h2o3::MojoError&) {
          }
        }
      }
    } catch (const h2o3::MojoError&) {
      ++refused;
    }
  }
  fs::remove_all(dir);
  BOOST_TEST(loaded + refused == 60);
  BOOST_TEST_MESSAGE("[xgboost] corrupted boosters with contributions: " << loaded << " loaded, " << refused << " refused");
}

// The batch path (ScoreBatch: rows encoded side by side, trees scored over a block of rows in
// lockstep) gives exactly Score0's doubles, row by row, for every XGBoost MOJO of the test data:
// gbtree, dart, gblinear, multinomial, offsets, sparse one-hot, MOJO 1.00 and 1.10. 2,500 random
// rows (NaNs, zeros, out-of-domain levels; non-zero offsets where the model takes them) span
// several 1,024-row blocks and a ragged tail of lanes.
BOOST_AUTO_TEST_CASE(batch_scoring_equals_score0_bitwise) {
  std::vector<std::string> paths;
  for (const char* name : {"xgboost", "xgboost_java", "XGBoostWithOffset", "XGBoostWithoutOffset"})
    paths.push_back(Dir() + name + ".zip");
  for (const auto& e : fs::recursive_directory_iterator(h2o3test::DataDir()))
    if (e.path().extension() == ".mojo" && e.path().filename().string().find("xgb") != std::string::npos)
      paths.push_back(e.path().string());
  BOOST_REQUIRE_GE(paths.size(), 20u);
  uint64_t state = 88172645463325252ull;
  auto next = [&] {  // xorshift64
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  size_t values = 0;
  for (const std::string& path : paths) {
    BOOST_TEST_CONTEXT(path) {
      auto model = h2o3::LoadMojo(path);
      const h2o3::MojoMeta& meta = model->meta();
      const size_t nf = static_cast<size_t>(meta.n_features), np = model->preds_size();
      const size_t n = 2500;
      std::vector<double> rows(n * nf), offsets(n, 0.0), batch(n * np, 0.0), single(np);
      for (size_t r = 0; r < n; ++r) {
        for (size_t c = 0; c < nf; ++c) {
          const uint64_t u = next();
          const int32_t levels = meta.domain_sizes[c];
          double v;
          if (u % 11 == 0) v = NAN;
          else if (u % 11 == 1) v = 0.0;
          else if (levels >= 0) v = static_cast<double>((u >> 8) % static_cast<uint64_t>(levels + 1));
          else v = (static_cast<double>((u >> 11) % 2000001) - 1000000.0) / 1000.0 * ((u >> 40) % 3 == 0 ? 100 : 1);
          rows[r * nf + c] = v;
        }
        if (model->UsesOffset()) offsets[r] = static_cast<double>(next() % 2001) / 1000.0 - 1.0;
      }
      model->ScoreBatch(rows.data(), n, nf, model->UsesOffset() ? offsets.data() : nullptr, batch.data(), np);
      size_t differ = 0;
      for (size_t r = 0; r < n; ++r) {
        std::fill(single.begin(), single.end(), 0.0);  // a regression model writes preds[0] only
        model->Score0(std::span<const double>(rows.data() + r * nf, nf), offsets[r], single);
        for (size_t j = 0; j < np; ++j, ++values) {
          const double a = batch[r * np + j], b = single[j];
          if (!(a == b || (std::isnan(a) && std::isnan(b))) && differ++ < 3)
            BOOST_ERROR("row " << r << " output " << j << ": batch " << a << " vs Score0 " << b);
        }
      }
      BOOST_TEST(differ == 0u);
    }
  }
  BOOST_TEST_MESSAGE("[xgboost] batch path vs Score0: " << paths.size() << " MOJOs, " << values << " values, all equal");
}
