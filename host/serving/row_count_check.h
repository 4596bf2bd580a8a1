// N-in = N-out: the seed's row-count validation table.
//
// | path     | 0 rows returned | other mismatch            |
// | batching | error           | error                     |
// | direct   | error           | strict: error, warn: WARN |
#pragma once

#include <cstdint>

#include "core/status.h"
#include "serving/serving_settings.h"

namespace scorehost {

enum class ScoringPath { kBatching, kDirect };

// Ok when the counts match or the table allows the mismatch (then a WARN line is logged).
// Otherwise INTERNAL with a message naming both counts.
Status CheckRowCount(int64_t input_rows, int64_t output_rows, ScoringPath path, RowCountValidation mode,
                     const char* what);

}  // namespace scorehost
