// Helpers shared by the h2o3-mojo tests: golden-data locations, CSV reading with Python's csv
// semantics, mojoland's row preparation and the parsing of its expected-output files.
#pragma once

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

}  // namespace h2o3test

namespace h2o3test {

using ZipEntries = std::vector<std::pair<std::string, std::string>>;
// Writes a zip (deflate) with exactly these entries, names taken verbatim (even hostile ones).
void WriteZip(const std::string& path, const ZipEntries& entries);
// Every file entry of a zip, in archive order.
ZipEntries ReadZip(const std::string& path);
// A fresh empty directory under the system temp dir, removed by the caller (or left for CI).
std::string MakeTempDir(const std::string& tag);

}  // namespace h2o3test
