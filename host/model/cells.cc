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
  for (const std::string& t : list_) {
    if (t.size() < 64) lengths_ |= uint64_t{1} << t.size();
    max_length_ = std::max(max_length_, t.size());
    if (t.empty()) has_empty_ = true;
    else first_bytes_[static_cast<unsigned char>(t[0])] = true;
  }
}

std::optional<double> ParseNumber(std::string_view text) {
  // Fast path for what nearly every cell is, a plain decimal number: one from_chars call. Anything
  // else (spaces, '+', NaN/Infinity, out of range) takes the general path below.
  if (!text.empty()) {
    const size_t d = text.front() == '-' ? 1 : 0;
    if (d < text.size() && text[d] >= '0' && text[d] <= '9') {
      double value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec == std::errc() && end == text.data() + text.size()) return value;
    }
  }
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
      // A number first: that is what nearly every cell is.
      auto d = ParseNumber(cell);
      if (!d) {
        std::string_view t = Trim(cell);
        if (EqualsIgnoreCase(t, "true")) d = 1.0;
        else if (EqualsIgnoreCase(t, "false")) d = 0.0;
        else return BadCell(column, cell);
      }
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
// Works in stack buffers: it runs for every output number.
template <class T>
void AppendJavaStyle(std::string& out, T value) {
  if (value == 0) {
    out += std::signbit(value) ? "-0.0" : "0.0";
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::scientific);
  (void)ec;
  const char* p = buf;  // e.g. "-1.2345e-05"
  const bool negative = *p == '-';
  if (negative) ++p;
  const char* e = std::find(p, static_cast<const char*>(end), 'e');
  char digit_buf[40];
  size_t n = 0;
  for (const char* q = p; q != e; ++q)
    if (*q != '.') digit_buf[n++] = *q;
  while (n > 1 && digit_buf[n - 1] == '0') --n;
  const std::string_view digits(digit_buf, n);
  int exponent = 0;
  std::from_chars(e + 1 + (e[1] == '+' ? 1 : 0), end, exponent);

  if (negative) out += '-';
  if (exponent >= -3 && exponent < 7) {
    if (exponent < 0) {
      out += "0.";
      out.append(static_cast<size_t>(-exponent - 1), '0');
      out += digits;
    } else {
      const size_t int_digits = static_cast<size_t>(exponent) + 1;
      if (digits.size() <= int_digits) {
        out += digits;
        out.append(int_digits - digits.size(), '0');
        out += ".0";
      } else {
        out += digits.substr(0, int_digits);
        out += '.';
        out += digits.substr(int_digits);
      }
    }
  } else {
    out += digits[0];
    out += '.';
    if (digits.size() > 1) out += digits.substr(1);
    else out += '0';
    out += 'E';
    char exp_buf[8];
    auto [exp_end, exp_ec] = std::to_chars(exp_buf, exp_buf + sizeof(exp_buf), exponent);
    (void)exp_ec;
    out.append(exp_buf, exp_end);
  }
}

}  // namespace

void AppendJavaDouble(std::string& out, double value) { AppendJavaStyle(out, value); }
void AppendJavaFloat(std::string& out, float value) { AppendJavaStyle(out, value); }

std::optional<std::string> FormatCell(const arrow::ColumnView& column, int64_t row) {
  std::string out;
  if (!AppendCellText(out, column, row)) return std::nullopt;
  return out;
}

bool AppendCellText(std::string& out, const arrow::ColumnView& column, int64_t row) {
  if (column.IsNull(row)) return false;
  switch (column.type()) {
    case SH_TYPE_STR:
    case SH_TYPE_TIME64:
      out += column.String(row);
      return true;
    case SH_TYPE_BOOL:
      out += column.Bool(row) ? '1' : '0';
      return true;
    case SH_TYPE_INT32:
    case SH_TYPE_INT64: {
      int64_t v = column.Int(row);
      // The API reads the type's minimum as its missing-value sentinel.
      if ((column.type() == SH_TYPE_INT32 && v == std::numeric_limits<int32_t>::min()) ||
          (column.type() == SH_TYPE_INT64 && v == std::numeric_limits<int64_t>::min()))
        return false;
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
      (void)ec;
      out.append(buf, end);
      return true;
    }
    case SH_TYPE_FLOAT32:
    case SH_TYPE_FLOAT64: {
      double d = column.Double(row);
      if (std::isnan(d)) return false;
      if (std::isinf(d)) out += d > 0 ? "Infinity" : "-Infinity";
      else if (column.type() == SH_TYPE_FLOAT32) AppendJavaFloat(out, static_cast<float>(d));
      else AppendJavaDouble(out, d);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace scorehost
