// Text cells <-> typed column values, with the REST API's rules. Shared by the REST layer and the
// CSV scorer so that a value means the same thing whichever way it arrives.
//
// Parsing (request cells -> input columns):
//   - a missing-value token (see MissingValues) or a JSON null -> Arrow null;
//   - Float32/Float64: a decimal number, "NaN", "Infinity", "-Infinity" (Java spellings and the
//     usual short ones); "true"/"false" in any case -> 1 / 0 (as H2O's Java scorer does);
//   - Int32/Int64: an integer, or a number with an all-zero fraction ("1.0", as pandas clients send);
//   - Bool: true/false/1/0 in any case;
//   - Str/Time64: the text as it is.
// Formatting (output columns -> response cells): doubles print like Java's Double.toString
// ("1.0", "0.6240277982943945", "1.0E-5"), floats like Float.toString, NaN and nulls become JSON
// null, infinities "Infinity" / "-Infinity", Bool "1" / "0".
#pragma once

#include <scorehost/arrow_columns.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace scorehost {

// The set of cell texts that mean "missing". Default: Driverless AI's documented default list
// ('', '?', 'None', 'nan', 'NA', 'N/A', 'unknown', 'inf', '-inf', +-1.7976931348623157e+308)
// plus "NaN" and "null".
class MissingValues {
 public:
  MissingValues();  // the default list
  explicit MissingValues(std::vector<std::string> tokens);
  // Called for every cell, so it avoids allocating and mostly avoids comparing: most cells are
  // longer than every token or start with a byte no token starts with.
  bool Contains(std::string_view cell) const {
    if (cell.empty()) return has_empty_;
    if (cell.size() > max_length_ || !first_bytes_[static_cast<unsigned char>(cell[0])]) return false;
    if (cell.size() < 64 && !(lengths_ >> cell.size() & 1)) return false;
    for (const std::string& token : list_)
      if (token == cell) return true;
    return false;
  }
  const std::vector<std::string>& tokens() const { return list_; }

 private:
  std::vector<std::string> list_;
  size_t max_length_ = 0;
  bool has_empty_ = false;
  uint64_t lengths_ = 0;                 // bit n (n < 64): some token is n bytes long
  std::array<bool, 256> first_bytes_{};  // the first bytes of the non-empty tokens
};

// Appends one text cell to `column`, converting it to the column's type. Returns
// INVALID_ARGUMENT naming the column and the text when it cannot be converted.
Status AppendCell(arrow::Column& column, std::string_view cell, const MissingValues& missing);

// Parses a number the way the API accepts it; nullopt when it is not one.
std::optional<double> ParseNumber(std::string_view text);

// Writes `value` the way Java's Double.toString does (shortest round-trip digits). Finite only.
void AppendJavaDouble(std::string& out, double value);
void AppendJavaFloat(std::string& out, float value);

// The text of one output cell, or nullopt for a missing value (JSON null).
std::optional<std::string> FormatCell(const arrow::ColumnView& column, int64_t row);

// FormatCell without a string per cell: appends the text to `out` and returns true, or appends
// nothing and returns false for a missing value.
bool AppendCellText(std::string& out, const arrow::ColumnView& column, int64_t row);

}  // namespace scorehost
