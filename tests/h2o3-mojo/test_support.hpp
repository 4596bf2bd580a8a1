// Helpers shared by the h2o3-mojo tests: golden-data locations, CSV reading with Python's csv
// semantics, mojoland's row preparation and the parsing of its expected-output files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mojo_model.hpp"

namespace h2o3test {

std::string DataDir();  // tests/data/mojoland

// csv.reader with the default (excel) dialect: quotes, doubled quotes, quoted newlines.
std::vector<std::vector<std::string>> ReadCsv(const std::string& path);

// The records mojoland feeds a recipe: the header first, then the data rows it keeps (eyestate
// keeps record numbers % 7 == 0, names % 20 == 0, counting the header as record 0).
std::vector<std::vector<std::string>> DatasetRecords(const std::string& dataset);

// mojoland's MojoModel.prepare_row: the first n_features columns of the MOJO in its order,
// categoricals as domain indices (NaN when unknown), empty cells as NaN.
std::vector<double> PrepareRow(const scorehost::h2o3::MojoMeta& meta, const std::vector<std::string>& header,
                               const std::vector<std::string>& values);

// One line of a scores file: either numbers or the name of the Java exception.
struct ExpectedLine {
  std::vector<double> values;
  std::string exception;  // non-empty when Java threw
};
std::vector<ExpectedLine> ReadExpected(const std::string& path);

std::string ReadFile(const std::string& path);

// --- Comparing our scores with Java's golden lines (shared by every conformance test) ---

// A value matches when |expected - actual| <= abs or <= rel * |expected| (rel = 0: absolute only).
// NaN matches NaN, an infinity only itself. The label of a classifier (preds[0]) must be equal.
struct Tolerance {
  double abs = 1e-10;
  double rel = 0;
};
// What the comparisons saw: values compared and the largest differences among them.
struct CompareStats {
  long values = 0;
  double max_abs = 0, max_rel = 0;
  void Merge(const CompareStats& o);
};

// Compares one scored line with Java's; returns an empty string when it matches, else what differs.
std::string CompareLine(const scorehost::h2o3::MojoModel& model, const ExpectedLine& want, const std::vector<double>& got,
                        const Tolerance& tol, CompareStats* stats);

// Score0 of `row` into a fresh zeroed buffer of `preds_len` values (what Java's callers pass);
// nullopt with the message in *error when the scorer throws MojoError.
std::optional<std::vector<double>> TryScore(const scorehost::h2o3::MojoModel& model, const std::vector<double>& row,
                                            double offset, size_t preds_len, std::string* error);

// mojoland's MojoModel.scores2 rows (values are the strings Java parsed with Double.parseDouble).
std::vector<std::vector<double>> EdgeRows(size_t n);

// Scores every edge row (EdgeRows) with a model that may be damaged: a MojoError is an accepted
// refusal; any other exception is a BOOST_ERROR naming `context`, and the remaining rows are skipped.
void ScoreEdgeRowsSafely(const scorehost::h2o3::MojoModel& model, const std::string& context);

// The .mojo files in `dir` (and below it, with `recursive`), sorted; the test stops if there is none.
std::vector<std::filesystem::path> SortedMojos(const std::filesystem::path& dir, bool recursive = false);

// Every mojoland MOJO of `algo` (tests/data/mojoland/mojos/<algo>/<dataset>/<version>/) against its
// golden files: scores0 through the batch path, scores1 (offset = row index) and scores2 (edge
// rows; where Java threw we must throw MojoError). Reports failures with BOOST_ERROR (at most
// `max_errors_shown` per MOJO) and one summary message per MOJO version.
void CheckMojolandAlgorithm(const std::string& algo, const Tolerance& tol, int max_errors_shown = 1 << 30);

// Raw score0 rows ("v1,v2,...[;offset]", the format of tools/gen_rows.py) scored and compared
// with Java's lines from tools/Score0.java (and, for calibrated models, with Java's calibrated
// probabilities). Failures are reported with BOOST_ERROR.
struct RawRowsResult {
  int lines = 0, matched = 0, java_errors_matched = 0;
  CompareStats stats;
};
RawRowsResult CheckRawRows(const scorehost::h2o3::MojoModel& model, const std::string& rows_path,
                           const std::string& scores_path, const std::string& calibrated_path = "",
                           const Tolerance& tol = {});

}  // namespace h2o3test

namespace h2o3test {

using ZipEntries = std::vector<std::pair<std::string, std::string>>;
// Writes a zip (deflate, or stored when `store`: much faster) with exactly these entries, names
// taken verbatim (even hostile ones).
void WriteZip(const std::string& path, const ZipEntries& entries, bool store = false);
// Every file entry of a zip, in archive order.
ZipEntries ReadZip(const std::string& path);
// A fresh empty directory under the system temp dir, removed by the caller (or left for CI).
std::string MakeTempDir(const std::string& tag);

// Damaged copies of a MOJO zip: each line of every model.ini removed, each `key = value` given a
// bad value (-1, 1e9, junk, empty), every other entry truncated to half and removed; an even
// sample of `max_variants` of them is tried (keeps the test fast). Each copy must either load or
// be refused with a MojoError, and whatever loads must score the edge rows (EdgeRows) without
// anything but MojoError. Anything else is a BOOST_ERROR.
struct CorruptionResult {
  int variants = 0, loaded = 0, refused = 0;
};
CorruptionResult CheckCorruptions(const std::string& mojo_zip, size_t max_variants = 80);

}  // namespace h2o3test
