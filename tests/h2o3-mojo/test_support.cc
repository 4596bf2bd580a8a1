#include "test_support.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "errors.hpp"
#include "java_semantics.hpp"

namespace h2o3test {

std::string DataDir() { return H2O3_MOJO_TEST_DATA; }

std::vector<std::filesystem::path> SortedMojos(const std::filesystem::path& dir, bool recursive) {
  namespace fs = std::filesystem;
  std::vector<fs::path> mojos;
  auto add = [&](const fs::directory_entry& e) {
    if (e.path().extension() == ".mojo") mojos.push_back(e.path());
  };
  if (recursive) std::for_each(fs::recursive_directory_iterator(dir), fs::recursive_directory_iterator(), add);
  else std::for_each(fs::directory_iterator(dir), fs::directory_iterator(), add);
  std::sort(mojos.begin(), mojos.end());
  BOOST_REQUIRE_MESSAGE(!mojos.empty(), "no .mojo files in " << dir.string());
  return mojos;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  const std::string text = ReadFile(path);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool in_quotes = false, any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        field.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      in_quotes = true;
      any = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        record.push_back(std::move(field));
        records.push_back(std::move(record));
      }
      record.clear();
      field.clear();
      any = false;
    } else {
      field.push_back(c);
      any = true;
    }
  }
  if (any || !field.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

std::vector<std::vector<std::string>> DatasetRecords(const std::string& dataset) {
  // Data set directories may carry a flavour suffix (xgboost's "carsdart"); strip to the CSV name.
  auto all = ReadCsv(DataDir() + "/datasets/" + dataset + ".csv");
  size_t keep_every = dataset == "eyestate" ? 7 : dataset == "names" ? 20 : 1;
  std::vector<std::vector<std::string>> out;
  for (size_t i = 0; i < all.size(); ++i)
    if (i % keep_every == 0) out.push_back(std::move(all[i]));
  return out;
}

std::vector<double> PrepareRow(const scorehost::h2o3::MojoMeta& meta, const std::vector<std::string>& header,
                               const std::vector<std::string>& values) {
  const size_t n = static_cast<size_t>(meta.n_features);
  std::vector<double> row(n, NAN);
  for (size_t i = 0; i < n; ++i) {
    size_t j = 0;
    while (j < header.size() && header[j] != meta.columns[i]) ++j;
    if (j == header.size()) throw std::runtime_error("column " + meta.columns[i] + " not in the data set");
    const std::string& v = j < values.size() ? values[j] : std::string();
    if (const auto& dom = meta.domains[i]) {
      for (size_t l = 0; l < dom->size(); ++l)
        if ((*dom)[l] == v) {
          row[i] = static_cast<double>(l);
          break;
        }
    } else if (!v.empty()) {
      auto d = scorehost::h2o3::JavaParseDouble(v);
      if (!d) throw std::runtime_error("unparseable number '" + v + "' in column " + meta.columns[i]);
      row[i] = *d;
    }
  }
  return row;
}

std::vector<ExpectedLine> ReadExpected(const std::string& path) {
  std::vector<ExpectedLine> out;
  std::istringstream in(ReadFile(path));
  std::string line;
  while (std::getline(in, line)) {
    ExpectedLine e;
    if (!line.empty() && line.front() == '[') {
      std::string body = line.substr(1, line.size() - 2);
      std::stringstream ss(body);
      std::string part;
      while (std::getline(ss, part, ',')) {
        auto d = scorehost::h2o3::JavaParseDouble(part);
        if (!d) throw std::runtime_error("bad number '" + part + "' in " + path);
        e.values.push_back(*d);
      }
    } else {
      e.exception = line;
    }
    out.push_back(std::move(e));
  }
  return out;
}

void CompareStats::Merge(const CompareStats& o) {
  values += o.values;
  max_abs = std::max(max_abs, o.max_abs);
  max_rel = std::max(max_rel, o.max_rel);
}

namespace {

bool Close(double expected, double actual, const Tolerance& tol, CompareStats* stats) {
  ++stats->values;
  if (std::isnan(expected) || std::isnan(actual)) return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected) || std::isinf(actual)) return expected == actual;
  const double diff = std::fabs(expected - actual);
  stats->max_abs = std::max(stats->max_abs, diff);
  if (expected != 0) stats->max_rel = std::max(stats->max_rel, diff / std::fabs(expected));
  return diff <= tol.abs || diff <= tol.rel * std::fabs(expected);
}

}  // namespace

std::string CompareLine(const scorehost::h2o3::MojoModel& model, const ExpectedLine& want, const std::vector<double>& got,
                        const Tolerance& tol, CompareStats* stats) {
  if (want.values.size() != got.size())
    return "expected " + std::to_string(want.values.size()) + " values, got " + std::to_string(got.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const bool label = i == 0 && model.meta().is_classifier();
    if (label) ++stats->values;
    if (label ? want.values[i] != got[i] : !Close(want.values[i], got[i], tol, stats)) {
      std::ostringstream os;
      os.precision(17);
      os << (label ? "label" : "value") << " #" << i << ": expected " << want.values[i] << ", got " << got[i];
      return os.str();
    }
  }
  return {};
}

std::optional<std::vector<double>> TryScore(const scorehost::h2o3::MojoModel& model, const std::vector<double>& row,
                                            double offset, size_t preds_len, std::string* error) {
  std::vector<double> preds(preds_len, 0.0);
  try {
    model.Score0(row, offset, preds);
  } catch (const scorehost::h2o3::MojoError& e) {
    *error = e.what();
    return std::nullopt;
  }
  return preds;
}

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

void ScoreEdgeRowsSafely(const scorehost::h2o3::MojoModel& model, const std::string& context) {
  const size_t nf = static_cast<size_t>(model.meta().n_features);
  for (const auto& row : EdgeRows(nf)) {
    std::vector<double> preds(model.preds_size(), 0.0);
    try {
      model.Score0(row, 0.0, preds);
    } catch (const scorehost::h2o3::MojoError&) {
    } catch (const std::exception& e) {
      BOOST_ERROR(context << ": scoring threw a non-MojoError: " << e.what());
      break;
    }
  }
}

namespace {

// One golden line against what we returned (or the error we threw); "" when they agree.
std::string CheckLine(const scorehost::h2o3::MojoModel& model, const ExpectedLine& want,
                      const std::optional<std::vector<double>>& got, const std::string& error, const Tolerance& tol,
                      CompareStats* stats, int* java_errors_matched) {
  if (!want.exception.empty()) {
    if (got) return "Java threw " + want.exception + " but we returned values";
    ++*java_errors_matched;
    return {};
  }
  if (!got) return "unexpected error: " + error;
  return CompareLine(model, want, *got, tol, stats);
}

struct Tally {
  int mojos = 0, lines = 0, failed_lines = 0, java_errors_matched = 0;
  CompareStats stats;
};

}  // namespace

void CheckMojolandAlgorithm(const std::string& algo, const Tolerance& tol, int max_errors_shown) {
  namespace fs = std::filesystem;
  namespace h2o3 = scorehost::h2o3;
  std::map<std::string, Tally> by_version;
  for (const fs::path& mojo : SortedMojos(fs::path(DataDir()) / "mojos" / algo, /*recursive=*/true)) {
    const std::string version = mojo.parent_path().filename().string();  // v1.40
    std::string dataset = mojo.parent_path().parent_path().filename().string();
    // XGBoost recipes are named <dataset><booster>, e.g. "irisdart".
    if (!fs::exists(fs::path(DataDir()) / "datasets" / (dataset + ".csv")))
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
      const auto records = DatasetRecords(dataset);
      std::vector<std::vector<double>> rows;
      for (size_t i = 1; i < records.size(); ++i) rows.push_back(PrepareRow(model->meta(), records[0], records[i]));
      const size_t np = model->preds_size();
      const size_t nf = static_cast<size_t>(model->meta().n_features);
      int failures = 0;
      auto check = [&](const char* which, size_t line, const ExpectedLine& want, const std::optional<std::vector<double>>& got,
                       const std::string& error) {
        ++t.lines;
        const std::string diff = CheckLine(*model, want, got, error, tol, &t.stats, &t.java_errors_matched);
        if (!diff.empty()) {
          ++t.failed_lines;
          if (++failures <= max_errors_shown) BOOST_ERROR(which << " line " << line + 1 << ": " << diff);
        }
      };

      // scores0 through the batch path (one call for the whole data set).
      const auto want0 = ReadExpected(stem + "_scores0.txt");
      BOOST_REQUIRE_EQUAL(want0.size(), rows.size());
      std::vector<double> flat(rows.size() * nf), batch(rows.size() * np, 0.0);
      for (size_t r = 0; r < rows.size(); ++r) std::copy(rows[r].begin(), rows[r].end(), flat.begin() + static_cast<long>(r * nf));
      model->ScoreBatch(flat.data(), rows.size(), nf, nullptr, batch.data(), np);
      for (size_t r = 0; r < rows.size(); ++r)
        check("scores0", r, want0[r],
              std::vector<double>(batch.begin() + static_cast<long>(r * np), batch.begin() + static_cast<long>((r + 1) * np)), "");

      // scores1: offset = row index, row by row through Score0.
      const auto want1 = ReadExpected(stem + "_scores1.txt");
      BOOST_REQUIRE_EQUAL(want1.size(), rows.size());
      for (size_t r = 0; r < rows.size(); ++r) {
        std::string error;
        auto got = TryScore(*model, rows[r], static_cast<double>(r), np, &error);
        check("scores1", r, want1[r], got, error);
      }

      // scores2: edge rows, then the all-zeros row with a one-slot prediction buffer.
      const auto want2 = ReadExpected(stem + "_scores2.txt");
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
      if (failures > max_errors_shown) BOOST_ERROR(failures << " lines differ in all");
    }
  }
  for (const auto& [version, t] : by_version)
    BOOST_TEST_MESSAGE("[conformance] " << algo << " " << version << ": " << t.mojos << " MOJOs, "
                                         << t.lines - t.failed_lines << "/" << t.lines << " lines match ("
                                         << t.java_errors_matched << " Java exceptions reproduced as errors), "
                                         << t.stats.values << " values compared, max abs difference " << t.stats.max_abs
                                         << ", max relative difference " << t.stats.max_rel);
}

RawRowsResult CheckRawRows(const scorehost::h2o3::MojoModel& model, const std::string& rows_path,
                           const std::string& scores_path, const std::string& calibrated_path, const Tolerance& tol) {
  using scorehost::h2o3::JavaParseDouble;
  const auto rows = ReadCsv(rows_path);
  const auto want = ReadExpected(scores_path);
  const bool calibrated = !calibrated_path.empty();
  const auto want_cal = calibrated ? ReadExpected(calibrated_path) : want;
  BOOST_REQUIRE_EQUAL(want.size(), rows.size());
  BOOST_REQUIRE_EQUAL(want_cal.size(), rows.size());
  RawRowsResult res;
  for (size_t r = 0; r < rows.size(); ++r) {
    // The CSV reader splits on commas; an offset follows a ';' in the last cell.
    std::vector<double> row;
    double offset = 0;
    for (size_t c = 0; c < rows[r].size(); ++c) {
      std::string cell = rows[r][c];
      if (c + 1 == rows[r].size()) {
        const size_t semi = cell.find(';');
        if (semi != std::string::npos) {
          offset = JavaParseDouble(cell.substr(semi + 1)).value();
          cell = cell.substr(0, semi);
        }
      }
      if (cell.empty() && rows[r].size() == 1) break;  // a row of no values
      row.push_back(JavaParseDouble(cell).value());
    }
    ++res.lines;
    std::string error;
    auto got = TryScore(model, row, offset, model.preds_size(), &error);
    std::string diff = CheckLine(model, want[r], got, error, tol, &res.stats, &res.java_errors_matched);
    if (diff.empty() && calibrated && got) {
      std::vector<double> cal = *got;
      model.Calibrate(cal.data());
      diff = CompareLine(model, want_cal[r], cal, tol, &res.stats);
      if (!diff.empty()) diff = "calibrated " + diff;
    }
    if (diff.empty()) ++res.matched;
    else BOOST_ERROR(rows_path << " row " << r + 1 << ": " << diff);
  }
  return res;
}

}  // namespace h2o3test

#include <zip.h>

#include <filesystem>
#include <random>

namespace h2o3test {

void WriteZip(const std::string& path, const ZipEntries& entries, bool store) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!z) throw std::runtime_error("cannot create " + path);
  for (const auto& [name, data] : entries) {
    zip_source_t* src = zip_source_buffer(z, data.data(), data.size(), 0);
    const zip_int64_t index = src ? zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE) : -1;
    if (index < 0) {
      if (src) zip_source_free(src);
      zip_discard(z);
      throw std::runtime_error("cannot add " + name + " to " + path);
    }
    if (store) zip_set_file_compression(z, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  if (zip_close(z) != 0) {
    zip_discard(z);
    throw std::runtime_error("cannot write " + path);
  }
}

ZipEntries ReadZip(const std::string& path) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (!z) throw std::runtime_error("cannot open " + path);
  ZipEntries out;
  for (zip_int64_t i = 0; i < zip_get_num_entries(z, 0); ++i) {
    zip_stat_t st;
    zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st);
    std::string name = st.name;
    if (!name.empty() && name.back() == '/') continue;
    std::string data(st.size, '\0');
    zip_file_t* f = zip_fopen_index(z, static_cast<zip_uint64_t>(i), 0);
    zip_fread(f, data.data(), st.size);
    zip_fclose(f);
    out.emplace_back(std::move(name), std::move(data));
  }
  zip_discard(z);
  return out;
}

namespace {
// Removes every temp dir a test made when the test program exits.
struct TempDirs {
  std::vector<std::filesystem::path> dirs;
  ~TempDirs() {
    std::error_code ec;
    for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
  }
};
TempDirs& AllTempDirs() {
  static TempDirs dirs;
  return dirs;
}
}  // namespace

std::string MakeTempDir(const std::string& tag) {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("h2o3-mojo-test-" + tag + "-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  AllTempDirs().dirs.push_back(dir);
  return dir.string();
}

}  // namespace h2o3test

namespace h2o3test {

CorruptionResult CheckCorruptions(const std::string& mojo_zip, size_t max_variants) {
  namespace h2o3 = scorehost::h2o3;
  const ZipEntries entries = ReadZip(mojo_zip);
  std::vector<ZipEntries> variants;
  std::vector<size_t> others;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string& name = entries[i].first;
    if (name == "model.ini" || name.ends_with("/model.ini")) {
      std::vector<std::string> lines;
      std::istringstream in(entries[i].second);
      for (std::string l; std::getline(in, l);) lines.push_back(l);
      auto join = [&](size_t skip, const std::string* replacement) {
        std::string out;
        for (size_t j = 0; j < lines.size(); ++j) {
          if (j == skip && !replacement) continue;
          out += j == skip ? *replacement : lines[j];
          out += '\n';
        }
        return out;
      };
      for (size_t j = 0; j < lines.size(); ++j) {
        ZipEntries v = entries;
        v[i].second = join(j, nullptr);
        variants.push_back(std::move(v));
        const size_t eq = lines[j].find(" = ");
        if (eq == std::string::npos) continue;
        for (const char* bad : {"-1", "1e9", "x]y[", ""}) {
          const std::string repl = lines[j].substr(0, eq + 3) + bad;
          ZipEntries w = entries;
          w[i].second = join(j, &repl);
          variants.push_back(std::move(w));
        }
      }
    } else {
      others.push_back(i);
    }
  }
  for (size_t i : others) {
    ZipEntries half = entries;
    half[i].second.resize(half[i].second.size() / 2);
    variants.push_back(std::move(half));
    ZipEntries gone = entries;
    gone.erase(gone.begin() + static_cast<long>(i));
    variants.push_back(std::move(gone));
  }
  if (variants.size() > max_variants) {  // an even spread over all of them
    std::vector<ZipEntries> sample;
    for (size_t k = 0; k < max_variants; ++k) sample.push_back(std::move(variants[k * variants.size() / max_variants]));
    variants = std::move(sample);
  }

  const std::string dir = MakeTempDir("corrupt");
  CorruptionResult res;
  for (size_t n = 0; n < variants.size(); ++n) {
    const std::string path = dir + "/v" + std::to_string(n) + ".mojo";
    WriteZip(path, variants[n], /*store=*/true);
    ++res.variants;
    std::unique_ptr<h2o3::MojoModel> model;
    try {
      model = h2o3::LoadMojo(path);
    } catch (const h2o3::MojoError&) {
      ++res.refused;
    } catch (const std::exception& e) {
      BOOST_ERROR(mojo_zip << " variant " << n << ": load threw a non-MojoError: " << e.what());
    }
    if (model) {
      ++res.loaded;
      ScoreEdgeRowsSafely(*model, mojo_zip + " variant " + std::to_string(n));
    }
    std::filesystem::remove(path);
  }
  return res;
}

}  // namespace h2o3test
