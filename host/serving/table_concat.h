// Concatenates the input tables of several requests into the one table a coalesced model call
// scores. Rows keep request order, so request k's rows start at the sum of the earlier lengths.
#pragma once

#include <scorehost/arrow_columns.hpp>

#include <vector>

#include "core/status.h"

namespace scorehost {

// All parts must have the same columns (names and types) in the same order.
Result<arrow::OwnedArrow> ConcatenateTables(const std::vector<const arrow::OwnedArrow*>& parts);

}  // namespace scorehost
