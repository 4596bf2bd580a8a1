#include "csv/csv_scorer.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <memory>
#include <unordered_map>

#include "csv/csv_reader.h"

namespace scorehost {
namespace {

using Clock = std::chrono::steady_clock;

struct FileCloser {
  bool owned;
  void operator()(std::FILE* f) const {
    if (f && owned) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

Result<FilePtr> OpenFile(const std::string& path, const char* mode, std::FILE* dash) {
  if (path == "-") return FilePtr(dash, FileCloser{false});
  std::FILE* f = std::fopen(path.c_str(), mode);
  if (!f) return Status::NotFound(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  return FilePtr(f, FileCloser{true});
}

// Writes one scored chunk: echoed input cells, then every output column.
void WriteChunk(std::string& out, const std::vector<std::vector<std::string>>& echoed,
                const arrow::TableView& result) {
  for (int64_t r = 0; r < result.num_rows(); ++r) {
    bool first = true;
    for (const std::string& cell : echoed[static_cast<size_t>(r)]) {
      if (!first) out.push_back(',');
      AppendCsvField(out, cell);
      first = false;
    }
    for (const arrow::ColumnView& col : result.columns()) {
      if (!first) out.push_back(',');
      first = false;
      if (auto text = FormatCell(col, r)) AppendCsvField(out, *text);
    }
    out.push_back('\n');
  }
}

}  // namespace

Result<CsvScoreStats> ScoreCsv(const LoadedModel& model, const CsvScoreOptions& options,
                               const MissingValues& missing) {
  const auto start = Clock::now();
  auto in = OpenFile(options.input, "rb", stdin);
  if (!in.ok()) return in.status();
  auto out = OpenFile(options.output, "wb", stdout);
  if (!out.ok()) return out.status();

  struct stat st {};
  uint64_t total_bytes = (options.input != "-" && ::stat(options.input.c_str(), &st) == 0) ? st.st_size : 0;

  CsvReader reader(in->get());
  std::vector<std::string> record;
  Status error;
  if (!reader.Next(record, &error)) {
    if (!error.ok()) return error;
    return Status::InvalidArgument(fmt::format("{} is empty: expected a header line", options.input));
  }
  const std::vector<std::string> header = record;

  // Where each model input comes from in a CSV record (-1: not in the file -> missing).
  const auto& inputs = model.info().inputs;
  std::unordered_map<std::string, int> position;
  for (size_t i = 0; i < header.size(); ++i) position.emplace(header[i], static_cast<int>(i));
  std::vector<int> source(inputs.size(), -1);
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto it = position.find(inputs[i].name);
    if (it != position.end()) source[i] = it->second;
  }
  std::vector<int> echo;
  for (const std::string& name : options.include_columns) {
    auto it = position.find(name);
    if (it == position.end())
      return Status::InvalidArgument(fmt::format("--include-column '{}' is not a column of {}", name, options.input));
    echo.push_back(it->second);
  }

  std::string text;
  {
    bool first = true;
    for (const std::string& name : options.include_columns) {
      if (!first) text.push_back(',');
      AppendCsvField(text, name);
      first = false;
    }
    // Output names are known only once the plugin answers (intervals may add columns), so the
    // header is written with the first chunk.
  }
  bool header_written = false;
  std::string out_header = text;

  CsvScoreStats stats;
  auto last_progress = Clock::now();
  bool done = false;
  const size_t chunk = options.chunk_rows == 0 ? 4096 : options.chunk_rows;
  std::vector<std::vector<std::string>> echoed;

  while (!done) {
    arrow::Table table = model.MakeInputTable();
    for (auto& col : table.columns()) col.Reserve(chunk);
    echoed.clear();
    size_t rows = 0;
    while (rows < chunk) {
      if (!reader.Next(record, &error)) {
        if (!error.ok()) return error;
        done = true;
        break;
      }
      if (record.size() == 1 && record[0].empty() && header.size() != 1) continue;  // blank line
      if (record.size() > header.size())
        return Status::InvalidArgument(fmt::format("{} line {}: {} cells but the header has {} columns",
                                                   options.input, reader.record_line(), record.size(), header.size()));
      for (size_t i = 0; i < inputs.size(); ++i) {
        arrow::Column& col = table.columns()[i];
        int from = source[i];
        std::string_view cell;  // a column the row does not have is a missing value
        if (from >= 0 && static_cast<size_t>(from) < record.size()) cell = record[from];
        Status st = AppendCell(col, cell, missing);
        if (!st.ok())
          return Status::InvalidArgument(fmt::format("{} line {}: {}", options.input, reader.record_line(), st.message()));
      }
      if (!echo.empty()) {
        std::vector<std::string> cells;
        for (int from : echo) cells.push_back(static_cast<size_t>(from) < record.size() ? record[from] : "");
        echoed.push_back(std::move(cells));
      } else {
        echoed.emplace_back();
      }
      ++rows;
    }
    if (rows == 0 && header_written) break;

    table.set_num_rows(static_cast<int64_t>(rows));
    arrow::OwnedArrow input;
    std::move(table).Export(&input.schema, &input.array);
    auto result = model.Score(input, options.score_flags);
    if (!result.ok()) return result.status();
    arrow::TableView view;
    std::string why;
    arrow::TableView::Make(&result->schema, &result->array, &view, &why);  // validated by LoadedModel
    if (view.num_rows() != static_cast<int64_t>(rows))
      return Status::Internal(fmt::format("the model returned {} rows for {} input rows (rows {}..{})",
                                          view.num_rows(), rows, stats.rows + 1, stats.rows + rows));
    text.clear();
    if (!header_written) {
      text = out_header;
      bool first = out_header.empty();
      for (const arrow::ColumnView& col : view.columns()) {
        if (!first) text.push_back(',');
        AppendCsvField(text, col.name());
        first = false;
      }
      text.push_back('\n');
      header_written = true;
    }
    WriteChunk(text, echoed, view);
    if (std::fwrite(text.data(), 1, text.size(), out->get()) != text.size())
      return Status::Internal(fmt::format("cannot write {}: {}", options.output, std::strerror(errno)));
    stats.rows += rows;

    // Long runs (over two seconds) get a progress line every two seconds; short ones stay quiet.
    if (options.progress && Clock::now() - last_progress > std::chrono::seconds(2)) {
      last_progress = Clock::now();
      if (total_bytes)
        std::fprintf(stderr, "scorehost: scored %llu rows (%.0f%% of %s)\n", static_cast<unsigned long long>(stats.rows),
                     100.0 * static_cast<double>(reader.bytes_read()) / static_cast<double>(total_bytes),
                     options.input.c_str());
      else
        std::fprintf(stderr, "scorehost: scored %llu rows\n", static_cast<unsigned long long>(stats.rows));
    }
  }
  if (std::fflush(out->get()) != 0)
    return Status::Internal(fmt::format("cannot write {}: {}", options.output, std::strerror(errno)));
  stats.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return stats;
}

}  // namespace scorehost
