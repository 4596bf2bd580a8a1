#include "csv/csv_scorer.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
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

// Where the cells of an output row come from in a CSV record; fixed by the header.
struct ColumnPlan {
  size_t header_size = 0;
  std::vector<int> inputs;  // per model input: its position in a record, -1 when not in the file
  std::vector<int> echo;    // per --include-column: its position in a record
};

// One block of CSV records on its way through the pipeline: read on the main thread, then
// parsed, scored and formatted on a worker, then written by the main thread in input order.
// Chunks are recycled once written, so their buffers are allocated once per run, not per chunk.
struct Chunk {
  CsvBlock block;
  bool first = false;  // the first chunk also reports the output column names
  // Filled by ScoreChunk:
  bool done = false;
  size_t rows = 0;     // data rows (blank lines are skipped)
  Status status;
  std::string text;    // the formatted output lines
  std::vector<std::string> output_names;
  // ScoreChunk's scratch space: the cells of each row (views into `block`) and its line number.
  std::vector<std::string_view> cells;
  std::vector<uint64_t> lines;

  void Reset() {
    first = done = false;
    rows = 0;
    status = Status::Ok();
    text.clear();
    output_names.clear();
  }
};

// One output cell in CSV: text is quoted when it needs it; numbers, "Infinity" and 1/0 never do.
// A missing value is an empty cell.
void AppendCsvCell(std::string& out, const arrow::ColumnView& column, int64_t row) {
  if (arrow::IsStringType(column.type())) {
    if (!column.IsNull(row)) AppendCsvField(out, column.String(row));
    return;
  }
  AppendCellText(out, column, row);
}

// Parses the chunk's records into typed input columns, scores them and formats the output lines
// (echoed cells first). The cells are views into the chunk's own bytes, never copied.
void ScoreChunk(const LoadedModel& model, const CsvScoreOptions& options, const MissingValues& missing,
                const ColumnPlan& plan, Chunk& chunk) {
  const size_t n_inputs = plan.inputs.size();
  const size_t width = n_inputs + plan.echo.size();
  std::vector<std::string_view>& cells = chunk.cells;  // rows x width, row-major; "" where a row lacks the cell
  std::vector<uint64_t>& lines = chunk.lines;          // the CSV line each row started on
  cells.clear();
  lines.clear();
  CsvRecords records(chunk.block);
  std::vector<std::string_view> fields;
  while (records.Next(fields)) {
    if (fields.size() == 1 && fields[0].empty() && plan.header_size != 1) continue;  // blank line
    if (fields.size() > plan.header_size) {
      chunk.status = Status::InvalidArgument(fmt::format("{} line {}: {} cells but the header has {} columns",
                                                         options.input, records.record_line(), fields.size(),
                                                         plan.header_size));
      return;
    }
    auto cell = [&](int position) {
      return static_cast<size_t>(position) < fields.size() ? fields[static_cast<size_t>(position)]
                                                           : std::string_view();
    };
    for (int position : plan.inputs) cells.push_back(position < 0 ? std::string_view() : cell(position));
    for (int position : plan.echo) cells.push_back(cell(position));
    lines.push_back(records.record_line());
  }
  chunk.rows = lines.size();
  if (chunk.rows == 0 && !chunk.first) return;  // only blank lines

  // Column by column: one column's type decides how all its cells are parsed.
  arrow::Table table = model.MakeInputTable();
  for (size_t i = 0; i < n_inputs; ++i) {
    arrow::Column& column = table.columns()[i];
    column.Reserve(chunk.rows);
    for (size_t r = 0; r < chunk.rows; ++r) {
      Status st = AppendCell(column, cells[r * width + i], missing);
      if (!st.ok()) {
        chunk.status = Status::InvalidArgument(fmt::format("{} line {}: {}", options.input, lines[r], st.message()));
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
    chunk.status = Status::Internal(fmt::format("the model returned {} rows for {} input rows ({} lines {}..{})",
                                                view.num_rows(), chunk.rows, options.input, lines.front(),
                                                lines.back()));
    return;
  }
  if (chunk.first)
    for (const arrow::ColumnView& col : view.columns()) chunk.output_names.emplace_back(col.name());
  std::string& out = chunk.text;
  out.reserve(chunk.block.bytes.size());
  for (int64_t r = 0; r < view.num_rows(); ++r) {
    bool first = true;
    for (size_t k = n_inputs; k < width; ++k) {
      if (!first) out.push_back(',');
      AppendCsvField(out, cells[static_cast<size_t>(r) * width + k]);
      first = false;
    }
    for (const arrow::ColumnView& col : view.columns()) {
      if (!first) out.push_back(',');
      first = false;
      AppendCsvCell(out, col, r);
    }
    out.push_back('\n');
  }
}

// Worker threads that score chunks in whatever order they finish; the main thread waits for
// them in input order. Stops (and joins) its threads when destroyed.
class ChunkScorers {
 public:
  ChunkScorers(size_t threads, std::function<void(Chunk&)> score) : score_(std::move(score)) {
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
  }
  ~ChunkScorers() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    work_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  void Submit(Chunk* chunk) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(chunk);
    }
    work_.notify_one();
  }
  void MarkDone(Chunk* chunk) {
    std::lock_guard<std::mutex> lock(mu_);
    chunk->done = true;
  }
  void Wait(Chunk* chunk) {
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [&] { return chunk->done; });
  }

 private:
  void Run() {
    while (true) {
      Chunk* chunk;
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;  // only after an error: the remaining chunks will not be written
        chunk = queue_.front();
        queue_.pop_front();
      }
      score_(*chunk);
      {
        std::lock_guard<std::mutex> lock(mu_);
        chunk->done = true;
      }
      done_.notify_all();
    }
  }

  std::function<void(Chunk&)> score_;
  std::mutex mu_;
  std::condition_variable work_;
  std::condition_variable done_;
  std::deque<Chunk*> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

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

  CsvBlockReader reader(in->get());
  Status error;
  CsvBlock header_block;
  // Reader errors say "line N: ..."; the file's name goes in front, as for every other CSV error.
  auto with_file_name = [&](const Status& st) {
    return Status(st.code(), fmt::format("{} {}", options.input, st.message()));
  };
  if (!reader.Next(1, header_block, &error)) {
    if (!error.ok()) return with_file_name(error);
    return Status::InvalidArgument(fmt::format("{} is empty: expected a header line", options.input));
  }
  std::vector<std::string_view> header;
  CsvRecords(header_block).Next(header);

  // Where each model input comes from in a CSV record (-1: not in the file -> missing).
  const auto& inputs = model.info().inputs;
  ColumnPlan plan;
  plan.header_size = header.size();
  std::unordered_map<std::string_view, int> position;
  for (size_t i = 0; i < header.size(); ++i) position.emplace(header[i], static_cast<int>(i));
  for (const auto& input : inputs) {
    auto it = position.find(input.name);
    plan.inputs.push_back(it == position.end() ? -1 : it->second);
  }
  for (const std::string& name : options.include_columns) {
    auto it = position.find(name);
    if (it == position.end())
      return Status::InvalidArgument(fmt::format("--include-column '{}' is not a column of {}", name, options.input));
    plan.echo.push_back(it->second);
  }

  CsvScoreStats stats;
  auto last_progress = Clock::now();
  const size_t chunk_rows = options.chunk_rows == 0 ? 4096 : options.chunk_rows;
  const size_t threads = std::max<size_t>(1, options.threads);
  // Chunks read but not yet written: enough to keep every worker busy while the main thread
  // waits for the oldest one, and a bound on memory whatever the file size.
  const size_t max_in_flight = 2 * threads + 1;

  // This thread reads blocks (cheap: it only finds record ends) and writes results in input
  // order; the workers do the rest, so reading overlaps with scoring.
  // (The chunks are declared first so that they outlive the workers, which the scorers' destructor
  // stops and joins on every return.)
  std::deque<std::unique_ptr<Chunk>> in_flight;
  std::vector<std::unique_ptr<Chunk>> spare;  // written chunks, ready for reuse
  ChunkScorers scorers(threads, [&](Chunk& chunk) { ScoreChunk(model, options, missing, plan, chunk); });
  bool end_of_input = false;
  bool any_chunk = false;
  bool header_written = false;
  while (true) {
    while (!end_of_input && in_flight.size() < max_in_flight) {
      std::unique_ptr<Chunk> chunk;
      if (spare.empty()) {
        chunk = std::make_unique<Chunk>();
      } else {
        chunk = std::move(spare.back());
        spare.pop_back();
        chunk->Reset();
      }
      if (!reader.Next(chunk_rows, chunk->block, &error)) {
        end_of_input = true;
        if (!error.ok()) {
          // Reported in order, after the chunks before it are written.
          chunk->status = with_file_name(error);
          scorers.MarkDone(chunk.get());
          in_flight.push_back(std::move(chunk));
          break;
        }
        // A header-only file is still scored once: the zero-row result names the output columns.
        if (any_chunk) break;
      }
      chunk->first = !any_chunk;
      any_chunk = true;
      scorers.Submit(chunk.get());
      in_flight.push_back(std::move(chunk));
    }
    if (in_flight.empty()) break;

    Chunk& chunk = *in_flight.front();
    scorers.Wait(&chunk);
    if (!chunk.status.ok()) return chunk.status;  // ~ChunkScorers stops the workers
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
      if (std::fwrite(text.data(), 1, text.size(), out->get()) != text.size())
        return Status::Internal(fmt::format("cannot write {}: {}", options.output, std::strerror(errno)));
    }
    if (std::fwrite(chunk.text.data(), 1, chunk.text.size(), out->get()) != chunk.text.size())
      return Status::Internal(fmt::format("cannot write {}: {}", options.output, std::strerror(errno)));
    stats.rows += chunk.rows;
    spare.push_back(std::move(in_flight.front()));
    in_flight.pop_front();

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
