#include "csv/csv_scorer.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <algorithm>
#include <memory>
#include <thread>
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

// One chunk of input: the cells each output row needs, taken from the CSV records on the reading
// thread, then turned into typed columns, scored and formatted on a worker thread.
struct Chunk {
  size_t rows = 0;
  size_t width = 0;                 // cells per row: the model's inputs, then the echoed columns
  std::vector<std::string> cells;   // rows x width, row-major; "" where the CSV has no such cell
  std::vector<uint64_t> lines;      // the CSV line each row started on (for error messages)
  uint64_t first_row = 0;           // 0-based index of the chunk's first data row
  // Filled by ScoreChunk:
  Status status;
  std::string text;                 // the formatted output lines
  std::vector<std::string> output_names;
};

// Builds the chunk's input columns, scores them and formats the output lines (echoed cells first).
void ScoreChunk(const LoadedModel& model, const CsvScoreOptions& options, const MissingValues& missing,
                size_t n_inputs, Chunk& chunk) {
  arrow::Table table = model.MakeInputTable();
  for (auto& col : table.columns()) col.Reserve(chunk.rows);
  for (size_t r = 0; r < chunk.rows; ++r) {
    for (size_t i = 0; i < n_inputs; ++i) {
      Status st = AppendCell(table.columns()[i], chunk.cells[r * chunk.width + i], missing);
      if (!st.ok()) {
        chunk.status = Status::InvalidArgument(fmt::format("{} line {}: {}", options.input, chunk.lines[r], st.message()));
        return;
      }
    }
  }
  table.set_num_rows(static_cast<int64_t>(chunk.rows));
  arrow::OwnedArrow input;
  std::move(table).Export(&input.schema, &input.array);
  auto result = model.Score(input, options.score_flags);
  if (!result.ok()) {
    chunk.status = result.status();
    return;
  }
  arrow::TableView view;
  std::string why;
  arrow::TableView::Make(&result->schema, &result->array, &view, &why);  // validated by LoadedModel
  if (view.num_rows() != static_cast<int64_t>(chunk.rows)) {
    chunk.status = Status::Internal(fmt::format("the model returned {} rows for {} input rows (rows {}..{})",
                                                view.num_rows(), chunk.rows, chunk.first_row + 1,
                                                chunk.first_row + chunk.rows));
    return;
  }
  for (const arrow::ColumnView& col : view.columns()) chunk.output_names.emplace_back(col.name());
  std::string& out = chunk.text;
  for (int64_t r = 0; r < view.num_rows(); ++r) {
    bool first = true;
    for (size_t k = n_inputs; k < chunk.width; ++k) {
      if (!first) out.push_back(',');
      AppendCsvField(out, chunk.cells[static_cast<size_t>(r) * chunk.width + k]);
      first = false;
    }
    for (const arrow::ColumnView& col : view.columns()) {
      if (!first) out.push_back(',');
      first = false;
      if (auto text = FormatCell(col, r)) AppendCsvField(out, *text);
    }
    out.push_back('\n');
  }
  chunk.cells = {};  // release the input text before the chunk waits to be written
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

  CsvScoreStats stats;
  auto last_progress = Clock::now();
  const size_t chunk_rows = options.chunk_rows == 0 ? 4096 : options.chunk_rows;
  const size_t threads = std::max<size_t>(1, options.threads);
  const size_t width = inputs.size() + echo.size();
  bool header_written = false;
  bool done = false;

  // Each round reads up to `threads` chunks on this thread (CSV tokenising is sequential by
  // nature), scores and formats them in parallel, then writes them in input order. Memory stays
  // bounded by threads x chunk_rows rows whatever the file size.
  while (!done) {
    std::vector<Chunk> chunks;
    while (chunks.size() < threads && !done) {
      Chunk chunk;
      chunk.width = width;
      chunk.first_row = stats.rows + chunks.size() * chunk_rows;
      chunk.cells.reserve(chunk_rows * width);
      chunk.lines.reserve(chunk_rows);
      while (chunk.rows < chunk_rows) {
        if (!reader.Next(record, &error)) {
          if (!error.ok()) return error;
          done = true;
          break;
        }
        if (record.size() == 1 && record[0].empty() && header.size() != 1) continue;  // blank line
        if (record.size() > header.size())
          return Status::InvalidArgument(fmt::format("{} line {}: {} cells but the header has {} columns",
                                                     options.input, reader.record_line(), record.size(),
                                                     header.size()));
        // Echoed cells are copied first, because an echoed column may also be a model input,
        // whose cell is then moved out of the record.
        const size_t base = chunk.cells.size();
        chunk.cells.resize(base + width);
        for (size_t k = 0; k < echo.size(); ++k)
          if (static_cast<size_t>(echo[k]) < record.size()) chunk.cells[base + inputs.size() + k] = record[echo[k]];
        for (size_t i = 0; i < inputs.size(); ++i)  // a column the row lacks stays "" (missing)
          if (source[i] >= 0 && static_cast<size_t>(source[i]) < record.size())
            chunk.cells[base + i] = std::move(record[source[i]]);
        chunk.lines.push_back(reader.record_line());
        ++chunk.rows;
      }
      // An empty last chunk is still scored when nothing was written yet: its zero-row result
      // carries the output column names for the header.
      if (chunk.rows > 0 || (!header_written && chunks.empty())) chunks.push_back(std::move(chunk));
    }
    if (chunks.empty()) break;

    if (chunks.size() == 1) {
      ScoreChunk(model, options, missing, inputs.size(), chunks[0]);
    } else {
      std::vector<std::thread> workers;
      for (size_t c = 1; c < chunks.size(); ++c)
        workers.emplace_back([&, c] { ScoreChunk(model, options, missing, inputs.size(), chunks[c]); });
      ScoreChunk(model, options, missing, inputs.size(), chunks[0]);
      for (std::thread& w : workers) w.join();
    }

    for (Chunk& chunk : chunks) {
      if (!chunk.status.ok()) return chunk.status;
      std::string text;
      if (!header_written) {
        bool first = true;
        for (const std::string& name : options.include_columns) {
          if (!first) text.push_back(',');
          AppendCsvField(text, name);
          first = false;
        }
        for (const std::string& name : chunk.output_names) {
          if (!first) text.push_back(',');
          AppendCsvField(text, name);
          first = false;
        }
        text.push_back('\n');
        header_written = true;
      }
      text += chunk.text;
      if (std::fwrite(text.data(), 1, text.size(), out->get()) != text.size())
        return Status::Internal(fmt::format("cannot write {}: {}", options.output, std::strerror(errno)));
      stats.rows += chunk.rows;
    }

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
