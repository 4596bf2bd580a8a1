// PCA, GLRM and Word2Vec MOJOs against H2O's Java scorer (h2o-genmodel 3.46.0.11).
// Golden data: tests/data/mojoland/fresh/dimred (MOJOs trained by tools/train_dimred.py, rows by
// tools/gen_dimred_rows.py, expected outputs by tools/DimRedScore.java) and h2o-genmodel's own
// test resources (tests/data/h2o-genmodel/{glrm,word2vec}). Values must agree to 1e-10 (absolute
// below 1, relative above); where Java threw, Score0 must fail with kInvalidArgument. Corrupt
// variants of each MOJO must be refused with a MojoError, never crash.
#define BOOST_TEST_MODULE h2o3_mojo_dimred
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <sstream>

#include "errors.hpp"
#include "io_schema.hpp"
#include "java_semantics.hpp"
#include "mojo_model.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace h2o3 = scorehost::h2o3;

namespace {

constexpr double kTolerance = 1e-10;

std::string Dir() { return h2o3test::DataDir() + "/fresh/dimred"; }

struct Stats {
  int rows = 0, values = 0, java_errors = 0, batch_values = 0;
  double max_diff = 0;  // absolute below 1, relative above
  void Add(const Stats& o) {
    rows += o.rows, values += o.values, java_errors += o.java_errors, batch_values += o.batch_values;
    max_diff = std::max(max_diff, o.max_diff);
  }
};

bool Close(double want, double got, Stats* s) {
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got)) return want == got;
  const double diff = std::fabs(want - got) / std::max(1.0, std::fabs(want));
  s->max_diff = std::max(s->max_diff, diff);
  return diff <= kTolerance;
}

std::vector<std::vector<double>> ReadRows(const std::string& path) {
  std::vector<std::vector<double>> rows;
  for (const auto& rec : h2o3test::ReadCsv(path)) {
    std::vector<double> row;
    for (const auto& cell : rec) row.push_back(*h2o3::JavaParseDouble(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string Describe(const std::vector<double>& v) {
  std::ostringstream os;
  os.precision(17);
  for (double d : v) os << d << ' ';
  return os.str();
}

// Scores every row of `rows_path` with Score0 and the full-length, non-failing ones once more in
// a single ScoreBatch call; compares with Java's lines in `scores_path`.
void CheckGolden(const h2o3::MojoModel& model, const std::string& rows_path, const std::string& scores_path, Stats* st) {
  const auto rows = ReadRows(rows_path);
  const auto want = h2o3test::ReadExpected(scores_path);
  BOOST_REQUIRE_EQUAL(rows.size(), want.size());
  const size_t k = model.preds_size();
  const size_t nf = static_cast<size_t>(model.meta().n_features);
  std::vector<double> batch_rows, batch_want;
  size_t n_batch = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    std::vector<double> preds(k, -7.0);
    ++st->rows;
    if (!want[r].exception.empty()) {
      try {
        model.Score0(rows[r], 0.0, preds);
        BOOST_ERROR(rows_path << " row " << r << ": Java threw " << want[r].exception << ", we returned "
                              << Describe(preds));
      } catch (const h2o3::MojoError& e) {
        BOOST_TEST((e.kind() == h2o3::ErrorKind::kInvalidArgument), e.what());
        ++st->java_errors;
      }
      continue;
    }
    model.Score0(rows[r], 0.0, preds);
    BOOST_REQUIRE_EQUAL(want[r].values.size(), k);
    for (size_t i = 0; i < k; ++i) {
      ++st->values;
      BOOST_TEST(Close(want[r].values[i], preds[i], st),
                 rows_path << " row " << r << " value " << i << ": want " << Describe(want[r].values) << "got "
                           << Describe(preds));
    }
    if (rows[r].size() == nf) {
      batch_rows.insert(batch_rows.end(), rows[r].begin(), rows[r].end());
      batch_want.insert(batch_want.end(), want[r].values.begin(), want[r].values.end());
      ++n_batch;
    }
  }
  std::vector<double> out(n_batch * (k + 1), -7.0);  // a wider stride than needed
  model.ScoreBatch(batch_rows.data(), n_batch, nf, nullptr, out.data(), k + 1);
  for (size_t r = 0; r < n_batch; ++r)
    for (size_t i = 0; i < k; ++i) {
      ++st->batch_values;
      BOOST_TEST(Close(batch_want[r * k + i], out[r * (k + 1) + i], st), rows_path << " batch row " << r << " value " << i);
    }
}

// model.ini with `key`'s value replaced (or the line removed when `value` is nullopt).
std::string SetKey(const std::string& ini, const std::string& key, const std::optional<std::string>& value) {
  std::istringstream in(ini);
  std::string line, out;
  bool found = false;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos && line.substr(0, line.find_last_not_of(' ', eq - 1) + 1) == key) {
      found = true;
      if (!value) continue;
      line = key + " = " + *value;
    }
    out += line + "\n";
  }
  BOOST_REQUIRE_MESSAGE(found, "no key " << key);
  return out;
}

struct Variant {
  std::string what;
  h2o3test::ZipEntries entries;
  h2o3::ErrorKind kind;
};

// Writes each variant as a zip and checks that loading it fails with the expected kind.
void CheckRefused(const std::string& tag, const std::vector<Variant>& variants) {
  const std::string dir = h2o3test::MakeTempDir(tag);
  int i = 0;
  for (const Variant& v : variants) {
    const std::string path = dir + "/v" + std::to_string(i++) + ".mojo";
    h2o3test::WriteZip(path, v.entries);
    try {
      auto m = h2o3::LoadMojo(path);
      BOOST_ERROR(tag << ": " << v.what << " was accepted");
    } catch (const h2o3::MojoError& e) {
      BOOST_TEST((e.kind() == v.kind), tag << ": " << v.what << ": " << e.what());
      BOOST_TEST_MESSAGE("[refused] " << tag << ": " << v.what << ": " << e.what());
    }
  }
  fs::remove_all(dir);
}

// Helpers to derive corrupt variants from a real MOJO.
struct MojoEntries {
  h2o3test::ZipEntries entries;
  explicit MojoEntries(const std::string& path) : entries(h2o3test::ReadZip(path)) {}
  std::string& Get(const std::string& name) {
    for (auto& e : entries)
      if (e.first == name) return e.second;
    BOOST_FAIL("no entry " << name);
    throw 0;
  }
  Variant Ini(const std::string& what, const std::string& key, const std::optional<std::string>& value,
              h2o3::ErrorKind kind = h2o3::ErrorKind::kDataLoss) {
    MojoEntries copy = *this;
    copy.Get("model.ini") = SetKey(Get("model.ini"), key, value);
    return {what, copy.entries, kind};
  }
  Variant File(const std::string& what, const std::string& name, const std::optional<std::string>& content,
               h2o3::ErrorKind kind = h2o3::ErrorKind::kDataLoss) {
    MojoEntries copy = *this;
    if (content) {
      copy.Get(name) = *content;
    } else {
      copy.entries.erase(std::remove_if(copy.entries.begin(), copy.entries.end(),
                                        [&](const auto& e) { return e.first == name; }),
                         copy.entries.end());
    }
    return {what, copy.entries, kind};
  }
};

}  // namespace

// PCA: five MOJOs covering the transforms (STANDARDIZE, NORMALIZE, DEMEAN, NONE, DESCALE), the
// pca_methods (GramSVD, Power, Randomized, GLRM), use_all_factor_levels both ways, categoricals
// with missing and unseen levels, and numeric-only data.
BOOST_AUTO_TEST_CASE(pca_matches_java) {
  Stats st;
  for (const char* name : {"pca_gramsvd_standardize", "pca_power_normalize_allfactors", "pca_randomized_demean",
                           "pca_glrm_none", "pca_descale_numeric"}) {
    auto model = h2o3::LoadMojo(Dir() + "/" + name + ".mojo");
    const size_t k = model->preds_size();
    std::vector<std::string> names;
    for (size_t i = 1; i <= k; ++i) names.push_back("PC" + std::to_string(i));
    BOOST_TEST(model->OutputNames() == names, boost::test_tools::per_element());
    BOOST_TEST(model->min_preds_size() == k);
    BOOST_TEST(!model->UsesOffset());
    Stats one;
    CheckGolden(*model, Dir() + "/" + name + "_rows.csv", Dir() + "/" + name + "_scores.txt", &one);
    st.Add(one);
    BOOST_TEST_MESSAGE("[conformance] " << name << ": " << model->Describe() << "; " << one.values
                                        << " values, max difference " << one.max_diff);
  }
  BOOST_TEST(st.values > 1000);
  BOOST_TEST_MESSAGE("[conformance] pca: " << st.rows << " rows, " << st.values << " values (+" << st.batch_values
                                           << " through ScoreBatch), " << st.java_errors
                                           << " Java exceptions matched; max difference " << st.max_diff);
}

BOOST_AUTO_TEST_CASE(pca_refuses_corrupt_mojos) {
  MojoEntries m(Dir() + "/pca_gramsvd_standardize.mojo");
  const std::string& eig = m.Get("eigenvectors_raw");
  CheckRefused("pca", {
      m.File("eigenvectors_raw missing", "eigenvectors_raw", std::nullopt),
      m.File("eigenvectors_raw truncated", "eigenvectors_raw", eig.substr(0, eig.size() - 1)),
      m.File("eigenvectors_raw empty", "eigenvectors_raw", std::string()),
      m.Ini("k missing", "k", std::nullopt),
      m.Ini("k = 0", "k", "0"),
      m.Ini("k = -3", "k", "-3"),
      m.Ini("k not a number", "k", "three"),
      m.Ini("k larger than the blob", "k", "4"),
      m.Ini("permutation too short", "permutation", "[3, 4, 0, 1]"),
      m.Ini("permutation negative", "permutation", "[3, 4, 0, 1, -2]"),
      m.Ini("permutation missing", "permutation", std::nullopt),
      m.Ini("ncats too large", "ncats", "3"),
      m.Ini("catOffsets too short", "catOffsets", "[0, 3]"),
      m.Ini("catOffsets decreasing", "catOffsets", "[0, 3, 2]"),
      m.Ini("catOffsets negative", "catOffsets", "[-1, 3, 5]"),
      m.Ini("eigenvector_size smaller than the features", "eigenvector_size", "7"),
      m.Ini("eigenvector_size huge", "eigenvector_size", "2000000000"),
      m.Ini("normSub short", "normSub", "[0.5, 1.0]"),
      m.Ini("normMul missing", "normMul", std::nullopt),
      m.Ini("use_all_factor_levels missing", "use_all_factor_levels", std::nullopt),
      m.Ini("MOJO version 1.10", "mojo_version", "1.10", h2o3::ErrorKind::kUnimplemented),
  });
  // A permutation index beyond the row: the row is too short for it, as in Java.
  MojoEntries wide = m;
  wide.Get("model.ini") = SetKey(m.Get("model.ini"), "permutation", "[3, 4, 0, 1, 9]");
  const std::string dir = h2o3test::MakeTempDir("pcawide");
  h2o3test::WriteZip(dir + "/w.mojo", wide.entries);
  auto model = h2o3::LoadMojo(dir + "/w.mojo");
  std::vector<double> preds(model->preds_size());
  BOOST_CHECK_THROW(model->Score0(std::vector<double>{1, 1, 1, 1, 1}, 0.0, preds), h2o3::MojoError);
  fs::remove_all(dir);
}

// GLRM: eight fresh MOJOs (losses Quadratic, Huber, Absolute, Poisson, Logistic by column;
// Categorical and Ordinal multi-losses; X regularisers None, L2, L1, NonNegative, Quadratic,
// Simplex, OneSparse, UnitOneSparse; transforms STANDARDIZE, NORMALIZE, DEMEAN, NONE;
// initialisations PlusPlus, SVD, Random) and h2o-genmodel's airline GLRM (8 categoricals with up
// to 101 levels, the rows of GlrmMojoModelTest plus unseen levels and all-missing). Java scored
// each row with the MOJO's seed (score0(row, preds, _seed)).
BOOST_AUTO_TEST_CASE(glrm_matches_java) {
  Stats st;
  for (const char* name : {"glrm_quadratic_none", "glrm_huber_l2_ordinal", "glrm_absolute_l1", "glrm_nonnegative_quadreg",
                           "glrm_quadratic_xreg_bylcol", "glrm_simplex", "glrm_onesparse", "glrm_unitonesparse"}) {
    auto model = h2o3::LoadMojo(Dir() + "/" + name + ".mojo");
    const size_t k = model->preds_size();
    std::vector<std::string> names;
    for (size_t i = 1; i <= k; ++i) names.push_back("Arch" + std::to_string(i));
    BOOST_TEST(model->OutputNames() == names, boost::test_tools::per_element());
    BOOST_TEST(model->min_preds_size() == k);
    Stats one;
    CheckGolden(*model, Dir() + "/" + name + "_rows.csv", Dir() + "/" + name + "_scores.txt", &one);
    st.Add(one);
    BOOST_TEST_MESSAGE("[conformance] " << name << ": " << model->Describe() << "; " << one.values
                                        << " values, max difference " << one.max_diff);
  }
  auto airline = h2o3::LoadMojo(h2o3test::DataDir() + "/../h2o-genmodel/glrm");
  BOOST_TEST(airline->preds_size() == 4u);
  CheckGolden(*airline, Dir() + "/genmodel_glrm_rows.csv", Dir() + "/genmodel_glrm_scores.txt", &st);
  BOOST_TEST(st.values > 2000);
  BOOST_TEST_MESSAGE("[conformance] glrm: " << st.rows << " rows, " << st.values << " values (+" << st.batch_values
                                            << " through ScoreBatch), " << st.java_errors
                                            << " Java exceptions matched; max difference " << st.max_diff);
}

BOOST_AUTO_TEST_CASE(glrm_refuses_corrupt_and_unsupported_mojos) {
  MojoEntries m(Dir() + "/glrm_quadratic_none.mojo");
  const std::string& arch = m.Get("archetypes");
  const std::string losses = m.Get("losses");
  CheckRefused("glrm", {
      m.File("archetypes missing", "archetypes", std::nullopt),
      m.File("archetypes truncated", "archetypes", arch.substr(0, arch.size() - 3)),
      m.File("losses missing", "losses", std::nullopt),
      m.File("one loss short", "losses", losses.substr(0, losses.rfind("Quadratic"))),
      m.File("unknown loss", "losses", "Categorical\nCategorical\nQuadratic\nQuadratic\nCubic\n"),
      m.File("numeric loss on a categorical", "losses", "Quadratic\nCategorical\nQuadratic\nQuadratic\nQuadratic\n"),
      m.File("categorical loss on a numeric", "losses", "Categorical\nCategorical\nQuadratic\nOrdinal\nQuadratic\n"),
      m.File("Periodic loss (genmodel cannot load it)", "losses",
             "Categorical\nCategorical\nQuadratic\nPeriodic(12)\nQuadratic\n", h2o3::ErrorKind::kUnimplemented),
      m.Ini("ncolX != nrowY", "ncolX", "2"),
      m.Ini("ncolY too small for the levels", "ncolY", "9"),
      m.Ini("ncolA mismatch", "ncolA", "6"),
      m.Ini("num_numeric mismatch", "num_numeric", "2"),
      m.Ini("cols_permutation short", "cols_permutation", "[3, 4, 0, 1]"),
      m.Ini("cols_permutation negative", "cols_permutation", "[3, 4, 0, -1, 2]"),
      m.Ini("num_levels_per_category short", "num_levels_per_category", "[4]"),
      m.Ini("a categorical without levels", "num_levels_per_category", "[4, 0, -1, -1, -1]"),
      m.Ini("norm_sub short", "norm_sub", "[0.0]"),
      m.Ini("norm_mul missing", "norm_mul", std::nullopt),
      m.Ini("unknown regularizer", "regularizationX", "Cubic", h2o3::ErrorKind::kUnimplemented),
      m.Ini("unknown initialization", "initialization", "Magic"),
      m.Ini("gammaX missing", "gammaX", std::nullopt),
      m.Ini("nrowY huge", "nrowY", "100000"),
      m.Ini("MOJO 1.00 without seed (clock-seeded in genmodel)", "seed", std::nullopt, h2o3::ErrorKind::kUnimplemented),
      m.Ini("MOJO version 1.00", "mojo_version", "1.00", h2o3::ErrorKind::kUnimplemented),
      m.Ini("MOJO version 1.20", "mojo_version", "1.20", h2o3::ErrorKind::kUnimplemented),
  });
}

namespace {

// The embedding of `word` as the plugin computes it: the input schema's lookup, then Score0.
std::vector<double> Embed(const h2o3::MojoModel& model, const h2o3::InputSchema& schema, const std::string& word) {
  std::vector<double> preds(model.preds_size(), -7.0);
  model.Score0(std::vector<double>{schema.EncodeLevel(0, word)}, 0.0, preds);
  return preds;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

}  // namespace

// Word2Vec: the fresh MOJO (16 words x 4) against EasyPredictModelWrapper.predictWord2Vec and
// H2O's in-cluster transform, and h2o-genmodel's test MOJO against Word2VecMojoModelTest's values.
// Unknown words (also a different case, the empty string) give NaN vectors.
BOOST_AUTO_TEST_CASE(word2vec_matches_java) {
  Stats st;
  auto model = h2o3::LoadMojo(Dir() + "/word2vec_small.mojo");
  h2o3::InputSchema schema(model->meta());
  BOOST_REQUIRE_EQUAL(schema.columns().size(), 1u);
  BOOST_TEST(schema.columns()[0].name == "word");
  BOOST_TEST(schema.columns()[0].categorical);
  BOOST_TEST(model->OutputNames() == (std::vector<std::string>{"C1", "C2", "C3", "C4"}), boost::test_tools::per_element());
  const auto words = Lines(h2o3test::ReadFile(Dir() + "/word2vec_small_rows.csv"));
  const auto want = h2o3test::ReadExpected(Dir() + "/word2vec_small_scores.txt");
  BOOST_REQUIRE_EQUAL(words.size(), want.size());
  int unknown = 0;
  for (size_t r = 0; r < words.size(); ++r) {
    const auto got = Embed(*model, schema, words[r]);
    if (want[r].exception == "null") {  // Java: no embedding
      ++unknown;
      for (double v : got) BOOST_TEST(std::isnan(v), "'" << words[r] << "' should be unknown");
      continue;
    }
    BOOST_REQUIRE_EQUAL(want[r].values.size(), got.size());
    for (size_t i = 0; i < got.size(); ++i, ++st.values)
      BOOST_TEST(Close(want[r].values[i], got[i], &st), words[r] << " value " << i);
  }
  BOOST_TEST(unknown == 3);
  // H2O's transform(aggregate_method="NONE") on cat, tree, unknownword, the.
  const auto transform = h2o3test::ReadCsv(Dir() + "/word2vec_small_transform.csv");
  const char* const transform_words[] = {"cat", "tree", "unknownword", "the"};
  BOOST_REQUIRE_EQUAL(transform.size(), 5u);
  for (size_t r = 0; r < 4; ++r) {
    const auto got = Embed(*model, schema, transform_words[r]);
    for (size_t i = 0; i < 4; ++i, ++st.values) {
      const std::string& cell = transform[r + 1][i];
      BOOST_TEST(Close(cell.empty() ? NAN : *h2o3::JavaParseDouble(cell), got[i], &st), transform_words[r] << " " << i);
    }
  }
  // Only exact words: no "<column>.<word>" form, no vocabulary indices as text.
  for (const char* text : {"word.cat", "0", "1", " cat", "cat "})
    for (double v : Embed(*model, schema, text)) BOOST_TEST(std::isnan(v), "'" << text << "'");
  // The core row is a vocabulary index; anything else is an error.
  std::vector<double> preds(4);
  for (double bad : {-1.0, 16.0, 1.5, 1e300})
    BOOST_CHECK_THROW(model->Score0(std::vector<double>{bad}, 0.0, preds), h2o3::MojoError);
  BOOST_CHECK_THROW(model->Score0(std::vector<double>{}, 0.0, preds), h2o3::MojoError);

  // h2o-genmodel's test MOJO (n_features = 0, two words of 3 floats): Word2VecMojoModelTest.
  auto tiny = h2o3::LoadMojo(h2o3test::DataDir() + "/../h2o-genmodel/word2vec");
  h2o3::InputSchema tiny_schema(tiny->meta());
  const std::vector<std::pair<std::string, std::vector<float>>> expected{{"a", {0.0f, 1.0f, 0.2f}}, {"b", {1.0f, 0.0f, 0.8f}}};
  for (const auto& [word, vec] : expected) {
    const auto got = Embed(*tiny, tiny_schema, word);
    BOOST_REQUIRE_EQUAL(got.size(), 3u);
    for (size_t i = 0; i < 3; ++i, ++st.values) BOOST_TEST(got[i] == static_cast<double>(vec[i]), word << " " << i);
  }
  for (double v : Embed(*tiny, tiny_schema, "c")) BOOST_TEST(std::isnan(v));  // out of dictionary
  BOOST_TEST_MESSAGE("[conformance] word2vec: " << st.values << " values, max difference " << st.max_diff << "; "
                                                << model->Describe());
}

BOOST_AUTO_TEST_CASE(word2vec_refuses_corrupt_mojos) {
  MojoEntries m(Dir() + "/word2vec_small.mojo");
  const std::string& vectors = m.Get("vectors");
  const std::string vocab = m.Get("vocabulary");
  CheckRefused("word2vec", {
      m.File("vectors missing", "vectors", std::nullopt),
      m.File("vectors truncated", "vectors", vectors.substr(0, vectors.size() - 4)),
      m.File("vectors too long", "vectors", vectors + "abcd"),
      m.File("vocabulary missing", "vocabulary", std::nullopt),
      m.File("vocabulary one word short", "vocabulary", vocab.substr(0, vocab.rfind("the"))),
      m.File("vocabulary with a duplicate", "vocabulary", vocab.substr(0, vocab.rfind("the")) + "cat\n"),
      m.Ini("vocab_size missing", "vocab_size", std::nullopt),
      m.Ini("vocab_size 0", "vocab_size", "0"),
      m.Ini("vocab_size larger", "vocab_size", "17"),
      m.Ini("vec_size negative", "vec_size", "-4"),
      m.Ini("vec_size huge", "vec_size", "1000000"),
      m.Ini("MOJO version 1.10", "mojo_version", "1.10", h2o3::ErrorKind::kUnimplemented),
  });
}
