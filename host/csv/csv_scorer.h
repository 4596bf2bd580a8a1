// `scorehost score`: a CSV file (header + rows) through a loaded model into a CSV file, in chunks,
// so memory stays bounded whatever the input size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/cells.h"
#include "model/loaded_model.h"

namespace scorehost {

struct CsvScoreOptions {
  std::string input;    // path, or "-" for stdin
  std::string output;   // path, or "-" for stdout
  size_t chunk_rows = 4096;                 // rows per plugin call
  size_t threads = 1;                       // chunks scored in parallel (a model that is not
                                            // thread-safe is still called one chunk at a time)
  std::vector<std::string> include_columns; // input columns copied in front of the predictions
  bool progress = true;                     // a progress line on stderr for long inputs
  uint32_t score_flags = 0;                 // SH_SCORE_* bits
};

struct CsvScoreStats {
  uint64_t rows = 0;
  double seconds = 0;
};

// Input columns are matched to the model's inputs by header name; model inputs missing from the
// header are missing values in every row, extra CSV columns are ignored. Cells follow the API's
// rules (see model/cells.h); an empty output cell is a missing value. A row with more cells than
// the header is an error naming the line. The plugin must return as many rows as it was given.
Result<CsvScoreStats> ScoreCsv(const LoadedModel& model, const CsvScoreOptions& options,
                               const MissingValues& missing = MissingValues());

}  // namespace scorehost
