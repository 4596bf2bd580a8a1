// RuleFit, CoxPH and GAM MOJOs against H2O's Java scorer (h2o-genmodel 3.46.0.11):
// - mojoland's RuleFit iris MOJO (tests/data/mojoland/mojos/rulefit: scores0 through the batch
//   path, scores1, scores2 edge rows; the copy lacks the human-readable language_rule /
//   language_condition keys and experimental/, which genmodel does not use for scoring, to stay
//   small: PredictCsv gives identical output for both); with H2O3_MOJOLAND_RULEFIT=<mojoland
//   mojos/rulefit dir> also every other mojoland RuleFit MOJO (too big to commit);
// - fresh MOJOs made by tests/h2o3-mojo/tools/train_rulefit_coxph_gam.py (fresh/<algo>/<name>.mojo,
//   <name>_rows.csv raw score0 rows, <name>_scores.txt Score0.java --easy output);
// - CoxPH MOJOs of h2o-genmodel's own tests (3.32 and 3.42 formats) with the values its
//   CoxPHMojoModelTest asserts, and Java's full-precision values for the same rows;
// - corrupt MOJOs (clear MojoError, never a crash) and the plugin's output fields and values
//   against PredictCsv --decimal.
// Values must match at 1e-10 (absolute, or relative for |values| > 1); labels exactly.
#define BOOST_TEST_MODULE h2o3_mojo_rulefit_coxph_gam
#include <boost/test/unit_test.hpp>

#include <dlfcn.h>
#include <scorehost/arrow_columns.hpp>
#include <scorehost/plugin_api.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <sstream>

#include "errors.hpp"
#include "java_semantics.hpp"
#include "mojo_model.hpp"
#include "plugin_harness.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace h2o3 = scorehost::h2o3;
namespace arrow = scorehost::arrow;

namespace {

// Absolute 1e-10, or relative 1e-10 for values beyond 1 in magnitude.
const h2o3test::Tolerance kTol{1e-10, 1e-10};

struct Tally {
  int lines = 0, java_errors = 0, failed = 0;
  h2o3test::CompareStats stats;
  void Add(const Tally& o) {
    lines += o.lines, java_errors += o.java_errors, failed += o.failed;
    stats.Merge(o.stats);
  }
  void Report(const std::string& what) const {
    BOOST_TEST_MESSAGE("[conformance] " << what << ": " << lines - failed << "/" << lines << " lines match ("
                                        << stats.values << " values compared, " << java_errors
                                        << " Java exceptions reproduced as errors), max abs diff " << stats.max_abs
                                        << ", max rel diff " << stats.max_rel);
  }
};

bool Close(double want, double got, Tally* t) {
  ++t->stats.values;
  if (std::isnan(want) || std::isnan(got)) return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got)) return want == got;
  const double diff = std::fabs(want - got);
  t->stats.max_abs = std::max(t->stats.max_abs, diff);
  if (want != 0) t->stats.max_rel = std::max(t->stats.max_rel, diff / std::fabs(want));
  return diff <= kTol.abs || diff <= kTol.rel * std::fabs(want);
}

// Checks one line: Java's values (or its exception) against ours (or our error).
void CheckLine(const h2o3::MojoModel& model, const std::string& where, const h2o3test::ExpectedLine& want,
               const std::optional<std::vector<double>>& got, const std::string& error, Tally* t) {
  ++t->lines;
  std::string diff;
  if (!want.exception.empty()) {
    if (got) diff = "Java threw " + want.exception + " but we returned values";
    else ++t->java_errors;
  } else if (!got) {
    diff = "unexpected error: " + error;
  } else {
    diff = h2o3test::CompareLine(model, want, *got, kTol, &t->stats);
  }
  if (!diff.empty() && ++t->failed <= 5) BOOST_ERROR(where << ": " << diff);
}

// A PredictCsv --decimal cell: NaN is written "NA".
double PredictCsvValue(const std::string& cell) { return cell == "NA" ? NAN : std::stod(cell); }

using h2o3test::EdgeRows;
using h2o3test::TryScore;

// "v1,v2,...;offset" lines.
std::vector<std::pair<std::vector<double>, double>> ReadRawRows(const std::string& path) {
  std::vector<std::pair<std::vector<double>, double>> out;
  for (const auto& cells : h2o3test::ReadCsv(path)) {
    std::vector<double> row;
    double offset = 0;
    for (size_t c = 0; c < cells.size(); ++c) {
      std::string cell = cells[c];
      if (c + 1 == cells.size()) {
        const size_t semi = cell.find(';');
        if (semi != std::string::npos) {
          offset = *h2o3::JavaParseDouble(cell.substr(semi + 1));
          cell = cell.substr(0, semi);
        }
      }
      row.push_back(*h2o3::JavaParseDouble(cell));
    }
    out.emplace_back(std::move(row), offset);
  }
  return out;
}

// Every fresh fixture of one algorithm: the raw rows one by one, then the data rows again through
// ScoreBatch (the rows of the data set's width without a Java exception).
void CheckFresh(const std::string& algo, Tally* total) {
  const fs::path dir = fs::path(h2o3test::DataDir()) / "fresh" / algo;
  for (const fs::path& mojo : h2o3test::SortedMojos(dir)) {
    const std::string stem = (dir / mojo.stem()).string();
    BOOST_TEST_CONTEXT(mojo.filename().string()) {
      std::unique_ptr<h2o3::MojoModel> model;
      try {
        model = h2o3::LoadMojo(mojo.string());
      } catch (const std::exception& e) {
        BOOST_ERROR("load failed: " << e.what());
        continue;
      }
      BOOST_TEST_MESSAGE("[conformance] " << mojo.stem().string() << ": " << model->Describe());
      const auto rows = ReadRawRows(stem + "_rows.csv");
      const auto want = h2o3test::ReadExpected(stem + "_scores.txt");
      BOOST_REQUIRE_EQUAL(rows.size(), want.size());
      Tally t;
      const size_t np = model->preds_size();
      const size_t nf = static_cast<size_t>(model->meta().n_features);
      std::vector<double> flat, flat_off;
      std::vector<size_t> batch_lines;
      for (size_t r = 0; r < rows.size(); ++r) {
        std::string error;
        auto got = TryScore(*model, rows[r].first, rows[r].second, np, &error);
        CheckLine(*model, "line " + std::to_string(r + 1), want[r], got, error, &t);
        if (want[r].exception.empty() && rows[r].first.size() == nf) {
          flat.insert(flat.end(), rows[r].first.begin(), rows[r].first.end());
          flat_off.push_back(rows[r].second);
          batch_lines.push_back(r);
        }
      }
      std::vector<double> batch(batch_lines.size() * np, 0.0);
      model->ScoreBatch(flat.data(), batch_lines.size(), nf, model->UsesOffset() ? flat_off.data() : nullptr, batch.data(), np);
      for (size_t i = 0; i < batch_lines.size(); ++i)
        CheckLine(*model, "batch line " + std::to_string(batch_lines[i] + 1), want[batch_lines[i]],
                  std::vector<double>(batch.begin() + static_cast<long>(i * np), batch.begin() + static_cast<long>((i + 1) * np)),
                  "", &t);
      t.Report("fresh " + mojo.stem().string());
      total->Add(t);
    }
  }
}

// One mojoland RuleFit MOJO. RuleFit has no score0 with an offset: Java's scores1 (offset = row
// index, the 3-argument score0) is UnsupportedOperationException on every line. We follow
// EasyPredictModelWrapper instead, which calls the 2-argument score0 for a zero offset: line 1
// (offset 0) must equal scores0, every other line must be an error.
// A MOJO that genmodel cannot score at all (every scores0 line an exception, e.g. mojoland's
// `missing`, whose linear_names are not all inputs of its GLM) must be refused at load instead.
void CheckMojolandRuleFit(const fs::path& mojo, Tally* t) {
  const std::string dataset = mojo.parent_path().parent_path().filename().string();
  const std::string stem = (mojo.parent_path() / mojo.stem()).string();
  BOOST_TEST_CONTEXT(mojo.filename().string()) {
    const auto want0 = h2o3test::ReadExpected(stem + "_scores0.txt");
    const bool unscorable = std::all_of(want0.begin(), want0.end(), [](const auto& w) { return !w.exception.empty(); });
    std::unique_ptr<h2o3::MojoModel> model;
    try {
      model = h2o3::LoadMojo(mojo.string());
    } catch (const h2o3::MojoError& e) {
      BOOST_TEST(unscorable, "load failed: " << e.what());
      BOOST_TEST_MESSAGE("[conformance] " << mojo.filename().string() << " (genmodel fails on every row) refused: " << e.what());
      return;
    }
    BOOST_TEST(!unscorable);
    BOOST_TEST_MESSAGE("[conformance] " << mojo.filename().string() << ": " << model->Describe());
    const auto records = h2o3test::DatasetRecords(dataset);
    std::vector<std::vector<double>> rows;
    for (size_t i = 1; i < records.size(); ++i) rows.push_back(h2o3test::PrepareRow(model->meta(), records[0], records[i]));
    const size_t np = model->preds_size();
    const size_t nf = static_cast<size_t>(model->meta().n_features);
    BOOST_REQUIRE_EQUAL(want0.size(), rows.size());
    std::vector<double> flat(rows.size() * nf), batch(rows.size() * np, 0.0);
    for (size_t r = 0; r < rows.size(); ++r) std::copy(rows[r].begin(), rows[r].end(), flat.begin() + static_cast<long>(r * nf));
    model->ScoreBatch(flat.data(), rows.size(), nf, nullptr, batch.data(), np);
    for (size_t r = 0; r < rows.size(); ++r)
      CheckLine(*model, "scores0 line " + std::to_string(r + 1), want0[r],
                std::vector<double>(batch.begin() + static_cast<long>(r * np), batch.begin() + static_cast<long>((r + 1) * np)), "", t);
    const auto want1 = h2o3test::ReadExpected(stem + "_scores1.txt");
    BOOST_REQUIRE_EQUAL(want1.size(), rows.size());
    for (size_t r = 0; r < rows.size(); ++r) {
      BOOST_REQUIRE(!want1[r].exception.empty());
      std::string error;
      auto got = TryScore(*model, rows[r], static_cast<double>(r), np, &error);
      CheckLine(*model, "scores1 line " + std::to_string(r + 1), r == 0 ? want0[0] : want1[r], got, error, t);
    }
    const auto want2 = h2o3test::ReadExpected(stem + "_scores2.txt");
    const auto edge = EdgeRows(nf);
    BOOST_REQUIRE_EQUAL(want2.size(), edge.size() + 1);
    for (size_t r = 0; r < edge.size(); ++r) {
      std::string error;
      auto got = TryScore(*model, edge[r], 0.0, np, &error);
      CheckLine(*model, "scores2 line " + std::to_string(r + 1), want2[r], got, error, t);
    }
    std::string error;
    auto got = TryScore(*model, std::vector<double>(nf, 0.0), 0.0, 1, &error);
    CheckLine(*model, "scores2 short buffer", want2.back(), got, error, t);
  }
}

// Rewrites model.ini of a MOJO zip (or drops / replaces entries) and loads the result.
std::string Mutate(const std::string& zip, const std::string& tag, const std::function<void(h2o3test::ZipEntries&)>& edit) {
  static const std::string dir = h2o3test::MakeTempDir("rulefit_coxph_gam");
  auto entries = h2o3test::ReadZip(zip);
  edit(entries);
  const std::string out = dir + "/" + tag + ".mojo";
  h2o3test::WriteZip(out, entries);
  return out;
}

std::string& Entry(h2o3test::ZipEntries& entries, const std::string& name) {
  for (auto& [n, body] : entries)
    if (n == name) return body;
  BOOST_FAIL("no entry " << name);
  static std::string none;
  return none;
}

// Replaces the line starting with `key + " = "` (or removes it when value is empty).
void SetKey(std::string& ini, const std::string& key, const std::string& value) {
  const std::string needle = "\n" + key + " = ";
  const size_t at = ini.find(needle);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "no key " << key);
  const size_t end = ini.find('\n', at + 1);
  ini.replace(at, end - at, value.empty() ? std::string() : needle + value);
}

// Loading must fail with a MojoError of `kind` whose message contains `text`.
void ExpectLoadError(const std::string& path, h2o3::ErrorKind kind, const std::string& text) {
  try {
    auto m = h2o3::LoadMojo(path);
    BOOST_ERROR(path << ": loaded, expected an error containing '" << text << "'");
  } catch (const h2o3::MojoError& e) {
    BOOST_TEST((e.kind() == kind), path << ": " << e.what());
    BOOST_TEST(std::string(e.what()).find(text) != std::string::npos, "'" << e.what() << "' lacks '" << text << "'");
  }
}

std::string Fresh(const std::string& algo, const std::string& name) {
  return h2o3test::DataDir() + "/fresh/" + algo + "/" + name + ".mojo";
}

}  // namespace

BOOST_AUTO_TEST_CASE(rulefit_mojoland_matches_java) {
  Tally t;
  int n = 0;
  std::vector<fs::path> mojos;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(h2o3test::DataDir()) / "mojos" / "rulefit"))
    if (e.path().extension() == ".mojo") mojos.push_back(e.path());
  if (const char* extra = std::getenv("H2O3_MOJOLAND_RULEFIT"))
    for (const auto& e : fs::recursive_directory_iterator(extra))
      if (e.path().extension() == ".mojo" && e.path().filename() != "rulefit_v1.00_iris.mojo") mojos.push_back(e.path());
  BOOST_REQUIRE(!mojos.empty());
  for (const auto& m : mojos) {
    CheckMojolandRuleFit(m, &t);
    ++n;
  }
  t.Report("mojoland rulefit (" + std::to_string(n) + " MOJOs)");
}

BOOST_AUTO_TEST_CASE(rulefit_fresh_matches_java) {
  Tally t;
  CheckFresh("rulefit", &t);
  t.Report("fresh rulefit, all");
}

BOOST_AUTO_TEST_CASE(rulefit_corrupt_mojos_are_refused) {
  const std::string base = Fresh("rulefit", "rulefit_binomial");
  auto ini_edit = [&](const std::string& tag, const std::string& key, const std::string& value) {
    return Mutate(base, tag, [&](h2o3test::ZipEntries& e) { SetKey(Entry(e, "model.ini"), key, value); });
  };
  ExpectLoadError(ini_edit("no_rule_count", "num_rules_M0T0", ""), h2o3::ErrorKind::kDataLoss, "num_rules_M0T0");
  ExpectLoadError(ini_edit("negative_rules", "num_rules_M0T0", "-3"), h2o3::ErrorKind::kDataLoss, "num_rules_M0T0");
  ExpectLoadError(ini_edit("bad_linear", "linear_model", "nope"), h2o3::ErrorKind::kDataLoss, "linear model 'nope'");
  ExpectLoadError(ini_edit("bad_linear_name", "linear_names_0", "nope"), h2o3::ErrorKind::kDataLoss, "linear_names_0");
  ExpectLoadError(ini_edit("short_linear_names", "linear_names_len", "1"), h2o3::ErrorKind::kDataLoss, "linear_names");
  ExpectLoadError(ini_edit("bad_version", "mojo_version", "1.10"), h2o3::ErrorKind::kUnimplemented, "RuleFit MOJO version 1.10");
  ExpectLoadError(ini_edit("huge_depth", "depth", "100000"), h2o3::ErrorKind::kDataLoss, "depth");
  ExpectLoadError(ini_edit("bad_threshold", "num_treshold0_0_0_0", "abc"), h2o3::ErrorKind::kDataLoss, "num_treshold0_0_0_0");
  ExpectLoadError(ini_edit("negative_feature", "feature_index_0_0_0_0", "-1"), h2o3::ErrorKind::kDataLoss, "feature_index_0_0_0_0");
  ExpectLoadError(ini_edit("escaping_dir", "submodel_dir_0", "../x/"), h2o3::ErrorKind::kDataLoss, "submodel_dir_0");
  // The nested GLM is an ordinary MOJO: its own corruption is reported by the GLM loader.
  ExpectLoadError(Mutate(base, "no_glm", [](h2o3test::ZipEntries& e) {
                    std::erase_if(e, [](const auto& p) { return p.first.starts_with("models/") && p.first.ends_with("model.ini"); });
                  }),
                  h2o3::ErrorKind::kDataLoss, "model.ini");
  // A rule reading a column beyond the row: a scoring error, as Java's ArrayIndexOutOfBounds.
  auto far = h2o3::LoadMojo(ini_edit("far_feature", "feature_index_0_0_0_0", "1000"));
  std::vector<double> row(static_cast<size_t>(far->meta().n_features), 0.0), preds(far->preds_size());
  BOOST_CHECK_THROW(far->Score0(row, 0.0, preds), h2o3::MojoError);
  // RuleFit has no offset.
  auto model = h2o3::LoadMojo(base);
  BOOST_TEST(!model->UsesOffset());
  BOOST_CHECK_THROW(model->Score0(row, 0.5, preds), h2o3::MojoError);
}

// ---------------------------------------------------------------------------------------------
// Plugin level: output fields and values against PredictCsv --decimal.

namespace {

using h2o3test::P;

// Loads `mojo` through the ABI, checks its output fields, scores fresh.csv (each input from the
// CSV column of the same name; a column the CSV lacks, like CoxPH's interaction columns, is null
// as in PredictCsv) and compares every output with PredictCsv's.
void CheckPluginAgainstPredictCsv(const std::string& mojo, const std::string& predictcsv,
                                  const std::vector<std::pair<std::string, sh_data_type>>& outputs, Tally* t) {
  sh_model* m = nullptr;
  sh_load_args args{sizeof(sh_load_args), "h2o3-mojo-scorer", mojo.c_str(), "h2o3_mojo", 0, nullptr};
  std::unique_ptr<sh_status> st(P().api.model_load(&args, &m));
  BOOST_REQUIRE_MESSAGE(!st, (st ? st->message : ""));
  std::unique_ptr<sh_model, void (*)(sh_model*)> guard(m, P().api.model_unload);
  const sh_model_info& info = *P().api.model_describe(m);
  BOOST_REQUIRE_EQUAL(info.n_outputs, outputs.size());
  for (size_t i = 0; i < outputs.size(); ++i) {
    BOOST_TEST(info.outputs[i].name == outputs[i].first);
    BOOST_TEST(info.outputs[i].type == outputs[i].second);
  }
  const auto records = h2o3test::ReadCsv(h2o3test::DataDir() + "/fresh/fresh.csv");
  const auto& header = records[0];
  arrow::Table in(static_cast<int64_t>(records.size()) - 1);
  for (size_t c = 0; c < info.n_inputs; ++c) {
    const sh_field& f = info.inputs[c];
    arrow::Column& col = in.AddColumn(f.name, f.type);
    const size_t j = static_cast<size_t>(std::find(header.begin(), header.end(), std::string(f.name)) - header.begin());
    for (size_t r = 1; r < records.size(); ++r) {
      if (j == header.size() || records[r][j].empty()) col.AppendNull();
      else if (f.type == SH_TYPE_STR) col.AppendString(records[r][j]);
      else col.AppendDouble(std::stod(records[r][j]));
    }
  }
  arrow::OwnedArrow input, out;
  std::move(in).Export(&input.schema, &input.array);
  st.reset(P().api.score(m, &input.schema, &input.array, nullptr, &out.schema, &out.array));
  BOOST_REQUIRE_MESSAGE(!st, (st ? st->message : ""));
  arrow::TableView view;
  std::string why;
  BOOST_REQUIRE_MESSAGE(arrow::TableView::Make(&out.schema, &out.array, &view, &why), why);
  const auto want = h2o3test::ReadCsv(predictcsv);
  BOOST_REQUIRE_EQUAL(view.num_rows() + 1, static_cast<int64_t>(want.size()));
  BOOST_REQUIRE_EQUAL(view.num_columns(), outputs.size());
  for (size_t c = 0; c < outputs.size(); ++c) BOOST_TEST(want[0][c] == outputs[c].first);  // PredictCsv's header
  for (int64_t r = 0; r < view.num_rows(); ++r) {
    ++t->lines;
    for (size_t c = 0; c < outputs.size(); ++c) {
      const std::string& w = want[static_cast<size_t>(r) + 1][c];
      bool ok;
      if (outputs[c].second == SH_TYPE_STR) ok = (++t->stats.values, std::string(view.column(c).String(r)) == w);
      else ok = Close(PredictCsvValue(w), view.column(c).Double(r), t);
      if (!ok && ++t->failed <= 5) BOOST_ERROR(mojo << " row " << r + 1 << " column " << outputs[c].first << ": expected " << w);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(rulefit_through_the_plugin_matches_predictcsv) {
  Tally t;
  const std::string dir = h2o3test::DataDir() + "/fresh/rulefit/";
  CheckPluginAgainstPredictCsv(dir + "rulefit_multinomial.mojo", dir + "rulefit_multinomial_predictcsv.csv",
                               {{"predict", SH_TYPE_STR}, {"a", SH_TYPE_FLOAT64}, {"b", SH_TYPE_FLOAT64}, {"c", SH_TYPE_FLOAT64}},
                               &t);
  t.Report("plugin rulefit_multinomial vs PredictCsv");
}

// ---------------------------------------------------------------------------------------------
// CoxPH

namespace {

// PredictCsv's row conversion (EasyPredictModelWrapper): each feature from the CSV column of the
// same name; a categorical takes its level's index (unknown or empty -> NaN), a numeric the parsed
// number; an absent column is NaN. The offset column, if any, gives the offset.
std::vector<std::pair<std::vector<double>, double>> EasyRows(const h2o3::MojoMeta& meta, const std::string& csv) {
  const auto records = h2o3test::ReadCsv(csv);
  const auto& header = records[0];
  std::vector<std::pair<std::vector<double>, double>> out;
  for (size_t r = 1; r < records.size(); ++r) {
    std::vector<double> row;
    double offset = 0;
    for (int f = 0; f < meta.n_features; ++f) {
      const auto j = static_cast<size_t>(std::find(header.begin(), header.end(), meta.columns[static_cast<size_t>(f)]) - header.begin());
      if (j == header.size() || records[r][j].empty()) {
        row.push_back(NAN);
      } else if (const auto& dom = meta.domains[static_cast<size_t>(f)]) {
        const auto lvl = std::find(dom->begin(), dom->end(), records[r][j]);
        row.push_back(lvl == dom->end() ? NAN : static_cast<double>(lvl - dom->begin()));
      } else {
        row.push_back(std::stod(records[r][j]));
      }
    }
    if (!meta.offset_column.empty()) {
      const auto j = static_cast<size_t>(std::find(header.begin(), header.end(), meta.offset_column) - header.begin());
      if (j < header.size()) offset = std::stod(records[r][j]);
    }
    out.emplace_back(std::move(row), offset);
  }
  return out;
}

// Scores `csv` as PredictCsv does and compares every output with `predictcsv` (Java's values).
void CheckEasy(const h2o3::MojoModel& model, const std::string& csv, const std::string& predictcsv, Tally* t) {
  const auto rows = EasyRows(model.meta(), csv);
  const auto want = h2o3test::ReadCsv(predictcsv);
  BOOST_REQUIRE_EQUAL(want.size(), rows.size() + 1);
  BOOST_TEST(want[0] == model.OutputNames(), boost::test_tools::per_element());
  for (size_t r = 0; r < rows.size(); ++r) {
    ++t->lines;
    std::string error;
    auto got = TryScore(model, rows[r].first, rows[r].second, model.preds_size(), &error);
    if (!got) {
      if (++t->failed <= 5) BOOST_ERROR(predictcsv << " row " << r + 1 << ": " << error);
      continue;
    }
    for (size_t c = 0; c < want[r + 1].size(); ++c) {
      const bool label = c == 0 && model.meta().is_classifier();
      const auto* dom = model.meta().response_domain();
      if (label) ++t->stats.values;
      const bool ok = label ? (dom && (*dom)[static_cast<size_t>((*got)[0])] == want[r + 1][0])
                            : Close(PredictCsvValue(want[r + 1][c]), (*got)[c], t);
      if (!ok && ++t->failed <= 5) BOOST_ERROR(predictcsv << " row " << r + 1 << " column " << c << ": expected " << want[r + 1][c] << ", got " << (*got)[c]);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(coxph_fresh_matches_java) {
  Tally t;
  CheckFresh("coxph", &t);
  t.Report("fresh coxph, all");
}

// h2o-genmodel's CoxPH MOJOs written by H2O 3.32 (no num_numerical_columns) and 3.42: the values
// CoxPHMojoModelTest asserts (at its 1e-6) and PredictCsv's full-precision values for the same rows.
BOOST_AUTO_TEST_CASE(coxph_h2o_genmodel_mojos_match_java) {
  const std::string dir = h2o3test::DataDir() + "/../h2o-genmodel/coxph/";
  const std::vector<double> all = {0.0902431, 0.422815, 0.663896}, cat_only = {0.0628001, 0.221134, -0.686394, -0.528061};
  Tally t;
  for (const char* name : {"CoxPH_bc_all_3_32", "CoxPH_bc_all_3_42", "CoxPH_bc_catOnly_3_32", "CoxPH_bc_catOnly_3_42"}) {
    BOOST_TEST_CONTEXT(name) {
      auto model = h2o3::LoadMojo(dir + name + ".zip");
      BOOST_TEST_MESSAGE("[conformance] " << name << ": " << model->Describe());
      BOOST_TEST(model->OutputNames() == std::vector<std::string>{"lp"}, boost::test_tools::per_element());
      const bool cat = std::string(name).find("catOnly") != std::string::npos;
      const std::string csv = dir + (cat ? "coxph_catonly_rows.csv" : "coxph_all_rows.csv");
      const auto rows = EasyRows(model->meta(), csv);
      const auto& expected = cat ? cat_only : all;
      BOOST_REQUIRE_EQUAL(rows.size(), expected.size());
      for (size_t r = 0; r < rows.size(); ++r) {
        std::vector<double> preds(model->preds_size());
        model->Score0(rows[r].first, rows[r].second, preds);
        BOOST_TEST(std::fabs(preds[0] - expected[r]) <= 1e-6, name << " row " << r << ": " << preds[0] << " vs " << expected[r]);
      }
      CheckEasy(*model, csv, dir + name + "_predictcsv.csv", &t);
    }
  }
  t.Report("h2o-genmodel coxph vs PredictCsv");
}

BOOST_AUTO_TEST_CASE(coxph_through_the_plugin_matches_predictcsv) {
  Tally t;
  const std::string dir = h2o3test::DataDir() + "/fresh/coxph/";
  // Interaction columns are inputs of the MOJO; left null they are computed, as in PredictCsv.
  CheckPluginAgainstPredictCsv(dir + "coxph_interactions.mojo", dir + "coxph_interactions_predictcsv.csv", {{"lp", SH_TYPE_FLOAT64}}, &t);
  CheckPluginAgainstPredictCsv(dir + "coxph_offset.mojo", dir + "coxph_offset_predictcsv.csv", {{"lp", SH_TYPE_FLOAT64}}, &t);
  // An enum x enum interaction (c1_ordinal): its level is looked up from the two source levels.
  CheckPluginAgainstPredictCsv(dir + "coxph_enum_pairs.mojo", dir + "coxph_enum_pairs_predictcsv.csv", {{"lp", SH_TYPE_FLOAT64}}, &t);
  t.Report("plugin coxph vs PredictCsv");
}

BOOST_AUTO_TEST_CASE(coxph_corrupt_mojos_are_refused) {
  const std::string base = Fresh("coxph", "coxph_strata");
  auto ini_edit = [&](const std::string& tag, const std::string& key, const std::string& value) {
    return Mutate(base, tag, [&](h2o3test::ZipEntries& e) { SetKey(Entry(e, "model.ini"), key, value); });
  };
  ExpectLoadError(ini_edit("cox_no_coef", "coef", ""), h2o3::ErrorKind::kDataLoss, "coef");
  ExpectLoadError(ini_edit("cox_bad_cats", "cats", "7"), h2o3::ErrorKind::kDataLoss, "cats");
  ExpectLoadError(ini_edit("cox_no_strata", "strata_3", ""), h2o3::ErrorKind::kDataLoss, "strata_3");
  ExpectLoadError(ini_edit("cox_wide_means", "x_mean_num_size2", "2000"), h2o3::ErrorKind::kDataLoss, "x_mean_num");
  ExpectLoadError(ini_edit("cox_version", "mojo_version", "1.10"), h2o3::ErrorKind::kUnimplemented, "CoxPH MOJO version 1.10");
  ExpectLoadError(Mutate(base, "cox_short_blob", [](h2o3test::ZipEntries& e) { Entry(e, "x_mean_cat").resize(12); }),
                  h2o3::ErrorKind::kDataLoss, "x_mean_cat");
  ExpectLoadError(Mutate(base, "cox_no_blob", [](h2o3test::ZipEntries& e) {
                    std::erase_if(e, [](const auto& p) { return p.first == "x_mean_num"; });
                  }),
                  h2o3::ErrorKind::kDataLoss, "x_mean_num");
  // A stratum the model does not know, a short row: scoring errors (Java: NullPointerException,
  // ArrayIndexOutOfBoundsException).
  auto model = h2o3::LoadMojo(base);
  std::vector<double> row(static_cast<size_t>(model->meta().n_features), 0.0), preds(model->preds_size());
  row[0] = 17;
  BOOST_CHECK_THROW(model->Score0(row, 0.0, preds), h2o3::MojoError);
  BOOST_CHECK_THROW(model->Score0(std::vector<double>{0.0}, 0.0, preds), h2o3::MojoError);
}

// ---------------------------------------------------------------------------------------------
// GAM

// genmodel's raw score0 on rows whose expanded spline columns are given (0.25 in the data rows) and
// on edge rows.
BOOST_AUTO_TEST_CASE(gam_raw_rows_match_java) {
  Tally t;
  CheckFresh("gam", &t);
  t.Report("fresh gam (raw score0), all");
}

// PredictCsv computes the expanded columns from the GAM columns (cubic regression, thin plate in 1
// and 2 dimensions, I-splines, M-splines): rows whose expanded columns are all missing must give
// PredictCsv's values. gam_binomial_mixed (thin plate next to an I-spline) makes genmodel fail on
// its first row (ArrayIndexOutOfBounds in calculatePolynomialBasis): so must we.
BOOST_AUTO_TEST_CASE(gam_expanded_columns_match_predictcsv) {
  const std::string dir = h2o3test::DataDir() + "/fresh/gam/";
  Tally t;
  for (const char* name : {"gam_gaussian_cs", "gam_binomial_cs", "gam_multinomial_cs", "gam_gaussian_tp", "gam_gaussian_tp1",
                           "gam_gaussian_is", "gam_gaussian_ms", "gam_poisson_mixed", "gam_tweedie"}) {
    BOOST_TEST_CONTEXT(name) {
      auto model = h2o3::LoadMojo(dir + name + ".mojo");
      CheckEasy(*model, h2o3test::DataDir() + "/fresh/fresh.csv", dir + name + "_predictcsv.csv", &t);
    }
  }
  t.Report("gam expanded columns vs PredictCsv");
  auto mixed = h2o3::LoadMojo(dir + "gam_binomial_mixed.mojo");
  const auto rows = EasyRows(mixed->meta(), h2o3test::DataDir() + "/fresh/fresh.csv");
  std::vector<double> preds(mixed->preds_size());
  BOOST_CHECK_THROW(mixed->Score0(rows[0].first, 0.0, preds), h2o3::MojoError);
}

BOOST_AUTO_TEST_CASE(gam_through_the_plugin_matches_predictcsv) {
  Tally t;
  const std::string dir = h2o3test::DataDir() + "/fresh/gam/";
  // The expanded columns are inputs of the MOJO; left null they are computed, as in PredictCsv.
  CheckPluginAgainstPredictCsv(dir + "gam_multinomial_cs.mojo", dir + "gam_multinomial_cs_predictcsv.csv",
                               {{"predict", SH_TYPE_STR}, {"a", SH_TYPE_FLOAT64}, {"b", SH_TYPE_FLOAT64}, {"c", SH_TYPE_FLOAT64}}, &t);
  CheckPluginAgainstPredictCsv(dir + "gam_gaussian_tp.mojo", dir + "gam_gaussian_tp_predictcsv.csv", {{"predict", SH_TYPE_FLOAT64}}, &t);
  t.Report("plugin gam vs PredictCsv");
}

BOOST_AUTO_TEST_CASE(gam_corrupt_mojos_are_refused) {
  const std::string base = Fresh("gam", "gam_poisson_mixed");
  auto ini_edit = [&](const std::string& tag, const std::string& key, const std::string& value) {
    return Mutate(base, tag, [&](h2o3test::ZipEntries& e) { SetKey(Entry(e, "model.ini"), key, value); });
  };
  ExpectLoadError(ini_edit("gam_version", "mojo_version", "1.10"), h2o3::ErrorKind::kUnimplemented, "GAM MOJO version 1.10");
  ExpectLoadError(ini_edit("gam_family", "family", "custom"), h2o3::ErrorKind::kUnimplemented, "GAM family 'custom'");
  ExpectLoadError(ini_edit("gam_bs", "bs_sorted", "[0, 7]"), h2o3::ErrorKind::kUnimplemented, "spline type 7");
  ExpectLoadError(ini_edit("gam_order", "spline_orders_sorted", "[0, 40]"), h2o3::ErrorKind::kUnimplemented, "spline order 40");
  ExpectLoadError(ini_edit("gam_counts", "num_CS_col", "2"), h2o3::ErrorKind::kDataLoss, "do not add up");
  ExpectLoadError(ini_edit("gam_knots", "num_knots_sorted", "[5, 500]"), h2o3::ErrorKind::kDataLoss, "shorter than its declared size");
  ExpectLoadError(Mutate(base, "gam_no_knots", [](h2o3test::ZipEntries& e) {
                    std::erase_if(e, [](const auto& p) { return p.first == "knots"; });
                  }),
                  h2o3::ErrorKind::kDataLoss, "knots");
  ExpectLoadError(Mutate(base, "gam_short_z", [](h2o3test::ZipEntries& e) { Entry(e, "zTranspose").resize(20); }),
                  h2o3::ErrorKind::kDataLoss, "zTranspose");
  ExpectLoadError(Mutate(base, "gam_not_a_feature", [](h2o3test::ZipEntries& e) { Entry(e, "gam_columns_sorted") = "x1\nzz\n"; }),
                  h2o3::ErrorKind::kUnimplemented, "GAM column 'zz' is not a feature");
}
