#include "java_semantics.hpp"

#include <charconv>
#include <cstdlib>
#include <limits>
#include <string>

namespace scorehost::h2o3 {

std::string_view JavaTrim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && static_cast<unsigned char>(s[b]) <= 0x20) ++b;
  while (e > b && static_cast<unsigned char>(s[e - 1]) <= 0x20) --e;
  return s.substr(b, e - b);
}

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Validates Java's decimal grammar: digits [. digits] [e [sign] digits], at least one digit.
bool ValidDecimal(std::string_view s) {
  size_t i = 0, digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

// Hex significand after "0x": hexdigits [. hexdigits] p [sign] digits (the binary exponent is
// mandatory in Java).
bool ValidHex(std::string_view s) {
  size_t i = 0, digits = 0;
  while (i < s.size() && IsHexDigit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsHexDigit(s[i])) ++i, ++digits;
  }
  if (digits == 0 || i >= s.size() || (s[i] != 'p' && s[i] != 'P')) return false;
  ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t exp_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
  return exp_digits > 0 && i == s.size();
}

}  // namespace

std::optional<double> JavaParseDouble(std::string_view in) {
  std::string_view s = JavaTrim(in);
  if (s.empty()) return std::nullopt;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity")
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  if (!s.empty()) {
    char last = s.back();
    if (last == 'f' || last == 'F' || last == 'd' || last == 'D') s.remove_suffix(1);
  }
  double value = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    if (!ValidHex(s)) return std::nullopt;
    auto r = std::from_chars(s.data(), s.data() + s.size(), value, std::chars_format::hex);
    if (r.ptr != s.data() + s.size()) return std::nullopt;
  } else {
    if (!ValidDecimal(s)) return std::nullopt;
    // from_chars reports out-of-range (overflow to inf / underflow to 0) as an error, while Java
    // rounds to Infinity or 0.0; fall back to strtod-like behaviour for those.
    auto r = std::from_chars(s.data(), s.data() + s.size(), value, std::chars_format::general);
    if (r.ec == std::errc::result_out_of_range) {
      std::string copy(s);
      value = std::strtod(copy.c_str(), nullptr);
    } else if (r.ec != std::errc() || r.ptr != s.data() + s.size()) {
      return std::nullopt;
    }
  }
  return negative ? -value : value;
}

std::optional<int64_t> JavaParseLong(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  uint64_t magnitude = 0;
  for (char c : s) {
    if (!IsDigit(c)) return std::nullopt;
    if (magnitude > (static_cast<uint64_t>(INT64_MAX) + 1) / 10) return std::nullopt;
    magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
    if (magnitude > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
  }
  if (!negative && magnitude > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

std::optional<int32_t> JavaParseInt(std::string_view s) {
  auto v = JavaParseLong(s);
  if (!v || *v < INT32_MIN || *v > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(*v);
}

}  // namespace scorehost::h2o3
