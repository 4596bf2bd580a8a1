#include "model/cells.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace scorehost {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::optional<bool> ParseBool(std::string_view text) {
  text = Trim(text);
  if (EqualsIgnoreCase(text, "true") || text == "1") return true;
  if (EqualsIgnoreCase(text, "false") || text == "0") return false;
  if (auto d = ParseNumber(text)) {
    if (*d == 1.0) return true;
    if (*d == 0.0) return false;
  }
  return std::nullopt;
}

Status BadCell(const arrow::Column& column, std::string_view cell) {
  return Status::InvalidArgument(fmt::format("For input string: \"{}\" (column '{}' expects {})", cell,
                                             column.name(),
                                             arrow::IsStringType(column.type()) ? "text" : "a number"));
}

}  // namespace

MissingValues::MissingValues()
    : MissingValues({"", "?", "None", "nan", "NA", "N/A", "unknown", "inf", "-inf",
                     "1.7976931348623157e+308", "-1.7976931348623157e+308", "NaN", "null"}) {}

MissingValues::MissingValues(std::vector<std::string> tokens)
    : list_(std::move(tokens)) {
  for (const std::string& t : list_) max_length_ = std::max(max_length_, t.size());
}

std::optional<double> ParseNumber(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Infinity" || text == "+Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  // from_chars takes no leading '+'; Java does, once, before the digits.
  if (text.front() == '+') {
    text.remove_prefix(1);
    if (text.empty() || text.front() == '+' || text.front() == '-') return std::nullopt;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // from_chars reports under/overflow instead of rounding; Java rounds to 0 / infinity.
    bool negative = text.front() == '-';
    size_t e = text.find_first_of("eE");
    bool tiny = e != std::string_view::npos && e + 1 < text.size() && text[e + 1] == '-';
    if (tiny) return negative ? -0.0 : 0.0;
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

Status AppendCell(arrow::Column& column, std::string_view cell, const MissingValues& missing) {
  if (missing.Contains(cell)) {
    column.AppendNull();
    return Status::Ok();
  }
  switch (column.type()) {
    case SH_TYPE_STR:
    case SH_TYPE_TIME64:
      column.AppendString(cell);
      return Status::Ok();
    case SH_TYPE_BOOL: {
      auto b = ParseBool(cell);
      if (!b) return BadCell(column, cell);
      column.AppendBool(*b);
      return Status::Ok();
    }
    case SH_TYPE_FLOAT32:
    case SH_TYPE_FLOAT64: {
      std::string_view t = Trim(cell);
      if (EqualsIgnoreCase(t, "true")) { column.AppendDouble(1.0); return Status::Ok(); }
      if (EqualsIgnoreCase(t, "false")) { column.AppendDouble(0.0); return Status::Ok(); }
      auto d = ParseNumber(t);
      if (!d) return BadCell(column, cell);
      if (std::isnan(*d)) column.AppendNull();
      else column.AppendDouble(*d);
      return Status::Ok();
    }
    case SH_TYPE_INT32:
    case SH_TYPE_INT64: {
      auto d = ParseNumber(cell);
      if (!d || std::isnan(*d)) {
        if (d) { column.AppendNull(); return Status::Ok(); }
        return BadCell(column, cell);
      }
      const double lo = column.type() == SH_TYPE_INT32 ? -2147483648.0 : -9223372036854775808.0;
      const double hi = column.type() == SH_TYPE_INT32 ? 2147483647.0 : 9223372036854775807.0;
      if (std::trunc(*d) != *d || *d < lo || *d > hi) return BadCell(column, cell);
      // Exact integers beyond 2^53 would lose digits through double: parse them directly.
      int64_t exact = 0;
      std::string_view t = Trim(cell);
      if (t.front() == '+') t.remove_prefix(1);
      auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), exact);
      if (ec == std::errc() && end == t.data() + t.size()) column.AppendInt(exact);
      else column.AppendInt(static_cast<int64_t>(*d));
      return Status::Ok();
    }
    default:
      return Status::Internal(fmt::format("column '{}' has an unknown type", column.name()));
  }
}

namespace {

// Java's Double/Float.toString layout applied to the shortest round-trip digits:
// 1e-3 <= |v| < 1e7 -> plain decimal with at least one fraction digit; otherwise d.dddE[-]x.
template <class T>
void AppendJavaStyle(std::string& out, T value) {
  if (value == 0) {
    out += std::signbit(value) ? "-0.0" : "0.0";
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  (void)ec;
  std::string_view sci(buf, static_cast<size_t>(end - buf));  // e.g. "-1.2345e-05"
  bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits += c;
  int exponent = 0;
  std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(), exponent);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();

  if (negative) out += '-';
  if (exponent >= -3 && exponent < 7) {
    if (exponent < 0) {
      out += "0.";
      out.append(static_cast<size_t>(-exponent - 1), '0');
      out += digits;
    } else {
      size_t int_digits = static_cast<size_t>(exponent) + 1;
      if (digits.size() <= int_digits) {
        out += digits;
        out.append(int_digits - digits.size(), '0');
        out += ".0";
      } else {
        out.append(digits, 0, int_digits);
        out += '.';
        out.append(digits, int_digits, std::string::npos);
      }
    }
  } else {
    out += digits[0];
    out += '.';
    if (digits.size() > 1) out.append(digits, 1, std::string::npos);
    else out += '0';
    out += 'E';
    out += std::to_string(exponent);
  }
}

}  // namespace

void AppendJavaDouble(std::string& out, double value) { AppendJavaStyle(out, value); }
void AppendJavaFloat(std::string& out, float value) { AppendJavaStyle(out, value); }

std::optional<std::string> FormatCell(const arrow::ColumnView& column, int64_t row) {
  if (column.IsNull(row)) return std::nullopt;
  std::string out;
  switch (column.type()) {
    case SH_TYPE_STR:
    case SH_TYPE_TIME64:
      return std::string(column.String(row));
    case SH_TYPE_BOOL:
      return std::string(column.Bool(row) ? "1" : "0");
    case SH_TYPE_INT32:
    case SH_TYPE_INT64: {
      int64_t v = column.Int(row);
      // The API reads the type's minimum as its missing-value sentinel.
      if ((column.type() == SH_TYPE_INT32 && v == std::numeric_limits<int32_t>::min()) ||
          (column.type() == SH_TYPE_INT64 && v == std::numeric_limits<int64_t>::min()))
        return std::nullopt;
      return std::to_string(v);
    }
    case SH_TYPE_FLOAT32:
    case SH_TYPE_FLOAT64: {
      double d = column.Double(row);
      if (std::isnan(d)) return std::nullopt;
      if (std::isinf(d)) return std::string(d > 0 ? "Infinity" : "-Infinity");
      if (column.type() == SH_TYPE_FLOAT32) AppendJavaFloat(out, static_cast<float>(d));
      else AppendJavaDouble(out, d);
      return out;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace scorehost
